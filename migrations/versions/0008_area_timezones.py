"""Countries and areas may name their IANA time zone (empty: the range state's default).

Revision ID: 0008_area_timezones
Revises: 0007_role_grants
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_area_timezones"
down_revision = "0007_role_grants"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("country", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=40), nullable=True))
    with op.batch_alter_table("admin_area", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("admin_area", schema=None) as batch_op:
        batch_op.drop_column("timezone")
    with op.batch_alter_table("country", schema=None) as batch_op:
        batch_op.drop_column("timezone")
