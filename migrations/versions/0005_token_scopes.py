"""API tokens get scopes, an expiry, a last-used time and the roles they were made with.

Tokens made before scopes existed could do everything their user could, for ever: they are
revoked, and their owners make new ones with the scopes they need.

Revision ID: 0005_token_scopes
Revises: 0004_interim_recovery
Create Date: 2026-12-04 18:10:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0005_token_scopes'
down_revision = '0004_interim_recovery'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scopes', sa.String(length=64), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('roles', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(), nullable=True))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.execute(sa.text("UPDATE api_token SET expires_at = :now, "
                       "revoked_at = COALESCE(revoked_at, :now)").bindparams(now=now))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('roles')
        batch_op.drop_column('scopes')
