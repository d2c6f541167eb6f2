"""The effectiveness analytics never answer 500: every estimator failure becomes a refusal
with its reason, on the page, in the JSON and in the CLI."""

from __future__ import annotations

import json

import pytest
from markupsafe import escape
from sqlalchemy import select

from conflict_app.analytics import synthetic
from conflict_app.auth.models import User
from conflict_app.demo import PASSWORD, build
from conflict_app.extensions import db
from conflict_app.herders.models import Household
from tests.conftest import Browser


def _login(app, email: str) -> Browser:
    user = db.session.scalars(select(User).where(User.email == email)).one()
    browser = Browser(app.test_client())
    assert browser.login(user, PASSWORD).status_code == 302
    return browser


def test_a_few_measures_on_the_demo_are_refused_with_reasons_not_a_500(app):
    list(build())
    for clerk, country in (("clerk.syunik@demo.pardus", "AM"),
                           ("clerk.golestan@demo.pardus", "IR")):
        browser = _login(app, clerk)
        rows = db.session.execute(
            select(Household.id).where(Household.country_code == country)
            .order_by(Household.id).limit(4)).scalars().all()
        assert rows
        for n, household_id in enumerate(rows):
            response = browser.post(f"/households/{household_id}/measures", data={
                "measure": "corral" if n % 2 else "guard_dog",
                "installed_on": "2025-03-01", "cost": "300", "currency": "USD"})
            assert response.status_code == 302, response.get_data(as_text=True)[:300]
    analyst = _login(app, "analyst@demo.pardus")
    for query in ("", "?country=", "?country=AM", "?country=IR", "?filter=confirmed",
                  "?filter=confirmed_probable_possible"):
        page = analyst.get("/analytics/effectiveness" + query)
        assert page.status_code == 200, (query, page.get_data(as_text=True)[:500])
        rows = analyst.get("/analytics/effectiveness.json" + query).get_json()
        assert {r["measure"] for r in rows} == {"corral", "guard_dog"}
        text = page.get_data(as_text=True)
        for row in rows:
            if row["suppressed"]:
                assert row["irr"] is None and str(escape(row["reason"])) in text, row
            else:  # an estimate is only shown with a finite, sensible interval
                assert 0 < row["ci_low"] <= row["irr"] <= row["ci_high"] < 100, row
        # Installed before any record: no months without the measure, so no BACI.
        baci = [r for r in rows if r["design"] == "baci"]
        assert all(r["suppressed"] for r in baci), baci
        for measure in ("corral", "guard_dog"):
            detail = analyst.get(f"/analytics/measures/{measure}{query}")
            assert detail.status_code == 200, (measure, query)
    cli = app.test_cli_runner().invoke(args=["analytics", "effectiveness", "--format", "json"])
    assert cli.exit_code == 0, cli.output
    assert all(row["reason"] for row in json.loads(cli.output) if row["suppressed"])


def _import(app, tmp_path, land, name):
    from conflict_app.bundles.writer import write_rows

    path = tmp_path / name
    write_rows(path, households=land.households, herds=land.herds, measures=land.measures,
               incidents=land.incidents)
    synthetic.ensure_area("AM")
    result = app.test_cli_runner().invoke(args=["import-bundle", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("shape", ["empty", "one_household", "together", "no_losses"])
def test_every_filter_on_degenerate_landscapes_answers_without_a_500(
        app, world, browser_for, tmp_path, shape):
    from conflict_app.analytics.landscape import generate

    if shape == "one_household":
        _import(app, tmp_path, generate(3, villages=1, households=(1, 1), design="random",
                                        uptake=1.0), shape)
    elif shape == "together":
        # Corral and lights always installed on the same day: they cannot be told apart.
        land = generate(4, villages=2, households=(20, 30), design="random",
                        measures={"corral": 0.3, "light": 1.0})
        first = {}
        for m in land.measures:
            first.setdefault(m["household_ref"], m["installed_on"])
        land.measures = [dict(m, measure=kind, measure_ref=f"{m['household_ref']}-{kind}",
                              installed_on=first[m["household_ref"]], removed_on=None)
                         for m in {m["household_ref"]: m for m in land.measures}.values()
                         for kind in ("corral", "light")]
        _import(app, tmp_path, land, shape)
    elif shape == "no_losses":
        _import(app, tmp_path, generate(5, villages=1, households=(10, 10), design="random",
                                        base_rate=0.0), shape)
    analyst = browser_for(world.admin)
    for country in ("", "AM", "GE", "XX"):
        for verification in ("", "confirmed", "confirmed_probable_possible", "nonsense"):
            query = f"?country={country}&filter={verification}"
            for url in ("/analytics/effectiveness", "/analytics/effectiveness.json",
                        "/analytics/measures/corral", "/analytics/measures/light",
                        "/analytics/"):
                response = analyst.get(url + query)
                assert response.status_code == 200, (url, query)
            for row in analyst.get("/analytics/effectiveness.json" + query).get_json():
                assert (row["irr"] is None) == bool(row["suppressed"]), row
                assert not row["suppressed"] or row["reason"], row
    if shape == "together":
        rows = analyst.get("/analytics/effectiveness.json").get_json()
        baci = {r["measure"]: r for r in rows if r["design"] == "baci"}
        assert baci["corral"]["suppressed"] and baci["light"]["suppressed"], baci
    cli = app.test_cli_runner().invoke(args=["analytics", "effectiveness", "--format", "csv"])
    assert cli.exit_code == 0, cli.output
