"""Background work: queued with the transaction that needs it, run after it commits.

A feature calls ``enqueue("sms.send", message)`` inside its unit of work. Nothing leaves
before the commit (a rolled-back change sends nothing); model instances among the arguments
become their ids once flushed. With ``REDIS_URL`` set the job goes to an RQ queue and a
worker process runs it (``flask jobs worker``); without it (debug, demo, tests) it runs in
this process right after the commit, in its own app context and session, so the embedded
default needs nothing beyond Python.

Jobs are named, not imported here: ``TASKS`` maps a name to ``module:function`` so this
package depends on no feature and features may enqueue each other's jobs without cycles.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from conflict_app.core.heap import settled

log = logging.getLogger(__name__)

# Queues in the order a worker serves them: texts herders wait for, then ordinary work,
# then long batches (imports, thousands of vouchers) that must not hold the others up.
QUEUES = ("sms", "default", "bulk")

TASKS: dict[str, str] = {
    "sms.send": "conflict_app.status.notify:send_job",
    "sms.dispatch": "conflict_app.status.notify:dispatch_job",
    "schemes.release_withholdings": "conflict_app.schemes.incentives:release_due",
    "privacy.purge": "conflict_app.herders.privacy:purge_expired",
    "api.purge_idempotency": "conflict_app.api.idempotency:purge_expired",
    "claims.close_paid": "conflict_app.claims.automation:close_paid",
    "notices.overdue": "conflict_app.notices.operations:notify_overdue",
    "notices.digest": "conflict_app.notices.digest:send_digests",
    "bundles.import": "conflict_app.bundles.jobs:run_import",
    "documents.vouchers": "conflict_app.documents.jobs:render_run",
    "documents.purge_runs": "conflict_app.documents.jobs:purge_runs",
    "payments.confirmations": "conflict_app.payments.confirmation_runs:run_confirmations",
    "payments.purge_runs": "conflict_app.payments.confirmation_runs:purge_runs",
    "exports.file": "conflict_app.exports.jobs:write_run",
    "exports.purge_runs": "conflict_app.exports.jobs:purge_runs",
    "analytics.refresh": "conflict_app.analytics.service:refresh",
    "webhooks.deliver": "conflict_app.webhooks.delivery:deliver",
    "webhooks.dispatch": "conflict_app.webhooks.delivery:dispatch_due",
    "fieldforms.sync": "conflict_app.fieldforms.sync:sync_all",
    "fieldforms.sync_source": "conflict_app.fieldforms.sync:sync_source",
}

_PENDING = "pardus_jobs"


@dataclass
class Pending:
    name: str
    args: tuple
    queue: str = "default"
    front: bool = False
    job_id: str | None = None
    resolved: tuple | None = field(default=None)

    def resolve(self) -> None:
        """Model instances become their primary keys (known once the row is flushed)."""
        values = []
        for arg in self.args:
            if hasattr(arg, "__table__"):
                if getattr(arg, "id", None) is None:
                    return
                values.append(arg.id)
            else:
                values.append(arg)
        self.resolved = tuple(values)


def task(name: str) -> Callable:
    module, _, attr = TASKS[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def enqueue(name: str, *args: object, queue: str = "default", front: bool = False,
            job_id: str | None = None, session: Session | None = None) -> None:
    """Run job ``name`` after the current transaction commits (dropped on rollback)."""
    if name not in TASKS:
        raise KeyError(name)
    if queue not in QUEUES:
        raise KeyError(queue)
    from conflict_app.extensions import db

    target = session or db.session()
    target.info.setdefault(_PENDING, []).append(
        Pending(name, args, queue=queue, front=front, job_id=job_id))


def uses_redis() -> bool:
    return bool(current_app.config.get("REDIS_URL"))


def percent_done(job_id: str, recorded: int) -> int:
    """How far a running job is, from the progress it reports on its RQ job (Redis), else
    ``recorded`` (what its row says); never 100 before the row says it is finished."""
    if not uses_redis():
        return recorded
    from conflict_app.jobs.rq_backend import fetch

    job = fetch(job_id)
    meta = job.get_meta(refresh=True) if job is not None else {}
    if not meta.get("total"):
        return recorded
    return min(99, int(meta["done"]) * 100 // int(meta["total"]))


def submit(name: str, *args: object, queue: str = "default", front: bool = False,
           job_id: str | None = None) -> str | None:
    """Hand a job over now (no transaction involved); returns the RQ job id, if any."""
    if uses_redis():
        from conflict_app.jobs import rq_backend

        return rq_backend.push(name, args, queue=queue, front=front, job_id=job_id)
    run_now(name, args)
    return None


def run_now(name: str, args: tuple) -> object:
    """Run a job in this process, in an app context and session of its own."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with app.app_context():
        from conflict_app.extensions import db
        from conflict_app.observability import metrics

        metrics.JOBS_RUN.labels(name).inc()
        try:
            with settled():  # jobs are the bulk work: see core/heap
                return task(name)(*args)
        except Exception:
            metrics.JOB_FAILURES.labels(name).inc()
            raise
        finally:
            db.session.remove()


@event.listens_for(Session, "after_flush")
def _resolve(session: Session, flush_context) -> None:  # noqa: ANN001
    for pending in session.info.get(_PENDING, ()):
        if pending.resolved is None:
            pending.resolve()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    for job in pending:
        if job.resolved is None:
            job.resolve()
        if job.resolved is None:  # its row never reached the database
            continue
        try:
            submit(job.name, *job.resolved, queue=job.queue, front=job.front,
                   job_id=job.job_id)
        except Exception:
            # The change is committed; periodic jobs (e.g. sms.dispatch) pick the work up.
            log.exception("job %s could not run after commit", job.name)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:  # noqa: ANN001
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)
