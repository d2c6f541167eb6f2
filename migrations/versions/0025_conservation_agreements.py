"""Conservation agreements: multi-year agreements of incentive schemes with a household or
a community, their milestones and conditional instalments.

Revision ID: 0025_conservation_agreements
Revises: 0024_committee_meetings
Create Date: 2026-12-05 13:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0025_conservation_agreements'
down_revision = '0024_committee_meetings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'conservation_agreement',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('scheme_id', sa.Integer(), sa.ForeignKey('scheme.id'), nullable=False),
        sa.Column('village_id', sa.Integer(), sa.ForeignKey('village.id'), nullable=False),
        sa.Column('household_id', sa.Integer(), sa.ForeignKey('household.id'), nullable=True),
        sa.Column('country_code', sa.String(length=2), sa.ForeignKey('country.code'),
                  nullable=False),
        sa.Column('admin1_id', sa.Integer(), sa.ForeignKey('admin_area.id'), nullable=False),
        sa.Column('admin2_id', sa.Integer(), sa.ForeignKey('admin_area.id'), nullable=True),
        sa.Column('signed_on', sa.Date(), nullable=False),
        sa.Column('term_years', sa.Integer(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('renews_id', sa.Integer(), sa.ForeignKey('conservation_agreement.id'),
                  nullable=True),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('term_years BETWEEN 1 AND 10',
                           name=op.f('ck_conservation_agreement_term')),
        sa.CheckConstraint('ends_on > signed_on', name=op.f('ck_conservation_agreement_period')),
        sa.UniqueConstraint('renews_id', name=op.f('uq_conservation_agreement_renews_id')),
    )
    op.create_index('ix_conservation_agreement_scheme_id', 'conservation_agreement',
                    ['scheme_id'])
    op.create_index('ix_conservation_agreement_village_id', 'conservation_agreement',
                    ['village_id'])
    op.create_index('ix_conservation_agreement_household_id', 'conservation_agreement',
                    ['household_id'])
    op.create_index('ix_conservation_agreement_scope', 'conservation_agreement',
                    ['country_code', 'admin1_id', 'admin2_id'])
    op.create_table(
        'agreement_milestone',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('agreement_id', sa.Integer(),
                  sa.ForeignKey('conservation_agreement.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('verified_on', sa.Date(), nullable=True),
        sa.Column('evidence', sa.Text(), nullable=True),
        sa.Column('verified_by_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=True),
        sa.Column('verified_at', sa.DateTime(), nullable=True),
        sa.UniqueConstraint('agreement_id', 'year', 'kind',
                            name=op.f('uq_agreement_milestone_agreement_id_year_kind')),
    )
    op.create_index('ix_agreement_milestone_agreement_id', 'agreement_milestone',
                    ['agreement_id'])
    op.create_table(
        'agreement_instalment',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('agreement_id', sa.Integer(),
                  sa.ForeignKey('conservation_agreement.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Numeric(18, 2), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('payment_id', sa.Integer(), sa.ForeignKey('incentive_payment.id'),
                  nullable=True),
        sa.CheckConstraint('amount > 0', name=op.f('ck_agreement_instalment_amount_positive')),
        sa.UniqueConstraint('agreement_id', 'year',
                            name=op.f('uq_agreement_instalment_agreement_id_year')),
        sa.UniqueConstraint('payment_id', name=op.f('uq_agreement_instalment_payment_id')),
    )
    op.create_index('ix_agreement_instalment_agreement_id', 'agreement_instalment',
                    ['agreement_id'])


def downgrade():
    op.drop_index('ix_agreement_instalment_agreement_id', 'agreement_instalment')
    op.drop_table('agreement_instalment')
    op.drop_index('ix_agreement_milestone_agreement_id', 'agreement_milestone')
    op.drop_table('agreement_milestone')
    for name in ('scope', 'household_id', 'village_id', 'scheme_id'):
        op.drop_index(f'ix_conservation_agreement_{name}', 'conservation_agreement')
    op.drop_table('conservation_agreement')
