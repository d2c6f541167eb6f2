"""Missing animals (herd counts before and after the season, leopard signs in the area) and
vet invoices of injured animals, per loss line.

Revision ID: 0023_missing_and_vet
Revises: 0022_alerts
Create Date: 2026-12-05 08:06:34.199589

"""
from alembic import op
import sqlalchemy as sa


revision = '0023_missing_and_vet'
down_revision = '0022_alerts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('season_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('loss_line_id', sa.Integer(), nullable=False),
    sa.Column('count_before', sa.Integer(), nullable=True),
    sa.Column('counted_before_on', sa.Date(), nullable=True),
    sa.Column('count_after', sa.Integer(), nullable=True),
    sa.Column('counted_after_on', sa.Date(), nullable=True),
    sa.Column('explained', sa.Integer(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=True),
    sa.Column('signs_on', sa.Date(), nullable=True),
    sa.Column('signs_note', sa.Text(), nullable=True),
    sa.Column('signs_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('count_after IS NULL OR count_after >= 0', name=op.f('ck_season_count_after_positive')),
    sa.CheckConstraint('count_before IS NULL OR count_before >= 0', name=op.f('ck_season_count_before_positive')),
    sa.CheckConstraint('explained >= 0', name=op.f('ck_season_count_explained_positive')),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_season_count_claim_id_claim'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['loss_line_id'], ['loss_line.id'], name=op.f('fk_season_count_loss_line_id_loss_line'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_season_count_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['signs_by_id'], ['user.id'], name=op.f('fk_season_count_signs_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_season_count')),
    sa.UniqueConstraint('loss_line_id', name=op.f('uq_season_count_loss_line_id'))
    )
    with op.batch_alter_table('season_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_season_count_claim_id'), ['claim_id'], unique=False)

    op.create_table('vet_invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('loss_line_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('invoiced_on', sa.Date(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_vet_invoice_amount_positive')),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_vet_invoice_claim_id_claim'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_vet_invoice_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['loss_line_id'], ['loss_line.id'], name=op.f('fk_vet_invoice_loss_line_id_loss_line'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_vet_invoice_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vet_invoice')),
    sa.UniqueConstraint('loss_line_id', name=op.f('uq_vet_invoice_loss_line_id'))
    )
    with op.batch_alter_table('vet_invoice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vet_invoice_claim_id'), ['claim_id'], unique=False)



def downgrade():
    with op.batch_alter_table('vet_invoice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vet_invoice_claim_id'))

    op.drop_table('vet_invoice')
    with op.batch_alter_table('season_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_season_count_claim_id'))

    op.drop_table('season_count')
