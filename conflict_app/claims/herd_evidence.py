"""Recording what missing-animals and vet-cost claims are valued from: the herd counts
before and after the season, the verifier's leopard signs in the area, and the vet invoice
(its photo kept with the claim's evidence). One operation per use case, each audited.

They may be recorded while the claim is open and not yet assessed (an appeal sent back to
assessment opens them again), so an assessment never changes under a decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.claims.evidence import StoredFile, discard, store_photo
from conflict_app.claims.models import Claim, Evidence, LossLine
from conflict_app.claims.operations import lock_claim
from conflict_app.claims.workflow import State
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.schemes.herd_models import SeasonCount, VetInvoice

OPEN = frozenset({State.REPORTED, State.SCREENED, State.MORE_EVIDENCE_REQUESTED,
                  State.VERIFICATION_SCHEDULED, State.VERIFIED, State.APPEALED})
RECORDERS = (Role.CLERK, Role.SUPERVISOR, Role.VERIFIER)


@dataclass(frozen=True)
class CountsInput:
    loss_line_id: int
    count_before: int | None
    counted_before_on: date | None
    count_after: int | None
    counted_after_on: date | None
    explained: int = 0
    explanation: str | None = None


def _open_claim(claim_id: int, actor: User, version: int | None) -> Claim:
    claim = lock_claim(claim_id, version)
    if not covers(actor, claim):
        raise PermissionDenied(N_("This claim is outside your jurisdiction."))
    if not actor.has_role(*RECORDERS):
        raise PermissionDenied(N_("Only a clerk or a verifier may record this."))
    if claim.state not in OPEN:
        raise InvalidInput(N_("Herd counts and vet invoices can be recorded only before the "
                              "claim is assessed."))
    return claim


def _line(claim: Claim, loss_line_id: int) -> LossLine:
    line = db.session.get(LossLine, loss_line_id)
    if line is None or line.incident_id != claim.incident_id:
        raise InvalidInput(N_("Choose one of the claim's loss lines."), field="loss_line_id")
    return line


def record_counts(claim_id: int, actor: User, version: int | None,
                  data: CountsInput) -> SeasonCount:
    """Mark a loss line as missing animals and record its herd counts (either may come
    later: the claim is valued only once both are there)."""
    with unit_of_work():
        claim = _open_claim(claim_id, actor, version)
        _line(claim, data.loss_line_id)
        today = timezones.today_for(claim)  # the day people there type as today
        for field, value in (("counted_before_on", data.counted_before_on),
                             ("counted_after_on", data.counted_after_on)):
            if value is not None and value > today:
                raise InvalidInput(N_("A count cannot be dated in the future."), field=field)
        for field, value in (("count_before", data.count_before),
                             ("count_after", data.count_after), ("explained", data.explained)):
            if value is not None and value < 0:
                raise InvalidInput(N_("Counts cannot be negative."), field=field)
        if (data.count_before is None) != (data.counted_before_on is None):
            raise InvalidInput(N_("Give the count with the date it was made."),
                               field="counted_before_on")
        if (data.count_after is None) != (data.counted_after_on is None):
            raise InvalidInput(N_("Give the count with the date it was made."),
                               field="counted_after_on")
        if (data.count_before is not None and data.count_after is not None
                and data.count_after + data.explained > data.count_before):
            raise InvalidInput(N_("The heads counted after the season and the heads "
                                  "otherwise explained are more than the herd before it."),
                               field="count_after")
        if (data.counted_before_on and data.counted_after_on
                and data.counted_after_on < data.counted_before_on):
            raise InvalidInput(N_("The count after the season cannot be dated before the "
                                  "count before it."), field="counted_after_on")
        row = db.session.scalar(select(SeasonCount).where(
            SeasonCount.loss_line_id == data.loss_line_id)) or SeasonCount(
            claim_id=claim.id, loss_line_id=data.loss_line_id)
        row.count_before, row.counted_before_on = data.count_before, data.counted_before_on
        row.count_after, row.counted_after_on = data.count_after, data.counted_after_on
        row.explained = data.explained
        row.explanation = (data.explanation or "").strip() or None
        row.recorded_by_id, row.recorded_at = actor.id, clock.now()
        db.session.add(row)
        audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                     action="season_counts", from_state=claim.state.value,
                     to_state=claim.state.value,
                     changes={"line": data.loss_line_id, "count_before": data.count_before,
                              "counted_before_on": _iso(data.counted_before_on),
                              "count_after": data.count_after,
                              "counted_after_on": _iso(data.counted_after_on),
                              "explained": data.explained})
    return row


def record_signs(claim_id: int, actor: User, version: int | None, loss_line_id: int,
                 seen_on: date, note: str) -> SeasonCount:
    """The assigned verifier records leopard signs in the area of a missing-animals line."""
    with unit_of_work():
        claim = _open_claim(claim_id, actor, version)
        if claim.verifier_id != actor.id:
            raise PermissionDenied(N_("Only the verifier assigned to this claim may record "
                                      "signs in the area."))
        row = db.session.scalar(select(SeasonCount).where(
            SeasonCount.loss_line_id == _line(claim, loss_line_id).id))
        if row is None:
            raise InvalidInput(N_("Record the herd counts of this line first."),
                               field="loss_line_id")
        if seen_on > timezones.today_for(claim):
            raise InvalidInput(N_("The date cannot be in the future."), field="signs_on")
        if not (note or "").strip():
            raise InvalidInput(N_("Describe the signs (tracks, scat, kills, camera trap)."),
                               field="signs_note")
        row.signs_on, row.signs_note, row.signs_by_id = seen_on, note.strip(), actor.id
        audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                     action="leopard_signs", from_state=claim.state.value,
                     to_state=claim.state.value,
                     changes={"line": loss_line_id, "signs_on": seen_on.isoformat()})
    return row


def record_vet_invoice(claim_id: int, actor: User, version: int | None, loss_line_id: int,
                       amount: Decimal, invoiced_on: date, photo: bytes) -> VetInvoice:
    """The vet invoice of a line's injured heads: the amount typed, its photo stored."""
    if amount is None or amount <= 0 or not amount.is_finite():
        raise InvalidInput(N_("Enter an amount above zero."), field="amount")
    if amount.as_tuple().exponent < -2 or amount > Decimal("1e13"):
        raise InvalidInput(N_("Enter an amount with at most 2 decimals."), field="amount")
    if not photo:
        raise InvalidInput(N_("Add a photo of the invoice."), field="photo")
    directory = current_app.config["EVIDENCE_DIR"]
    stored: StoredFile | None = None
    try:
        stored = store_photo(photo, directory, current_app.config["MAX_PHOTO_BYTES"])
        with unit_of_work():
            invoice = _record_invoice(claim_id, actor, version, loss_line_id, amount,
                                      invoiced_on, stored)
    except BaseException:
        if stored is not None:
            discard(directory, stored.storage_key)
        raise
    return invoice


def _record_invoice(claim_id: int, actor: User, version: int | None, loss_line_id: int,
                    amount: Decimal, invoiced_on: date, stored: StoredFile) -> VetInvoice:
    claim = _open_claim(claim_id, actor, version)
    line = _line(claim, loss_line_id)
    if line.injured <= 0:
        raise InvalidInput(N_("This line reports no injured animals."), field="loss_line_id")
    if invoiced_on > timezones.today_for(claim):
        raise InvalidInput(N_("The date cannot be in the future."), field="invoiced_on")
    if invoiced_on < claim.incident.occurred_on:
        raise InvalidInput(N_("The invoice cannot be dated before the incident."),
                           field="invoiced_on")
    evidence = Evidence(claim_id=claim.id, storage_key=stored.storage_key,
                        content_type=stored.content_type, size_bytes=stored.size_bytes,
                        sha256=stored.sha256, width=stored.width, height=stored.height,
                        uploaded_by_id=actor.id, uploaded_at=clock.now())
    db.session.add(evidence)
    db.session.flush()
    row = db.session.scalar(select(VetInvoice).where(
        VetInvoice.loss_line_id == loss_line_id)) or VetInvoice(
        claim_id=claim.id, loss_line_id=loss_line_id)
    previous = str(row.amount) if row.amount is not None else None
    row.amount, row.currency, row.invoiced_on = amount, claim.currency, invoiced_on
    row.evidence_id, row.recorded_by_id, row.recorded_at = evidence.id, actor.id, clock.now()
    db.session.add(row)
    audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                 action="vet_invoice", from_state=claim.state.value,
                 to_state=claim.state.value,
                 changes={"line": loss_line_id, "amount": str(amount),
                          "currency": claim.currency, "previous": previous,
                          "invoiced_on": invoiced_on.isoformat(), "photos": 1})
    return row


def for_claim(claim_id: int) -> dict[str, dict[int, object]]:
    """The season counts and vet invoices of a claim, by loss line, for its page."""
    return {
        "seasons": {s.loss_line_id: s for s in db.session.scalars(
            select(SeasonCount).where(SeasonCount.claim_id == claim_id))},
        "invoices": {v.loss_line_id: v for v in db.session.scalars(
            select(VetInvoice).where(VetInvoice.claim_id == claim_id))},
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
