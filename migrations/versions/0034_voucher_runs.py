"""A large batch's vouchers are rendered by a job; the run keeps the file for a day.

Revision ID: 0034_voucher_runs
Revises: 0033_token_scopes_width
Create Date: 2026-12-06 20:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0034_voucher_runs'
down_revision = '0033_token_scopes_width'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'voucher_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('locale', sa.String(length=16), nullable=False),
        sa.Column('zone', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('items', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['batch_id'], ['payment_batch.id'],
                                name=op.f('fk_voucher_run_batch_id_payment_batch')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_voucher_run_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_run')),
    )
    with op.batch_alter_table('voucher_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_run_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_run_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('voucher_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_run_user_id'))
        batch_op.drop_index(batch_op.f('ix_voucher_run_batch_id'))
    op.drop_table('voucher_run')
