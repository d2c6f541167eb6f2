"""Exports: staff tables inside the jurisdiction, de-identified grid and aggregates."""

from __future__ import annotations

import csv
import io
from datetime import UTC
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select

from conflict_app.exports.aggregate import aggregate_csv, import_aggregate
from conflict_app.exports.models import RegionalAggregate
from conflict_app.extensions import db
from tests import helpers


def test_claims_csv_and_xlsx_stay_inside_the_jurisdiction(world, browser_for):
    mine, _ = helpers.report(world)
    helpers.report(world, hh=helpers.household(world, village=world.gndevaz,
                                               name="=HYPERLINK(evil)"),
                   actor=world.other_clerk)
    text = browser_for(world.clerk).get("/exports/claims.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["reference"] for r in rows] == [mine.reference]
    other = browser_for(world.other_clerk).get("/exports/claims.csv").get_data(as_text=True)
    assert "'=HYPERLINK(evil)" in other  # formulas are neutralised
    response = browser_for(world.clerk).get("/exports/claims.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert [c.value for c in sheet[2]][0] == mine.reference


def test_analysts_get_only_de_identified_exports(world, browser_for):
    claim = helpers.verified(world)
    analyst = browser_for(world.analyst)
    assert analyst.get("/exports/claims.csv").status_code == 403
    geo = analyst.get("/exports/incidents.geojson")
    assert geo.status_code == 200 and geo.mimetype == "application/geo+json"
    # One household only: its cell is hidden.
    assert geo.get_json()["features"] == []
    text = analyst.get("/exports/aggregate.csv").get_data(as_text=True)
    assert claim.household.head_name not in text and "+374" not in text
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["suppressed"] == "True" and row["killed"] == ""


def test_aggregate_round_trip_into_a_regional_view(world):
    for i in range(5):
        helpers.report(world, hh=helpers.household(world, name=f"H{i}"))
    text = aggregate_csv(world.admin)
    count, errors = import_aggregate(text, "armenia")
    assert errors == [] and count == 1
    again, _ = import_aggregate(text, "armenia")
    assert again == 1
    assert db.session.scalar(select(func.count(RegionalAggregate.id))) == 1
    row = db.session.scalars(select(RegionalAggregate)).one()
    assert (row.country, row.species, row.households, row.killed) == ("AM", "sheep", 5, 15)
    bad = text.replace(",5,", ",2,", 1)
    count, errors = import_aggregate(bad, "armenia")
    assert count == 0 and "must be suppressed" in errors[0]


def _mixed_currencies(world) -> list:
    """Five claims of one region and year: three in drams (two paid), two in US dollars
    (one paid), as when a donor's scheme pays in dollars beside the national one."""
    from datetime import datetime

    claims = [helpers.report(world, hh=helpers.household(world, name=f"M{i}"))[0]
              for i in range(5)]
    for claim, (currency, amount, paid) in zip(claims, (
            ("AMD", "1000", True), ("AMD", "2000", True), ("AMD", None, False),
            ("USD", "10", True), ("USD", None, False)), strict=True):
        claim.currency = currency
        if amount:
            claim.amount_approved = Decimal(amount)
        if paid:
            claim.paid_at = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    db.session.commit()
    return claims


def test_aggregate_counts_every_claim_of_a_region_and_year_whatever_its_currency(world):
    """The claims of a region and year were read per currency and the last currency read
    replaced the others: 5 claims showed as 3 or 2, and the dollars paid vanished."""
    from datetime import date

    from conflict_app.schemes.models import ExchangeRate

    _mixed_currencies(world)
    db.session.add(ExchangeRate(currency="AMD", valid_from=date(1990, 1, 1),
                                per_usd=Decimal("400")))
    db.session.commit()
    row = next(csv.DictReader(io.StringIO(aggregate_csv(world.admin))))
    assert (row["claims"], row["paid_claims"]) == ("5", "3")
    # Paid in two currencies: the sum in US dollars at each payment day's rate.
    assert (row["paid_amount"], row["currency"]) == ("17.50", "USD")


def test_aggregate_without_a_rate_gives_no_paid_amount_rather_than_a_wrong_one(world):
    _mixed_currencies(world)
    row = next(csv.DictReader(io.StringIO(aggregate_csv(world.admin))))
    assert (row["claims"], row["paid_claims"]) == ("5", "3")
    assert (row["paid_amount"], row["currency"]) == ("", "")
    count, errors = import_aggregate(aggregate_csv(world.admin), "armenia")
    assert errors == [] and count == 1  # still a valid regional row


def test_aggregate_converts_a_payment_at_the_rate_of_its_day_where_it_was_paid(world):
    """Paid at 01:30 on 11 March in Yerevan (21:30 on 10 March in UTC): the dram's rate of
    11 March applies, as on every other page that converts that payment."""
    from datetime import date, datetime

    from conflict_app.schemes.models import ExchangeRate

    claims = _mixed_currencies(world)
    for claim in claims:
        if claim.paid_at is not None:
            claim.paid_at = datetime(2026, 3, 10, 21, 30, tzinfo=UTC)
    db.session.add_all([
        ExchangeRate(currency="AMD", valid_from=date(1990, 1, 1), per_usd=Decimal("400")),
        ExchangeRate(currency="AMD", valid_from=date(2026, 3, 11), per_usd=Decimal("500"))])
    db.session.commit()
    row = next(csv.DictReader(io.StringIO(aggregate_csv(world.admin))))
    # AMD 3,000 at 500 per dollar, and USD 10.
    assert (row["paid_amount"], row["currency"]) == ("16.00", "USD")
