"""Data bundles: validated all-or-nothing, every error located, idempotent, de-identified out."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conflict_app.claims.models import Incident
from conflict_app.extensions import db
from conflict_app.herders.models import HerdCensus, Household
from conflict_app.mitigation.models import Measure
from tests import helpers

GOOD = {
    "households.csv": (
        "household_ref,country,admin1,admin2,village,latitude,longitude,head_name,phone,language\n"
        "H1,AM,Syunik,Meghri,Shvanidzor,38.9481,46.3423,Arsen Grigoryan,+37491000001,hy\n"
        "H2,AM,Syunik,Meghri,Nrnadzor,38.9912,46.3301,,,\n"
    ),
    "herds.csv": (
        "household_ref,year,species,head_count\n"
        "H1,2024,sheep,120\nH1,2025,sheep,110\nH2,2025,goat,40\n"
    ),
    "measures.csv": (
        "measure_ref,household_ref,measure,installed_on,removed_on,cost,currency,funder\n"
        "M1,H1,corral,2024-06-01,,1500,USD,Example NGO\n"
    ),
    "incidents.csv": (
        "incident_ref,household_ref,occurred_on,latitude,longitude,setting,species,killed,"
        "injured,predator,confidence\n"
        "I1,H1,2024-05-03,38.9601,46.3511,corral,sheep,3,1,leopard,confirmed\n"
        "I1,H1,2024-05-03,38.9601,46.3511,corral,goat,1,0,leopard,confirmed\n"
        "I2,H2,2025-07-10,,,pasture,goat,2,0,wolf,not_leopard\n"
    ),
}


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Household, HerdCensus, Measure, Incident))


def test_import_is_complete_and_idempotent(app, world, tmp_path):
    runner = app.test_cli_runner()
    bundle = write(tmp_path / "b", GOOD)
    result = runner.invoke(args=["import-bundle", str(bundle)])
    assert result.exit_code == 0, result.output
    assert "household 2" in result.output and "incident 2" in result.output
    assert counts() == (2, 3, 1, 2)
    incident = db.session.scalars(select(Incident).where(Incident.external_ref == "I1")).one()
    assert sorted((ln.species.value, ln.killed) for ln in incident.lines) == [
        ("goat", 1), ("sheep", 3)]
    assert incident.setting.value == "night_corral"
    again = runner.invoke(args=["import-bundle", str(bundle)])
    assert again.exit_code == 0
    assert "created: nothing" in again.output
    assert counts() == (2, 3, 1, 2)


@pytest.mark.parametrize(
    ("file", "text", "expected"),
    [
        ("herds.csv", "household_ref,year,species,head_count\nH1,2024,unicorn,-4\n",
         ["herds.csv:2:3: species: unknown value 'unicorn'",
          "herds.csv:2:4: head_count: must be 0 or more"]),
        ("measures.csv",
         "measure_ref,household_ref,measure,installed_on,removed_on\nM9,H1,corral,2024-06-01,"
         "2024-01-01\n", ["measures.csv:2:5: removed before it was installed"]),
        ("incidents.csv",
         "incident_ref,household_ref,occurred_on,species,killed,injured\n"
         "I9,H404,2024-13-01,sheep,0,0\n",
         ["incidents.csv:2:2: unknown household_ref 'H404'",
          "incidents.csv:2:3: occurred_on: not an ISO date", "killed and injured are both 0"]),
        ("herds.csv", "household_ref,year,species,head_count,colour\nH1,2024,sheep,3,red\n",
         ["herds.csv:1:5: unknown column 'colour'"]),
    ],
)
def test_every_error_is_located_and_nothing_is_written(app, world, tmp_path, file, text,
                                                       expected):
    bundle = write(tmp_path / "bad", {**GOOD, file: text})
    before = counts()
    result = app.test_cli_runner().invoke(args=["import-bundle", str(bundle)])
    assert result.exit_code != 0
    assert "nothing was imported" in result.output
    for message in expected:
        assert message in result.output, result.output
    assert counts() == before


def test_deidentified_export_has_no_personal_data_or_exact_points(app, world, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["import-bundle", str(write(tmp_path / "b", GOOD))])
    helpers.verified(world, latitude=None, longitude=None)
    out = tmp_path / "out"
    result = runner.invoke(args=["export-bundle", str(out), "--deidentified"])
    assert result.exit_code == 0, result.output
    with (out / "households.csv").open(encoding="utf-8") as fh:
        households = list(csv.DictReader(fh))
    assert "head_name" not in households[0] and "phone" not in households[0]
    text = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    for secret in ("Arsen", "+37491000001", "Petrosyan", "38.9481", "38.9601"):
        assert secret not in text
    h1 = next(h for h in households if h["household_ref"] == "H1")
    assert (h1["latitude"], h1["longitude"]) == ("38.9", "46.3")
    # The exported bundle imports again without errors (round trip of the format).
    from conflict_app.bundles.importer import import_bundle

    import_bundle(out)  # raises BundleInvalid with the problems, if any


def test_clerk_records_a_measure_and_sees_exposure(world, browser_for):
    household = helpers.household(world)
    clerk = browser_for(world.clerk)
    bad = clerk.post(f"/households/{household.id}/measures", data={
        "measure": "corral", "installed_on": "2025-06-01", "removed_on": "2025-01-01"})
    assert bad.status_code == 400
    assert "cannot be removed before it was installed" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Measure.id))) == 0
    ok = clerk.post(f"/households/{household.id}/measures", data={
        "measure": "corral", "installed_on": "2025-06-01", "cost": "1500", "currency": "USD",
        "funder": "Example NGO"})
    assert ok.status_code == 302
    page = clerk.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Predator-proof corral" in page and "Example NGO" in page
    assert "86" in page  # 80 sheep + 6 cattle = 86 head-years at risk this year


def test_batches_split_incidents_and_still_catch_repeats(app, world, tmp_path, monkeypatch):
    """One row per batch: an incident's rows meet in the database, and a key repeated in a
    later batch is still reported (nothing kept between batches)."""
    from conflict_app.bundles import importer

    monkeypatch.setattr(importer, "BATCH", 1)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-bundle", str(write(tmp_path / "b", GOOD))])
    assert result.exit_code == 0, result.output
    incident = db.session.scalars(select(Incident).where(Incident.external_ref == "I1")).one()
    assert sorted(ln.species.value for ln in incident.lines) == ["goat", "sheep"]
    repeated = {
        **GOOD,
        "households.csv": GOOD["households.csv"] + "H9,AM,Syunik,,V,,,,,\nH9,AM,Syunik,,V,,,,,\n",
        "incidents.csv": GOOD["incidents.csv"]
        + "I7,H1,2024-05-03,,,corral,sheep,1,0,,\nI7,H2,2024-05-03,,,corral,goat,1,0,,\n"
        + "I7,H1,2024-05-03,,,corral,sheep,2,0,,\n",
    }
    bad = runner.invoke(args=["import-bundle", str(write(tmp_path / "r", repeated))])
    assert bad.exit_code == 1
    assert "households.csv:5:1: household_ref 'H9' appears twice" in bad.output
    assert "incidents.csv:6:2: rows of incident 'I7' disagree on household_ref" in bad.output
    assert "incidents.csv:7:7: incident 'I7' lists sheep twice" in bad.output
    assert counts() == (2, 3, 1, 2)


def test_an_import_gives_the_collector_back_its_objects_however_it_ends(app, world, tmp_path,
                                                                        monkeypatch):
    """The import sets the process's older objects aside from the collector while it runs (a
    quarter of its time went to walking them); a worker left that way after an import would
    never free them again."""
    import gc

    from conflict_app.bundles import bulk

    frozen_while_writing = []
    write_batch = bulk.BulkWriter.write

    def watched(self, header, batch):  # noqa: ANN001, ANN202
        frozen_while_writing.append(gc.get_freeze_count())
        return write_batch(self, header, batch)

    monkeypatch.setattr(bulk.BulkWriter, "write", watched)
    runner = app.test_cli_runner()
    good = runner.invoke(args=["import-bundle", str(write(tmp_path / "b", GOOD))])
    assert good.exit_code == 0, good.output
    bad = runner.invoke(args=["import-bundle", str(write(
        tmp_path / "bad", {**GOOD, "herds.csv": "household_ref,year,species,head_count\n"
                                                "H1,2024,unicorn,3\n"}))])
    assert bad.exit_code != 0
    assert frozen_while_writing and min(frozen_while_writing) > 0
    assert gc.get_freeze_count() == 0
    assert counts() == (2, 3, 1, 2)
