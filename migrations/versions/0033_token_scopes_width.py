"""API token scopes get room: eight scopes took 62 of the column's 64 characters, so a
ninth would have made a token with every scope fail to save.

Revision ID: 0033_token_scopes_width
Revises: 0032_field_sync
Create Date: 2026-12-06 03:35:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0033_token_scopes_width'
down_revision = '0032_field_sync'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('scopes', existing_type=sa.String(length=64),
                              type_=sa.String(length=255), existing_nullable=False)


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('scopes', existing_type=sa.String(length=255),
                              type_=sa.String(length=64), existing_nullable=False)
