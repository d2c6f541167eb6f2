"""Field forms: the XLSForm files convert with pyxform in every language, and ODK Central /
KoboToolbox exports import once, with every rejected submission explained."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask_babel import force_locale, gettext
from openpyxl import load_workbook
from pyxform import xls2xform
from sqlalchemy import func, select

from conflict_app.claims import operations as ops
from conflict_app.claims.models import Claim, Evidence, Incident
from conflict_app.claims.workflow import State
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.fieldforms import odk, xlsform
from conflict_app.i18n import LOCALES
from conflict_app.verification.models import VerificationReport
from tests import helpers

FIXTURES = Path(__file__).parent / "fixtures" / "odk"


def test_xlsforms_convert_and_carry_every_language(app, tmp_path):
    paths = xlsform.build_all(tmp_path)
    assert [p.name for p in paths] == ["pardus_report.xlsx", "pardus_verification.xlsx"]
    for path in paths:
        warnings: list[str] = []
        result = xls2xform.convert(xlsform=str(path), warnings=warnings)
        assert "<h:html" in result.xform
        assert not [w for w in warnings if "language" in w.lower()], warnings
        for code in LOCALES:
            assert f'lang="{xlsform.language_column(code)}"' in result.xform
        survey = load_workbook(path)["survey"]
        header = [c.value for c in survey[1]]
        rows = {row[1].value: row for row in survey.iter_rows(min_row=2)}
        if "occurred_on" in rows:
            for code in LOCALES:
                column = header.index(f"label::{xlsform.language_column(code)}")
                with force_locale(code):
                    assert rows["occurred_on"][column].value == gettext("Date of the incident")
        choices = load_workbook(path)["choices"]
        names = {(r[0].value, r[1].value) for r in choices.iter_rows(min_row=2)}
        assert ("yes_no", "yes") in names
    report = load_workbook(paths[0])["choices"]
    assert ("species", "sheep") in {(r[0].value, r[1].value) for r in report.iter_rows(min_row=2)}
    settings = load_workbook(paths[0])["settings"]
    assert settings["C2"].value == xlsform.FORM_VERSION


def _fixture(tmp_path: Path, name: str, **values: object) -> Path:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    media = tmp_path / "media"
    media.mkdir(exist_ok=True)
    for photo in ("carcass1.jpg", "visit1.jpg"):
        (media / photo).write_bytes(helpers.photo_bytes())
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return target


def test_odk_central_csv_imports_once_and_explains_rejections(app, world, tmp_path):
    household = helpers.household(world)
    path = _fixture(tmp_path, "pardus_report.csv", phone=household.phone,
                    yesterday=(clock.today() - timedelta(days=1)).isoformat())
    outcome = odk.import_file(path, world.clerk)
    assert len(outcome.imported) == 2 and outcome.skipped == 0
    lines = {line: reason for line, _iid, reason in outcome.rejected}
    assert set(lines) == {4, 5}
    assert "tiger" in lines[4] and "species_1" in lines[4]
    assert "form version 2026090101" in lines[5]
    claim = db.session.scalars(select(Claim).where(
        Claim.reference == outcome.imported[0])).one()
    assert [(ln.species.value, ln.killed, ln.injured) for ln in claim.incident.lines] == [
        ("sheep", 3, 0), ("goat", 0, 1)]
    assert str(claim.incident.latitude) == "38.948000" and claim.incident.dog_present
    assert db.session.scalar(select(func.count(Evidence.id)).where(
        Evidence.claim_id == claim.id)) == 1  # the photo from the media folder
    again = odk.import_file(path, world.clerk)
    assert again.imported == [] and again.skipped == 2 and len(again.rejected) == 2
    assert db.session.scalar(select(func.count(Incident.id)).where(
        Incident.external_ref.like("odk:%"))) == 2


def test_kobo_json_files_the_verification_visit_once(app, world, tmp_path):
    household = helpers.household(world)
    report = _fixture(tmp_path, "pardus_report.csv", phone=household.phone,
                      yesterday=(clock.today() - timedelta(days=1)).isoformat())
    reference = odk.import_file(report, world.clerk).imported[0]
    claim = db.session.scalars(select(Claim).where(Claim.reference == reference)).one()
    ops.screen(claim.id, world.clerk, claim.version)
    ops.assign_verifier(claim.id, world.supervisor, claim.version, world.verifier.id)
    path = _fixture(tmp_path, "pardus_verification.json", reference=reference,
                    today=clock.today().isoformat())
    outcome = odk.import_file(path, world.verifier)
    assert outcome.imported == [reference] and outcome.rejected == []
    claim = helpers.reload(claim)
    assert claim.state == State.VERIFIED
    visit = db.session.scalars(select(VerificationReport).where(
        VerificationReport.claim_id == claim.id)).one()
    assert visit.external_ref.startswith("odk:uuid:3e4f5a6b")
    assert [(ln.confirmed_killed, ln.confirmed_injured) for ln in visit.lines] == [(3, 0), (0, 1)]
    assert odk.import_file(path, world.verifier).skipped == 1


def test_import_odk_command_reports_rejected_lines(app, world, tmp_path):
    household = helpers.household(world)
    path = _fixture(tmp_path, "pardus_report.csv", phone=household.phone,
                    yesterday=(clock.today() - timedelta(days=1)).isoformat())
    result = app.test_cli_runner().invoke(args=["import-odk", str(path), "--user",
                                                world.clerk.email])
    assert result.exit_code == 1
    assert "imported 2, already imported 0, rejected 2" in result.output
    assert f"{path}:4:" in result.output
    unknown = app.test_cli_runner().invoke(args=["import-odk", str(path), "--user",
                                                 "nobody@example.org"])
    assert unknown.exit_code != 0 and "no active user" in unknown.output
