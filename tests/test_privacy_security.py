"""Personal data (export, erasure, retention, logs) and the browser-facing protections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conflict_app.claims import operations as ops
from conflict_app.claims.models import Claim, Evidence
from conflict_app.core import clock
from conflict_app.core.errors import InvalidInput
from conflict_app.extensions import db
from conflict_app.herders import privacy
from conflict_app.herders.models import Household
from conflict_app.status.models import SmsMessage
from tests import helpers


def test_herder_data_export_holds_everything(world, browser_for):
    claim, _ = helpers.report(world)
    clerk = browser_for(world.clerk)
    response = clerk.get(f"/households/{claim.household_id}/personal-data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["household"]["phone"] == "+37491234567"
    assert data["claims"][0]["reference"] == claim.reference
    assert data["text_messages"]  # the receipt text
    assert browser_for(world.other_clerk).get(
        f"/households/{claim.household_id}/personal-data.json").status_code == 404


def test_erasure_pseudonymises_and_keeps_the_statistics(world, app):
    claim = helpers.verified(world, photos=[helpers.photo_bytes()])
    household = claim.household
    with pytest.raises(InvalidInput, match="still running"):
        privacy.erase(world.clerk, household, "herder asked")
    ops.assess(claim.id, world.clerk, helpers.reload(claim).version)
    ops.reject(claim.id, world.approver, helpers.reload(claim).version, "not leopard")
    privacy.erase(world.clerk, household, "herder asked")
    db.session.expire_all()
    household = db.session.get(Household, household.id)
    assert household.head_name == "—" and household.phone is None
    assert db.session.scalar(select(func.count(Evidence.id)).where(
        Evidence.claim_id == claim.id)) == 0
    assert db.session.scalar(select(func.count(SmsMessage.id)).where(
        SmsMessage.phone == "+37491234567")) == 0
    kept = helpers.reload(claim)
    assert kept.state.value == "rejected" and kept.incident.lines[0].killed == 3


def test_retention_purges_settled_households_only(world):
    settled, _ = helpers.report(world)
    ops.withdraw(settled.id, world.clerk, settled.version, "herder withdrew")
    running, _ = helpers.report(world, hh=helpers.household(world, name="Running"))
    clock.freeze(clock.now() + timedelta(days=365 * 11))
    assert privacy.purge_expired(years=10) == 1
    db.session.expire_all()
    assert db.session.get(Household, settled.household_id).phone is None
    assert db.session.get(Household, running.household_id).head_name == "Running"


def test_database_errors_in_logs_carry_no_personal_data(app, world):
    """The error text that reaches the log never shows the values of the failed statement."""
    household = helpers.household(world, name="Secret Name")
    with pytest.raises(IntegrityError) as failure:
        db.session.execute(Household.__table__.insert().values(
            id=household.id, head_name="Secret Name", phone="+37499999999",
            village_id=household.village_id, country_code="AM",
            admin1_id=household.admin1_id, language="hy", created_at=clock.now()))
    assert "+37499999999" not in str(failure.value)
    assert "Secret Name" not in str(failure.value)
    db.session.rollback()


def test_security_headers_and_cookies(app, world, browser_for):
    client = app.test_client()
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers
    secure = client.get("/login", base_url="https://pardus.example")
    assert "max-age" in secure.headers["Strict-Transport-Security"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"]
    from config import Config

    assert Config.SESSION_COOKIE_SECURE is True  # production default


def test_csrf_is_required_on_unsafe_requests(app, world, browser_for):
    clerk = browser_for(world.clerk)
    claim, _ = helpers.report(world)
    response = clerk.client.post(f"/claims/{claim.id}/actions/screen",
                                 data={"screen-version": str(claim.version)})
    assert response.status_code == 400
    assert helpers.reload(claim).state.value == "reported"
    assert db.session.scalar(select(func.count(Claim.id))) >= 1


def test_personal_data_export_leaves_out_another_household_on_the_same_phone(
        world, browser_for):
    """Two households share one phone (a family phone): each one's export and erasure touch
    only the texts about its own claims."""
    own, _ = helpers.report(world, hh=helpers.household(world, name="Gohar"))
    other, _ = helpers.report(world, hh=helpers.household(world, name="Levon"))
    assert own.household.phone == other.household.phone
    data = browser_for(world.clerk).get(
        f"/households/{own.household_id}/personal-data.json").get_json()
    texts = " ".join(m["text"] for m in data["text_messages"])
    assert own.reference in texts
    assert other.reference not in texts
    ops.withdraw(own.id, world.clerk, own.version, "herder withdrew")
    privacy.erase(world.clerk, helpers.reload(own).household, "herder asked")
    kept = db.session.scalars(select(SmsMessage).where(
        SmsMessage.claim_id == other.id)).all()
    assert kept and all(other.reference in m.body for m in kept)
