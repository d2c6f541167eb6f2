"""Verified leopard attacks out to EarthRanger and SMART, through the commands an operator
runs: the files validate against the shipped schemas, points are coarse unless the receiving
system is trusted, and nothing about the herder leaves."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from lxml import etree
from sqlalchemy import select

from conflict_app.extensions import db
from conflict_app.interop import smart
from conflict_app.verification.checklist import Confidence, Predator
from conflict_app.verification.models import VerificationReport
from tests import helpers

SCHEMAS = Path(__file__).resolve().parent.parent / "conflict_app" / "interop" / "schemas"
EXACT = (Decimal("38.948312"), Decimal("46.342789"))
PERSONAL = ("Armen", "Petrosyan", "+374", "37491234567", "household", "phone")


@pytest.fixture
def attacks(world):
    """A confirmed attack with its own point, a probable one placed by its village, an
    attack verified as a wolf's and one only reported."""
    confirmed = helpers.verified(world, latitude=EXACT[0], longitude=EXACT[1])
    probable = helpers.verified(
        world, confidence=Confidence.PROBABLE,
        hh=helpers.household(world, village=world.shikahogh))
    wolf = helpers.verified(world, killed=2)
    report = db.session.scalars(select(VerificationReport).where(
        VerificationReport.claim_id == wolf.id)).one()
    report.predator = Predator.WOLF
    db.session.flush()
    helpers.report(world, killed=1)
    return confirmed, probable


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=["interop", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def _earthranger(app, tmp_path, *extra):
    out = tmp_path / "events.json"
    _run(app, "export-earthranger", str(out), *extra)
    return out.read_text(encoding="utf-8"), json.loads(out.read_text(encoding="utf-8"))


def test_earthranger_events_validate_and_are_coarse(app, world, attacks, tmp_path):
    confirmed, probable = attacks
    schema = json.loads((SCHEMAS / "earthranger-event.schema.json").read_text())
    text, events = _earthranger(app, tmp_path)
    assert len(events) == 2  # the wolf's and the unverified attack stay home
    for event in events:
        jsonschema.validate(event, schema, format_checker=jsonschema.FormatChecker())
    by_claim = {e["event_details"]["pardus_claim"]: e for e in events}
    first = by_claim[confirmed.reference]
    assert first["event_type"] == "hwc_rep" and first["priority"] == 200
    assert first["location"] == {"latitude": 38.95, "longitude": 46.35}
    assert first["event_details"]["location_precision"] == "grid_0.1"
    assert first["event_details"]["killed"] == 3
    assert first["event_details"]["species"] == "sheep"
    assert by_claim[probable.reference]["priority"] == 100
    assert "38.948312" not in text and "46.342789" not in text
    for word in PERSONAL:
        assert word not in text, word


def test_a_trusted_earthranger_gets_the_exact_point(app, world, attacks, tmp_path,
                                                    monkeypatch):
    monkeypatch.setitem(app.config, "INTEROP_TRUSTED_TARGETS", frozenset({"earthranger"}))
    confirmed, _probable = attacks
    _text, events = _earthranger(app, tmp_path)
    event = next(e for e in events if e["event_details"]["pardus_claim"] == confirmed.reference)
    assert event["location"] == {"latitude": 38.948312, "longitude": 46.342789}
    assert event["event_details"]["location_precision"] == "exact"
    # Trust is per system: SMART is not trusted by this configuration.
    out = tmp_path / "smart.csv"
    _run(app, "export-smart", str(out), "--format", "csv")
    assert "38.948312" not in out.read_text()


def test_smart_xml_validates_against_the_shipped_schema(app, world, attacks, tmp_path):
    confirmed, _probable = attacks
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "smart-independent-incident.xsd")))
    folder = tmp_path / "smart"
    _run(app, "export-smart", str(folder))
    files = sorted(folder.glob("*.xml"))
    assert len(files) == 2
    for path in files:
        document = etree.parse(str(path))
        assert schema.validate(document), schema.error_log
        text = path.read_text(encoding="utf-8")
        assert "38.948312" not in text
        for word in PERSONAL:
            assert word not in text, word
    root = etree.parse(str(folder / f"{confirmed.reference}.xml")).getroot()
    assert root.tag == f"{{{smart.NAMESPACE}}}Waypoint"
    assert (root.get("x"), root.get("y")) == ("46.35", "38.95")
    keys = {a.get("attributeKey"): [v.text for v in a] for a in root.iter(
        f"{{{smart.NAMESPACE}}}attributes")}
    assert keys["numberkilled"] == ["3"] and keys["confidence"] == ["confirmed"]


def test_a_broken_document_fails_the_schema(app):
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "smart-independent-incident.xsd")))
    bad = etree.fromstring(
        f'<Waypoint xmlns="{smart.NAMESPACE}" id="1" x="200" y="1" '
        'dateTime="2026-01-01T00:00:00Z"/>')
    assert not schema.validate(bad)


def test_smart_csv_has_the_documented_columns(app, world, attacks, tmp_path):
    schema = json.loads((SCHEMAS / "smart-observations-csv.schema.json").read_text())
    out = tmp_path / "smart.csv"
    _run(app, "export-smart", str(out), "--format", "csv")
    text = out.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames) == smart.CSV_COLUMNS
    rows = list(reader)
    assert len(rows) == 2
    for row in rows:
        jsonschema.validate(row, schema)
        assert Decimal(row["y"]) in (Decimal("38.95"), Decimal("39.15"))
    for word in PERSONAL:
        assert word not in text, word


def test_dates_limit_the_export(app, world, attacks, tmp_path):
    _text, events = _earthranger(app, tmp_path, "--from", "2000-01-01", "--to", "2000-12-31")
    assert events == []


def test_a_second_visit_that_finds_a_wolf_takes_the_attack_back(app, world, attacks,
                                                                 tmp_path):
    """On appeal the confirmed attack is visited again and put on a wolf: the latest report
    is what counts, so only the probable attack still goes out."""
    confirmed, probable = attacks
    helpers.reverified(world, confirmed, predator=Predator.WOLF)
    _text, events = _earthranger(app, tmp_path)
    assert [e["event_details"]["pardus_claim"] for e in events] == [probable.reference]


def _api(app, user, scopes=None):
    from conflict_app.api import tokens

    _token, secret = tokens.issue(user, "tests", scopes or tokens.allowed_scopes(user))
    headers = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()
    return lambda url, **kw: (client.post(url, headers=headers, **kw) if "json" in kw
                              else client.get(url, headers=headers))


def test_the_api_exports_by_role_and_trust(app, world, attacks, monkeypatch):
    confirmed, _probable = attacks
    schema = json.loads((SCHEMAS / "earthranger-event.schema.json").read_text())
    monkeypatch.setitem(app.config, "INTEROP_TRUSTED_TARGETS",
                        frozenset({"earthranger", "smart"}))
    clerk = _api(app, world.clerk)
    first = clerk("/api/v1/interop/earthranger/events?limit=1")
    assert first.status_code == 200, first.get_json()
    page = first.get_json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    jsonschema.validate(page["items"][0], schema)
    assert page["items"][0]["location"] == {"latitude": 38.948312, "longitude": 46.342789}
    rest = clerk(f"/api/v1/interop/earthranger/events?cursor={page['next_cursor']}").get_json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    # An analyst never gets the point, even for a trusted system.
    analyst = _api(app, world.analyst)
    text = analyst("/api/v1/interop/earthranger/events").get_data(as_text=True)
    assert "38.948312" not in text and confirmed.reference in text
    table = analyst("/api/v1/interop/smart/observations.csv")
    assert table.status_code == 200 and table.mimetype == "text/csv"
    assert "38.948312" not in table.get_data(as_text=True)
    assert len(table.get_data(as_text=True).splitlines()) == 3
    # Outside the area: nothing; finance-only roles too.
    assert _api(app, world.other_clerk)("/api/v1/interop/earthranger/events").get_json()[
        "items"] == []
    assert _api(app, world.ge_clerk)("/api/v1/interop/smart/observations.csv").get_data(
        as_text=True).count("\n") == 1
    bad = clerk("/api/v1/interop/earthranger/events?occurred_from=yesterday")
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
