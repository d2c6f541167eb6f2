"""The analytics overview: its figures come from aggregate queries, each read once per page,
and agree with the same figures counted by hand from the landscape's rows."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import event

from conflict_app.analytics import overview, synthetic
from conflict_app.analytics.landscape import generate
from conflict_app.bundles.writer import write_rows
from conflict_app.extensions import db

PRIMARY = frozenset({"confirmed", "probable"})


@pytest.fixture
def land(app, world, tmp_path):
    land = generate(5, villages=3, design="random", measures={"corral": 0.3})
    path = tmp_path / "landscape"
    write_rows(path, households=land.households, herds=land.herds, measures=land.measures,
               incidents=land.incidents)
    synthetic.ensure_area("AM")
    result = app.test_cli_runner().invoke(args=["import-bundle", str(path)])
    assert result.exit_code == 0, result.output
    return land


def _statements(client, url: str) -> list[str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # noqa: ANN001
        # The cache's check of the data (each table's size and newest row) aside.
        if "max(audit_entry.id)" not in statement.lower():
            seen.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
        assert response.status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def _loss_scans(statements: list[str]) -> int:
    return sum("from loss_line" in s or "join loss_line" in s for s in statements)


def test_overview_reads_the_losses_once_for_all_groupings(world, browser_for, land):
    analyst = browser_for(world.analyst)
    statements = _statements(analyst, "/analytics/")
    # Six groupings, one scan of the loss lines; one of the herd census.
    assert _loss_scans(statements) == 1
    assert sum("from herd_census" in s for s in statements) == 1
    # A few summary queries, whatever the number of groupings or rows.
    assert len(statements) <= 15, statements
    again = _statements(analyst, "/analytics/?filter=confirmed")
    assert len(again) <= len(statements)  # the map does not depend on the filter: kept


def test_overview_is_kept_until_the_data_change(app, world, browser_for, land, tmp_path):
    from conflict_app.analytics import service

    analyst = browser_for(world.analyst)
    _statements(analyst, "/analytics/")
    # Unchanged data: the figures come from the cache, no loss line is read again.
    cached = _statements(analyst, "/analytics/")
    assert _loss_scans(cached) == 0, cached
    before = overview.loss_rates(world.analyst, PRIMARY)
    more = generate(6, villages=2, design="random", measures={"corral": 0.3})
    path = tmp_path / "more"
    write_rows(path, households=more.households, herds=more.herds, measures=more.measures,
               incidents=more.incidents)
    result = app.test_cli_runner().invoke(args=["import-bundle", str(path)])
    assert result.exit_code == 0, result.output
    # New losses: the page counts again and shows them.
    fresh = _statements(analyst, "/analytics/")
    assert _loss_scans(fresh) == 1
    after = overview.loss_rates(world.analyst, PRIMARY)
    assert after != before
    with app.test_request_context("/analytics/"):
        shown = service.overview(world.analyst, None, "confirmed_probable")["rates"]
    assert shown == after


def test_loss_rates_match_a_count_by_hand(world, land):
    rates = overview.loss_rates(world.analyst, PRIMARY)
    assert set(rates) == set(overview.GROUPINGS)
    leopard = [i for i in land.incidents
               if i["predator"] == "leopard" and i["confidence"] in PRIMARY]
    heads = Counter()
    for h in land.herds:
        heads[h["species"]] += h["head_count"]
    total = sum(heads.values())
    killed_month = Counter()
    for i in leopard:
        killed_month[i["occurred_on"].month] += i["killed"]
    month = {row["group"]: row for row in rates["month"]}
    assert sorted(month) == list(range(1, 13))
    for m in range(1, 13):
        row = month[m]
        assert row["head_years"] == round(total / 12, 1)
        if not row["suppressed"]:
            assert row["losses"] == killed_month[m]
            assert row["rate_per_100"] == round(killed_month[m] / (total / 12) * 100, 3)
    killed_species = Counter()
    for i in leopard:
        killed_species[i["species"]] += i["killed"]
    species = {row["group"]: row for row in rates["species"]}
    assert set(species) == set(heads)
    for name, row in species.items():
        assert row["head_years"] == round(heads[name], 1)
        if not row["suppressed"]:
            assert row["losses"] == killed_species[name]
    setting = {row["group"]: row["losses"] for row in rates["setting"]}
    assert setting["corral"] == sum(i["killed"] for i in leopard if i["setting"] == "corral")
    season = {row["group"]: row["losses"] for row in rates["season"]}
    assert sum(season.values()) == sum(killed_month.values())
    assert season["summer"] == sum(killed_month[m] for m in (6, 7, 8))
    region = rates["region"]
    assert sum(r["losses"] or 0 for r in region) == sum(killed_month.values())


def test_grid_counts_cells_in_the_database(world, land):
    from decimal import Decimal

    from sqlalchemy import select

    from conflict_app.analytics.data import grid
    from conflict_app.geo.models import Village

    # Villages on a cell's edge (38.8 is not exact in binary) and inside one.
    places = {"Synthetic village 1": ("38.8", "45.55"),
              "Synthetic village 2": ("38.95", "45.55"),
              "Synthetic village 3": ("39.0", "45.7")}
    for name, (lat, lon) in places.items():
        village = db.session.scalars(select(Village).where(Village.name == name)).one()
        village.latitude, village.longitude = Decimal(lat), Decimal(lon)
    db.session.flush()
    per_village = Counter(h["village"] for h in land.households for i in land.incidents
                          if i["household_ref"] == h["household_ref"])
    cells = {(c["lat"], c["lon"]): c for c in grid(world.analyst)}
    assert set(cells) == {(38.8, 45.5), (38.9, 45.5), (39.0, 45.7)}
    assert cells[(38.8, 45.5)]["incidents"] == per_village["Synthetic village 1"]
    assert cells[(38.9, 45.5)]["incidents"] == per_village["Synthetic village 2"]
    assert cells[(39.0, 45.7)]["incidents"] == per_village["Synthetic village 3"]
    assert all(c["size"] == pytest.approx(0.1) for c in cells.values())


def test_processing_times_per_step(world, land):
    from tests import helpers

    helpers.verified(world)
    times = {t["step"]: t for t in overview.processing_times(world.analyst)}
    assert set(times) == set(overview.STEPS)
    # One household's claim: hidden like a small cell.
    assert times["report_to_verification"]["suppressed"]
    assert times["report_to_verification"]["median_days"] is None
    for n in range(5):
        household = helpers.household(world, name=f"Herder {n}")
        helpers.verified(world, hh=household, days_ago=2 + n)
    times = {t["step"]: t for t in overview.processing_times(world.analyst)}
    reported = times["incident_to_report"]
    assert not reported["suppressed"] and reported["claims"] == 6
    # Reported "now", incidents 1 to 6 days ago at noon: the median lies in between.
    assert 0 < reported["median_days"] <= 6 and reported["median_days"] <= reported["p90_days"]
    assert times["report_to_verification"]["claims"] == 6
    assert times["decision_to_payment"]["claims"] == 0
    assert not times["decision_to_payment"]["suppressed"]


def test_the_latest_visit_decides_whose_losses_they_were(world):
    """Six herders' losses are verified as a leopard's; on appeal, a second visit finds a
    wolf behind one of them. The overview counts the five still put on a leopard, and the
    new visit's verdict is what counts, whichever claim of the incident it was filed on."""
    from conflict_app.claims.models import Incident
    from conflict_app.verification.checklist import Confidence
    from tests import helpers

    claims = [helpers.verified(world, hh=helpers.household(world, name=f"Herder {n}"),
                               killed=2) for n in range(6)]
    helpers.verified(world, hh=helpers.household(world, name="Herder 6"), killed=7,
                     confidence=Confidence.POSSIBLE)  # not counted at confirmed/probable

    def sheep_killed() -> int:
        rates = overview.loss_rates(world.analyst, PRIMARY)
        return next(r["losses"] for r in rates["species"] if r["group"] == "sheep")

    assert sheep_killed() == 12
    second = helpers.reverified(world, claims[0])
    assert db.session.get(Incident, claims[0].incident_id).verdict_report_id == second.id
    assert sheep_killed() == 10
