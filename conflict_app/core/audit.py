"""Append-only, hash-chained audit log; the only writer of audit entries.

Each entry stores the hash of the previous one, so altering or deleting any entry breaks the
chain from there on (``verify_chain``). Operations call ``record`` inside their transaction,
so an audit entry exists exactly when the change it describes was committed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime
from conflict_app.extensions import db

GENESIS = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_object", "object_type", "object_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)

    actor = relationship("User", lazy="joined")

    @property
    def change_items(self) -> list[tuple[str, Any]]:
        return sorted(json.loads(self.changes).items())

    def payload(self) -> str:
        """The canonical text the hash covers."""
        return json.dumps(
            [
                self.occurred_at.isoformat(),
                self.actor_id,
                self.object_type,
                self.object_id,
                self.action,
                self.from_state,
                self.to_state,
                self.reason,
                self.changes,
                self.prev_hash,
            ],
            separators=(",", ":"),
            ensure_ascii=False,
        )

    def compute_hash(self) -> str:
        return hashlib.sha256(self.payload().encode()).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def record(
    *,
    actor_id: int | None,
    object_type: str,
    object_id: int,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry to the current transaction (the caller commits)."""
    db.session.flush()
    # Lock the chain's tail so concurrent writers append one after the other (PostgreSQL);
    # SQLite serialises writers by itself.
    last = db.session.execute(
        select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1).with_for_update()
    ).scalar()
    entry = AuditEntry(
        occurred_at=clock.now().replace(microsecond=0),
        actor_id=actor_id,
        object_type=object_type,
        object_id=object_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        changes=json.dumps(
            {k: _jsonable(v) for k, v in (changes or {}).items()},
            sort_keys=True,
            ensure_ascii=False,
        ),
        prev_hash=last or GENESIS,
    )
    entry.entry_hash = entry.compute_hash()
    db.session.add(entry)
    return entry


def history(object_type: str, object_id: int) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
            .order_by(AuditEntry.id)
        )
    )


def verify_chain(batch: int = 1000) -> list[str]:
    """Walk the whole log in id order; return a description of every break found."""
    problems: list[str] = []
    expected_prev = GENESIS
    last_id = 0
    while True:
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return problems
        for entry in rows:
            if entry.prev_hash != expected_prev:
                problems.append(f"entry {entry.id}: previous entry missing or altered")
            if entry.compute_hash() != entry.entry_hash:
                problems.append(f"entry {entry.id}: content altered")
            expected_prev = entry.entry_hash
            last_id = entry.id
        db.session.expunge_all()
