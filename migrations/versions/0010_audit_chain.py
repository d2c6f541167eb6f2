"""The audit chain gets a gap-free position per entry, a single head row whose lock
serialises appends, and an HMAC key kept outside the database.

Existing entries are re-chained in id order under the key. Each entry's own content is
checked against its old hash first: an entry altered before the upgrade stops the upgrade
(re-keying it would hide the alteration). Broken links between intact entries, the forks
that concurrent writers used to make, are joined into one line.

Revision ID: 0010_audit_chain
Revises: 0009_claim_reopened_at
"""
import hashlib
import hmac
import json

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = '0010_audit_chain'
down_revision = '0009_claim_reopened_at'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
FIELDS = ("occurred_at", "actor_id", "object_type", "object_id", "action", "from_state",
          "to_state", "reason", "changes")


def _payload(row, prev_hash, seq=None):
    """Frozen copies of the two payload formats (without and with the position)."""
    when = row.occurred_at
    if isinstance(when, str):
        from datetime import datetime
        when = datetime.fromisoformat(when)
    if when.tzinfo is None:
        from datetime import UTC
        when = when.replace(tzinfo=UTC)
    values = [when.isoformat()] + [getattr(row, f) for f in FIELDS[1:]] + [prev_hash]
    if seq is not None:
        values = [seq] + values
    return json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode()


def _rows(bind, order, seq=True):
    return bind.execute(sa.text(
        f"SELECT id, {'seq' if seq else 'NULL AS seq'}, occurred_at, actor_id, object_type, object_id, action, from_state, "
        f"to_state, reason, changes, prev_hash, entry_hash FROM audit_entry ORDER BY {order}"
    )).fetchall()


def upgrade():
    # Checked before any change: SQLite cannot roll back the schema changes below.
    bind = op.get_bind()
    altered = [r.id for r in _rows(bind, "id", seq=False)
               if hashlib.sha256(_payload(r, r.prev_hash)).hexdigest() != r.entry_hash]
    if altered:
        raise RuntimeError(
            f"audit entries {altered[:20]} were altered before this upgrade; investigate "
            "with `flask audit verify` on the previous version before upgrading")
    op.create_table(
        'audit_chain_head',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('entry_hash', sa.String(length=64), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_audit_chain_head_single_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head')),
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('entry_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entry_seq'), ['seq'])

    rows = _rows(bind, "id")
    if not rows:
        return
    key = current_app.config["AUDIT_KEY"].encode()
    prev = GENESIS
    # Placeholders first: the new hashes must not collide with old ones mid-way.
    bind.execute(sa.text("UPDATE audit_entry SET entry_hash = NULL"))
    for seq, row in enumerate(rows, start=1):
        new = hmac.new(key, _payload(row, prev, seq), hashlib.sha256).hexdigest()
        bind.execute(sa.text("UPDATE audit_entry SET seq = :seq, prev_hash = :prev, "
                             "entry_hash = :hash WHERE id = :id"),
                     {"seq": seq, "prev": prev, "hash": new, "id": row.id})
        prev = new
    bind.execute(sa.text("INSERT INTO audit_chain_head (id, seq, entry_hash) "
                         "VALUES (1, :seq, :hash)"), {"seq": len(rows), "hash": prev})


def downgrade():
    bind = op.get_bind()
    rows = _rows(bind, "seq")
    bind.execute(sa.text("UPDATE audit_entry SET entry_hash = NULL"))
    prev = GENESIS
    for row in rows:
        new = hashlib.sha256(_payload(row, prev)).hexdigest()
        bind.execute(sa.text("UPDATE audit_entry SET prev_hash = :prev, entry_hash = :hash "
                             "WHERE id = :id"), {"prev": prev, "hash": new, "id": row.id})
        prev = new
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_entry_seq'), type_='unique')
        batch_op.alter_column('entry_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('seq')
    op.drop_table('audit_chain_head')
