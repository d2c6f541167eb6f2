"""Measures record a randomised roll-out: the unit drawn at random (household or village)
and how it was drawn; such measures earn design grade A.

Revision ID: 0021_measure_assignment
Revises: 0020_synthetic_areas
Create Date: 2026-12-05 08:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0021_measure_assignment'
down_revision = '0020_synthetic_areas'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('measure') as batch:
        batch.add_column(sa.Column('assignment', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('assignment_method', sa.String(length=160), nullable=True))
        batch.create_check_constraint(
            op.f('ck_measure_assignment_unit'), "assignment IS NULL OR assignment IN ('household', 'village')")


def downgrade():
    with op.batch_alter_table('measure') as batch:
        batch.drop_constraint(op.f('ck_measure_assignment_unit'), type_='check')
        batch.drop_column('assignment_method')
        batch.drop_column('assignment')
