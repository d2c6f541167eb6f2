"""The herder's report: how the animals were protected, and a village not in the list.

Revision ID: 0019_herder_report
Revises: 0018_bundle_import
Create Date: 2026-12-05 07:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0019_herder_report'
down_revision = '0018_bundle_import'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('incident') as batch:
        batch.add_column(sa.Column('corral_present', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('protection_known', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('reported_village', sa.String(length=120), nullable=True))
    # Whoever ticked a guard, a dog or a measure answered the question.
    op.execute("UPDATE incident SET protection_known = TRUE "
               "WHERE guard_present OR dog_present OR measure_present")
    with op.batch_alter_table('village') as batch:
        batch.add_column(sa.Column('listed', sa.Boolean(), nullable=False,
                                   server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('village') as batch:
        batch.drop_column('listed')
    with op.batch_alter_table('incident') as batch:
        batch.drop_column('reported_village')
        batch.drop_column('protection_known')
        batch.drop_column('corral_present')
