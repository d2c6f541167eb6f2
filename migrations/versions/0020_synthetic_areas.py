"""Provinces can be marked synthetic: generated landscapes live there, out of the public
village list, and are removed with one command.

Revision ID: 0020_synthetic_areas
Revises: 0019_herder_report
Create Date: 2026-12-05 08:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0020_synthetic_areas'
down_revision = '0019_herder_report'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('admin_area') as batch:
        batch.add_column(sa.Column('synthetic', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('admin_area') as batch:
        batch.drop_column('synthetic')
