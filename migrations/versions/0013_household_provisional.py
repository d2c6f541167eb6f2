"""Households opened by an anonymous report are provisional until a clerk links them.

Revision ID: 0013_household_provisional
Revises: 0012_scale_indexes
Create Date: 2026-12-04 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_household_provisional'
down_revision = '0012_scale_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provisional', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_column('provisional')
