"""Failed sign-ins are counted in the database, so every worker process shares the count.

Revision ID: 0011_login_failure
Revises: 0010_audit_chain
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_login_failure'
down_revision = '0010_audit_chain'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_failure',
        sa.Column('key', sa.String(length=254), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('first_failed_at', sa.DateTime(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_failure')),
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_first_failed_at'),
                              ['first_failed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_first_failed_at'))
    op.drop_table('login_failure')
