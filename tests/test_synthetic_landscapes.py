"""Generated landscapes stay synthetic: they live in a marked province, the public never
sees their villages, and one command removes them (and nothing else)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conflict_app.analytics.synthetic import PROVINCE
from conflict_app.claims.models import Incident
from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea, Village
from conflict_app.herders.models import Household
from conflict_app.mitigation.models import Measure


def _landscape(app, tmp_path, *extra: str) -> None:
    runner = app.test_cli_runner()
    made = runner.invoke(args=["analytics", "landscape", str(tmp_path / "land"), "--villages",
                               "2", *extra])
    assert made.exit_code == 0, made.output
    assert PROVINCE in made.output
    imported = runner.invoke(args=["import-bundle", str(tmp_path / "land")])
    assert imported.exit_code == 0, imported.output


def _count(model, synthetic: bool) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count(model.id)).join(
        AdminArea, AdminArea.id == model.admin1_id).where(AdminArea.synthetic.is_(synthetic)))


def test_a_landscape_lives_in_a_synthetic_province_out_of_public_view(app, world, tmp_path):
    _landscape(app, tmp_path)
    area = db.session.scalars(select(AdminArea).where(AdminArea.name == PROVINCE)).one()
    assert area.synthetic and area.country_code == "AM"
    assert _count(Household, True) > 0
    assert db.session.scalar(select(func.count(Household.id)).join(
        AdminArea, AdminArea.id == Household.admin1_id).where(
        AdminArea.synthetic.is_(False), Household.external_ref.like("S1-%"))) == 0
    page = app.test_client().get("/report?country=AM").get_data(as_text=True)
    assert "Shvanidzor" in page  # a real village is offered
    assert "Synthetic village" not in page
    synthetic_village = db.session.scalars(select(Village).where(
        Village.admin1_id == area.id)).first()
    from conflict_app.core.errors import InvalidInput
    from conflict_app.status import operations

    with pytest.raises(InvalidInput) as refused:
        operations.report_loss(operations.PublicReport(
            name="A", phone="+37493123456", village_id=synthetic_village.id, language="en",
            report=None))
    assert refused.value.field == "village_id"


def test_one_command_removes_every_landscape_and_nothing_real(app, world, tmp_path):
    from tests import helpers

    real_claim = helpers.verified(world)
    real = {m: _count(m, False) for m in (Household, Incident, Measure)}
    _landscape(app, tmp_path)
    _landscape(app, tmp_path, "--country", "IR", "--seed", "2")
    assert _count(Household, True) > 0 and _count(Incident, True) > 0
    assert _count(Measure, True) > 0
    removed = app.test_cli_runner().invoke(args=["analytics", "landscape", "--remove"])
    assert removed.exit_code == 0, removed.output
    assert "household" in removed.output
    assert db.session.scalar(select(func.count(AdminArea.id)).where(
        AdminArea.synthetic.is_(True))) == 0
    assert db.session.scalar(select(func.count(Village.id)).where(
        Village.name.like("Synthetic village%"))) == 0
    assert {m: _count(m, False) for m in (Household, Incident, Measure)} == real
    assert db.session.get(type(real_claim), real_claim.id) is not None
    assert db.session.scalar(select(func.count(AdminArea.id)).where(
        AdminArea.name == "Syunik")) == 1
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "remove_synthetic_area")).all()
    assert len(entries) == 2
    again = app.test_cli_runner().invoke(args=["analytics", "landscape", "--remove"])
    assert again.exit_code == 0 and "no synthetic landscapes" in again.output


def test_removal_refused_while_real_records_point_into_it(app, world, tmp_path):
    _landscape(app, tmp_path)
    area = db.session.scalars(select(AdminArea).where(AdminArea.name == PROVINCE)).one()
    world.analyst.jurisdiction_area_id = area.id  # a staff account scoped to it
    db.session.commit()
    before = _count(Household, True)
    removed = app.test_cli_runner().invoke(args=["analytics", "landscape", "--remove"])
    assert removed.exit_code != 0
    assert "nothing was removed" in removed.output
    assert _count(Household, True) == before


def test_the_landscape_command_needs_a_folder_or_remove(app, world):
    result = app.test_cli_runner().invoke(args=["analytics", "landscape"])
    assert result.exit_code != 0 and "--remove" in result.output
