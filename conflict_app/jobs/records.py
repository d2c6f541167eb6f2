"""What a page that follows a background job keeps of it: a row with its state and times
(bundle imports, voucher runs, confirmation runs), and the day after which it is removed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, delete
from sqlalchemy.orm import Mapped, mapped_column

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime
from conflict_app.extensions import db

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class JobRecord:
    """Mixin of a model whose row a job fills in while a page follows it."""

    state: Mapped[str] = mapped_column(String(16), default=QUEUED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)


def start(model: type, record_id: int):  # noqa: ANN201 - the record, or None
    """The queued record, marked running and committed; None when it is gone or was taken
    already (a job delivered twice does its work once)."""
    record = db.session.get(model, record_id)
    if record is None or record.state != QUEUED:
        return None
    record.state = RUNNING
    db.session.commit()
    return record


def finish(model: type, record_id: int, outcome: dict):  # noqa: ANN201 - the record
    """Write the job's outcome (its state and what it produced) on a fresh copy of the
    record, with the time it finished; the caller commits."""
    record = db.session.get(model, record_id)
    for key, value in outcome.items():
        setattr(record, key, value)
    record.finished_at = clock.now()
    return record


def purge(model: type, kept_for: timedelta) -> int:
    """Remove the records made more than ``kept_for`` ago (a daily job)."""
    removed = db.session.execute(delete(model).where(
        model.created_at < clock.now() - kept_for)).rowcount
    db.session.commit()
    return removed or 0
