"""The audit entries that end a step of a claim (verification, decision, payment) get a
partial index of their own: the overview's processing times read the first of each per
claim from it alone, instead of visiting every claim's entries in the table.

Revision ID: 0038_claim_step_index
Revises: 0037_data_version
Create Date: 2026-12-07 00:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0038_claim_step_index'
down_revision = '0037_data_version'
branch_labels = None
depends_on = None

# As in conflict_app.core.audit (CLAIM_STEPS_WHERE), written out: a migration keeps the
# shape it had when it was written.
WHERE = ("object_type = 'claim' AND action IN ('file_verification', 'approve', 'reject', "
         "'declare_ineligible', 'record_payment')")


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_claim_steps', ['object_id', 'action', 'occurred_at'],
                              unique=False, sqlite_where=sa.text(WHERE),
                              postgresql_where=sa.text(WHERE))


def downgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_claim_steps', sqlite_where=sa.text(WHERE),
                            postgresql_where=sa.text(WHERE))
