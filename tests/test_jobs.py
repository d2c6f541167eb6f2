"""Background jobs: texts leave after the commit, the herder's own first, never inside a web
request when a job queue is configured."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.jobs import run_now
from conflict_app.status import notify
from conflict_app.status.gateways import GatewayError
from conflict_app.status.models import SmsMessage, SmsStatus
from tests import helpers
from tests.test_status import public_report

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def outbox(app):
    path = Path(app.config["SMS_OUTBOX_FILE"])
    path.unlink(missing_ok=True)
    yield path
    path.unlink(missing_ok=True)


def sent(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _backlog(count: int) -> None:
    """Older notifications that are due but not sent yet (e.g. the provider was down)."""
    with db.session.begin_nested():
        for n in range(count):
            db.session.add(SmsMessage(direction="out", phone=f"+3749100{n:04d}", locale="hy",
                                      kind="approved", body=f"old {n}",
                                      status=SmsStatus.QUEUED))
    db.session.commit()


def test_new_report_text_goes_out_at_once_ahead_of_a_backlog(app, world, outbox):
    _backlog(60)
    claim, _ = helpers.report(world)
    texts = sent(outbox)
    assert [t["text"] for t in texts if claim.reference in t["text"]], texts
    # The backlog was not sent on the way (it waits for the dispatcher).
    assert not [t for t in texts if t["text"].startswith("old ")]
    # The dispatcher also serves waiting herders first.
    answer = SmsMessage(direction="out", phone="+37491234500", locale="hy", kind="status",
                        body="answer", status=SmsStatus.QUEUED)
    db.session.add(answer)
    db.session.commit()
    assert notify.dispatch_due(limit=1) == (1, 0)
    assert sent(outbox)[-1]["text"] == "answer"


def test_rolled_back_change_sends_nothing(app, world, outbox, monkeypatch):
    hh = helpers.household(world)
    before = len(sent(outbox))
    with pytest.raises(RuntimeError):  # noqa: PT012 - the change and its failure
        notify.queue(hh.phone, "hy", "received", "never", claim_id=None)
        db.session.flush()
        raise RuntimeError("the use case failed")
    db.session.rollback()
    db.session.commit()
    assert len(sent(outbox)) == before


def test_failed_send_is_retried_by_the_periodic_job(app, world, outbox, monkeypatch):
    class Down:
        def send(self, phone, text):
            raise GatewayError("down")

    monkeypatch.setattr(notify, "from_config", lambda config: Down())
    claim, _ = helpers.report(world)
    monkeypatch.undo()
    clock.freeze(clock.now() + timedelta(minutes=3))

    assert run_now("sms.dispatch", ()) == (1, 0)
    message = db.session.scalars(select(SmsMessage).where(SmsMessage.claim_id == claim.id)).one()
    assert message.status == SmsStatus.SENT and message.attempts == 2


@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL=redis://...")
def test_with_a_queue_the_web_request_sends_nothing_and_a_worker_does(app, world, outbox):
    from rq import SimpleWorker

    from conflict_app.jobs import QUEUES
    from conflict_app.jobs.rq_backend import connection

    conn = connection(REDIS_URL)
    conn.flushdb()
    app.config["REDIS_URL"] = REDIS_URL
    try:
        response = public_report(app.test_client(), world)
        assert response.status_code == 302
        assert sent(outbox) == []  # nothing was sent inside the request
        assert conn.llen("rq:queue:sms") == 1
        SimpleWorker(list(QUEUES), connection=conn).work(burst=True)
        texts = sent(outbox)
        assert len(texts) == 1 and "Keep the carcasses" in texts[0]["text"]
    finally:
        app.config["REDIS_URL"] = None
        conn.flushdb()
        conn.close()


def test_jobs_are_handed_over_through_one_redis_client_per_address(app):
    """A new client for every job handed over (and every readiness check) left its socket
    for the garbage collector to close, whenever it ran."""
    from conflict_app.jobs.rq_backend import connection

    app.config["REDIS_URL"] = "redis://127.0.0.1:6379/14"
    try:
        first = connection()
        assert connection() is first
        app.config["REDIS_URL"] = "redis://127.0.0.1:6379/15"
        assert connection() is not first
    finally:
        app.config["REDIS_URL"] = None
