"""A large confirmation file from the bank or mobile-money provider, recorded by a background
job (queue ``bulk``): a file of 1,000 lines is several seconds of work, which no web request
should hold a worker for. The file is still all or nothing; its outcome (the counts, or the
line that stopped it) lands on the run for the page that follows it."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from conflict_app.auth.models import User
from conflict_app.core.errors import DomainError
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.jobs import enqueue, records
from conflict_app.payments import operations
from conflict_app.payments.models import ConfirmationRun

log = logging.getLogger(__name__)

# The file names payees' payment references: kept until the job has read it and a day after.
KEPT_FOR = timedelta(days=1)


def job_id(run: ConfirmationRun) -> str:
    return f"confirmations-{run.id}"


def record(actor: User, batch_id: int, text: str,
           locale: str) -> dict[str, int] | ConfirmationRun:
    """Record a file of up to ``CONFIRMATIONS_IN_REQUEST`` lines now (what was recorded);
    keep a longer one for its job (the run to follow), as the page and the API both do."""
    if _lines(text) <= current_app.config["CONFIRMATIONS_IN_REQUEST"]:
        return operations.import_confirmations(actor, batch_id, text)
    return request_run(actor, batch_id, text, locale)


def _lines(text: str) -> int:
    return max(0, len(text.splitlines()) - 1)  # the header is not a line to record


def request_run(actor: User, batch_id: int, text: str, locale: str) -> ConfirmationRun:
    """Keep the file and queue its job; it runs after the commit (in this process when no
    Redis is configured)."""
    operations.refuse_nul(text)
    with unit_of_work():
        run = ConfirmationRun(batch_id=batch_id, user_id=actor.id, locale=locale, text=text,
                              lines=_lines(text), state=records.QUEUED)
        db.session.add(run)
        db.session.flush()
        enqueue("payments.confirmations", run, queue="bulk", job_id=job_id(run))
    return run


def run_confirmations(run_id: int) -> str:
    """Record the file as the upload page would have; the problem that stopped it is kept
    in the uploader's language."""
    run = records.start(ConfirmationRun, run_id)
    if run is None:
        return "nothing to do"
    actor, text, locale = db.session.get(User, run.user_id), run.text or "", run.locale
    try:
        counts = operations.import_confirmations(actor, run.batch_id, text)
        outcome = {"state": records.DONE, "counts": counts}
    except DomainError as err:
        db.session.rollback()
        with force_locale(locale):
            outcome = {"state": records.FAILED, "problem": err.translated()}
    except Exception:
        log.exception("confirmation run %s stopped", run_id)
        db.session.rollback()
        with force_locale(locale):
            outcome = {"state": records.FAILED,
                       "problem": _("The file could not be recorded. Nothing was changed.")}
    # Read: the references are on the items now, or nowhere.
    run = records.finish(ConfirmationRun, run_id, {**outcome, "text": None})
    db.session.commit()
    return run.state


def purge_runs() -> int:
    """Remove runs older than ``KEPT_FOR`` (the daily job)."""
    return records.purge(ConfirmationRun, KEPT_FOR)
