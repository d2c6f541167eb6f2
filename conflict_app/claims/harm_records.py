"""Recording a claim for harm to a person or to crops: the kind chosen at intake (refused
unless the claim's scheme enables it) and, later, what it is valued from. One operation per
use case, each audited.

Who reads the special category data (the injury's category and description, medical costs,
the cause of death, the next of kin, the medical report or death certificate): the
verifier, the approver and the supervisor of the claim's jurisdiction, who need them to
verify, decide and answer an appeal. Clerks, finance, scheme managers, analysts and the
public see the kind of claim and its amount, never the details; the audit log records which
fields changed, not their values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.claims.evidence import StoredFile, discard, store_photo
from conflict_app.claims.models import Claim
from conflict_app.claims.operations import lock_claim
from conflict_app.claims.workflow import State
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.schemes import engine
from conflict_app.schemes.harm import CROPS, MAX_HECTARES, SPECIAL_KINDS, HarmKind, Severity
from conflict_app.schemes.harm_models import ClaimHarm
from conflict_app.schemes.models import Scheme

SPECIAL_ROLES = (Role.VERIFIER, Role.APPROVER, Role.SUPERVISOR)
RECORDERS = (Role.VERIFIER, Role.SUPERVISOR)
OPEN = frozenset({State.REPORTED, State.SCREENED, State.MORE_EVIDENCE_REQUESTED,
                  State.VERIFICATION_SCHEDULED, State.VERIFIED, State.APPEALED})


@dataclass(frozen=True)
class HarmInput:
    severity: Severity | None = None
    medical_details: str | None = None  # the injury, or the cause of death
    medical_costs: Decimal | None = None
    next_of_kin: str | None = None
    crop: str | None = None
    area_ha: Decimal | None = None
    measured_on: date | None = None


def may_see_special(user: User | None, claim: Claim) -> bool:
    """Whether ``user`` may read the claim's medical details."""
    return (user is not None and user.is_authenticated and covers(user, claim)
            and user.has_role(*SPECIAL_ROLES))


def check_kind(scheme: Scheme | None, on: date, kind: HarmKind) -> None:
    """Intake: refuse a kind of claim the scheme of the place does not enable that day."""
    from conflict_app.schemes import harm

    harm.check_enabled(engine.harm_rules(scheme, on), kind)


def kinds_offered(household) -> list[str]:  # noqa: ANN001
    """The kinds of harm the report form offers for a household: those the scheme of its
    place enables today (intake checks again for the incident's day)."""
    village = household.village
    today = timezones.today_for(village)
    scheme = engine.scheme_for(village.country_code, village.admin1_id, household.id, today)
    rules = engine.harm_rules(scheme, today)
    from conflict_app.schemes import harm

    return [k.value for k in HarmKind if rules is not None and harm.enabled(rules, k)]


def attach(claim: Claim, kind: HarmKind, crop: str | None = None) -> ClaimHarm:
    """Intake: the new claim is for this kind of harm (inside intake's transaction), with
    the crop the herder named for crop damage."""
    if crop is not None and (kind is not HarmKind.CROP_DAMAGE or crop not in CROPS):
        raise InvalidInput(N_("Choose one of the options in the list."), field="crop")
    row = ClaimHarm(claim_id=claim.id, kind=kind, currency=claim.currency, crop=crop)
    db.session.add(row)
    return row


def of_claim(claim_id: int) -> ClaimHarm | None:
    return db.session.scalar(select(ClaimHarm).where(ClaimHarm.claim_id == claim_id))


def of_claims(claim_ids: list[int]) -> dict[int, ClaimHarm]:
    """The harm records of a page of claims, in one query."""
    if not claim_ids:
        return {}
    return {h.claim_id: h for h in db.session.scalars(
        select(ClaimHarm).where(ClaimHarm.claim_id.in_(claim_ids)))}


def record(claim_id: int, actor: User, version: int | None, data: HarmInput,
           document: bytes | None = None) -> ClaimHarm:
    """The verifier (or supervisor) records what the harm is valued from, with the medical
    report or death certificate as a photo; fields of other kinds are ignored."""
    directory = current_app.config["EVIDENCE_DIR"]
    stored: StoredFile | None = None
    old_key = None
    try:
        if document:
            stored = store_photo(document, directory, current_app.config["MAX_PHOTO_BYTES"])
        with unit_of_work():
            row, old_key = _record(claim_id, actor, version, data, stored)
    except BaseException:
        if stored is not None:
            discard(directory, stored.storage_key)
        raise
    if old_key is not None:
        discard(directory, old_key)  # the replaced document, once the new one is committed
    return row


def _record(claim_id: int, actor: User, version: int | None, data: HarmInput,
            stored: StoredFile | None) -> tuple[ClaimHarm, str | None]:
    claim = lock_claim(claim_id, version)
    if not covers(actor, claim):
        raise PermissionDenied(N_("This claim is outside your jurisdiction."))
    if not actor.has_role(*RECORDERS):
        raise PermissionDenied(N_("Only the verifier or a supervisor may record this."))
    row = of_claim(claim.id)
    if row is None:
        raise InvalidInput(N_("This claim is for livestock: there is no injury, death or "
                              "crop damage to record."))
    if claim.state not in OPEN:
        raise InvalidInput(N_("These details can be recorded only before the claim is "
                              "assessed."))
    if row.kind is HarmKind.CROP_DAMAGE:
        changes = _crops(claim, row, data)
        if stored is not None:
            raise InvalidInput(N_("A crop damage claim takes no medical document."),
                               field="document")
    else:
        changes = _person(row, data)
    old_key = None
    if stored is not None:
        old_key, row.document_key = row.document_key, stored.storage_key
        row.document_sha256 = stored.sha256
        changes["fields"].append("document")
    row.recorded_by_id, row.recorded_at = actor.id, clock.now()
    audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                 action="harm_record", from_state=claim.state.value,
                 to_state=claim.state.value, changes={"kind": row.kind.value, **changes})
    return row, old_key


def _person(row: ClaimHarm, data: HarmInput) -> dict:
    """Injury or death: the audit names the fields, never their values (special data)."""
    fields = ["medical_details"]
    if row.kind is HarmKind.HUMAN_INJURY:
        if data.severity is None:
            raise InvalidInput(N_("Choose the category of the injury."), field="severity")
        costs = data.medical_costs
        if costs is not None and (not costs.is_finite() or costs < 0
                                  or costs.as_tuple().exponent < -2 or costs > Decimal("1e13")):
            raise InvalidInput(N_("Enter an amount with at most 2 decimals."),
                               field="medical_costs")
        row.severity, row.medical_costs = Severity(data.severity), costs
        fields += ["severity", "medical_costs"]
    else:
        kin = (data.next_of_kin or "").strip()
        if not kin:
            raise InvalidInput(N_("Give the name of the next of kin who receives the "
                                  "payment."), field="next_of_kin")
        row.next_of_kin = kin[:120]
        fields.append("next_of_kin")
    row.medical_details = (data.medical_details or "").strip() or None
    return {"fields": fields}


def _crops(claim: Claim, row: ClaimHarm, data: HarmInput) -> dict:
    if data.crop not in CROPS:
        raise InvalidInput(N_("Choose one of the options in the list."), field="crop")
    area = data.area_ha
    if area is None or not area.is_finite() or area <= 0 or area > MAX_HECTARES:
        raise InvalidInput(N_("Enter the damaged area in hectares, above zero."),
                           field="area_ha")
    if area.as_tuple().exponent < -4:
        raise InvalidInput(N_("Enter the area with at most 4 decimals."), field="area_ha")
    if data.measured_on is None:
        raise InvalidInput(N_("Give the date of the measurement."), field="measured_on")
    if data.measured_on > timezones.today_for(claim):
        raise InvalidInput(N_("The date cannot be in the future."), field="measured_on")
    if data.measured_on < claim.incident.occurred_on:
        raise InvalidInput(N_("The measurement cannot be dated before the incident."),
                           field="measured_on")
    row.crop, row.area_ha, row.measured_on = data.crop, area, data.measured_on
    return {"fields": ["crop", "area_ha", "measured_on"], "crop": data.crop,
            "area_ha": str(area), "measured_on": data.measured_on.isoformat()}


def is_special(row: ClaimHarm | None) -> bool:
    return row is not None and row.kind in SPECIAL_KINDS
