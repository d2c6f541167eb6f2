"""A randomised roll-out can be recorded (in a bundle and on the clerk's page) and then
earns design grade A, without the self-selection caveat."""

from __future__ import annotations

from sqlalchemy import select

from conflict_app.analytics import service, store, synthetic
from conflict_app.analytics.landscape import generate
from conflict_app.bundles.writer import write_rows
from conflict_app.extensions import db
from conflict_app.mitigation.models import Measure
from tests import helpers


def _import(app, tmp_path, land) -> None:  # noqa: ANN001
    path = tmp_path / "land"
    write_rows(path, households=land.households, herds=land.herds, measures=land.measures,
               incidents=land.incidents)
    synthetic.ensure_area("AM")
    result = app.test_cli_runner().invoke(args=["import-bundle", str(path)])
    assert result.exit_code == 0, result.output


def _rows(world) -> dict:  # noqa: ANN001
    return {(r["measure"], r["design"]): r
            for r in service.effectiveness_table(world.analyst)}


def test_a_randomised_bundle_earns_grade_a_without_self_selection(app, world, tmp_path):
    _import(app, tmp_path, generate(11, villages=3, design="random",
                                    measures={"corral": 0.3}))
    assert set(db.session.scalars(select(Measure.assignment))) == {"household"}
    rows = _rows(world)
    baci, impact = rows[("corral", "baci")], rows[("corral", "control_impact")]
    assert baci["grade"] == "A" and baci["assignment"] == "household"
    assert impact["grade"] == "A" and "self_selection" not in impact["caveats"]
    before_after = rows[("corral", "before_after")]
    assert before_after["grade"] == "D" and "regression_to_mean" in before_after["caveats"]
    # The export carries the roll-out on.
    out = tmp_path / "out"
    assert app.test_cli_runner().invoke(args=["export-bundle", str(out)]).exit_code == 0
    header, first = (out / "measures.csv").read_text().splitlines()[:2]
    assert "assignment,assignment_method" in header and ",household,simulated lottery" in first


def test_randomised_by_village_clusters_by_village(app, world, tmp_path):
    _import(app, tmp_path, generate(12, villages=12, design="random", unit="village",
                                    measures={"corral": 0.3}))
    baci = _rows(world)[("corral", "baci")]
    assert baci["assignment"] == "village" and baci["cluster_by"] == "village"
    assert baci["grade"] == "A"


def test_self_chosen_measures_stay_grade_b_with_the_caveat(app, world, tmp_path):
    _import(app, tmp_path, generate(13, villages=3, measures={"corral": 0.3}))
    rows = _rows(world)
    assert rows[("corral", "baci")]["grade"] == "B"
    assert rows[("corral", "baci")]["assignment"] is None
    assert "self_selection" in rows[("corral", "control_impact")]["caveats"]


def test_one_self_chosen_record_makes_the_measure_self_selected(app, world, tmp_path):
    _import(app, tmp_path, generate(11, villages=3, design="random",
                                    measures={"corral": 0.3}))
    one = db.session.scalars(select(Measure)).first()
    one.assignment, one.assignment_method = None, None
    db.session.commit()
    store.clear()  # changed behind the audited operations' back
    assert _rows(world)[("corral", "baci")]["grade"] == "B"


def test_the_clerk_records_a_randomised_roll_out(world, browser_for):
    household = helpers.household(world)
    clerk = browser_for(world.clerk)
    page = clerk.get(f"/households/{household.id}").get_data(as_text=True)
    assert "A random draw of villages" in page
    url = f"/households/{household.id}/measures"
    base = {"measure": "corral", "installed_on": "2025-03-01", "assignment": "village"}
    refused = clerk.post(url, data=base)
    assert refused.status_code == 400
    assert "Say how the draw was made." in refused.get_data(as_text=True)
    assert db.session.scalars(select(Measure).where(
        Measure.household_id == household.id)).first() is None
    done = clerk.post(url, data={**base, "assignment_method": "lottery at the village meeting"})
    assert done.status_code == 302
    measure = db.session.scalars(select(Measure).where(
        Measure.household_id == household.id)).one()
    assert (measure.assignment, measure.assignment_method) == (
        "village", "lottery at the village meeting")
    bad = clerk.post(url, data={**base, "assignment": "province", "assignment_method": "x"})
    assert bad.status_code == 400
