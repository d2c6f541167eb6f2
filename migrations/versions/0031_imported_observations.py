"""Observations imported from EarthRanger and SMART as presence records, by source id.

Revision ID: 0031_imported_observations
Revises: 0030_webhooks
Create Date: 2026-12-05 22:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0031_imported_observations'
down_revision = '0030_webhooks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('imported_observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.String(length=120), nullable=False),
    sa.Column('presence_record_id', sa.Integer(), nullable=True),
    sa.Column('imported_by_id', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("source IN ('earthranger', 'smart')", name=op.f('ck_imported_observation_source')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user.id'], name=op.f('fk_imported_observation_imported_by_id_user')),
    sa.ForeignKeyConstraint(['presence_record_id'], ['presence_record.id'], name=op.f('fk_imported_observation_presence_record_id_presence_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_observation')),
    sa.UniqueConstraint('source', 'source_id', name='uq_imported_observation_source')
    )
    with op.batch_alter_table('imported_observation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imported_observation_presence_record_id'), ['presence_record_id'], unique=False)


def downgrade():
    with op.batch_alter_table('imported_observation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imported_observation_presence_record_id'))
    op.drop_table('imported_observation')
