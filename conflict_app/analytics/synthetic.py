"""Where generated landscapes live: a province marked synthetic, never a real one.

A landscape bundle names this province; its villages are never offered to the public (the
herders' report form) and ``flask analytics landscape --remove`` deletes everything in it.
Real records that point into it (claims, schemes, staff jurisdictions) stop the removal:
nothing is deleted then.
"""

from __future__ import annotations

from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError

from conflict_app.analytics.landscape import SYNTHETIC_PROVINCE
from conflict_app.claims.models import Incident, LossLine
from conflict_app.core import audit
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea, Village
from conflict_app.herders.models import HerdCensus, Household
from conflict_app.mitigation.models import Measure

PROVINCE = SYNTHETIC_PROVINCE


class InUse(Exception):
    """Real records refer to the synthetic area; nothing was removed."""


def ensure_area(country: str) -> AdminArea:
    """The synthetic province of ``country`` (created, and audited, the first time)."""
    from conflict_app.geo.reference import ensure_country

    ensure_country(country)
    area = db.session.scalars(select(AdminArea).where(
        AdminArea.country_code == country, AdminArea.level == 1,
        AdminArea.name == PROVINCE)).one_or_none()
    if area is None:
        area = AdminArea(country_code=country, level=1, name=PROVINCE, synthetic=True)
        db.session.add(area)
        db.session.flush()
        audit.record(actor_id=None, object_type="admin_area", object_id=area.id,
                     action="create_synthetic_area", changes={"country": country})
    elif not area.synthetic:
        area.synthetic = True
        db.session.flush()
    return area


def remove_all() -> dict[str, int]:
    """Delete every generated row in synthetic areas, the areas included; rows per table.

    All or nothing: raises ``InUse`` (and changes nothing) when real records refer to them.
    """
    areas = select(AdminArea.id).where(AdminArea.synthetic.is_(True))
    area_ids = list(db.session.scalars(areas))
    if not area_ids:
        return {}
    households = select(Household.id).where(Household.admin1_id.in_(area_ids))
    incidents = select(Incident.id).where(Incident.admin1_id.in_(area_ids))
    steps = [
        ("loss_line", delete(LossLine).where(LossLine.incident_id.in_(incidents))),
        ("incident", delete(Incident).where(Incident.id.in_(incidents))),
        ("measure", delete(Measure).where(Measure.admin1_id.in_(area_ids))),
        ("herd", delete(HerdCensus).where(HerdCensus.household_id.in_(households))),
        ("household", delete(Household).where(Household.id.in_(households))),
        ("village", delete(Village).where(Village.admin1_id.in_(area_ids))),
        ("district", delete(AdminArea).where(AdminArea.parent_id.in_(area_ids))),
        ("province", delete(AdminArea).where(AdminArea.id.in_(area_ids))),
    ]
    removed: dict[str, int] = {}
    try:
        with db.session.begin_nested():
            for name, statement in steps:
                removed[name] = db.session.execute(
                    statement, execution_options={"synchronize_session": False}).rowcount
            for area_id in area_ids:
                audit.record(actor_id=None, object_type="admin_area", object_id=area_id,
                             action="remove_synthetic_area", changes=removed)
            db.session.flush()
    except IntegrityError as err:
        raise InUse from err
    db.session.expire_all()
    return removed


def is_synthetic_village(village_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Village.id == village_id, Village.admin1_id == AdminArea.id,
        AdminArea.synthetic.is_(True)))))


def count() -> int:
    """Households in synthetic areas."""
    return int(db.session.scalar(select(func.count(Household.id)).join(
        AdminArea, AdminArea.id == Household.admin1_id).where(AdminArea.synthetic.is_(True))))
