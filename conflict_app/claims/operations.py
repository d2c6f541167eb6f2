"""Use cases that change claims. Each one checks jurisdiction and role, applies the workflow,
writes the audit entry and commits, all in one transaction; nothing else changes a claim."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from conflict_app.auth.models import User
from conflict_app.claims import events, pins, workflow
from conflict_app.claims.models import (
    Approval,
    Claim,
    DuplicateFlag,
)
from conflict_app.claims.workflow import Action, Need, State
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied, StaleObject
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.schemes import engine
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes.models import Assessment, AssessmentLine
from conflict_app.schemes.params import SchemeKind
from conflict_app.status import notify


# --- settings -------------------------------------------------------------------------
def deadlines() -> workflow.Deadlines:
    cfg = current_app.config
    return workflow.Deadlines(
        screening=timedelta(hours=cfg["SCREENING_WITHIN_HOURS"]),
        verification=timedelta(hours=cfg["VERIFICATION_WITHIN_HOURS"]),
        decision=timedelta(days=cfg["DECISION_WITHIN_DAYS"]),
        appeal=timedelta(days=cfg["APPEAL_WITHIN_DAYS"]),
    )


def second_approval_threshold(currency: str) -> Decimal:
    table = current_app.config["SECOND_APPROVAL_ABOVE"]
    return table.get(currency, table["default"])


# --- the transition engine --------------------------------------------------------------
STALE = N_("Someone else changed this claim since you opened it. Nothing was saved; please "
           "look at it again.")


def lock_claim(claim_id: int, version: int | None = None) -> Claim:
    """Load the claim with a row lock (PostgreSQL) and fresh values.

    ``version`` is the one the user's form was built from: a mismatch means someone else
    moved the claim meanwhile, and the action is refused before anything is touched.
    """
    claim = db.session.execute(
        select(Claim)
        .where(Claim.id == claim_id)
        .with_for_update(of=Claim)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if claim is None:
        raise InvalidInput(N_("This claim does not exist."))
    if version is not None and claim.version != version:
        raise StaleObject(STALE)
    return claim


def authorise(actor: User, claim: Claim) -> None:
    if not covers(actor, claim):
        raise PermissionDenied(N_("This claim is outside your jurisdiction."))


def fire(
    claim: Claim,
    action: Action,
    actor: User,
    *,
    version: int | None = None,
    reason: str | None = None,
    changes: dict[str, Any] | None = None,
) -> workflow.Transition:
    """Move ``claim`` by ``action``; the caller is inside ``unit_of_work`` and loaded the
    claim with ``lock_claim(claim_id, version)``."""
    if version is not None and claim.version != version:
        raise StaleObject(STALE)
    authorise(actor, claim)
    transition = workflow.check(claim.state, action, actor.roles)
    reason = (reason or "").strip() or None
    if Need.REASON in transition.needs and not reason:
        raise InvalidInput(N_("Give a reason."), field="reason")
    before = claim.state
    target = transition.target or claim.return_state
    now = clock.now()
    claim.state = target
    claim.state_changed_at = now
    if target != State.MORE_EVIDENCE_REQUESTED:
        claim.return_state = None
    if action in {Action.APPEAL_TO_VERIFICATION, Action.APPEAL_TO_ASSESSMENT}:
        claim.reopened_at = now
    claim.due_at = workflow.due_at(
        target,
        reported_at=claim.reported_at,
        changed_at=now,
        deadlines=deadlines(),
        evidence_due_at=claim.evidence_due_at,
        reopened_at=claim.reopened_at,
    )
    flag_modified(claim, "state")  # bump the version even when the state is unchanged
    if target != before:
        notify.claim_moved(claim, target, changes)
    audit.record(
        actor_id=actor.id,
        object_type="claim",
        object_id=claim.id,
        action=action.value,
        from_state=before.value,
        to_state=target.value,
        reason=reason,
        changes=changes,
    )
    if target != before:
        events.claim_moved.send(claim, actor=actor, before=before, after=target,
                                reason=reason)
    return transition


def _do(claim_id: int, action: Action, actor: User, version: int | None,
        reason: str | None = None, changes: dict[str, Any] | None = None) -> Claim:
    with unit_of_work():
        claim = lock_claim(claim_id, version)
        fire(claim, action, actor, reason=reason, changes=changes)
    return claim


# --- screening ------------------------------------------------------------------------
def screen(claim_id: int, actor: User, version: int | None, note: str | None = None) -> Claim:
    from conflict_app.claims.village_link import require_listed_village

    with unit_of_work():
        claim = lock_claim(claim_id, version)
        require_listed_village(claim)
        fire(claim, Action.SCREEN, actor, reason=note)
    return claim


def declare_ineligible(claim_id: int, actor: User, version: int | None, reason: str) -> Claim:
    with unit_of_work():
        claim = lock_claim(claim_id, version)
        fire(claim, Action.DECLARE_INELIGIBLE, actor, reason=reason)
        claim.decided_at = clock.now()
        claim.decision_reason = reason.strip()
    return claim


def request_evidence(claim_id: int, actor: User, version: int | None, reason: str,
                     deadline: date | None) -> Claim:
    with unit_of_work():
        claim = lock_claim(claim_id, version)
        if deadline is None:
            raise InvalidInput(N_("Give the deadline for the evidence."), field="deadline")
        where = timezones.zone_of(claim)
        if deadline <= timezones.today_in(where):
            raise InvalidInput(N_("The deadline must be after today."), field="deadline")
        claim.return_state = claim.state
        claim.evidence_due_at = timezones.start_of(deadline, where, time(23, 59))
        fire(claim, Action.REQUEST_EVIDENCE, actor, reason=reason,
             changes={"deadline": deadline})
    return claim


def receive_evidence(claim_id: int, actor: User, version: int | None,
                     note: str | None = None) -> Claim:
    with unit_of_work():
        claim = lock_claim(claim_id, version)
        fire(claim, Action.RECEIVE_EVIDENCE, actor, reason=note)
        claim.evidence_due_at = None
    return claim


# --- verification scheduling ------------------------------------------------------------
def _verifier_for(claim: Claim, verifier_id: int | None) -> User:
    verifier = db.session.get(User, verifier_id) if verifier_id else None
    if (
        verifier is None
        or not verifier.active
        or not verifier.has_role(Role.VERIFIER)
        or not covers(verifier, claim)
    ):
        raise InvalidInput(N_("Choose a verifier who works in this claim's area."),
                           field="verifier_id")
    return verifier


def assign_verifier(claim_id: int, actor: User, version: int | None, verifier_id: int | None,
                    note: str | None = None, *, appeal: bool = False) -> Claim:
    action = Action.APPEAL_TO_VERIFICATION if appeal else Action.ASSIGN_VERIFIER
    with unit_of_work():
        claim = lock_claim(claim_id, version)
        verifier = _verifier_for(claim, verifier_id)
        claim.verifier_id = verifier.id
        fire(claim, action, actor, reason=note,
             changes={"verifier": verifier.name})
    return claim


# --- assessment and decision ----------------------------------------------------------
def latest_report(claim_id: int):  # noqa: ANN201 - VerificationReport | None
    from conflict_app.verification.models import VerificationReport

    return db.session.scalars(
        select(VerificationReport)
        .where(VerificationReport.claim_id == claim_id)
        .order_by(VerificationReport.id.desc())
        .limit(1)
    ).first()


def latest_assessments(claim_ids: list[int]) -> dict[int, Assessment]:
    """The latest assessment of each claim, with its lines: two queries for a whole page."""
    if not claim_ids:
        return {}
    latest = (select(func.max(Assessment.id)).where(Assessment.claim_id.in_(claim_ids))
              .group_by(Assessment.claim_id))
    return {a.claim_id: a for a in db.session.scalars(
        select(Assessment).where(Assessment.id.in_(latest))
        .options(selectinload(Assessment.lines)))}


def latest_assessment(claim_id: int) -> Assessment | None:
    return db.session.scalars(
        select(Assessment).where(Assessment.claim_id == claim_id)
        .order_by(Assessment.id.desc()).limit(1)
    ).first()


def assess(claim_id: int, actor: User, version: int | None) -> Assessment:
    """Value the verified losses under the claim's scheme and store the itemised,
    explained assessment with the rule version that produced it."""
    with unit_of_work():
        claim = lock_claim(claim_id, version)
        report = latest_report(claim.id)
        if report is None:
            raise InvalidInput(N_("The claim has no verification report yet."))
        result, rule_version = engine.value(claim, report)
        assessment = Assessment(
            claim_id=claim.id,
            rule=result.rule,
            rule_version_id=rule_version.id if rule_version else None,
            predator=report.predator.value,
            confidence=report.confidence.value,
            total=result.total.amount,
            currency=result.currency,
            interim=result.interim.amount if result.interim else None,
            steps=[step.as_json() for step in result.steps],
            created_by_id=actor.id,
            lines=[
                AssessmentLine(
                    loss_line_id=line.line_id,
                    species=line.species,
                    age_class=line.age_class,
                    kind=line.kind,
                    heads=line.heads,
                    unit_value=line.unit_value.amount,
                    share=line.share.quantize(Decimal("0.0001")),
                    rate=line.rate.quantize(Decimal("0.0001")),
                    amount=line.amount.amount,
                    note=line.note,
                )
                for line in result.lines
            ],
        )
        db.session.add(assessment)
        fire(claim, Action.ASSESS, actor,
             changes={"total": result.total.amount, "currency": result.currency,
                      "rule": result.rule})
    return assessment


def not_the_verifier(actor: User, claim: Claim) -> None:
    """Four eyes: whoever visited the claim, on any visit (a re-verification on appeal or
    after a send-back included), may not decide it."""
    from conflict_app.verification.models import VerificationReport

    visited = db.session.scalar(select(VerificationReport.id).where(
        VerificationReport.claim_id == claim.id,
        VerificationReport.verifier_id == actor.id).limit(1))
    if actor.id == claim.verifier_id or visited is not None:
        raise PermissionDenied(N_("The verifier of a claim may not decide it."))


def approve(claim_id: int, actor: User, version: int | None, note: str | None = None) -> Claim:
    """Approve; above the threshold the first approval waits for a second approver."""
    with unit_of_work():
        claim = lock_claim(claim_id, version)
        authorise(actor, claim)
        workflow.check(claim.state, Action.APPROVE, actor.roles)
        not_the_verifier(actor, claim)
        assessment = latest_assessment(claim.id)
        if assessment is None:
            raise InvalidInput(N_("The claim has not been assessed."))
        if assessment.total <= 0:
            raise InvalidInput(N_("The assessed amount is zero: reject the claim with a "
                                  "reason instead."))
        scheme = claim.scheme
        if scheme is not None:
            scheme = scheme_ops.lock_scheme(scheme.id)  # serialises approvals against budget
            if scheme.closed:
                raise scheme_ops.closed_error(scheme)
        approvers = {a.approver_id for a in claim.approvals if a.assessment_id == assessment.id}
        if actor.id in approvers:
            raise PermissionDenied(N_("You have already approved this claim; a different "
                                      "approver must give the second approval."))
        needed = 2 if assessment.total > second_approval_threshold(claim.currency) else 1
        claim.approvals.append(Approval(assessment_id=assessment.id, approver_id=actor.id,
                                        approved_at=clock.now()))
        if len(approvers) + 1 < needed:
            flag_modified(claim, "state")
            audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                         action="first_approval", from_state=claim.state.value,
                         to_state=claim.state.value, reason=(note or "").strip() or None,
                         changes={"amount": assessment.total, "approvals": 1,
                                  "needed": needed})
            return claim
        if claim.paid_at is not None:
            # Re-decided on appeal after payment: only a higher amount is paid, as a top-up.
            due = scheme_ops.still_due(claim, assessment.total)
            if due.amount <= 0:
                raise InvalidInput(
                    N_("The new amount (%(amount)s) is not more than was already paid: "
                       "dismiss the appeal instead, the payment stands."),
                    amount=str(assessment.total_money))
        hold = review = False
        if scheme is not None:
            # An insurance pays from its pool, pro rata when short, not from a budget.
            if scheme.kind is not SchemeKind.INSURANCE:
                hold = not scheme_ops.check_budget(
                    scheme, scheme_ops.still_due(claim, assessment.total))
            review = scheme_ops.sampled_for_review(scheme, assessment.total)
        # The amount before the move: the reactions to it read the claim (and the database
        # refuses an approved claim without its amount).
        claim.amount_approved = assessment.total
        fire(claim, Action.APPROVE, actor, reason=note,
             changes={"amount": assessment.total, "currency": assessment.currency,
                      "approvals": len(approvers) + 1, "budget_hold": hold,
                      "second_review": review})
        claim.budget_hold = hold
        claim.review_required = review
        claim.decided_at = clock.now()
        claim.decision_reason = None
    return claim


def second_review(claim_id: int, actor: User, version: int | None,
                  note: str | None = None) -> Claim:
    """Audit sampling: someone other than the approvers and the verifier confirms the
    approved amount before it can be paid."""
    with unit_of_work():
        claim = lock_claim(claim_id, version)
        authorise(actor, claim)
        if not actor.has_role(Role.APPROVER, Role.SUPERVISOR):
            raise PermissionDenied(N_("Your role may not do this."))
        if not claim.review_required or claim.reviewed_at is not None:
            raise InvalidInput(N_("This claim does not wait for a second review."))
        if any(a.approver_id == actor.id for a in claim.approvals):
            raise PermissionDenied(N_("You approved this claim; someone else must review "
                                      "it."))
        not_the_verifier(actor, claim)
        claim.reviewed_by_id = actor.id
        claim.reviewed_at = clock.now()
        audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                     action="second_review", reason=(note or "").strip() or None,
                     changes={"amount": claim.amount_approved})
    return claim


PAID_ALREADY = N_("This claim was paid already: dismiss the appeal instead, the payment "
                  "stands.")


def reject(claim_id: int, actor: User, version: int | None, reason: str) -> Claim:
    with unit_of_work():
        claim = lock_claim(claim_id, version)
        authorise(actor, claim)
        not_the_verifier(actor, claim)
        if claim.paid_at is not None:
            raise InvalidInput(PAID_ALREADY)
        fire(claim, Action.REJECT, actor, reason=reason)
        claim.decided_at = clock.now()
        claim.decision_reason = reason.strip()
    return claim


def send_back(claim_id: int, actor: User, version: int | None, reason: str) -> Claim:
    return _do(claim_id, Action.SEND_BACK, actor, version, reason)


# --- flags and PINs --------------------------------------------------------------------
def clear_flag(actor: User, flag: DuplicateFlag, claim: Claim) -> None:
    with unit_of_work():
        authorise(actor, claim)
        if not actor.has_role(Role.CLERK, Role.SUPERVISOR):
            raise PermissionDenied(N_("Your role may not do this."))
        flag.cleared_by_id = actor.id
        audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                     action="clear_flag", changes={"flag": flag.kind, "detail": flag.detail})


def reissue_pin(claim_id: int, actor: User) -> str:
    """A herder lost the PIN: issue a new one; the old one stops working."""
    with unit_of_work():
        claim = lock_claim(claim_id)
        authorise(actor, claim)
        if not actor.has_role(Role.CLERK, Role.SUPERVISOR):
            raise PermissionDenied(N_("Your role may not do this."))
        pin = pins.new_pin()
        claim.pin_hash = pins.hash_pin(pin)
        audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                     action="reissue_pin", from_state=claim.state.value,
                     to_state=claim.state.value)
    return pin


# --- closing ----------------------------------------------------------------------------
def withdraw(claim_id: int, actor: User, version: int | None, reason: str) -> Claim:
    return _do(claim_id, Action.WITHDRAW, actor, version, reason)


def close(claim_id: int, actor: User, version: int | None) -> Claim:
    return _do(claim_id, Action.CLOSE, actor, version)


def mark_duplicate(claim_id: int, actor: User, version: int | None, reason: str,
                   original_reference: str) -> Claim:
    with unit_of_work():
        claim = lock_claim(claim_id, version)
        original = db.session.scalars(
            select(Claim).where(Claim.reference == (original_reference or "").strip().upper())
        ).first()
        if original is None or not covers(actor, original):
            raise InvalidInput(N_("No claim with this reference in your area."),
                               field="original_reference")
        if original.id == claim.id:
            raise InvalidInput(N_("A claim cannot duplicate itself."),
                               field="original_reference")
        if original.state == State.DUPLICATE:
            raise InvalidInput(N_("That claim is itself a duplicate; choose the original."),
                               field="original_reference")
        claim.duplicate_of_id = original.id
        fire(claim, Action.MARK_DUPLICATE, actor, reason=reason,
             changes={"duplicate_of": original.reference})
    return claim
