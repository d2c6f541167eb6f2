"""Sign-in throttling, shared by every worker process through the database.

After ``MAX_FAILURES`` failures within ``FAILURE_WINDOW`` an address is locked for
``LOCK_TIME``, whatever password is tried. The counts live in the ``login_failure`` table, so
two or twenty gunicorn workers count together and a restart forgets nothing; no Redis is
needed. Each failure is counted by one atomic upsert, so concurrent failures are never lost.
It complements, not replaces, long passwords.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, and_, case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime
from conflict_app.extensions import db

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)


class LoginFailure(db.Model):
    """Recent failed sign-ins of one address (lower-cased); deleted on success."""

    __tablename__ = "login_failure"

    key: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int] = mapped_column()
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginThrottle:
    @staticmethod
    def _key(email: str) -> str:
        return (email or "").strip().lower()[:254]

    def locked_until(self, email: str) -> datetime | None:
        """When the lock on this address ends, or None if it may try now."""
        until = db.session.scalar(select(LoginFailure.locked_until)
                                  .where(LoginFailure.key == self._key(email)))
        return until if until is not None and until > clock.now() else None

    def failed(self, email: str) -> datetime | None:
        """Count a failure; return the end of the lock if this one triggered it."""
        key, now = self._key(email), clock.now()
        table = LoginFailure.__table__
        # A failure after the window, or after a lock ended, starts a new count.
        stale = or_(table.c.first_failed_at <= now - FAILURE_WINDOW,
                    and_(table.c.locked_until.is_not(None), table.c.locked_until <= now))
        dialect = db.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(table).values(key=key, failures=1, first_failed_at=now)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "first_failed_at": case((stale, now), else_=table.c.first_failed_at),
                "locked_until": case((stale, None), else_=table.c.locked_until),
            },
        ).returning(table.c.failures)
        count = db.session.execute(statement).scalar_one()
        until = None
        if count >= MAX_FAILURES:
            until = now + LOCK_TIME
            db.session.execute(update(table).where(table.c.key == key)
                               .values(locked_until=until, failures=0))
        # Forget counts nobody will look at again, so made-up addresses cannot pile up.
        db.session.execute(delete(table).where(
            table.c.first_failed_at < now - FAILURE_WINDOW - LOCK_TIME,
            or_(table.c.locked_until.is_(None), table.c.locked_until <= now)))
        db.session.commit()
        return until

    def succeeded(self, email: str) -> None:
        db.session.execute(delete(LoginFailure).where(LoginFailure.key == self._key(email)))
        db.session.commit()

    def reset(self) -> None:
        """Forget everything (tests)."""
        db.session.execute(delete(LoginFailure))
        db.session.commit()


login_throttle = LoginThrottle()
