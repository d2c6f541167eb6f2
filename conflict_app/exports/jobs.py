"""Large exports written by a job (queue ``bulk``), never inside a web request.

A table of more than ``EXPORT_ROWS_IN_REQUEST`` rows is written by ``exports.file``: the
asker's jurisdiction is read again when the job runs (their role or area may have changed
since they asked), the file is kept with the run for a day and handed only to the asker.
"""

from __future__ import annotations

import gzip
import io
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from conflict_app.auth.models import User
from conflict_app.claims.models import Claim
from conflict_app.core.permissions import scope
from conflict_app.core.transaction import unit_of_work
from conflict_app.exports import tables
from conflict_app.exports.models import ExportRun
from conflict_app.extensions import db
from conflict_app.jobs import enqueue, records
from conflict_app.payments.models import PaymentBatch, PaymentItem

log = logging.getLogger(__name__)

# Exports carry herders' names and phones: a download, not an archive.
KEPT_FOR = timedelta(days=1)
TABLES: dict[str, tuple[tuple[str, ...], Callable[[User], Iterator[tuple]]]] = {
    "claims": (tables.CLAIM_COLUMNS, tables.claim_rows),
    "payments": (tables.PAYMENT_COLUMNS, tables.payment_rows),
}
FORMATS = ("csv", "xlsx")


def job_id(run: ExportRun) -> str:
    return f"export-{run.id}"


def row_count(user: User, table: str) -> int:
    """How many rows the user's export of ``table`` holds (one indexed count)."""
    if table == "claims":
        query = scope(select(func.count(Claim.id)), Claim, user)
    else:
        query = scope(select(func.count(PaymentItem.id))
                      .join(PaymentBatch, PaymentItem.batch_id == PaymentBatch.id),
                      PaymentBatch, user)
    return int(db.session.scalar(query) or 0)


def too_large(user: User, table: str) -> int | None:
    """The row count when it is above what a request may write, else None."""
    count = row_count(user, table)
    return count if count > current_app.config["EXPORT_ROWS_IN_REQUEST"] else None


def request_export(user: User, table: str, format: str) -> ExportRun:  # noqa: A002
    """Ask for the whole table; the job writes it after the commit (in this process when
    no Redis is configured)."""
    if table not in TABLES or format not in FORMATS:
        raise ValueError(f"no export {table}.{format}")
    with unit_of_work():
        run = ExportRun(user_id=user.id, table=table, format=format, state=records.QUEUED,
                        rows=row_count(user, table))
        db.session.add(run)
        db.session.flush()
        enqueue("exports.file", run, queue="bulk", job_id=job_id(run))
    return run


def write_run(run_id: int) -> str:
    """Write the run's file into its row; a failure is recorded, not retried."""
    run = records.start(ExportRun, run_id)
    if run is None:
        return "nothing to do"
    try:
        user = db.session.get(User, run.user_id)
        columns, rows = TABLES[run.table]
        counted = _Counted(rows(user), run.rows)
        if run.format == "csv":
            out = io.BytesIO()
            # mtime=0: the same rows give the same bytes.
            with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as packed:
                for text in tables.as_csv(columns, counted):
                    packed.write(text.encode("utf-8"))
            data = out.getvalue()
        else:
            data = tables.as_xlsx(columns, counted, run.table)
        outcome = {"state": records.DONE, "data": data, "rows": counted.n}
    except Exception:
        log.exception("export run %s not written", run_id)
        db.session.rollback()
        outcome = {"state": records.FAILED}
    run = records.finish(ExportRun, run_id, outcome)
    db.session.commit()
    return run.state


class _Counted:
    """The rows, counted as they pass; every 10,000 the progress goes to the RQ job (Redis),
    where the run's page reads it (the row is not written while the file is)."""

    def __init__(self, rows: Iterator[tuple], expected: int) -> None:
        self.rows, self.n, self.expected = rows, 0, expected

    def __iter__(self) -> Iterator[tuple]:
        from conflict_app.jobs.rq_backend import progress

        for row in self.rows:
            self.n += 1
            if self.n % 10_000 == 0:
                progress(self.n, max(self.expected, self.n))
            yield row


def file_chunks(run: ExportRun, size: int = 1 << 16) -> Iterator[bytes]:
    """The kept file as it downloads: a CSV is unpacked chunk by chunk."""
    if run.format != "csv":
        yield run.data
        return
    with gzip.GzipFile(fileobj=io.BytesIO(run.data), mode="rb") as packed:
        while chunk := packed.read(size):
            yield chunk


def purge_runs() -> int:
    """Remove exports older than ``KEPT_FOR`` (the daily job)."""
    return records.purge(ExportRun, KEPT_FOR)
