"""The data's version, which the analytics and public statistics caches compare instead of
counting seven tables: raised by every committed write to the tables the figures read, in
the same transaction, and by nothing else."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func, select, update

from conflict_app.analytics import data
from conflict_app.claims.models import Claim, Incident
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.status.models import SmsMessage, SmsStatus
from tests import helpers
from tests.conftest import World


def _text() -> SmsMessage:
    return SmsMessage(direction="out", kind="test", phone="+37491000000", locale="en",
                      body="not a figure", status=SmsStatus.QUEUED)


def _version() -> int:
    db.session.rollback()  # a fresh transaction sees what others committed
    version, pending = data.fingerprint()
    db.session.rollback()  # and holds no lock a writer would wait for (SQLite)
    assert pending is None  # nothing written and not committed here
    return version


@pytest.mark.committed
def test_every_committed_change_raises_the_version_and_nothing_else_does(app):
    world = World()
    db.session.commit()
    claim, _pin = helpers.report(world)
    db.session.commit()
    start = _version()
    assert _version() == start  # reading changes nothing

    db.session.add(_text())
    db.session.commit()
    assert _version() == start  # a text is no figure's data

    db.session.execute(update(Claim).where(Claim.id == claim.id)
                       .values(late_report=not claim.late_report))
    db.session.commit()
    assert _version() == start + 1  # a Core update

    helpers.household(world, name="Version Household")
    assert _version() == start + 2  # an ORM insert through a use case (its commit)

    db.session.execute(delete(SmsMessage))
    db.session.execute(update(Incident).where(Incident.id == claim.incident_id)
                       .values(external_ref="edited"))
    db.session.rollback()
    assert _version() == start + 2  # rolled back: nothing changed

    count = db.session.scalar(select(func.count(Incident.id)))
    db.session.execute(update(Incident).values(external_ref=None))
    pending = data.fingerprint()
    assert pending[0] == start + 2 and pending[1] is not None  # its own, until committed
    db.session.commit()
    assert _version() == start + 3 and count


@pytest.mark.committed
def test_another_worker_sees_the_new_version_with_the_change_not_before(app):
    World()
    db.session.commit()
    start = _version()
    flushed, release, done = threading.Event(), threading.Event(), threading.Event()

    def other() -> None:
        with app.app_context():
            try:
                db.session.add(_text())
                db.session.execute(update(Claim).values(late_report=True))
                db.session.execute(update(Incident).values(external_ref="other worker"))
                db.session.flush()
                flushed.set()
                release.wait(10)
                db.session.commit()
            finally:
                db.session.remove()
                done.set()

    worker = threading.Thread(target=other)
    worker.start()
    assert flushed.wait(10)
    assert _version() == start  # written, not committed: not yet a change for anyone else
    release.set()
    assert done.wait(10)
    worker.join()
    assert _version() == start + 1


@pytest.mark.committed
def test_a_bulk_import_raises_the_version(app, tmp_path):
    """COPY on PostgreSQL is no statement: the importer says so itself."""
    from conflict_app.bundles import bulk
    from conflict_app.claims.models import LossLine

    world = World()
    db.session.commit()
    claim, _pin = helpers.report(world)
    db.session.commit()
    start = _version()
    clock.freeze(None)
    bulk.insert_rows(LossLine.__table__, [{
        "incident_id": claim.incident_id, "species": "goat", "age_class": "young",
        "killed": 1, "injured": 0}])
    db.session.commit()
    assert _version() == start + 1
