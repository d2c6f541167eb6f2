"""What approving or rejecting a claim will do, shown before the approver confirms.

The preview changes nothing. It applies the same refusals the decision itself would (role,
jurisdiction, four eyes, state, a missing reason), so that an approver is never asked to
confirm a step that cannot happen; the decision re-checks everything when confirmed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.claims import operations, workflow
from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import Action
from conflict_app.core import clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied, StaleObject
from conflict_app.core.money import Money
from conflict_app.extensions import db

CONFIRM_FIRST = frozenset({Action.APPROVE, Action.REJECT})


@dataclass(frozen=True)
class Preview:
    action: Action
    amount: Money | None  # the assessed amount an approval commits
    approvals_given: int
    approvals_needed: int
    waits_for_budget: bool  # the scheme's remaining budget does not cover it (queued)
    interim_pending: Money | None  # cancelled by a rejection
    interim_paid: Money | None  # owed back after a rejection
    appeal_until: datetime | None  # a rejection: the herder may appeal until then

    @property
    def last_approval(self) -> bool:
        return self.approvals_given + 1 >= self.approvals_needed


def preview(claim: Claim, actor: User, action: Action, version: int | None,
            reason: str | None) -> Preview:
    if action not in CONFIRM_FIRST:
        raise ValueError(action)
    if version is not None and claim.version != version:
        raise StaleObject(operations.STALE)
    operations.authorise(actor, claim)  # the same checks as the decision
    transition = workflow.check(claim.state, action, actor.roles)
    operations.not_the_verifier(actor, claim)
    if workflow.Need.REASON in transition.needs and not (reason or "").strip():
        raise InvalidInput(N_("Give a reason."), field="reason")
    if action is Action.REJECT:
        if claim.paid_at is not None:
            raise InvalidInput(operations.PAID_ALREADY)
        pending, paid = _interim(claim)
        return Preview(action, None, 0, 0, False, pending, paid,
                       clock.now() + operations.deadlines().appeal)
    return _approval(claim, actor)


def _approval(claim: Claim, actor: User) -> Preview:
    from conflict_app.schemes import operations as scheme_ops
    from conflict_app.schemes.params import SchemeKind

    assessment = operations.latest_assessment(claim.id)
    if assessment is None:
        raise InvalidInput(N_("The claim has not been assessed."))
    if assessment.total <= 0:
        raise InvalidInput(N_("The assessed amount is zero: reject the claim with a reason "
                              "instead."))
    approvers = {a.approver_id for a in claim.approvals if a.assessment_id == assessment.id}
    if actor.id in approvers:
        raise PermissionDenied(N_("You have already approved this claim; a different "
                                  "approver must give the second approval."))
    needed = 2 if assessment.total > operations.second_approval_threshold(
        claim.currency) else 1
    if claim.paid_at is not None and len(approvers) + 1 >= needed and scheme_ops.still_due(
            claim, assessment.total).amount <= 0:
        raise InvalidInput(N_("The new amount (%(amount)s) is not more than was already "
                              "paid: dismiss the appeal instead, the payment stands."),
                           amount=str(assessment.total_money))
    waits = False
    scheme = claim.scheme
    if scheme is not None:
        if scheme.closed:
            raise scheme_ops.closed_error(scheme)
        if scheme.kind is not SchemeKind.INSURANCE and len(approvers) + 1 >= needed:
            due = scheme_ops.still_due(claim, assessment.total)
            remaining = scheme_ops.budget(scheme).remaining
            if due > remaining:
                if scheme.over_budget == "refuse":
                    scheme_ops.check_budget_of(scheme, due, remaining)  # raises its refusal
                waits = True
    return Preview(Action.APPROVE, assessment.total_money, len(approvers), needed, waits,
                   None, None, None)


def _interim(claim: Claim) -> tuple[Money | None, Money | None]:
    from conflict_app.payments.models import ItemState, PaymentItem

    rows = db.session.execute(select(PaymentItem.state, PaymentItem.amount).where(
        PaymentItem.claim_id == claim.id, PaymentItem.part == "interim",
        PaymentItem.state.in_((ItemState.PENDING, ItemState.PAID)))).all()
    pending = sum((a for s, a in rows if s == ItemState.PENDING), Decimal(0))
    paid = sum((a for s, a in rows if s == ItemState.PAID), Decimal(0))
    return (Money(pending, claim.currency) if pending else None,
            Money(paid, claim.currency) if paid else None)


def assessment_preview(claim: Claim, actor: User, version: int | None):  # noqa: ANN201
    """The valuation Assess would store (lines, steps, total), computed and shown before it
    is saved; the same refusals as the assessment itself. Nothing is written."""
    from conflict_app.schemes import engine

    if version is not None and claim.version != version:
        raise StaleObject(operations.STALE)
    operations.authorise(actor, claim)
    workflow.check(claim.state, Action.ASSESS, actor.roles)
    report = operations.latest_report(claim.id)
    if report is None:
        raise InvalidInput(N_("The claim has no verification report yet."))
    result, rule_version = engine.value(claim, report)
    return result, rule_version
