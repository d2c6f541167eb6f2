"""Claims for an injury to a person, the death of a person or crop damage, when a scheme
enables them: the kind of harm and what it is valued from, one row per claim.

Revision ID: 0028_harm_claims
Revises: 0027_country_languages
Create Date: 2026-12-05 15:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0028_harm_claims'
down_revision = '0027_country_languages'
branch_labels = None
depends_on = None

# Frozen copies of the enums as they were when this revision was written.
HARM_KINDS = ('human_injury', 'human_death', 'crop_damage')
SEVERITIES = ('minor', 'serious', 'permanent')


def upgrade():
    op.create_table(
        'claim_harm',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum(*HARM_KINDS, name='harm_kind', native_enum=False,
                                  create_constraint=True, length=32), nullable=False),
        sa.Column('severity', sa.Enum(*SEVERITIES, name='severity', native_enum=False,
                                      create_constraint=True, length=32), nullable=True),
        sa.Column('medical_details', sa.Text(), nullable=True),
        sa.Column('medical_costs', sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column('next_of_kin', sa.String(length=120), nullable=True),
        sa.Column('document_key', sa.String(length=80), nullable=True),
        sa.Column('document_sha256', sa.String(length=64), nullable=True),
        sa.Column('crop', sa.String(length=20), nullable=True),
        sa.Column('area_ha', sa.Numeric(precision=12, scale=4), nullable=True),
        sa.Column('measured_on', sa.Date(), nullable=True),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('area_ha IS NULL OR area_ha > 0',
                           name=op.f('ck_claim_harm_area_positive')),
        sa.CheckConstraint('medical_costs IS NULL OR medical_costs >= 0',
                           name=op.f('ck_claim_harm_costs_positive')),
        sa.ForeignKeyConstraint(['claim_id'], ['claim.id'],
                                name=op.f('fk_claim_harm_claim_id_claim'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'],
                                name=op.f('fk_claim_harm_recorded_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_harm')),
        sa.UniqueConstraint('claim_id', name=op.f('uq_claim_harm_claim_id')),
        sa.UniqueConstraint('document_key', name=op.f('uq_claim_harm_document_key')),
    )


def downgrade():
    op.drop_table('claim_harm')
