"""Provinces, districts and villages get their name in the country's own language and
script, shown to readers of that language; the reference villages and areas are filled in.

Revision ID: 0026_local_place_names
Revises: 0025_conservation_agreements
Create Date: 2026-12-05 20:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0026_local_place_names'
down_revision = '0025_conservation_agreements'
branch_labels = None
depends_on = None


def upgrade():
    from conflict_app.geo.data import LOCAL_NAMES

    for table in ('admin_area', 'village'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('local_name', sa.String(length=120), nullable=True))
    conn = op.get_bind()
    for table in ('admin_area', 'village'):
        rows = sa.table(table, sa.column('country_code', sa.String),
                        sa.column('name', sa.String), sa.column('local_name', sa.String))
        for country, names in LOCAL_NAMES.items():
            for name, local in names.items():
                conn.execute(sa.update(rows).where(rows.c.country_code == country,
                                                   rows.c.name == name,
                                                   rows.c.local_name.is_(None))
                             .values(local_name=local))


def downgrade():
    for table in ('village', 'admin_area'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('local_name')
