"""Claim exports read their rows in a few statements however many claims there are.

At range-wide scale a province's export holds hundreds of thousands of claims; reading each
claim's incident, loss lines, village and scheme one statement at a time made it run at
about 600 rows a second, so a web worker was stopped by its timeout long before the end and
the clerk got a cut-off file.
"""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from conflict_app.extensions import db
from conflict_app.schemes.params import SchemeKind
from tests import helpers, scheme_data
from tests.test_page_queries import _statements


def _claims(world, n: int, start: int) -> list:
    return [helpers.report(world, hh=helpers.household(world, name=f"Herder {k}"),
                           killed=k + 1)[0] for k in range(start, start + n)]


def test_the_claims_export_costs_the_same_statements_for_ten_claims_as_for_two(
        world, browser_for):
    scheme_data.scheme(world, "AM-COMP", SchemeKind.COMPENSATION, budget="90000000")
    clerk = browser_for(world.clerk)
    _claims(world, 2, 0)
    db.session.commit()
    two = {page: _statements(clerk, page) for page in ("/exports/claims.csv",
                                                        "/exports/claims.xlsx")}
    claims = _claims(world, 8, 2)
    approved = helpers.approved(world, hh=helpers.household(world, name="Herder 10"))
    db.session.commit()
    ten = {page: _statements(clerk, page) for page in two}
    assert ten == two
    # Every claim is still there with its own figures.
    rows = list(csv.DictReader(io.StringIO(clerk.get("/exports/claims.csv")
                                           .get_data(as_text=True))))
    by_reference = {r["reference"]: r for r in rows}
    assert len(rows) == 11
    for k, claim in enumerate(claims, start=2):
        row = by_reference[claim.reference]
        assert row["household"] == f"Herder {k}" and row["heads_killed"] == str(k + 1)
        assert row["village"] == claim.incident.village.name
        assert row["incident_date"] == claim.incident.occurred_on.isoformat()
    row = by_reference[approved.reference]
    assert row["scheme"] == "AM-COMP" == approved.scheme.code
    assert row["amount_approved"] == str(approved.amount_approved)
    assert row["state"] == "approved" and row["decided_at"]
    sheet = load_workbook(io.BytesIO(clerk.get("/exports/claims.xlsx").get_data())).active
    assert sheet.max_row == 12  # the header and the eleven claims


def test_the_payments_export_costs_the_same_statements_for_ten_items_as_for_two(
        world, browser_for):
    from conflict_app.payments import operations as pay
    from conflict_app.payments.models import PaymentMethod
    from tests.test_page_queries import _paid_claims

    finance = browser_for(world.finance)
    counts = []
    for start, n in ((0, 2), (2, 8)):
        claims = _paid_claims(world, n, start)
        pay.create_batch(world.finance, [c.id for c in claims], PaymentMethod.CASH)
        db.session.commit()
        counts.append({page: _statements(finance, page) for page in (
            "/exports/payments.csv", "/exports/payments.xlsx")})
    assert counts[1] == counts[0]
    text = finance.get("/exports/payments.csv").get_data(as_text=True)
    assert all(f"Payee {k}" in text for k in range(10))


def test_the_incident_grid_download_is_the_kept_map_grid(world, browser_for):
    """At 500,000 claims the grid took over 2 s to count for every download; it is the
    analytics map's grid, kept until the data change (and refreshed by a job with Redis)."""
    from conflict_app.analytics import store

    store.clear()
    for k in range(6):  # six households in one village: the cell can be shown
        helpers.report(world, hh=helpers.household(world, name=f"Grid {k}"))
    db.session.commit()
    analyst = browser_for(world.analyst)
    first = analyst.get("/exports/incidents.geojson").get_json()
    assert first["features"][0]["properties"]["incidents"] == 6
    seen: list = []
    _statements(analyst, "/exports/incidents.geojson", repeats=seen)
    # The user, their roles and session, the data's fingerprint: nothing is counted again.
    assert len(seen) == 4 and not any("GROUP BY" in sql for sql, _ in seen), seen
    helpers.report(world, hh=helpers.household(world, name="Grid 6"))
    db.session.commit()
    after = analyst.get("/exports/incidents.geojson").get_json()
    assert after["features"][0]["properties"]["incidents"] == 7  # a change is seen at once


def test_the_regional_aggregate_download_is_counted_once_per_change(world, browser_for):
    """At 500,000 claims the aggregate took 1.2-2.1 s to count for every download, in the
    request; it is kept until the data change like the grid (a job counts it with Redis)."""
    from datetime import UTC, datetime

    from conflict_app.analytics import store

    store.clear()
    claims = [helpers.report(world, hh=helpers.household(world, name=f"Region {k}"))[0]
              for k in range(5)]
    claims[0].amount_approved, claims[0].paid_at = 1000, datetime(2026, 3, 10, tzinfo=UTC)
    db.session.commit()
    analyst = browser_for(world.analyst)

    def row() -> dict:
        text = analyst.get("/exports/aggregate.csv").get_data(as_text=True)
        return next(csv.DictReader(io.StringIO(text)))

    first = row()
    assert (first["households"], first["claims"], first["paid_claims"]) == ("5", "5", "1")
    assert first["paid_amount"] == "1000.00"
    seen: list = []
    _statements(analyst, "/exports/aggregate.csv", repeats=seen)
    assert not any("GROUP BY" in sql for sql, _ in seen), seen
    claims[1].amount_approved, claims[1].paid_at = 500, datetime(2026, 3, 11, tzinfo=UTC)
    db.session.commit()
    after = row()  # a payment is seen at once
    assert (after["paid_claims"], after["paid_amount"]) == ("2", "1500.00")
