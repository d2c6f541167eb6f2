"""Daily limits on texts the public can trigger hold under parallel requests: on
PostgreSQL, twelve "send me a new PIN" requests for one claim at once (a double click, a
script, several workers) text the herder's phone at most the allowed number of times."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from conflict_app.extensions import db
from conflict_app.status import operations
from conflict_app.status.models import SmsMessage
from tests import helpers
from tests.conftest import World


@pytest.mark.committed
@pytest.mark.postgres
def test_parallel_pin_resends_stay_within_the_daily_limit(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    world = World()
    claim, _pin = helpers.report(world)
    db.session.commit()
    reference, phone = claim.reference, claim.household.phone
    before = db.session.scalar(select(func.count(SmsMessage.id)).where(
        SmsMessage.kind == "pin_resent"))
    db.session.remove()
    errors = []
    start = threading.Barrier(12)

    def ask() -> None:
        start.wait()
        with app.app_context():
            try:
                operations.resend_pin(reference)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=ask) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sent = db.session.scalar(select(func.count(SmsMessage.id)).where(
        SmsMessage.kind == "pin_resent", SmsMessage.phone == phone)) - before
    assert 1 <= sent <= min(app.config["PIN_RESENDS_PER_CLAIM"],
                            app.config["PUBLIC_TEXTS_PER_PHONE"])
