"""Bundles uploaded on the web are imported by a job; the page follows its progress.

Revision ID: 0018_bundle_import
Revises: 0017_notices
Create Date: 2026-12-04 21:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0018_bundle_import'
down_revision = '0017_notices'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'bundle_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('path', sa.String(length=500), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('done_bytes', sa.BigInteger(), nullable=False),
        sa.Column('total_bytes', sa.BigInteger(), nullable=False),
        sa.Column('problems', sa.JSON(), nullable=True),
        sa.Column('hidden_problems', sa.Integer(), nullable=False),
        sa.Column('created', sa.JSON(), nullable=True),
        sa.Column('unchanged', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_bundle_import_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bundle_import')),
    )
    with op.batch_alter_table('bundle_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundle_import_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('bundle_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundle_import_user_id'))
    op.drop_table('bundle_import')
