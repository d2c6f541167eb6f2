"""One use case, one transaction: commit on success, roll back on any error.

Work that must see the use case's finished state (the texts that tell a herder an amount)
is registered with ``when_complete`` and runs at the end of the outermost unit of work, just
before its commit, in the same transaction: a text is never written from a half-changed
claim, and never survives a rollback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from conflict_app.core.errors import N_, StaleObject
from conflict_app.extensions import db

_DEPTH = "unit_of_work_depth"
_PENDING = "when_complete"


def when_complete(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current use case has made all its changes.

    Outside a unit of work (a script, a test driving models directly) it runs at once.
    """
    info = db.session.info
    if not info.get(_DEPTH):
        callback()
        return
    info.setdefault(_PENDING, []).append(callback)


def _run_pending() -> None:
    info = db.session.info
    while info.get(_PENDING):
        callbacks, info[_PENDING] = info[_PENDING], []
        for callback in callbacks:
            callback()


@contextmanager
def unit_of_work() -> Iterator[None]:
    info = db.session.info
    depth = info.get(_DEPTH, 0)
    info[_DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            _run_pending()
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        info.pop(_PENDING, None)
        raise StaleObject(
            N_("Someone else changed this record at the same time. Nothing was saved; "
               "please look at it again.")
        ) from exc
    except BaseException:
        db.session.rollback()
        info.pop(_PENDING, None)
        raise
    finally:
        info[_DEPTH] = depth


def serialise(name: str) -> None:
    """Hold a lock named ``name`` until the current transaction ends, so that check-then-
    write work on rows that do not exist yet (an alert's villages, a window of texts) runs
    one transaction at a time. PostgreSQL: a transaction-level advisory lock; SQLite
    already lets one writer in at a time."""
    from sqlalchemy import func, select

    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(name))))
