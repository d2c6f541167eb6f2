"""Incidents point at their verdict, the latest verification report of any of their claims,
so the analytics join it directly instead of finding the latest report of every incident on
each computation.

Revision ID: 0039_incident_verdict
Revises: 0038_claim_step_index
Create Date: 2026-12-07 00:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0039_incident_verdict'
down_revision = '0038_claim_step_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verdict_report_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_incident_verdict_report_id_verification_report'),
            'verification_report', ['verdict_report_id'], ['id'], ondelete='SET NULL')
    op.execute(
        "UPDATE incident SET verdict_report_id = (SELECT max(verification_report.id) "
        "FROM claim JOIN verification_report ON verification_report.claim_id = claim.id "
        "WHERE claim.incident_id = incident.id)")


def downgrade():
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_incident_verdict_report_id_verification_report'), type_='foreignkey')
        batch_op.drop_column('verdict_report_id')
