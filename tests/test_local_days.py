"""Staff working after local midnight: the days they type, the days the system records for
them and the day counts money depends on are their place's days, not UTC's.

At 01:30 on 3 March in Yerevan (UTC+4) it is still 2 March in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from conflict_app.core import clock
from conflict_app.schemes import funds
from conflict_app.schemes.fund_models import EntryKind, FundKind
from tests import helpers
from tests.test_api import api  # noqa: F401
from tests.test_api_settlements import pool  # noqa: F401
from tests.test_herder_figures import english, pay_claim
from tests.test_local_time import NIGHT
from tests.test_schemes import _create, _version


@pytest.fixture
def night():
    clock.freeze(NIGHT)  # 01:30 on 3 March in Yerevan
    yield
    clock.freeze(None)


def test_money_booked_today_at_night_is_not_in_the_future(world, browser_for, night):
    fund = funds.create_fund(world.manager, funds.FundInput(
        "Syunik endowment", FundKind.ENDOWMENT, "AMD", "AM", None))
    page = browser_for(world.manager).get(f"/schemes/funds/{fund.id}?entry=contribution")
    assert 'value="2026-03-03"' in page.get_data(as_text=True)  # today there, as offered
    entry = funds.record_entry(world.manager, fund.id, funds.EntryInput(
        EntryKind.CONTRIBUTION, Decimal(500), date(2026, 3, 3), donor="Trust"))
    assert entry.booked_on == date(2026, 3, 3)


def test_a_new_agreement_offers_today_there(world, browser_for, night):
    manager = browser_for(world.manager)
    scheme = _create(manager, code="AM-INC", kind="incentive", currency="USD")
    page = manager.get(f"/schemes/{scheme.id}/agreements")
    assert page.status_code == 200
    assert 'value="2026-03-03"' in page.get_data(as_text=True)


def test_prices_and_rules_starting_today_are_in_force_at_night(world, browser_for, api,  # noqa: F811
                                                                night):
    manager = api(world.manager)
    made = manager.post("/api/v1/prices", json={
        "country": "AM", "species": "sheep", "age_class": "adult_female", "amount": 65000,
        "currency": "AMD", "valid_from": "2026-03-03"})
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["in_force"] is True  # valuations already use it there
    web = browser_for(world.manager)
    prices = web.get("/prices/?country=AM").get_data(as_text=True)
    row = next(r for r in prices.split("<tr") if "65,000.00" in r)
    assert "in force" in row
    scheme = _create(web)
    _version(web, scheme)
    second = _version(web, scheme, valid_from="2026-03-03", note="from today")
    assert second.number == 2
    listed = {s["code"]: s for s in manager.get("/api/v1/schemes").get_json()["items"]}
    assert listed["AM-COMP"]["version_in_force"] == 2
    assert manager.get(f"/api/v1/schemes/{scheme.id}").get_json()["version_in_force"] == 2
    page = web.get(f"/schemes/{scheme.id}").get_data(as_text=True)
    row = next(r for r in page.split("<tr") if "<bdi>v2</bdi>" in r)
    assert "in force" in row


def test_late_interest_counts_the_days_of_the_claim_s_place(world, browser_for, night):
    """Decided at 01:30 on 3 March there and paid on 13 March at noon: ten days, within the
    ten-day payment period, so no interest (UTC counted eleven, one day of interest)."""
    manager = browser_for(world.manager)
    scheme = _create(manager)
    _version(manager, scheme, payment_within_days="10", late_interest="0.365")
    hh = english(world, helpers.household(world))
    claim, _pin = helpers.report(world, hh=hh, killed=2)
    claim = helpers.approved(world, claim=claim)
    assert helpers.reload(claim).decided_at == NIGHT
    clock.freeze(datetime(2026, 3, 13, 8, 0, tzinfo=UTC))
    item = pay_claim(world, helpers.reload(claim), "MM-1")
    assert (item.amount, item.interest) == (90000, 0)


def test_a_day_late_there_is_a_day_of_interest(world, browser_for, night):
    manager = browser_for(world.manager)
    scheme = _create(manager)
    _version(manager, scheme, payment_within_days="10", late_interest="0.365")
    claim, _pin = helpers.report(world, hh=english(world, helpers.household(world)), killed=2)
    claim = helpers.approved(world, claim=claim)
    clock.freeze(datetime(2026, 3, 14, 8, 0, tzinfo=UTC))  # 11 days: 90000 × 0.365 / 365
    item = pay_claim(world, helpers.reload(claim), "MM-2")
    assert (item.amount, item.interest) == (90090, 90)


def test_an_incentive_paid_and_a_withholding_lifted_at_night_are_dated_today_there(
        world, browser_for, night):
    from conflict_app.payments import operations as pay
    from conflict_app.payments.models import PaymentMethod
    from conflict_app.schemes import incentives
    from tests.test_incentive_payouts import _adopt, _adoption_scheme, _measure

    manager, scheme = _adoption_scheme(world, browser_for)
    household = helpers.household(world)
    helpers.payout(household)
    assert _adopt(manager, scheme, _measure(world, household)).status_code == 302
    withholding = incentives.withhold(world.manager, scheme.id, world.gndevaz.id,
                                      "poisoned carcass", date(2026, 3, 1))
    incentives.appeal(world.manager, withholding.id, "not in the village", upheld=True)
    assert incentives.withholdings(scheme.id)[0].closed_on == date(2026, 3, 3)
    payment = incentives.payments(scheme.id)[0]
    batch = pay.create_batch(world.finance, [], PaymentMethod.CASH, [payment.id])
    pay.export_batch(world.finance, batch.id)
    pay.record_paid(world.finance, batch.live_items()[0].id, "CASH-1")
    assert incentives.payments(scheme.id)[0].paid_on == date(2026, 3, 3)


def test_a_pool_settled_at_night_pays_out_on_today_there(world, api, pool):  # noqa: F811
    from sqlalchemy import select

    from conflict_app.extensions import db
    from conflict_app.schemes.models import PoolEntry

    cover, _claim = pool
    clock.freeze(datetime(2026, 4, 13, 21, 30, tzinfo=UTC))  # 01:30 on 14 April there
    made = api(world.finance).post(f"/api/v1/schemes/{cover.id}/settlements",
                                   json={"period_start": "2026-03-01",
                                         "period_end": "2026-12-31"})
    assert made.status_code == 201, made.get_data(as_text=True)
    payout = db.session.scalars(select(PoolEntry).where(PoolEntry.kind == "payout")).one()
    assert payout.on_date == date(2026, 4, 14)


def test_the_scheme_report_counts_a_payment_made_at_night_on_today_there(
        world, browser_for, night):
    from conflict_app.documents.report import report_data
    from tests.test_incentive_payouts import _adopt, _adoption_scheme, _measure

    manager, scheme = _adoption_scheme(world, browser_for)
    assert _adopt(manager, scheme, _measure(world, helpers.household(world))).status_code == 302
    data = report_data(scheme, date(2026, 3, 3), date(2026, 3, 31))
    assert ("Payments: %(kind)s", "adoption", 1) in data.kpis


def test_a_withholding_ends_at_midnight_where_the_village_is(world, browser_for, night):
    """Withheld through 4 March: released from 00:00 on 5 March in Yerevan, not four hours
    later when UTC's day turns."""
    from conflict_app.schemes import incentives
    from tests.test_incentive_payouts import _adoption_scheme

    _manager, scheme = _adoption_scheme(world, browser_for, withholding_days="1")
    item = incentives.withhold(world.manager, scheme.id, world.gndevaz.id,
                               "poisoned carcass", date(2026, 3, 3))
    assert item.ends_on == date(2026, 3, 4)
    clock.freeze(datetime(2026, 3, 4, 19, 59, tzinfo=UTC))  # 23:59 there
    assert incentives.release_due() == 0
    clock.freeze(datetime(2026, 3, 4, 20, 30, tzinfo=UTC))  # 00:30 on 5 March there
    assert incentives.release_due() == 1
    assert incentives.withholdings(scheme.id)[0].closed_on == date(2026, 3, 5)


def test_staff_read_times_in_their_own_zone(world, browser_for, night):
    """A claim reported at 01:30 in Yerevan reads 01:30 on 3 March to an Armenian clerk,
    not 21:30 on 2 March; a range-wide administrator keeps the instance's default zone."""
    claim, _pin = helpers.report(world)
    page = browser_for(world.clerk).get(f"/claims/{claim.id}?lang=en").get_data(as_text=True)
    assert "3/3/26, 1:30\u202fAM" in page
    assert "3/2/26, 9:30\u202fPM" not in page
