"""One use case, one transaction: commit on success, roll back on any error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from conflict_app.core.errors import N_, StaleObject
from conflict_app.extensions import db


@contextmanager
def unit_of_work() -> Iterator[None]:
    try:
        yield
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise StaleObject(
            N_("Someone else changed this record at the same time. Nothing was saved; "
               "please look at it again.")
        ) from exc
    except BaseException:
        db.session.rollback()
        raise
