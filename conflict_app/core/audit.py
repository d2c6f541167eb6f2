"""Append-only, keyed hash chain of audit entries; the only writer of audit entries.

Each entry carries its position in the chain (``seq``, gap-free from 1), the hash of the
entry before it and its own hash, an HMAC over all of that with a key kept outside the
database (``AUDIT_KEY``). Without the key nobody can rewrite an entry, insert one or append a
forged one so that ``verify_chain`` still passes; deleting the newest entries is found
against a checkpoint kept elsewhere (``flask audit checkpoint``).

Operations call ``record`` inside their transaction. The entry gets its place in the chain
only when that transaction commits: the commit locks the single chain-head row, takes the
next numbers and moves the head. Writers therefore append strictly one after the other on
PostgreSQL as on SQLite, the head lock is held only for the commit itself, and it is always
the last lock taken, so it cannot deadlock with the rows the operation changed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, event, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime
from conflict_app.extensions import db

GENESIS = "0" * 64
_PENDING = "audit_pending"


# Audit actions that end a step of a claim's processing (the overview's processing times).
CLAIM_STEPS = ("file_verification", "approve", "reject", "declare_ineligible", "record_payment")
CLAIM_STEPS_WHERE = ("object_type = 'claim' AND action IN ("
                     + ", ".join(f"'{a}'" for a in CLAIM_STEPS) + ")")


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_object", "object_type", "object_id", "id"),
        # The steps a claim's processing times are measured by: the overview reads the
        # first of each per claim from this index alone (an index-only scan), instead of
        # visiting every claim's entries in the table (6.4 s → 0.9 s at 500,000 claims).
        Index("ix_audit_entry_claim_steps", "object_id", "action", "occurred_at",
              sqlite_where=text(CLAIM_STEPS_WHERE), postgresql_where=text(CLAIM_STEPS_WHERE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Position in the chain; NULL (like the two hashes) only inside the transaction that
    # writes the entry, set when it commits.
    seq: Mapped[int | None] = mapped_column(unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    actor = relationship("User", lazy="joined")

    @property
    def change_items(self) -> list[tuple[str, Any]]:
        return sorted(json.loads(self.changes).items())

    def payload(self) -> str:
        """The canonical text the hash covers."""
        return json.dumps(
            [
                self.seq,
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

    def compute_hash(self, key: bytes | None = None) -> str:
        return hmac.new(key or audit_key(), self.payload().encode(), hashlib.sha256).hexdigest()


class AuditChainHead(db.Model):
    """The one row that says where the chain ends; its row lock serialises appends."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column()
    entry_hash: Mapped[str] = mapped_column(String(64))


def audit_key() -> bytes:
    return current_app.config["AUDIT_KEY"].encode()


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
    """Add an entry to the current transaction; it joins the chain when the caller commits."""
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
    )
    db.session.add(entry)
    db.session.info.setdefault(_PENDING, []).append(entry)
    return entry


def _reserve(session: Session, count: int) -> tuple[int, str]:
    """Lock the chain head and take ``count`` positions; return the first and the hash of
    the entry before it. The UPDATE comes first so that it is what waits for the lock (a
    plain read would see the head as it was before the other writer committed)."""
    head = AuditChainHead.__table__
    moved = session.execute(head.update().where(head.c.id == 1)
                            .values(seq=head.c.seq + count)).rowcount
    if not moved:
        # The first entry of a new (or restored-empty) database creates the head, once.
        last = session.execute(select(AuditEntry.seq, AuditEntry.entry_hash)
                               .where(AuditEntry.seq.is_not(None))
                               .order_by(AuditEntry.seq.desc()).limit(1)).first()
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(head).values(
            id=1, seq=last.seq if last else 0, entry_hash=last.entry_hash if last else GENESIS,
        ).on_conflict_do_nothing())
        session.execute(head.update().where(head.c.id == 1).values(seq=head.c.seq + count))
    seq, prev = session.execute(select(head.c.seq, head.c.entry_hash)
                                .where(head.c.id == 1)).one()
    return seq - count + 1, prev


@event.listens_for(Session, "before_commit")
def _chain_on_commit(session: Session) -> None:
    pending = session.info.get(_PENDING)
    if not pending or session.in_nested_transaction():
        return  # a savepoint's entries are chained when the outer transaction commits
    session.flush()
    # Entries of a rolled-back savepoint have left the session: they are not chained.
    entries = [e for e in pending if e in session and e.seq is None]
    session.info[_PENDING] = []
    if not entries:
        return
    first, prev = _reserve(session, len(entries))
    key = audit_key()
    for offset, entry in enumerate(entries):
        entry.seq = first + offset
        entry.prev_hash = prev
        entry.entry_hash = prev = entry.compute_hash(key)
    head = AuditChainHead.__table__
    session.execute(head.update().where(head.c.id == 1).values(entry_hash=prev))
    session.flush()


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction) -> None:  # noqa: ANN001
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [e for e in pending if e in session]


def history(object_type: str, object_id: int) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
            .order_by(AuditEntry.id)
        )
    )


def verify_chain(batch: int = 1000, checkpoints: list[dict] | None = None) -> list[str]:
    """Walk the whole log in chain order; return a description of every break found.

    ``checkpoints`` (from ``read_checkpoints``) add what the database alone cannot show:
    that entries after the last one were deleted, or that the chain was rebuilt."""
    key = audit_key()
    problems: list[str] = []
    expected_prev, expected_seq = GENESIS, 1
    seen: dict[int, str] = {}
    wanted = {c["seq"] for c in checkpoints or []}
    unplaced = db.session.scalar(select(func.count(AuditEntry.id))
                                 .where(AuditEntry.seq.is_(None)))
    if unplaced:
        problems.append(f"{unplaced} entries have no place in the chain")
    while True:
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.seq >= expected_seq)
            .order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                problems.append(f"entries {expected_seq} to {entry.seq - 1} missing")
            if entry.prev_hash != expected_prev:
                problems.append(f"entry {entry.seq}: previous entry missing or altered")
            if not hmac.compare_digest(entry.compute_hash(key), entry.entry_hash or ""):
                problems.append(f"entry {entry.seq}: content altered or not written here")
            if entry.seq in wanted:
                seen[entry.seq] = entry.entry_hash
            expected_prev, expected_seq = entry.entry_hash, entry.seq + 1
        db.session.expunge_all()
    last_seq = expected_seq - 1
    head = db.session.execute(select(AuditChainHead.seq, AuditChainHead.entry_hash)).first()
    if head is not None and (head.seq, head.entry_hash) != (last_seq, expected_prev):
        problems.append(f"the chain ends at entry {last_seq}, its head says {head.seq}: "
                        "entries deleted or the head altered")
    for checkpoint in checkpoints or []:
        seq = checkpoint["seq"]
        if seq > last_seq:
            problems.append(f"checkpoint of {checkpoint['written_at']} saw entry {seq}, the "
                            f"chain ends at {last_seq}: entries deleted")
        elif seq and seen.get(seq) != checkpoint["entry_hash"]:
            problems.append(f"checkpoint of {checkpoint['written_at']}: entry {seq} differs "
                            "from the one it saw: the chain was rewritten")
    return problems


# ---------------------------------------------------------------------------------------
# Checkpoints: the head's position and hash, signed, kept outside the database
# ---------------------------------------------------------------------------------------


def _signature(seq: int, entry_hash: str, written_at: str) -> str:
    message = f"pardus-audit-checkpoint\n{seq}\n{entry_hash}\n{written_at}".encode()
    return hmac.new(audit_key(), message, hashlib.sha256).hexdigest()


def checkpoint() -> dict:
    """The chain head as it is now, signed with the audit key."""
    head = db.session.execute(select(AuditChainHead.seq, AuditChainHead.entry_hash)).first()
    seq, entry_hash = (head.seq, head.entry_hash) if head else (0, GENESIS)
    written_at = clock.now().isoformat()
    return {"seq": seq, "entry_hash": entry_hash, "written_at": written_at,
            "signature": _signature(seq, entry_hash, written_at)}


class CheckpointError(ValueError):
    pass


def read_checkpoints(text: str) -> list[dict]:
    """Parse a checkpoint file (one JSON object a line); refuse any line not signed with
    this instance's key."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            seq, entry_hash = int(item["seq"]), str(item["entry_hash"])
            written_at, signature = str(item["written_at"]), str(item["signature"])
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(f"line {number}: not a checkpoint") from exc
        if not hmac.compare_digest(_signature(seq, entry_hash, written_at), signature):
            raise CheckpointError(f"line {number}: signature does not match the audit key")
        found.append({"seq": seq, "entry_hash": entry_hash, "written_at": written_at})
    return found
