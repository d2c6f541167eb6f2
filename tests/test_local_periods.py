"""Figures by year and month count a moment in the year and month it was where it happened.

A claim reported at 01:00 on New Year's Day in Yerevan is 21:00 on 31 December in UTC: the
public statistics counted it (and its payment) in the old year.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from conflict_app.analytics import store
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentBatch, PaymentMethod
from tests import helpers

# 01:00 on 1 January 2026 in Yerevan (UTC+4); still 2025 in UTC.
NEW_YEAR_NIGHT = datetime(2025, 12, 31, 21, 0, tzinfo=UTC)


@pytest.fixture
def new_year(world):
    """Five Armenian households report, are decided and paid in the first hour of 2026."""
    store.clear()
    clock.freeze(NEW_YEAR_NIGHT)
    try:
        claims = []
        for k in range(5):
            household = helpers.household(world, name=f"Anahit Sargsyan {k}")
            claims.append(helpers.approved(world, hh=household, killed=2))
        batch = pay.create_batch(world.finance, [c.id for c in claims], PaymentMethod.CASH)
        pay.export_batch(world.finance, batch.id)
        for n, item in enumerate(batch.items):
            pay.record_paid(world.finance, item.id, f"TX-{n}", idempotency_key=f"ny-{n}")
        db.session.commit()
        yield claims
    finally:
        clock.freeze(None)


def _rows(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_claims_of_new_year_s_night_count_in_the_new_year(app, new_year):
    assert {c.reference[:8] for c in new_year} == {"AM-2026-"}
    assert db.session.scalars(select(PaymentBatch.reference)).one().startswith("PAY-AM-2026-")
    client = app.test_client()
    rows = {r["period"]: r for r in _rows(client, "/statistics/by-year.csv?country=AM")}
    # The losses happened on 30 December: they stay in 2025.
    assert rows["2025"]["verified_attacks"] == "5"
    assert rows["2025"]["claims_received"] == "0"
    assert rows["2026"]["claims_received"] == "5"
    assert rows["2026"]["claims_decided"] == "5"
    months = {r["period"]: r["claims_received"] for r in _rows(client, "/statistics/all.csv")
              if r["country"] == "" and "-" in r["period"]}
    assert months == {"2025-12": "0", "2026-01": "5"}
    paid = [r for r in _rows(client, "/statistics/payments.csv")
            if r["country"] == "AM" and r["period"]]
    assert [(r["period"], r["claims_paid"]) for r in paid] == [("2026", "5")]


def test_an_area_s_own_zone_decides_the_year(app, world):
    """An area that keeps UTC (as Kazakhstan's west keeps its own zone) counts the same
    moment in the old year."""
    world.syunik.timezone = "UTC"
    db.session.flush()
    store.clear()
    clock.freeze(NEW_YEAR_NIGHT)
    try:
        for k in range(5):
            helpers.report(world, hh=helpers.household(world, name=f"Gohar Hakobyan {k}"))
        db.session.commit()
        rows = {r["period"]: r for r in _rows(app.test_client(),
                                                "/statistics/by-year.csv?country=AM")}
    finally:
        clock.freeze(None)
    assert rows["2025"]["claims_received"] == "5"
    assert "2026" not in rows  # the same moment, in UTC, is still 2025


def test_a_zone_typed_wrong_counts_as_unset_and_fails_nothing(app, world, browser_for):
    """An area whose zone was typed wrong: the statistics and the staff pages read the
    country's zone instead of failing."""
    world.syunik.timezone = "Asia/Yerevann"
    db.session.flush()
    store.clear()
    clock.freeze(NEW_YEAR_NIGHT)
    try:
        claim, _pin = helpers.report(world)
        db.session.commit()
        rows = _rows(app.test_client(), "/statistics/by-year.csv")
        page = browser_for(world.clerk).get(f"/claims/{claim.id}?lang=en")
    finally:
        clock.freeze(None)
    assert page.status_code == 200
    assert "1:00\u202fAM" in page.get_data(as_text=True)  # Yerevan's time, the country's
    assert {r["period"] for r in rows} == {"", "2026"}  # Yerevan's new year


def test_days_from_attack_to_report_count_from_the_place_s_noon(world):
    """An attack has a date, not a time: it counts as noon of that day where it happened.
    Five Armenian herders report at 14:00 in Yerevan the day after their attack: 26 hours,
    1.1 days. Taking the attack's noon in UTC made it 22 hours (0.9 days), and put every
    range state's reports 3 to 5 hours early."""
    from conflict_app.analytics import overview

    clock.freeze(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))  # 14:00 in Yerevan
    try:
        for k in range(5):
            household = helpers.household(world, name=f"Gayane Hakobyan {k}")
            helpers.report(world, hh=household, days_ago=1)
        times = {t["step"]: t for t in overview.processing_times(world.analyst)}
    finally:
        clock.freeze(None)
    reported = times["incident_to_report"]
    assert reported["claims"] == 5
    assert reported["median_days"] == 1.1 and reported["p90_days"] == 1.1
