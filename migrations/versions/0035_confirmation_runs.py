"""A large confirmation file is recorded by a job; the run keeps its outcome for a day.

Revision ID: 0035_confirmation_runs
Revises: 0034_voucher_runs
Create Date: 2026-12-06 21:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0035_confirmation_runs'
down_revision = '0034_voucher_runs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'confirmation_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('locale', sa.String(length=16), nullable=False),
        sa.Column('lines', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=True),
        sa.Column('problem', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['batch_id'], ['payment_batch.id'],
                                name=op.f('fk_confirmation_run_batch_id_payment_batch')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_confirmation_run_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_confirmation_run')),
    )
    with op.batch_alter_table('confirmation_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confirmation_run_batch_id'), ['batch_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_confirmation_run_user_id'), ['user_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('confirmation_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_confirmation_run_user_id'))
        batch_op.drop_index(batch_op.f('ix_confirmation_run_batch_id'))
    op.drop_table('confirmation_run')
