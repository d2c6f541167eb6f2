"""Prevention alerts: alerts sent, the villages each reached, phones that said STOP, and
each country's alert distance and rate limit.

Revision ID: 0022_alerts
Revises: 0021_measure_assignment
Create Date: 2026-12-05 08:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022_alerts'
down_revision = '0021_measure_assignment'
branch_labels = None
depends_on = None

# A frozen copy of the kinds, not an import of the live enum.
ALERT_KINDS = ('attack', 'broadcast')


def upgrade():
    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum(*ALERT_KINDS, name='alert_kind', native_enum=False,
                              create_constraint=True, length=32), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('admin1_id', sa.Integer(), nullable=True),
    sa.Column('admin2_id', sa.Integer(), nullable=True),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=True),
    sa.Column('radius_km', sa.Numeric(precision=6, scale=1), nullable=True),
    sa.Column('phones', sa.Integer(), nullable=False),
    sa.Column('segments', sa.Integer(), nullable=False),
    sa.Column('villages_skipped', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['admin1_id'], ['admin_area.id'], name=op.f('fk_alert_admin1_id_admin_area')),
    sa.ForeignKeyConstraint(['admin2_id'], ['admin_area.id'], name=op.f('fk_alert_admin2_id_admin_area')),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_alert_claim_id_claim'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['country_code'], ['country.code'], name=op.f('fk_alert_country_code_country')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_alert_created_by_id_user')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_alert_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
    sa.UniqueConstraint('claim_id', name=op.f('uq_alert_claim_id'))
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index('ix_alert_scope', ['country_code', 'admin1_id', 'admin2_id'], unique=False)
    op.create_table('alert_village',
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('phones', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_alert_village_alert_id_alert'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_alert_village_village_id_village')),
    sa.PrimaryKeyConstraint('alert_id', 'village_id', name=op.f('pk_alert_village'))
    )
    with op.batch_alter_table('alert_village', schema=None) as batch_op:
        batch_op.create_index('ix_alert_village_when', ['village_id', 'sent_at'], unique=False)
    op.create_table('alert_opt_out',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('stopped', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_opt_out')),
    sa.UniqueConstraint('phone', name=op.f('uq_alert_opt_out_phone'))
    )
    op.create_table('alert_setting',
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('radius_km', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('window_hours', sa.Integer(), nullable=False),
    sa.CheckConstraint('radius_km > 0 AND radius_km <= 100', name=op.f('ck_alert_setting_radius')),
    sa.CheckConstraint('window_hours >= 1 AND window_hours <= 720', name=op.f('ck_alert_setting_window')),
    sa.ForeignKeyConstraint(['country_code'], ['country.code'], name=op.f('fk_alert_setting_country_code_country')),
    sa.PrimaryKeyConstraint('country_code', name=op.f('pk_alert_setting'))
    )


def downgrade():
    op.drop_table('alert_setting')
    op.drop_table('alert_opt_out')
    with op.batch_alter_table('alert_village', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_village_when')
    op.drop_table('alert_village')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_scope')
    op.drop_table('alert')
