"""Leopard observations in from EarthRanger and SMART, through the commands: presence records
through the presence page's operation (roles, area, audit), once per source id, every bad
row reported with its line and reason, hostile files refused."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from conflict_app.core import audit
from conflict_app.extensions import db
from conflict_app.interop.models import ImportedObservation
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import params
from conflict_app.schemes.models import PresenceRecord
from conflict_app.schemes.params import SchemeKind
from tests.test_schemes import frozen  # noqa: F401

NS = "http://www.smartconservationsoftware.org/xml/1.0/independentincident"


@pytest.fixture
def scheme(world, frozen):  # noqa: F811
    scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        "AM-INC", "Syunik conservation incentives", SchemeKind.INCENTIVE, "AM",
        world.syunik.id, "AMD", None, Decimal(100_000), "refuse", date(2020, 1, 1), None,
        Decimal(0), None))
    version = scheme_ops.add_version(world.manager, scheme.id, date(2020, 1, 1),
                                     params.defaults(SchemeKind.INCENTIVE))
    scheme_ops.publish_version(world.manager, version.id)
    return scheme


def _events(*items):
    return json.dumps({"data": {"count": len(items), "next": None, "results": list(items)}},
                      indent=1)


def _event(uid, lat="38.9500", lon="46.3400", species="leopard", when="2026-02-10T06:30:00Z"):
    return {"id": uid, "serial_number": 1234, "event_type": "wildlife_sighting_rep",
            "time": when, "title": "Sighting", "location": {"latitude": lat, "longitude": lon},
            "reported_by": {"username": "ranger.one", "first_name": "Ranger"},
            "event_details": {"wildlifesightingrep_species": species, "numberanimals": 1}}


def _import(app, world, path, command="import-earthranger", *extra, user=None):
    return app.test_cli_runner().invoke(args=[
        "interop", command, str(path), "--user", (user or world.verifier).email,
        "--scheme", str(_scheme_id()), *extra])


def _scheme_id():
    from conflict_app.schemes.models import Scheme

    return db.session.scalars(select(Scheme.id).where(Scheme.code == "AM-INC")).one()


def _records():
    return db.session.scalars(select(PresenceRecord).order_by(PresenceRecord.id)).all()


def test_earthranger_events_become_presence_records_once(app, world, scheme, tmp_path):
    path = tmp_path / "events.json"
    path.write_text(_events(
        _event("2f1d3c8e-0000-4000-8000-000000000001"),
        _event("2f1d3c8e-0000-4000-8000-000000000002", species="snow leopard"),
        _event("2f1d3c8e-0000-4000-8000-000000000003", lat="41.0", lon="44.0"),
        _event("2f1d3c8e-0000-4000-8000-000000000004", when="yesterday"),
    ))
    result = _import(app, world, path)
    assert result.exit_code == 1, result.output
    assert "imported 1, already imported 0, rejected 3" in result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith(str(path))]
    # The line where the second event's object opens (the one before its id).
    opens = next(n for n, text in enumerate(path.read_text().splitlines(), start=1)
                 if "000000000002" in text) - 1
    assert lines[0].startswith(f"{path}:{opens}: 2f1d3c8e-0000-4000-8000-000000000002: ")
    assert "does not name a leopard" in lines[0]
    assert "within 15 km" in lines[1] and "no valid time" in lines[2]
    [record] = _records()
    assert record.village_id == world.shvanidzor.id and record.kind == "occasional"
    assert record.observed_on == date(2026, 2, 10) and record.verified_by_id == world.verifier.id
    assert "EarthRanger event 1234" in record.evidence and "ranger" not in record.evidence
    entry = db.session.scalars(select(audit.AuditEntry).where(
        audit.AuditEntry.action == "record_presence")).one()
    assert entry.object_id == record.id

    again = _import(app, world, path)
    assert "imported 0, already imported 1, rejected 3" in again.output
    assert len(_records()) == 1
    assert db.session.scalar(select(func.count(ImportedObservation.id))) == 1


def test_the_presence_rules_apply(app, world, scheme, tmp_path):
    path = tmp_path / "events.json"
    same_day = [_event("a-1"), _event("a-2", when="2026-02-10T09:00:00Z"),
                _event("a-3", when="2031-01-01T00:00:00Z")]
    path.write_text(json.dumps(same_day))
    result = _import(app, world, path)
    assert "imported 1, already imported 0, rejected 2" in result.output
    assert "already recorded for the village on that day" in result.output
    assert "cannot be in the future" in result.output
    # A failed row leaves no reservation behind: it can be imported once the cause is gone.
    assert db.session.scalar(select(func.count(ImportedObservation.id))) == 1
    clerk = _import(app, world, path, user=world.clerk)
    assert clerk.exit_code != 0 and "may not record leopard presence" in clerk.output


def test_outside_the_actors_area_is_refused(app, world, scheme, tmp_path):
    path = tmp_path / "events.json"
    # Gndevaz (Vayots Dzor) is outside the scheme's province.
    path.write_text(json.dumps([_event("b-1", lat="39.7580", lon="45.6120")]))
    result = _import(app, world, path)
    assert "rejected 1" in result.output and "within 15 km" in result.output
    assert _records() == []


def test_smart_xml_and_csv(app, world, scheme, tmp_path):
    xml = tmp_path / "incident.xml"
    xml.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Waypoint xmlns="{NS}" id="wp-77" '
        'x="46.4790" y="39.1010" dateTime="2026-02-11T20:15:00">\n'
        '  <comment>Tracks on the ridge</comment>\n'
        '  <observations categoryKey="animals.liveanimals">\n'
        '    <attributes attributeKey="species"><itemKey>chordata_rl.mammalia_rl.'
        'carnivora_rl.felidae_rl.panthera_rl.pantherapardus_rl</itemKey></attributes>\n'
        '  </observations>\n</Waypoint>\n')
    result = _import(app, world, xml, "import-smart")
    assert result.exit_code == 0, result.output
    assert "imported 1, already imported 0, rejected 0" in result.output
    table = tmp_path / "observations.csv"
    table.write_text("Waypoint ID,Waypoint Date,Waypoint Time,X,Y,Species\n"
                     "c-1,2026-02-12,07:00:00,46.3430,38.9470,Leopard\n"
                     "c-2,2026-02-12,07:00:00,46.3430,38.9470,Wolf\n"
                     ",2026-02-12,07:00:00,46.3430,38.9470,Leopard\n"
                     "c-4,2026-02-12,07:00:00,east,38.9470,Leopard\n")
    result = _import(app, world, table, "import-smart", "--kind", "regular")
    assert "imported 1, already imported 0, rejected 3" in result.output
    assert f"{table}:3: c-2: " in result.output and f"{table}:4: " in result.output
    assert f"{table}:5: c-4: " in result.output
    records = _records()
    assert [(r.village_id, r.kind) for r in records] == [
        (world.shikahogh.id, "occasional"), (world.shvanidzor.id, "regular")]
    assert records[0].evidence == "SMART waypoint wp-77"


BOMB = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        b'<Waypoint xmlns="' + NS.encode() + b'" id="x" x="46.3" y="38.9" '
        b'dateTime="2026-02-11T00:00:00">&lol2;</Waypoint>')
EXTERNAL = (b'<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'\n<Waypoint id="x" x="46.3" y="38.9" dateTime="2026-02-11T00:00:00">&e;'
            b'</Waypoint>')


@pytest.mark.parametrize("content", [BOMB, EXTERNAL])
def test_hostile_xml_is_refused(app, world, scheme, tmp_path, content):
    path = tmp_path / "hostile.xml"
    path.write_bytes(content)
    result = _import(app, world, path, "import-smart")
    assert result.exit_code == 1
    assert "declares a DTD or entities" in result.output
    assert "root:" not in result.output and _records() == []


@pytest.mark.parametrize(("content", "reason"), [
    (b"[" * 5000 + b"]" * 5000, "nests deeper"),
    (b"\xff\xfe not text", "not UTF-8"),
    (b'{"data": ', "not valid JSON"),
    (b'"just a string"', "Expected a list"),
])
def test_broken_earthranger_files_are_explained(app, world, scheme, tmp_path, content,
                                                reason):
    path = tmp_path / "events.json"
    path.write_bytes(content)
    result = _import(app, world, path)
    assert result.exit_code == 1 and reason in result.output
    assert "Traceback" not in result.output


def test_a_file_too_large_is_refused_before_reading(app, world, scheme, tmp_path,
                                                    monkeypatch):
    monkeypatch.setitem(app.config, "INTEROP_MAX_BYTES", 1024 * 1024)
    path = tmp_path / "events.json"
    path.write_bytes(b" " * (1024 * 1024 + 1))
    result = _import(app, world, path)
    assert result.exit_code == 1 and "larger than 1 MB" in result.output


def test_reasons_are_translated(app, world, scheme, tmp_path):
    world.verifier.locale = "ru"
    path = tmp_path / "events.json"
    path.write_text(json.dumps([_event("r-1", species="wolf")]))
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        from flask_babel import force_locale

        from conflict_app.interop.imports import import_sightings

        with force_locale("ru"):
            report = import_sightings(world.verifier, _scheme_id(), "earthranger", "json",
                                      path.read_bytes())
    [rejection] = report.rejected
    assert rejection.reason != "The record does not name a leopard."
    assert Decimal(1) == Decimal(len(report.rejected))


def test_the_api_imports_with_the_same_rules(app, world, scheme):
    from conflict_app.api import tokens

    def post(user, payload):
        _token, secret = tokens.issue(user, "tests", tokens.allowed_scopes(user))
        return app.test_client().post("/api/v1/interop/presence-imports", json=payload,
                                      headers={"Authorization": f"Bearer {secret}"})

    payload = {"source": "earthranger", "format": "json", "scheme_id": scheme.id,
               "content": json.dumps([_event("api-1"), _event("api-2", species="wolf")])}
    done = post(world.verifier, payload)
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert len(body["imported"]) == 1 and body["already_imported"] == 0
    assert body["rejected"][0]["source_id"] == "api-2"
    assert "leopard" in body["rejected"][0]["reason"]
    assert post(world.verifier, payload).get_json()["already_imported"] == 1
    assert post(world.clerk, payload).status_code == 403
    wrong = post(world.verifier, {**payload, "source": "smart"})
    assert wrong.status_code == 400 and wrong.mimetype == "application/problem+json"


def test_waypoints_inside_a_patrol_export(app, world, scheme, tmp_path):
    patrol = tmp_path / "patrol.xml"
    patrol.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<patrol xmlns="http://www.smart'
        'conservationsoftware.org/xml/1.0/patrol" id="P-1">\n <legs><days>\n'
        '  <waypoints>\n'
        '   <Waypoint id="p-1" x="46.3430" y="38.9470" dateTime="2026-02-14T08:00:00">\n'
        '    <observations categoryKey="animals.sign.track">\n'
        '     <attributes attributeKey="species"><sValue>Leopard pugmarks</sValue>'
        '</attributes>\n    </observations>\n   </Waypoint>\n'
        '   <Waypoint id="p-2" x="46.3430" y="38.9470" dateTime="2026-02-14T09:00:00">\n'
        '    <observations categoryKey="animals.liveanimals">\n'
        '     <attributes attributeKey="species"><itemKey>ursus_arctos</itemKey>'
        '</attributes>\n    </observations>\n   </Waypoint>\n'
        '  </waypoints>\n </days></legs>\n</patrol>\n')
    result = _import(app, world, patrol, "import-smart")
    assert "imported 1, already imported 0, rejected 1" in result.output
    assert f"{patrol}:10: p-2: The record does not name a leopard." in result.output
