"""Performance and adoption payments of an incentive scheme computed through the API: the
scheme page's operations, for scheme managers; a refused request stores no payment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from conflict_app.core import clock
from conflict_app.core.audit import AuditEntry
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.mitigation.models import Measure, MeasureType
from conflict_app.schemes import incentives
from conflict_app.schemes.models import IncentivePayment
from conflict_app.schemes.params import SchemeKind
from tests import helpers, scheme_data
from tests.test_api import api  # noqa: F401


@pytest.fixture
def reward(world):
    clock.freeze(scheme_data.START)
    try:
        scheme = scheme_data.scheme(world, "AM-INC", SchemeKind.INCENTIVE, budget="100000",
                                    adoption_corral="600")
        for village in (world.shikahogh, world.shvanidzor):
            incentives.record_presence(world.verifier, scheme.id, village.id, "occasional",
                                       date(2026, 2, 1), "camera trap")
        yield scheme
    finally:
        clock.freeze(None)


def _payments() -> int:
    return db.session.scalar(select(func.count(IncentivePayment.id)))


def _measure(world, household, verified_on=date(2026, 2, 15)) -> Measure:
    measure = Measure(household_id=household.id, village_id=household.village_id,
                      country_code="AM", admin1_id=world.syunik.id,
                      admin2_id=household.admin2_id, measure=MeasureType.CORRAL,
                      installed_on=date(2026, 2, 1), verified_on=verified_on)
    db.session.add(measure)
    db.session.flush()
    return measure


def test_a_manager_computes_the_years_performance_payments(world, api, reward):  # noqa: F811
    incentives.withhold(world.manager, reward.id, world.shvanidzor.id, "poisoned carcass",
                        date(2026, 3, 1))
    url = f"/api/v1/schemes/{reward.id}/performance-payments"
    manager = api(world.manager)
    made = manager.post(url, json={"period": 2026})
    assert made.status_code == 201, made.get_data(as_text=True)
    items = made.get_json()["items"]
    assert {(p["village"], p["state"], p["kind"], p["period"]) for p in items} == {
        (world.shikahogh.name, "approved", "performance", 2026),
        (world.shvanidzor.name, "withheld", "performance", 2026)}
    assert all(Decimal(p["amount"]) > 0 and p["currency"] == "AMD" for p in items)
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "performance_payment")) == 2
    # Once per community and year: a repeat pays nobody again.
    again = manager.post(url, json={"period": 2026})
    assert again.status_code == 200 and again.get_json() == {"items": []}
    assert _payments() == 2


def test_refused_performance_payments_change_nothing(world, api, reward):  # noqa: F811
    url = f"/api/v1/schemes/{reward.id}/performance-payments"
    for user in (world.clerk, world.finance, world.verifier):
        response = api(user).post(url, json={"period": 2026})
        assert response.status_code == 403 and response.mimetype == "application/problem+json"
    manager = api(world.manager)
    nothing = manager.post(url, json={"period": 2027})
    assert nothing.status_code == 400
    assert "No verified presence records" in nothing.get_json()["title"]
    before_rules = manager.post(url, json={"period": 2025})
    assert before_rules.status_code == 400 and "no published rule version" in (
        before_rules.get_json()["title"])
    for bad in ({"period": 1999}, {"period": "2026"}, {}, {"period": 2026, "x": 1}):
        response = manager.post(url, json=bad)
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
    # The scheme pays every community of the country: a province's manager does not compute.
    syunik = world.user("manager@syunik.test", {Role.SCHEME_MANAGER}, "AM", world.syunik.id)
    assert api(syunik).post(url, json={"period": 2026}).status_code == 403
    compensation = scheme_data.scheme(world, "AM-COMP", SchemeKind.COMPENSATION)
    assert manager.post(f"/api/v1/schemes/{compensation.id}/performance-payments",
                        json={"period": 2026}).status_code == 404
    assert _payments() == 0


def test_a_manager_approves_an_adoption_payment(world, api, reward):  # noqa: F811
    household = helpers.household(world)
    measure = _measure(world, household)
    url = f"/api/v1/schemes/{reward.id}/adoption-payments"
    manager = api(world.manager)
    assert api(world.clerk).post(url, json={"measure_id": measure.id}).status_code == 403
    made = manager.post(url, json={"measure_id": measure.id})
    assert made.status_code == 201, made.get_data(as_text=True)
    payment = made.get_json()
    assert (payment["kind"], payment["amount"], payment["state"]) == (
        "adoption", "600.00", "approved")
    assert (payment["household_id"], payment["measure_id"]) == (household.id, measure.id)
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "adoption_payment", AuditEntry.object_id == payment["id"]))
    before = _payments()
    unverified = _measure(world, household, verified_on=None)
    for body, status, text in (
            ({"measure_id": measure.id}, 400, "already has an adoption payment"),
            ({"measure_id": unverified.id}, 400, "not been verified"),
            ({"measure_id": 99999}, 400, "Choose a household's measure"),
            ({"measure_id": "1"}, 422, None), ({"measure_id": 0}, 422, None)):
        response = manager.post(url, json=body)
        assert response.status_code == status, (body, response.get_data(as_text=True))
        assert response.mimetype == "application/problem+json"
        if text:
            assert text in response.get_json()["errors"][0]["message"]
    assert _payments() == before
