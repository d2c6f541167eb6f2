"""Analytics through the app: a synthetic landscape imported as a bundle gives the same
effectiveness numbers on the page, in the CLI and in the JSON, and analysts never see who."""

from __future__ import annotations

import json
import re

import pytest

from conflict_app.analytics import synthetic
from conflict_app.analytics.landscape import generate
from conflict_app.bundles.writer import write_rows
from tests import helpers


@pytest.fixture
def landscape(app, world, tmp_path):
    land = generate(11, villages=2, design="random", measures={"corral": 0.3})
    path = tmp_path / "landscape"
    write_rows(path, households=land.households, herds=land.herds, measures=land.measures,
               incidents=land.incidents)
    synthetic.ensure_area("AM")
    result = app.test_cli_runner().invoke(args=["import-bundle", str(path)])
    assert result.exit_code == 0, result.output
    return land


def test_page_cli_and_json_give_the_same_numbers(app, world, browser_for, landscape):
    cli = app.test_cli_runner().invoke(args=["analytics", "effectiveness", "--format", "json"])
    assert cli.exit_code == 0, cli.output
    from_cli = json.loads(cli.output)
    analyst = browser_for(world.analyst)
    from_api = analyst.get("/analytics/effectiveness.json").get_json()
    assert from_cli == from_api
    from conflict_app.api import tokens

    _token, secret = tokens.issue(world.analyst, "analytics")
    from_api_v1 = app.test_client().get("/api/v1/analytics/effectiveness",
                                        headers={"Authorization": f"Bearer {secret}"})
    assert from_api_v1.get_json() == from_cli
    corral = {row["design"]: row for row in from_cli if row["measure"] == "corral"}
    assert set(corral) == {"baci", "control_impact", "before_after"}
    baci = corral["baci"]
    for key in ("households_treated", "households_control", "exposure_treated",
                "exposure_control", "events_treated", "events_control", "irr", "ci_low",
                "ci_high", "effectiveness_pct", "suppressed", "grade"):
        assert key in baci
    # The landscape was drawn at random and its bundle says so: grade A.
    assert baci["grade"] == "A" and baci["suppressed"] is None
    assert baci["ci_low"] < 0.3 < baci["ci_high"] or baci["ci_high"] < 1
    page = analyst.get("/analytics/effectiveness").get_data(as_text=True)
    assert (f'{round(baci["irr"], 2)} ({round(baci["ci_low"], 2)}–'
            f'{round(baci["ci_high"], 2)})') in page
    assert "Before-after with controls (BACI)" in page
    csv_out = app.test_cli_runner().invoke(
        args=["analytics", "effectiveness", "--format", "csv"]).output
    assert csv_out.splitlines()[0].startswith("measure,design,grade,headline,households_treated")


def test_analyst_pages_show_no_personal_data(app, world, browser_for, landscape):
    claim = helpers.verified(world, latitude=None, longitude=None)
    household = claim.household
    analyst = browser_for(world.analyst)
    for url in ("/analytics/", "/analytics/effectiveness", "/analytics/measures/corral",
                "/analytics/effectiveness.json"):
        response = analyst.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert household.head_name not in text and household.phone not in text
        for h in landscape.households[:20]:
            assert str(h["latitude"]) not in text
    # Analysts cannot open claims or households at all.
    assert analyst.get(f"/claims/{claim.id}").status_code == 404
    assert analyst.get(f"/households/{household.id}").status_code == 403


def test_measure_page_shows_time_bands_displacement_and_cost(world, browser_for, landscape):
    page = browser_for(world.analyst).get("/analytics/measures/corral").get_data(as_text=True)
    for words in ("Effect by time since installation", "Displacement to untreated neighbours",
                  "What it costs per head saved", "USD"):
        assert words in page


def test_loss_rates_per_100_head_years(app, world, browser_for, landscape):
    page = browser_for(world.analyst).get("/analytics/").get_data(as_text=True)
    assert "Losses per 100 head-years by month" in page
    # Drawn on the server: the chart needs no script (the only one is the site-wide table
    # helper, loaded from a file).
    assert "<svg" in page
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/static/tables.js" defer>']
    assert "Processing times" in page


def test_costs_also_in_us_dollars_at_recorded_rates(app, world, landscape):
    from datetime import date
    from decimal import Decimal

    from sqlalchemy import func, select, update

    from conflict_app.analytics import service
    from conflict_app.core.permissions import scope
    from conflict_app.extensions import db
    from conflict_app.mitigation.models import Measure, MeasureType
    from conflict_app.schemes.models import ExchangeRate

    before = service.cost_effectiveness(world.analyst, "corral")
    assert [r["currency"] for r in before] == ["USD"]
    # Money is summed exactly, to the cent, as the measures recorded it.
    recorded = db.session.scalar(scope(select(func.sum(Measure.cost)).where(
        Measure.measure == MeasureType.CORRAL), Measure, world.analyst))
    assert isinstance(before[0]["cost"], Decimal) and before[0]["cost"] == recorded
    assert before[0]["cost_per_head_saved"] == (
        recorded / Decimal(repr(before[0]["heads_avoided"]))).quantize(Decimal("0.01"))
    db.session.execute(update(Measure).where(Measure.measure == MeasureType.CORRAL)
                       .values(cost=Measure.cost * 400, currency="AMD"))
    db.session.add(ExchangeRate(currency="AMD", valid_from=date(1990, 1, 1),
                                per_usd=Decimal(400)))
    db.session.flush()
    after = service.cost_effectiveness(world.analyst, "corral")
    assert [(r["currency"], r["converted"]) for r in after] == [("AMD", False), ("USD", True)]
    assert after[1]["cost"] == pytest.approx(before[0]["cost"])
    assert after[1]["cost_per_head_saved"] == pytest.approx(before[0]["cost_per_head_saved"])


def test_the_overview_writes_numbers_as_the_reader_does(app, world, browser_for, landscape):
    """Head-years and rates in the locale's separators: «1 234,5» in Russian, not
    Python's «1234.5»."""
    from conflict_app.analytics import service

    rates = service.overview(world.analyst, world.analyst.jurisdiction_country,
                             "confirmed_probable")["rates"]
    row = next(r for r in rates["species"] if not r["suppressed"] and r["head_years"] >= 1000)
    page = browser_for(world.analyst).get("/analytics/?lang=ru").get_data(as_text=True)
    whole, _, tenth = f"{row['head_years']:.1f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", "\N{NO-BREAK SPACE}")
    assert f"{grouped},{tenth}" in page
    assert f">{row['head_years']}<" not in page


def test_displacement_counts_neighbours_within_three_km_only():
    """Untreated homes 2.9 km from a corral are its neighbours; at 3.1 km they are not."""
    from datetime import date

    from conflict_app.analytics import effectiveness
    from conflict_app.analytics.panel import counts_from_rows

    km = 1 / 111.195  # degrees of latitude per km on the mean sphere
    homes = [{"household_ref": "T", "village": "v", "latitude": 39.0, "longitude": 45.0},
             {"household_ref": "N", "village": "v", "latitude": 39.0 + 2.9 * km,
              "longitude": 45.0},
             {"household_ref": "F", "village": "v", "latitude": 39.0 - 3.1 * km,
              "longitude": 45.0},
             {"household_ref": "G", "village": "v", "latitude": 39.2, "longitude": 45.3}]
    herds = [{"household_ref": h["household_ref"], "year": y, "head_count": 50}
             for h in homes for y in (2021, 2022)]
    measures = [{"household_ref": "T", "measure": "corral", "installed_on": date(2022, 1, 1)}]
    counts = counts_from_rows(homes, herds, measures, [], frozenset({"confirmed"}))
    result = effectiveness.displacement(counts, "corral")
    assert result["near"]["households"] == 1
    assert result["far"]["households"] == 2
