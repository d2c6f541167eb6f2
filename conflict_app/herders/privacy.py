"""A herder's personal data: export on request, erasure by pseudonymisation, retention.

Erasing keeps every claim, incident and amount (the statistics stay true) but removes what
identifies the person: name, phone, national ID, the homestead's coordinates, the texts sent
to the phone and the evidence photos.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, func, or_, select

from conflict_app.auth.models import User
from conflict_app.claims.evidence import discard
from conflict_app.claims.models import Claim, Evidence, Incident
from conflict_app.claims.workflow import FINAL, State
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied, StaleObject
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.herders.models import Household, PayoutDetails
from conflict_app.herders.operations import fingerprint
from conflict_app.mitigation.models import Measure
from conflict_app.status.models import SmsMessage

# A case that is still running needs its contact details.
SETTLED = FINAL | {State.PAID, State.REJECTED, State.INELIGIBLE}
ERASED_NAME = "—"


def _allowed(actor: User, household: Household) -> None:
    if not actor.has_role(Role.CLERK, Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(N_("Your role may not do this."))
    if not covers(actor, household):
        raise PermissionDenied(N_("This household is outside your jurisdiction."))


def _texts_of(household: Household) -> Select:
    """The texts about this household: those about its claims, and those about no claim from
    or to its phone only when no other household shares that phone (a family phone)."""
    own_claims = select(Claim.id).where(Claim.household_id == household.id)
    about_claims = SmsMessage.claim_id.in_(own_claims)
    if not household.phone:
        return select(SmsMessage).where(about_claims)
    shared = db.session.scalar(select(func.count(Household.id)).where(
        Household.phone == household.phone, Household.id != household.id))
    if shared:
        return select(SmsMessage).where(about_claims)
    return select(SmsMessage).where(or_(about_claims, and_(
        SmsMessage.claim_id.is_(None), SmsMessage.phone == household.phone)))


def _payout(household: Household) -> dict[str, Any] | None:
    details = db.session.scalar(select(PayoutDetails).where(
        PayoutDetails.household_id == household.id))
    if details is None:
        return None
    return {name: getattr(details, name) for name in (
        "account_holder", "iban", "bank_account", "bank_name", "wallet_number",
        "wallet_provider")}


def export(actor: User, household: Household) -> dict[str, Any]:
    """Everything held about the household, for the herder who asks for it."""
    _allowed(actor, household)
    claims = db.session.scalars(select(Claim).where(Claim.household_id == household.id)
                                .order_by(Claim.id)).all()
    data = {
        "household": {
            "head_name": household.head_name, "phone": household.phone,
            "national_id": household.national_id, "village": household.village.name,
            "language": household.language,
            "latitude": str(household.latitude) if household.latitude is not None else None,
            "longitude": str(household.longitude) if household.longitude is not None else None,
            "registered_at": household.created_at.isoformat(),
        },
        "herd_census": [{"year": c.year, "species": c.species.value, "heads": c.head_count}
                        for c in household.census],
        "claims": [{
            "reference": c.reference, "state": c.state.value,
            "reported_at": c.reported_at.isoformat(),
            "incident_date": c.incident.occurred_on.isoformat(),
            "losses": [{"species": ln.species.value, "age_class": ln.age_class.value,
                        "killed": ln.killed, "injured": ln.injured} for ln in c.incident.lines],
            "amount_approved": str(c.amount_approved) if c.amount_approved is not None else None,
            "currency": c.currency,
            "decision_reason": c.decision_reason,
        } for c in claims],
        "measures": [{"measure": m.measure.value, "installed_on": m.installed_on.isoformat(),
                      "removed_on": m.removed_on.isoformat() if m.removed_on else None}
                     for m in db.session.scalars(
                         select(Measure).where(Measure.household_id == household.id))],
        "payout_details": _payout(household),
        "text_messages": [{"at": m.created_at.isoformat(), "direction": m.direction,
                           "text": m.body} for m in db.session.scalars(
            _texts_of(household).order_by(SmsMessage.id))],
    }
    with unit_of_work():
        audit.record(actor_id=actor.id, object_type="household", object_id=household.id,
                     action="export_personal_data")
    return data


def erase(actor: User | None, household: Household, reason: str,
          expected: str | None = None) -> None:
    """Pseudonymise the household; refused while one of its claims is still running.
    ``expected``: the household's fingerprint as the request read it; when it changed
    meanwhile nothing is erased."""
    if actor is not None:
        _allowed(actor, household)
    if not (reason or "").strip():
        raise InvalidInput(N_("Give a reason."), field="reason")
    running = db.session.scalar(select(func.count(Claim.id)).where(
        Claim.household_id == household.id, Claim.state.not_in(list(SETTLED))))
    if running:
        raise InvalidInput(N_("This household has a claim that is still running. Erase its "
                              "data when every claim is settled."))
    directory = current_app.config["EVIDENCE_DIR"]
    keys: list[str] = []
    with unit_of_work():
        if expected is not None:
            db.session.get(Household, household.id, with_for_update={"of": Household},
                           populate_existing=True)
            if fingerprint(household) != expected:
                raise StaleObject(N_("Someone else changed this record at the same time. "
                                     "Nothing was saved; please look at it again."))
        for message in db.session.scalars(_texts_of(household)):
            message.phone = "erased"
            message.body = ""
        claim_ids = select(Claim.id).where(Claim.household_id == household.id)
        for item in db.session.scalars(select(Evidence).where(Evidence.claim_id.in_(claim_ids))):
            keys.append(item.storage_key)
            db.session.delete(item)
        for incident in db.session.scalars(
                select(Incident).where(Incident.household_id == household.id)):
            incident.latitude = incident.longitude = None
            incident.description = None
        for details in db.session.scalars(select(PayoutDetails).where(
                PayoutDetails.household_id == household.id)):
            db.session.delete(details)  # nothing is left to pay once every claim settled
        household.head_name = ERASED_NAME
        household.phone = household.national_id = None
        household.latitude = household.longitude = None
        audit.record(actor_id=actor.id if actor else None, object_type="household",
                     object_id=household.id, action="erase_personal_data",
                     reason=reason.strip())
    for key in keys:  # files go only once the database no longer points at them
        discard(directory, key)


def purge_expired(years: int | None = None) -> int:
    """Erase households whose every claim closed more than the retention period ago."""
    years = years if years is not None else current_app.config["RETENTION_YEARS"]
    cutoff = clock.now() - timedelta(days=365 * years)
    latest = (select(Claim.household_id, func.max(Claim.state_changed_at).label("last"),
                     func.count(Claim.id).label("claims"))
              .group_by(Claim.household_id).subquery())
    candidates = db.session.scalars(
        select(Household).join(latest, latest.c.household_id == Household.id)
        .where(latest.c.last < cutoff, Household.head_name != ERASED_NAME)).all()
    erased = 0
    for household in candidates:
        try:
            erase(None, household, f"retention period of {years} years ended")
        except InvalidInput:
            continue
        erased += 1
    return erased
