"""Settling an insurance pool through the API: the scheme page's operation, for finance and
scheme managers; a refused settlement stores nothing and takes nothing out of the pool."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from conflict_app.core import clock
from conflict_app.core.audit import AuditEntry
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.herders.models import Species
from conflict_app.schemes import insurance
from conflict_app.schemes.models import Settlement
from conflict_app.schemes.params import SchemeKind
from tests import helpers, scheme_data
from tests.test_api import api  # noqa: F401

PERIOD = {"period_start": "2026-03-01", "period_end": "2026-12-31"}


@pytest.fixture
def pool(world):
    """A pool holding one premium, and an approved claim of an insured household."""
    clock.freeze(scheme_data.START)
    try:
        cover = scheme_data.scheme(world, "AM-INS", SchemeKind.INSURANCE,
                                   admin1_id=world.syunik.id, budget="0", waiting_days="30")
        insured = helpers.household(world, name="Insured Household")
        enrolment = insurance.enrol(world.clerk, cover.id, insured.id, date(2026, 3, 2),
                                    date(2027, 3, 2), [insurance.InsuredLine(
                                        Species.SHEEP, 50, Decimal(60000))], True)
        insurance.record_premium(world.finance, enrolment.id, date(2026, 3, 2))
        clock.freeze(scheme_data.START + timedelta(days=40))
        claim = helpers.approved(world, hh=insured, killed=2)
        assert claim.scheme_id == cover.id
        yield cover, claim
    finally:
        clock.freeze(None)


def _settlements() -> int:
    return db.session.scalar(select(func.count(Settlement.id)))


def test_finance_settles_a_pool_period(world, api, pool):  # noqa: F811
    cover, claim = pool
    url = f"/api/v1/schemes/{cover.id}/settlements"
    held = insurance.balance(cover.id)
    made = api(world.finance).post(url, json=PERIOD)
    assert made.status_code == 201, made.get_data(as_text=True)
    settled = made.get_json()
    assert settled["currency"] == "AMD" and settled["available"] == f"{held:.2f}"
    [item] = settled["items"]
    assert item["claim_reference"] == claim.reference
    assert Decimal(settled["payable"]) == min(held, claim.amount_approved)
    assert Decimal(settled["shortfall"]) == claim.amount_approved - Decimal(settled["payable"])
    assert insurance.balance(cover.id) == held - Decimal(settled["payable"])
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "settlement", AuditEntry.object_id == settled["id"]))
    listed = api(world.clerk).get(url).get_json()["items"]
    assert [s["id"] for s in listed] == [settled["id"]]
    # The claim is settled once: a second settlement of the period finds nothing to settle.
    again = api(world.manager).post(url, json=PERIOD)
    assert again.status_code == 400 and again.mimetype == "application/problem+json"
    assert _settlements() == 1


def test_refused_settlements_change_nothing(world, api, pool):  # noqa: F811
    cover, _claim = pool
    url = f"/api/v1/schemes/{cover.id}/settlements"
    held = insurance.balance(cover.id)
    for user in (world.clerk, world.approver, world.analyst):
        response = api(user).post(url, json=PERIOD)
        assert response.status_code == 403, user.email
        assert response.mimetype == "application/problem+json"
    finance = api(world.finance)
    for period, status in (({"period_start": "2026-12-31", "period_end": "2026-03-01"}, 400),
                           ({"period_start": "2025-01-01", "period_end": "2025-12-31"}, 400),
                           ({"period_start": "2026-03-01"}, 422),
                           ({**PERIOD, "note": "x"}, 422),
                           ({"period_start": "March", "period_end": "2026-12-31"}, 422)):
        response = finance.post(url, json=period)
        assert response.status_code == status, (period, response.get_data(as_text=True))
        assert response.mimetype == "application/problem+json"
    compensation = scheme_data.scheme(world, "AM-COMP", SchemeKind.COMPENSATION)
    assert finance.post(f"/api/v1/schemes/{compensation.id}/settlements",
                        json=PERIOD).status_code == 404
    # Another province's manager does not see the Syunik pool at all.
    vayots = world.user("manager@vayots.test", {Role.SCHEME_MANAGER}, "AM", world.vayots.id)
    assert api(vayots).post(url, json=PERIOD).status_code == 404
    # A national pool pays every province pro rata: a province's manager does not settle it.
    national = scheme_data.scheme(world, "AM-NAT", SchemeKind.INSURANCE, budget="0")
    syunik = world.user("manager@syunik.test", {Role.SCHEME_MANAGER}, "AM", world.syunik.id)
    assert api(syunik).post(f"/api/v1/schemes/{national.id}/settlements",
                            json=PERIOD).status_code == 403
    assert _settlements() == 0 and insurance.balance(cover.id) == held
