"""What the public can do to a claim holds under parallel requests on PostgreSQL (a double
click, a script, several workers): twelve "send me a new PIN" requests at once text the
herder's phone at most the allowed number of times, and ten wrong PINs at once are all
counted towards the lock, none failing."""

from __future__ import annotations

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
    _done, errors = helpers.at_once(app, 12, lambda: operations.resend_pin(reference))
    assert errors == []
    sent = db.session.scalar(select(func.count(SmsMessage.id)).where(
        SmsMessage.kind == "pin_resent", SmsMessage.phone == phone)) - before
    assert 1 <= sent <= min(app.config["PIN_RESENDS_PER_CLAIM"],
                            app.config["PUBLIC_TEXTS_PER_PHONE"])


@pytest.mark.committed
@pytest.mark.postgres
def test_parallel_wrong_pins_on_a_new_claim_are_all_counted(app, monkeypatch):
    """The guard row does not exist before the first wrong PIN: ten guesses at once must
    neither fail (two inserts of the same guard) nor go uncounted."""
    from conflict_app.status.models import PinGuard

    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    monkeypatch.setitem(app.config, "PIN_FAILURES_BEFORE_LOCK", 100)  # only this test
    world = World()
    claim, pin = helpers.report(world)
    db.session.commit()
    reference, claim_id = claim.reference, claim.id
    wrong = "000000" if pin != "000000" else "111111"
    db.session.remove()
    answers, errors = helpers.at_once(app, 10, lambda: operations.lookup(reference, wrong))
    assert errors == []
    assert answers == [None] * 10
    guard = db.session.scalar(select(PinGuard).where(PinGuard.claim_id == claim_id))
    assert guard.failures == 10
