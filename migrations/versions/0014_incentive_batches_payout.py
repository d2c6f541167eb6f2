"""Incentive payments go through payment batches; households get payout details; the
adoption cap per household is a count and an amount, not one value read both ways.

Revision ID: 0014_incentive_batches_payout
Revises: 0013_household_provisional
Create Date: 2026-12-04 21:00:00

"""
from decimal import Decimal, InvalidOperation

from alembic import op
import sqlalchemy as sa


revision = '0014_incentive_batches_payout'
down_revision = '0013_household_provisional'
branch_labels = None
depends_on = None

# A frozen copy of the names, as they were and as they are.
OLD = 'adoption_cap_household'
COUNT = 'household_adoption_count'
AMOUNT = 'household_adoption_amount'
# The old field was labelled "Most adoption payments per household" but applied as money.
# A whole value up to this was typed as a number of payments (a money cap that small pays
# nothing in any currency of the range); a larger one was meant as money.
LARGEST_COUNT = Decimal(20)


def _split_caps(to_new: bool) -> None:
    bind = op.get_bind()
    versions = sa.table('rule_version', sa.column('id', sa.Integer),
                        sa.column('values', sa.JSON))
    for version_id, values in bind.execute(sa.select(versions.c.id, versions.c['values'])):
        values = dict(values or {})
        if to_new and OLD in values:
            raw = values.pop(OLD)
            try:
                number = Decimal(str(raw))
            except InvalidOperation:
                continue
            is_count = number == number.to_integral_value() and number <= LARGEST_COUNT
            values[COUNT if is_count else AMOUNT] = str(int(number)) if is_count else str(raw)
        elif not to_new and (COUNT in values or AMOUNT in values):
            count, amount = values.pop(COUNT, None), values.pop(AMOUNT, None)
            values[OLD] = amount if amount is not None else count
        else:
            continue
        bind.execute(versions.update().where(versions.c.id == version_id)
                     .values({'values': values}))


def upgrade():
    _split_caps(True)
    op.create_table('payout_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('account_holder', sa.String(length=160), nullable=True),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('bank_account', sa.String(length=34), nullable=True),
    sa.Column('bank_name', sa.String(length=120), nullable=True),
    sa.Column('wallet_number', sa.String(length=20), nullable=True),
    sa.Column('wallet_provider', sa.String(length=60), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_payout_details_household_id_household')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_payout_details_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_details')),
    sa.UniqueConstraint('household_id', name=op.f('uq_payout_details_household_id'))
    )
    with op.batch_alter_table('incentive_payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_incentive_payment_measure_id'), type_='unique')
        batch_op.create_index('uq_incentive_live_measure', ['measure_id'], unique=True,
                              sqlite_where=sa.text("state <> 'cancelled'"),
                              postgresql_where=sa.text("state <> 'cancelled'"))
    with op.batch_alter_table('payment_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('incentive_payment_id', sa.Integer(), nullable=True))
        batch_op.alter_column('claim_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f('fk_payment_item_incentive_payment_id_incentive_payment'),
            'incentive_payment', ['incentive_payment_id'], ['id'])
        batch_op.create_check_constraint(
            'one_payable', '(claim_id IS NULL) <> (incentive_payment_id IS NULL)')
        batch_op.create_index('uq_payment_item_live_incentive', ['incentive_payment_id'],
                              unique=True,
                              sqlite_where=sa.text("state IN ('pending', 'paid')"),
                              postgresql_where=sa.text("state IN ('pending', 'paid')"))


def downgrade():
    bind = op.get_bind()
    items = sa.table('payment_item', sa.column('incentive_payment_id', sa.Integer))
    bind.execute(items.delete().where(items.c.incentive_payment_id.is_not(None)))
    with op.batch_alter_table('payment_item', schema=None) as batch_op:
        batch_op.drop_index('uq_payment_item_live_incentive')
        batch_op.drop_constraint(batch_op.f('ck_payment_item_one_payable'), type_='check')
        batch_op.drop_constraint(
            batch_op.f('fk_payment_item_incentive_payment_id_incentive_payment'),
            type_='foreignkey')
        batch_op.alter_column('claim_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('incentive_payment_id')
    incentive = sa.table('incentive_payment', sa.column('state', sa.String))
    bind.execute(incentive.delete().where(incentive.c.state == 'cancelled'))
    with op.batch_alter_table('incentive_payment', schema=None) as batch_op:
        batch_op.drop_index('uq_incentive_live_measure')
        batch_op.create_unique_constraint(batch_op.f('uq_incentive_payment_measure_id'),
                                          ['measure_id'])
        batch_op.drop_column('cancel_reason')
    op.drop_table('payout_details')
    _split_caps(False)
