"""The job that renders every voucher of a large payment batch (queue ``bulk``): a batch of
1,000 payees takes seconds of CPU, which no web request should hold a worker for."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from conflict_app.core.transaction import unit_of_work
from conflict_app.documents import contents, vouchers
from conflict_app.documents.models import VoucherRun
from conflict_app.extensions import db
from conflict_app.i18n import force_timezone
from conflict_app.jobs import enqueue, records
from conflict_app.payments.models import PaymentBatch

log = logging.getLogger(__name__)

# Rendered vouchers carry payees' names and amounts: they are a download, not an archive.
KEPT_FOR = timedelta(days=1)


def job_id(run: VoucherRun) -> str:
    return f"vouchers-{run.id}"


def request_vouchers(actor_id: int, batch: PaymentBatch, locale: str, zone: str) -> VoucherRun:
    """Ask for every voucher of ``batch``; the job renders them after the commit (in this
    process when no Redis is configured)."""
    with unit_of_work():
        run = VoucherRun(batch_id=batch.id, user_id=actor_id, locale=locale, zone=zone,
                         state=records.QUEUED, items=len(batch.live_items()))
        db.session.add(run)
        db.session.flush()
        enqueue("documents.vouchers", run, queue="bulk", job_id=job_id(run))
    return run


def render_run(run_id: int) -> str:
    """Render the run's vouchers into its row; a failure is recorded, not retried."""
    run = records.start(VoucherRun, run_id)
    if run is None:
        return "nothing to do"
    out = io.BytesIO()
    try:
        batch = db.session.get(PaymentBatch, run.batch_id)
        data = contents.batch_data(batch)
        with force_timezone(ZoneInfo(run.zone)):
            vouchers.render_vouchers(data, run.locale, out, progress=_progress(run.id, run.items))
        outcome = {"state": records.DONE, "pdf": out.getvalue(), "done": data.count}
    except Exception:
        log.exception("vouchers of run %s not rendered", run_id)
        db.session.rollback()
        outcome = {"state": records.FAILED}
    run = records.finish(VoucherRun, run_id, outcome)
    db.session.commit()
    return run.state


def _progress(run_id: int, total: int):  # noqa: ANN202
    """Progress goes to the RQ job (Redis), where the page reads it: the run's row is not
    written while it renders."""

    def report(done: int) -> None:
        from conflict_app.jobs.rq_backend import progress

        progress(done, total, run_id=run_id)

    return report


def purge_runs() -> int:
    """Remove rendered vouchers older than ``KEPT_FOR`` (the daily job)."""
    return records.purge(VoucherRun, KEPT_FOR)
