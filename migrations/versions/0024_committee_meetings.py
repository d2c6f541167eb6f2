"""Committee verification: meetings recorded on a claim, with each member's vote.

Revision ID: 0024_committee_meetings
Revises: 0023_missing_and_vet
Create Date: 2026-12-05 08:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0024_committee_meetings'
down_revision = '0023_missing_and_vet'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'committee_meeting',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('claim_id', sa.Integer(), sa.ForeignKey('claim.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('minute', sa.Text(), nullable=False),
        sa.Column('quorum', sa.Integer(), nullable=False),
        sa.Column('votes_needed', sa.Integer(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('quorum >= 0 AND votes_needed >= 0',
                           name=op.f('ck_committee_meeting_rule_positive')),
    )
    op.create_index('ix_committee_meeting_claim_id', 'committee_meeting', ['claim_id'])
    op.create_table(
        'committee_member',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('meeting_id', sa.Integer(),
                  sa.ForeignKey('committee_meeting.id', ondelete='CASCADE'), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(120), nullable=False),
        sa.Column('role', sa.String(120), nullable=False),
        sa.Column('vote', sa.Enum('confirm', 'not_leopard', 'abstain', name='committee_vote',
                                  native_enum=False, create_constraint=True, length=32),
                  nullable=False),
    )
    op.create_index('ix_committee_member_meeting_id', 'committee_member', ['meeting_id'])


def downgrade():
    op.drop_index('ix_committee_member_meeting_id', 'committee_member')
    op.drop_table('committee_member')
    op.drop_index('ix_committee_meeting_claim_id', 'committee_meeting')
    op.drop_table('committee_meeting')
