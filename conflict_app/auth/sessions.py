"""Staff sessions that can be ended: one database row per signed-in browser.

The session cookie is signed, not secret-bearing, and a copy of it stays valid for as long
as the signature does; signing out only clears the browser's own copy. So every sign-in
also writes a ``staff_session`` row whose random token the cookie carries (only the token's
SHA-256 is stored), and every request is served only while that row exists and has been
used within ``PERMANENT_SESSION_LIFETIME``. Ending a session is deleting its row: signing
out ends this one; a password change, a role change, a switched-off account and "sign out
everywhere" end them all. The row lives in the database every worker reads, so an ended
session is refused by all of them at once, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, session
from sqlalchemy import ForeignKey, String, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime
from conflict_app.extensions import db

KEY = "sid"  # the session cookie's entry holding the token
TOUCH_EVERY = timedelta(minutes=5)  # last use is written at most this often


class StaffSession(db.Model):
    __tablename__ = "staff_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime() -> timedelta:
    return current_app.permanent_session_lifetime


def start(user_id: int) -> None:
    """A new session for ``user_id`` (inside the caller's transaction), its token put in the
    cookie. Sessions unused for longer than the lifetime are forgotten on the way."""
    now = clock.now()
    token = secrets.token_urlsafe(32)
    db.session.execute(delete(StaffSession).where(
        StaffSession.last_seen_at < now - _lifetime()))
    db.session.add(StaffSession(token_hash=_hash(token), user_id=user_id, created_at=now,
                                last_seen_at=now))
    session[KEY] = token


def is_current(user_id: int) -> bool:
    """Does the cookie of this request name a live session of ``user_id``?"""
    token = session.get(KEY)
    if not isinstance(token, str) or not token:
        return False
    row = db.session.execute(select(StaffSession.user_id, StaffSession.last_seen_at)
                             .where(StaffSession.token_hash == _hash(token))).first()
    now = clock.now()
    if row is None or row.user_id != user_id or row.last_seen_at < now - _lifetime():
        return False
    if now - row.last_seen_at >= TOUCH_EVERY:
        db.session.execute(update(StaffSession)
                           .where(StaffSession.token_hash == _hash(token))
                           .values(last_seen_at=now))
        db.session.commit()
    return True


def end_current() -> None:
    """Sign-out: this browser's session ends (inside the caller's transaction)."""
    token = session.get(KEY)
    if isinstance(token, str) and token:
        db.session.execute(delete(StaffSession).where(StaffSession.token_hash == _hash(token)))


def end_all(user_id: int) -> int:
    """Every session of ``user_id`` ends (inside the caller's transaction); returns how many."""
    result = db.session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
    return result.rowcount or 0


def count(user_id: int) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(StaffSession).where(
        StaffSession.user_id == user_id, StaffSession.last_seen_at >= clock.now() - _lifetime()))
