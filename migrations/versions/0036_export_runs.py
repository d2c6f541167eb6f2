"""A large export is written by a job; the run keeps the file for a day.

Revision ID: 0036_export_runs
Revises: 0035_confirmation_runs
Create Date: 2026-12-07 00:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0036_export_runs'
down_revision = '0035_confirmation_runs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'export_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('table', sa.String(length=16), nullable=False),
        sa.Column('format', sa.String(length=8), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_export_run_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_run')),
    )
    with op.batch_alter_table('export_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_run_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('export_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_run_user_id'))
    op.drop_table('export_run')
