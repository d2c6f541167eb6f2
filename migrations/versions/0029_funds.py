"""Funds that feed scheme budgets: an endowment (only its income is allocated) or a pooled
fund, each with an append-only ledger of contributions, income, allocations to schemes,
returns and adjustments.

Revision ID: 0029_funds
Revises: 0028_harm_claims
Create Date: 2026-12-05 19:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0029_funds'
down_revision = '0028_harm_claims'
branch_labels = None
depends_on = None

# Frozen copies of the kinds, not imports of the live enums.
FUND_KINDS = ('endowment', 'pooled')
ENTRY_KINDS = ('contribution', 'income', 'allocation', 'return', 'adjustment')
POTS = ('principal', 'income')


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table(
        'fund',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=160), nullable=False),
        sa.Column('kind', _enum(FUND_KINDS, 'fund_kind'), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('country_code', sa.String(length=2), sa.ForeignKey('country.code'),
                  nullable=False),
        sa.Column('admin1_id', sa.Integer(), sa.ForeignKey('admin_area.id'), nullable=True),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('example', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('name', name=op.f('uq_fund_name')),
    )
    op.create_index('ix_fund_scope', 'fund', ['country_code', 'admin1_id'])
    op.create_table(
        'fund_entry',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('fund_id', sa.Integer(), sa.ForeignKey('fund.id'), nullable=False),
        sa.Column('kind', _enum(ENTRY_KINDS, 'fund_entry_kind'), nullable=False),
        sa.Column('pot', _enum(POTS, 'fund_pot'), nullable=False),
        sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('booked_on', sa.Date(), nullable=False),
        sa.Column('donor', sa.String(length=160), nullable=True),
        sa.Column('period_from', sa.Date(), nullable=True),
        sa.Column('period_to', sa.Date(), nullable=True),
        sa.Column('scheme_id', sa.Integer(), sa.ForeignKey('scheme.id'), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(kind IN ('contribution', 'income', 'return') AND amount > 0)"
            " OR (kind = 'allocation' AND amount < 0)"
            " OR (kind = 'adjustment' AND amount <> 0)",
            name=op.f('ck_fund_entry_signed_amount')),
        sa.CheckConstraint("(kind IN ('allocation', 'return')) = (scheme_id IS NOT NULL)",
                           name=op.f('ck_fund_entry_scheme_for_allocations')),
        sa.CheckConstraint(
            'period_to IS NULL OR period_from IS NULL OR period_to >= period_from',
            name=op.f('ck_fund_entry_period')),
    )
    op.create_index('ix_fund_entry_fund', 'fund_entry', ['fund_id', 'id'])
    op.create_index('ix_fund_entry_scheme_id', 'fund_entry', ['scheme_id'])


def downgrade():
    op.drop_index('ix_fund_entry_scheme_id', table_name='fund_entry')
    op.drop_index('ix_fund_entry_fund', table_name='fund_entry')
    op.drop_table('fund_entry')
    op.drop_index('ix_fund_scope', table_name='fund')
    op.drop_table('fund')
