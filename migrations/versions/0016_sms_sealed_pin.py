"""SMS: a sealed PIN beside the masked body, and texts counted per phone.

Revision ID: 0016_sms_sealed_pin
Revises: 0015_staff_sessions
Create Date: 2026-12-04 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_sms_sealed_pin'
down_revision = '0015_staff_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret', sa.Text(), nullable=True))
        batch_op.create_index('ix_sms_message_phone_created', ['phone', 'created_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_message_phone_created')
        batch_op.drop_column('secret')
