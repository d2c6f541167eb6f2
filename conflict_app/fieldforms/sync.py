"""The scheduled pull: new submissions of every active source, filed through the same code as
the file import (``odk.import_row``), as the source's staff account.

A submission seen before (its instance ID on an incident, a verification report or a held
submission) is skipped without downloading its photos again. One the import refuses is kept
with its reason and photos for a clerk (``HeldSubmission``). The source remembers where it
stopped after each submission, so a pull cut short goes on from there. A server that cannot
be reached, refuses the sign-in or answers nonsense ends the pull with its reason on the run
and the source; nothing is raised to the job system for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, or_, select, update

from conflict_app.claims.models import Incident
from conflict_app.core import clock
from conflict_app.core.errors import DomainError
from conflict_app.extensions import db
from conflict_app.fieldforms import client, odk, secrets
from conflict_app.fieldforms.models import (
    HeldPhoto,
    HeldSubmission,
    Platform,
    RunStatus,
    SyncRun,
    SyncSource,
)
from conflict_app.verification.models import VerificationReport
from conflict_app.webhooks.delivery import allow_local

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=30)
MAX_PER_RUN = 500  # the rest waits for the next pull


def _take(source_id: int) -> bool:
    now = clock.now()
    result = db.session.execute(
        update(SyncSource)
        .where(SyncSource.id == source_id, SyncSource.active.is_(True),
               or_(SyncSource.lease_until.is_(None), SyncSource.lease_until < now))
        .values(lease_until=now + LEASE).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def seen(instance_id: str) -> bool:
    ref = f"odk:{instance_id}"
    return bool(db.session.scalar(select(
        exists().where(Incident.external_ref == ref)
        | exists().where(VerificationReport.external_ref == ref)
        | exists().where(HeldSubmission.instance_id == instance_id))))


def _pull(source: SyncSource, credentials: dict) -> Iterator[client.Pulled]:
    fetch = client.Fetcher(allow_local(),
                           float(current_app.config.get("FIELD_SYNC_TIMEOUT", 30)),
                           int(current_app.config["MAX_PHOTO_BYTES"]))
    if source.platform == Platform.ODK_CENTRAL:
        return client.odk_central(fetch, source.server_url, source.project or "",
                                  source.form_id, credentials, source.cursor)
    return client.kobo(fetch, source.server_url, source.form_id, credentials, source.cursor)


def _hold(source: SyncSource, item: client.Pulled, reason: str,
          photos: dict[str, bytes]) -> None:
    from conflict_app.fieldforms.fields import keep

    held = HeldSubmission(source_id=source.id, instance_id=item.instance_id,
                          form_kind=source.form_kind, data=keep(item.row, source.form_kind),
                          reason=reason[:2000], submitted_at=item.submitted_at,
                          received_at=clock.now())
    held.photos = [HeldPhoto(name=name, content=content) for name, content in photos.items()]
    db.session.add(held)


def _handle(source: SyncSource, run: SyncRun, item: client.Pulled) -> None:
    if not item.instance_id or seen(item.instance_id):
        run.skipped += 1
        return
    reason = None
    photos: dict[str, bytes] = {}
    try:
        photos = item.fetch_photos()
    except client.PullError as exc:
        if exc.code != "not_found":
            raise  # the server went away: stop here, this submission comes again
        reason = f"photo: {', '.join(item.photo_names)} is not on the server any more."
    if reason is None:
        try:
            reference = odk.import_row(source.file_as, dict(item.row),
                                       source.form_kind.value, photos)
        except odk.Rejected as err:
            db.session.rollback()
            reason = str(err)
        except DomainError as err:
            db.session.rollback()
            reason = err.translated()
        else:
            if reference:
                run.imported += 1
            else:
                run.skipped += 1
            return
    _hold(source, item, reason, photos)
    run.rejected += 1


def sync_source(source_id: int) -> str:
    """Pull one source now; returns a summary of the run."""
    if not _take(source_id):
        return "busy or switched off"
    source = db.session.get(SyncSource, source_id)
    run = SyncRun(source_id=source.id, started_at=clock.now())
    db.session.add(run)
    db.session.commit()
    error = None
    credentials = secrets.unseal(source.credentials)
    if credentials is None:
        error = "credentials: the sign-in details cannot be read; enter them again"
    elif not source.file_as.active:
        error = "account: the account submissions are filed as is switched off"
    else:
        try:
            for count, item in enumerate(_pull(source, credentials), start=1):
                _handle(source, run, item)
                if item.cursor:
                    source.cursor = item.cursor
                db.session.commit()
                if count >= MAX_PER_RUN:
                    break
        except client.PullError as exc:
            db.session.rollback()
            error = str(exc)[:300]
        except Exception as exc:  # a fault here must not leave the source taken
            db.session.rollback()
            log.exception("field sync of source %s stopped", source_id)
            error = f"internal: {type(exc).__name__}"
    source, run = db.session.get(SyncSource, source_id), db.session.get(SyncRun, run.id)
    run.finished_at = source.last_run_at = clock.now()
    run.status = RunStatus.ERROR if error else RunStatus.OK
    run.error = source.last_error = error
    source.lease_until = None
    db.session.commit()
    if error:
        # The code and status only: never the address's answer, a token or a password.
        log.warning("field sync of source %s failed: %s", source_id, error.split(":")[0])
    return (f"imported {run.imported}, already there {run.skipped}, held {run.rejected}"
            + (f", error {error}" if error else ""))


def sync_all() -> int:
    """The periodic job: pull every active source; returns how many were pulled."""
    ids = db.session.scalars(select(SyncSource.id).where(SyncSource.active.is_(True))
                             .order_by(SyncSource.id)).all()
    db.session.commit()
    for source_id in ids:
        sync_source(source_id)
    return len(ids)
