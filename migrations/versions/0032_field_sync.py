"""Field form sync: ODK Central and KoboToolbox sources, each pull, and the submissions the
import refused, kept with their photos for a clerk.

Revision ID: 0032_field_sync
Revises: 0031_imported_observations
Create Date: 2026-12-05 21:59:33.664919

"""
from alembic import op
import sqlalchemy as sa


revision = '0032_field_sync'
down_revision = '0031_imported_observations'
branch_labels = None
depends_on = None

# Frozen copies of the values, not imports of the live enums.
PLATFORMS = ('odk_central', 'kobo')
KINDS = ('report', 'verification')
RUN_STATES = ('running', 'ok', 'error')
HELD_STATES = ('waiting', 'accepted', 'dismissed')


def upgrade():
    op.create_table('field_sync_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('platform', sa.Enum(*PLATFORMS, name='field_sync_platform', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('server_url', sa.String(length=500), nullable=False),
    sa.Column('project', sa.String(length=40), nullable=True),
    sa.Column('form_id', sa.String(length=120), nullable=False),
    sa.Column('form_kind', sa.Enum(*KINDS, name='field_form_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('credentials', sa.Text(), nullable=False),
    sa.Column('file_as_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('cursor', sa.String(length=40), nullable=True),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('last_run_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_field_sync_source_created_by_id_user')),
    sa.ForeignKeyConstraint(['file_as_id'], ['user.id'], name=op.f('fk_field_sync_source_file_as_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_sync_source'))
    )
    op.create_table('field_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=120), nullable=False),
    sa.Column('form_kind', sa.Enum(*KINDS, name='field_form_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum(*HELD_STATES, name='field_submission_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('submitted_at', sa.String(length=40), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('claim_reference', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('fk_field_submission_resolved_by_id_user')),
    sa.ForeignKeyConstraint(['source_id'], ['field_sync_source.id'], name=op.f('fk_field_submission_source_id_field_sync_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_submission')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_field_submission_instance_id'))
    )
    with op.batch_alter_table('field_submission', schema=None) as batch_op:
        batch_op.create_index('ix_field_submission_waiting', ['state', 'source_id', 'id'], unique=False)

    op.create_table('field_sync_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.Enum(*RUN_STATES, name='field_sync_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['field_sync_source.id'], name=op.f('fk_field_sync_run_source_id_field_sync_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_sync_run'))
    )
    with op.batch_alter_table('field_sync_run', schema=None) as batch_op:
        batch_op.create_index('ix_field_sync_run_source', ['source_id', 'id'], unique=False)

    op.create_table('field_submission_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['field_submission.id'], name=op.f('fk_field_submission_photo_submission_id_field_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_submission_photo'))
    )
    with op.batch_alter_table('field_submission_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_submission_photo_submission_id'), ['submission_id'], unique=False)



def downgrade():
    with op.batch_alter_table('field_submission_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_submission_photo_submission_id'))

    op.drop_table('field_submission_photo')
    with op.batch_alter_table('field_sync_run', schema=None) as batch_op:
        batch_op.drop_index('ix_field_sync_run_source')

    op.drop_table('field_sync_run')
    with op.batch_alter_table('field_submission', schema=None) as batch_op:
        batch_op.drop_index('ix_field_submission_waiting')

    op.drop_table('field_submission')
    op.drop_table('field_sync_source')
