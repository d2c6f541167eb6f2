"""The effectiveness analytics never answer 500: every estimator failure becomes a refusal
with its reason, on the page, in the JSON and in the CLI."""

from __future__ import annotations

import json

from sqlalchemy import select

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
                assert row["irr"] is None and row["reason"] in text, row
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
