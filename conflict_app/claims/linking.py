"""Linking a provisional household (opened by an anonymous report) to a known household,
after a clerk has checked that the report is theirs. The claims and incidents move, the
provisional household goes, and each moved claim is audited."""

from __future__ import annotations

from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.claims import rescheme
from conflict_app.claims.models import Claim, Incident
from conflict_app.core import audit
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import CASE_ROLES, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.herders.models import Household


def candidates(household: Household, actor: User) -> list[Household]:
    """Known households a provisional one may belong to: the same phone, in the actor's
    area."""
    if not household.provisional or not household.phone:
        return []
    rows = db.session.scalars(select(Household).where(
        Household.phone == household.phone, Household.id != household.id,
        Household.provisional.is_(False)).order_by(Household.id)).all()
    return [h for h in rows if covers(actor, h)]


def link_household(actor: User, provisional_id: int, target_id: int) -> Household:
    if not actor.has_role(*CASE_ROLES):
        raise PermissionDenied(N_("Your role may not do this."))
    with unit_of_work():
        source = db.session.get(Household, provisional_id)
        target = db.session.get(Household, target_id)
        if source is None or target is None or not covers(actor, source) \
                or not covers(actor, target):
            raise PermissionDenied(N_("This household does not exist."))
        if not source.provisional:
            raise InvalidInput(N_("Only a household opened by a public report is linked."))
        if target.provisional or target.id == source.id:
            raise InvalidInput(N_("Choose a checked household to link to."),
                               field="target_id")
        for incident in db.session.scalars(select(Incident).where(
                Incident.household_id == source.id)):
            incident.household_id = target.id
        for claim in db.session.scalars(select(Claim).where(
                Claim.household_id == source.id).with_for_update(of=Claim)):
            claim.household_id = target.id
            changes = {"from_household": source.id, "to_household": target.id,
                       "reported_name": source.head_name}
            changes.update(rescheme.for_household(claim, target))
            audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                         action="link_household", changes=changes)
        db.session.flush()
        db.session.delete(source)
    return target

