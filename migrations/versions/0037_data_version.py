"""The data's version: one row, raised by every transaction that writes to the tables the
analytics and public statistics read, so their caches check one row instead of counting
the tables.

Revision ID: 0037_data_version
Revises: 0036_export_runs
Create Date: 2026-12-07 00:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0037_data_version'
down_revision = '0036_export_runs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
    )  # empty: the first write inserts the row, so a backup still restores into a new database


def downgrade():
    op.drop_table('data_version')
