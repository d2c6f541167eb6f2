"""Indexes for range-wide scale: queues per state and jurisdiction, loss lines by incident,
household names by trigram (pg_trgm GIN on PostgreSQL, a plain index elsewhere).

Revision ID: 0012_scale_indexes
Revises: 0011_login_failure
"""
from alembic import op


revision = '0012_scale_indexes'
down_revision = '0011_login_failure'
branch_labels = None
depends_on = None

QUEUE_INDEXES = {
    'ix_claim_state_country_due': ['state', 'country_code', 'due_at', 'id'],
    'ix_claim_state_province_due': ['state', 'admin1_id', 'due_at', 'id'],
    'ix_claim_state_district_due': ['state', 'admin2_id', 'due_at', 'id'],
    'ix_claim_state_verifier_due': ['state', 'verifier_id', 'due_at', 'id'],
}


def upgrade():
    with op.batch_alter_table('claim', schema=None) as batch_op:
        for name, columns in QUEUE_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    with op.batch_alter_table('loss_line', schema=None) as batch_op:
        batch_op.create_index('ix_loss_line_incident_id', ['incident_id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.create_index('ix_household_name_trgm', 'household', ['head_name'],
                        postgresql_using='gin', postgresql_ops={'head_name': 'gin_trgm_ops'})
    else:
        with op.batch_alter_table('household', schema=None) as batch_op:
            batch_op.create_index('ix_household_name_trgm', ['head_name'], unique=False)


def downgrade():
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index('ix_household_name_trgm')
    with op.batch_alter_table('loss_line', schema=None) as batch_op:
        batch_op.drop_index('ix_loss_line_incident_id')
    with op.batch_alter_table('claim', schema=None) as batch_op:
        for name in QUEUE_INDEXES:
            batch_op.drop_index(name)
