"""A claim approved, scheduled for payment, paid or closed always has its approved amount:
payments, budgets and the herder's page read it, and a claim without one (written by hand
in the database) turned the payments page into an error.

Revision ID: 0040_decided_amount
Revises: 0039_incident_verdict
Create Date: 2026-12-07 00:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0040_decided_amount'
down_revision = '0039_incident_verdict'
branch_labels = None
depends_on = None

DECIDED = "('approved', 'payment_scheduled', 'paid', 'closed')"


def upgrade():
    bind = op.get_bind()
    missing = bind.execute(sa.text(
        f"SELECT reference FROM claim WHERE amount_approved IS NULL AND state IN {DECIDED} "
        "ORDER BY id LIMIT 6")).scalars().all()
    if missing:
        # No amount can be made up here: the office decides it, then the upgrade runs.
        raise RuntimeError(
            "claims decided for payment without an approved amount: "
            + ", ".join(missing[:5]) + (" and more" if len(missing) > 5 else "")
            + ". Set their amounts (or their state) in the database, then upgrade again.")
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'decided_amount', f"amount_approved IS NOT NULL OR state NOT IN {DECIDED}")


def downgrade():
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_constraint('decided_amount', type_='check')
