"""The background job that imports a bundle uploaded on the web (queue ``bulk``)."""

from __future__ import annotations

import logging
from pathlib import Path

from conflict_app.bundles.events import import_finished
from conflict_app.bundles.importer import BundleInvalid, import_bundle
from conflict_app.bundles.models import BundleImport
from conflict_app.bundles.schema import M, Problem
from conflict_app.extensions import db
from conflict_app.jobs import records
from conflict_app.jobs.records import DONE, FAILED

log = logging.getLogger(__name__)


def run_import(import_id: int) -> str:
    """Import the upload; the outcome (problems, or what was created) lands on its row."""
    record = records.start(BundleImport, import_id)
    if record is None:
        return "nothing to do"
    path, user_id, name = Path(record.path), record.user_id, record.file_name
    outcome: dict = {}
    try:
        report = import_bundle(path, actor_id=user_id, progress=_progress(import_id),
                               name=name)
        outcome = {"state": DONE, "created": dict(report.created),
                   "unchanged": dict(report.unchanged)}
    except BundleInvalid as exc:
        outcome = {"state": FAILED, "problems": [p.as_dict() for p in exc.errors],
                   "hidden_problems": exc.hidden}
    except Exception:
        log.exception("bundle import %s stopped", import_id)
        db.session.rollback()
        outcome = {"state": FAILED,
                   "problems": [Problem(name, 1, 1, M.STOPPED).as_dict()]}
    finally:
        path.unlink(missing_ok=True)
        record = records.finish(BundleImport, import_id, outcome)
        import_finished.send(record)
        db.session.commit()
    return record.state


def _progress(import_id: int):  # noqa: ANN202
    """Progress goes to the RQ job (Redis) where the page reads it: the import's own
    transaction cannot show it to other connections before it commits."""

    def report(done: int, total: int) -> None:
        from conflict_app.jobs.rq_backend import progress

        progress(done, total, import_id=import_id)

    return report
