"""Hostile import files: each is refused with one located, translated error and nothing is
stored; none exhausts memory or ends in a traceback."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from pathlib import Path

from flask_babel import force_locale
from sqlalchemy import func, select

from conflict_app.bundles.importer import BundleInvalid, import_bundle
from conflict_app.claims.models import Incident
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.fieldforms import odk
from conflict_app.geo.models import AdminArea
from conflict_app.herders.models import Household
from tests import helpers
from tests.test_bundles import GOOD, counts, write
from tests.test_fieldforms import _fixture


def _refused(app, bundle: Path) -> list[str]:
    db.session.commit()  # the world is there before the import, as in real use
    before = counts()
    result = app.test_cli_runner().invoke(args=["import-bundle", str(bundle)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "nothing was imported" in result.output
    assert counts() == before
    return [line for line in result.output.splitlines() if ".csv:" in line or ".zip:" in line]


def test_zip_bomb_is_refused_before_it_is_expanded(app, world, tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("herds.csv", GOOD["herds.csv"])
        with archive.open("households.csv", "w") as member:
            member.write(GOOD["households.csv"].encode())
            chunk = b"\n" * (1 << 20)
            for _ in range(200):  # 200 MiB of blank lines in ~200 KB
                member.write(chunk)
    assert bomb.stat().st_size < 400_000
    errors = _refused(app, bomb)
    assert len(errors) == 1, errors
    assert errors[0].startswith("households.csv:1:1:")
    assert "compressed" in errors[0]


def test_zip_whose_total_is_too_large_is_refused(app, world, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BUNDLE_MAX_BYTES", 300)
    archive_path = tmp_path / "big.zip"
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_STORED) as archive:
        for name, text in GOOD.items():
            archive.writestr(name, text)
    errors = _refused(app, archive_path)
    assert len(errors) == 1 and "larger than" in errors[0], errors


def test_huge_csv_field_is_one_located_error(app, world, tmp_path):
    households = GOOD["households.csv"] + "H3,AM,Syunik,Meghri,Nrnadzor,,," + "x" * 300_000 \
        + ",,\n"
    errors = _refused(app, write(tmp_path / "b", {**GOOD, "households.csv": households}))
    assert errors == ["households.csv:4:8: a value is longer than 131072 characters "
                      "(or a quote is never closed); the rest of the file was not read"]


def test_counts_beyond_any_herd_are_refused(app, world, tmp_path):
    incidents = GOOD["incidents.csv"] + "I3,H2,2025-07-11,,,pasture,goat,99999999999,0,wolf,\n"
    errors = _refused(app, write(tmp_path / "b", {**GOOD, "incidents.csv": incidents}))
    assert errors == ["incidents.csv:5:8: killed: must be at most 2000"]


def test_unknown_province_is_an_error_and_creates_nothing(app, world, tmp_path):
    households = GOOD["households.csv"] + "H3,AM,Atlantis,,Somewhere,,,,,\n"
    areas = db.session.scalar(select(func.count(AdminArea.id)))
    errors = _refused(app, write(tmp_path / "b", {**GOOD, "households.csv": households}))
    assert errors == ["households.csv:4:3: admin1: no province 'Atlantis' in AM "
                      "(load the reference geography, or correct the name)"]
    assert db.session.scalar(select(func.count(AdminArea.id))) == areas


def test_bundle_errors_are_translated(app, world, tmp_path):
    incidents = GOOD["incidents.csv"] + "I3,H2,2025-07-11,,,pasture,goat,99999999999,0,wolf,\n"
    bundle = write(tmp_path / "b", {**GOOD, "incidents.csv": incidents})
    db.session.commit()
    with force_locale("ru"):
        try:
            import_bundle(bundle)
        except BundleInvalid as exc:
            messages = [str(e) for e in exc.errors]
        else:
            raise AssertionError("imported")
    assert len(messages) == 1 and messages[0].startswith("incidents.csv:5:8: killed: ")
    assert "2000" in messages[0] and "must be" not in messages[0]
    assert db.session.scalar(select(func.count(Household.id)).where(
        Household.external_ref.is_not(None))) == 0


def test_odk_infinite_count_and_nan_measurement_are_rejected_rows(app, world, tmp_path):
    household = helpers.household(world)
    path = _fixture(tmp_path, "pardus_report.csv", phone=household.phone,
                    yesterday=(clock.today() - timedelta(days=1)).isoformat())
    text = path.read_text(encoding="utf-8").replace(",sheep,adult_female,3,0,",
                                                    ",sheep,adult_female,Infinity,0,", 1)
    path.write_text(text, encoding="utf-8")
    outcome = odk.import_file(path, world.clerk)
    reasons = {line: reason for line, _iid, reason in outcome.rejected}
    assert "killed_1" in reasons[2] and "Infinity" in reasons[2]
    assert len(outcome.imported) == 1  # the import went on with the other submissions
    header = text.splitlines()[0].split(",")
    assert outcome.columns[2] == header.index("line_1-killed_1") + 1


def test_odk_nan_spacing_is_not_stored(app, world, tmp_path):
    from conflict_app.claims import operations as ops
    from conflict_app.claims.models import Claim

    household = helpers.household(world)
    report = _fixture(tmp_path, "pardus_report.csv", phone=household.phone,
                      yesterday=(clock.today() - timedelta(days=1)).isoformat())
    reference = odk.import_file(report, world.clerk).imported[0]
    claim = db.session.scalars(select(Claim).where(Claim.reference == reference)).one()
    ops.screen(claim.id, world.clerk, claim.version)
    ops.assign_verifier(claim.id, world.supervisor, claim.version, world.verifier.id)
    path = _fixture(tmp_path, "pardus_verification.json", reference=reference,
                    today=clock.today().isoformat())
    path.write_text(path.read_text().replace('"4.5"', '"NaN"'))
    outcome = odk.import_file(path, world.verifier)
    assert outcome.imported == []
    assert "canine_spacing_cm" in outcome.rejected[0][2]


def test_odk_deeply_nested_json_is_one_located_error(app, world, tmp_path):
    path = tmp_path / "nested.json"
    path.write_text('{"value": [\n' + "[" * 100_000 + "]" * 100_000 + "\n]}")
    result = app.test_cli_runner().invoke(args=["import-odk", str(path), "--user",
                                                world.clerk.email])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "nested.json:2:" in result.output and "nested" in result.output
    assert db.session.scalar(select(func.count(Incident.id))) == 0


def test_api_deeply_nested_json_is_a_problem_document(app, world):
    from conflict_app.api import tokens

    _token, secret = tokens.issue(world.clerk, "tests", tokens.allowed_scopes(world.clerk))
    body = '{"lines": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = app.test_client().post("/api/v1/claims", data=body,
                                      content_type="application/json",
                                      headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert json.loads(response.data)["status"] == 400


def test_api_too_large_body_is_413_problem_document(app, world):
    from conflict_app.api import tokens

    _token, secret = tokens.issue(world.clerk, "tests", tokens.allowed_scopes(world.clerk))
    response = app.test_client().post(
        "/api/v1/claims", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
        content_type="application/json", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_zip_that_lies_about_its_size_is_refused_as_damaged(app, world, tmp_path):
    import struct

    archive_path = tmp_path / "liar.zip"
    text = GOOD["households.csv"] + "H3,AM,Syunik,Meghri,Nrnadzor,,,,,\n" * 20_000
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("households.csv", text)
    data = bytearray(archive_path.read_bytes())
    declared = 200  # the headers claim 200 bytes; the member holds ~700 KB
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, declared)
    struct.pack_into("<I", data, central + 24, declared)
    archive_path.write_bytes(bytes(data))
    errors = _refused(app, archive_path)
    assert len(errors) == 1 and errors[0].startswith("households.csv:"), errors
    assert "damaged" in errors[0]
