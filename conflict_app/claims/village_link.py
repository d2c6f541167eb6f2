"""Villages a herder typed because theirs was not in the list.

The report keeps the name as typed (``Incident.reported_village``) on an unlisted village
row in the province the herder chose, so the claim has its place, jurisdiction and time zone
from the start. During screening a clerk links it to a village of the list, or adds the
typed village to the list; screening waits for that.
"""

from __future__ import annotations

from sqlalchemy import func, select

from conflict_app.auth.models import User
from conflict_app.claims.models import Claim, Incident
from conflict_app.core import audit
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea, Village
from conflict_app.herders.models import Household
from conflict_app.i18n.collation import in_reader_order


def typed_village(country_code: str, province_id: int | None, name: str) -> Village:
    """The village the herder typed: a listed one of that name in the province if there is
    one, else an unlisted row (one per name and province). The caller commits."""
    name = " ".join((name or "").split())[:120]
    province = db.session.get(AdminArea, province_id) if province_id else None
    if (province is None or province.country_code != country_code or province.level != 1
            or province.synthetic):
        raise InvalidInput(N_("Choose the province of your village."), field="province_id")
    if not name:
        raise InvalidInput(N_("Enter the name of your village."), field="village_name")
    found = db.session.scalars(select(Village).where(
        Village.admin1_id == province.id,
        func.lower(Village.name) == name.lower()).order_by(Village.listed.desc())).first()
    if found is not None:
        return found
    village = Village(country_code=country_code, admin1_id=province.id, name=name,
                      listed=False)
    db.session.add(village)
    db.session.flush()
    return village


def needs_link(claim: Claim) -> bool:
    village = claim.incident.village
    return village is not None and not village.listed


def require_listed_village(claim: Claim) -> None:
    """Screening checks the place: a typed village is linked first."""
    if needs_link(claim):
        raise InvalidInput(N_("Link the village the herder typed to a village of the list "
                              "first."), field="village_id")


def candidates(claim: Claim) -> list[Village]:
    """Listed villages of the claim's country, those of its province first."""
    villages = db.session.scalars(select(Village).where(
        Village.country_code == claim.country_code, Village.listed.is_(True)))
    return sorted(in_reader_order(villages, lambda v: v.label),
                  key=lambda v: v.admin1_id != claim.admin1_id)


def link_village(claim_id: int, actor: User, version: int | None,
                 village_id: int | None) -> Claim:
    """Move the claim (its incident, and a provisional household) to a listed village, or
    with no ``village_id`` add the typed village to the list. Audited; the claim's version
    moves on, so a form opened before is stale."""
    from conflict_app.claims.operations import lock_claim

    with unit_of_work():
        claim = lock_claim(claim_id, version)
        if not actor.has_role(Role.CLERK, Role.SUPERVISOR) or not covers(actor, claim):
            raise PermissionDenied(N_("Your role may not do this."))
        incident = db.session.get(Incident, claim.incident_id)
        typed = incident.village
        if typed.listed:
            raise InvalidInput(N_("This claim's village is already in the list."),
                               field="village_id")
        if village_id:
            target = db.session.get(Village, village_id)
            if (target is None or not target.listed
                    or target.country_code != claim.country_code or not covers(actor, target)):
                raise InvalidInput(N_("Choose a village from the list."), field="village_id")
        else:
            target = typed
            typed.listed = True
        for row in (incident, claim):
            row.admin1_id, row.admin2_id = target.admin1_id, target.admin2_id
        incident.village_id = target.id
        household = db.session.get(Household, claim.household_id)
        if household.village_id == typed.id:
            household.village_id = target.id
            household.admin1_id, household.admin2_id = target.admin1_id, target.admin2_id
        audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                     action="link_village", from_state=claim.state.value,
                     to_state=claim.state.value,
                     changes={"typed": incident.reported_village, "village": target.name,
                              "added_to_list": target is typed})
        db.session.flush()
        if target is not typed and not in_use(typed.id):
            db.session.delete(typed)
    return claim


def in_use(village_id: int) -> bool:
    return bool(
        db.session.scalar(select(func.count(Incident.id)).where(Incident.village_id == village_id))
        or db.session.scalar(select(func.count(Household.id))
                             .where(Household.village_id == village_id)))
