"""Idempotency-Key: the first request with a key runs, every repeat gets its answer.

The key is reserved by inserting its row (unique per user and key) and committing before the
request runs: a concurrent twin's insert fails on the unique constraint, so exactly one runs,
and the twins wait for its answer and replay it. The stored answer has its secrets (a new
claim's PIN) removed, and records expire after ``IDEMPOTENCY_HOURS``; the daily job
``api.purge_idempotency`` deletes them.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from conflict_app.api.models import IdempotencyRecord
from conflict_app.core import clock
from conflict_app.extensions import db

PENDING = 0  # the status of a key whose first request is still running
SECRET_FIELDS = ("pin",)
WAIT_SECONDS = 30
POLL_SECONDS = 0.05
# A reservation this old belongs to a request that died (a killed worker): it is dropped.
STALE_PENDING = timedelta(minutes=5)


class KeyReused(Exception):
    """The key was used for a different request."""


class KeyBusy(Exception):
    """The first request with this key is still running."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


def request_digest(method: str, path: str, data: bytes) -> str:
    return hashlib.sha256(method.encode() + path.encode() + data).hexdigest()


def _expired():  # noqa: ANN202 - a SQL condition
    now = clock.now()
    table = IdempotencyRecord.__table__
    ttl = timedelta(hours=current_app.config["IDEMPOTENCY_HOURS"])
    return or_(table.c.created_at < now - ttl,
               and_(table.c.status == PENDING, table.c.created_at < now - STALE_PENDING))


def _this(user_id: int, key: str):  # noqa: ANN202 - a SQL condition
    table = IdempotencyRecord.__table__
    return and_(table.c.user_id == user_id, table.c.key == key)


def reserve(user_id: int, key: str, digest: str) -> Answer | None:
    """None when this request now holds the key and must run; else the answer to replay."""
    table = IdempotencyRecord.__table__
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        db.session.execute(delete(table).where(_this(user_id, key), _expired()))
        db.session.add(IdempotencyRecord(user_id=user_id, key=key, request_hash=digest,
                                         status=PENDING, body="", created_at=clock.now()))
        try:
            db.session.commit()
            return None
        except IntegrityError:
            db.session.rollback()
        row = db.session.execute(select(table.c.request_hash, table.c.status, table.c.body)
                                 .where(_this(user_id, key))).first()
        db.session.rollback()  # the next look sees what was committed meanwhile
        if row is None:
            continue  # released a moment ago: try to take it
        if row.request_hash != digest:
            raise KeyReused
        if row.status != PENDING:
            return Answer(row.status, row.body)
        if time.monotonic() > deadline:
            raise KeyBusy
        time.sleep(POLL_SECONDS)


def redact(body: str) -> str:
    """The answer as it may be stored: secret fields emptied."""
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if isinstance(data, dict) and any(data.get(f) is not None for f in SECRET_FIELDS):
        data.update({f: None for f in SECRET_FIELDS if f in data})
        return json.dumps(data, ensure_ascii=False)
    return body


def finish(user_id: int, key: str, status: int, body: str) -> None:
    db.session.execute(update(IdempotencyRecord.__table__).where(_this(user_id, key))
                       .values(status=status, body=redact(body)))
    db.session.commit()


def release(user_id: int, key: str) -> None:
    """The request failed: free the key so that a retry runs it again."""
    db.session.rollback()
    db.session.execute(delete(IdempotencyRecord.__table__).where(
        _this(user_id, key), IdempotencyRecord.__table__.c.status == PENDING))
    db.session.commit()


def purge_expired() -> int:
    """Delete records past ``IDEMPOTENCY_HOURS`` (the daily job)."""
    deleted = db.session.execute(delete(IdempotencyRecord.__table__).where(_expired())).rowcount
    db.session.commit()
    return deleted
