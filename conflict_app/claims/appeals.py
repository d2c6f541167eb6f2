"""Appeals: a herder contests a decision within the appeal period; the claim is re-verified,
re-assessed or the appeal is dismissed. A paid claim keeps its payment: an appeal can only add
a top-up to it, or end with the payment upheld."""

from __future__ import annotations

from datetime import datetime

from conflict_app.auth.models import User
from conflict_app.claims import operations
from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import Action, State
from conflict_app.core import clock
from conflict_app.core.errors import N_, InvalidInput
from conflict_app.core.transaction import unit_of_work

APPEALABLE = frozenset({State.REJECTED, State.INELIGIBLE, State.APPROVED, State.PAID})


def appeal(claim_id: int, actor: User, version: int | None, reason: str) -> Claim:
    with unit_of_work():
        claim = operations.lock_claim(claim_id, version)
        if claim.decided_at is not None and claim.state in APPEALABLE:
            limit = claim.decided_at + operations.deadlines().appeal
            if clock.now() > limit:
                raise InvalidInput(
                    N_("The appeal period ended on %(date)s."),
                    date=limit.date().isoformat(),
                )
        appealed_amount = claim.amount_approved if claim.state == State.APPROVED else None
        changes = {"appealed_amount": appealed_amount} if appealed_amount else None
        if claim.state == State.PAID:
            # The payment stands; the appeal can only add a top-up to it.
            changes = {"amount": claim.amount_approved}
        operations.fire(claim, Action.APPEAL, actor, reason=reason, changes=changes)
        if appealed_amount is not None:
            # The approval no longer stands: nothing is committed until a new decision.
            claim.amount_approved = None
            claim.budget_hold = False
            claim.review_required = False
            claim.reviewed_by_id = None
            claim.reviewed_at = None
    return claim


def appeal_deadline(claim: Claim) -> datetime | None:
    if claim.state in APPEALABLE and claim.decided_at:
        return claim.decided_at + operations.deadlines().appeal
    return None


def appeal_to_assessment(claim_id: int, actor: User, version: int | None,
                         note: str | None = None) -> Claim:
    with unit_of_work():
        claim = operations.lock_claim(claim_id, version)
        if operations.latest_report(claim.id) is None:
            raise InvalidInput(N_("This claim was never verified: send it to verification "
                                  "instead."))
        operations.fire(claim, Action.APPEAL_TO_ASSESSMENT, actor, reason=note)
    return claim


def dismiss_appeal(claim_id: int, actor: User, version: int | None, reason: str) -> Claim:
    with unit_of_work():
        claim = operations.lock_claim(claim_id, version)
        if claim.paid_at is not None:
            _uphold(claim, actor, reason)
            return claim
        operations.fire(claim, Action.DISMISS_APPEAL, actor, reason=reason)
        claim.decided_at = clock.now()
        claim.decision_reason = reason.strip()
    return claim


def uphold_payment(claim_id: int, actor: User, version: int | None, reason: str) -> Claim:
    """End an appeal against a paid claim with the payment as it was (no rejection)."""
    with unit_of_work():
        claim = operations.lock_claim(claim_id, version)
        _uphold(claim, actor, reason)
    return claim


def _uphold(claim: Claim, actor: User, reason: str) -> None:
    if claim.paid_at is None:
        raise InvalidInput(N_("This claim was never paid: dismiss or decide the appeal."))
    operations.authorise(actor, claim)
    operations.not_the_verifier(actor, claim)
    operations.fire(claim, Action.UPHOLD_PAYMENT, actor, reason=reason,
                    changes={"amount": claim.amount_approved})
    claim.decided_at = clock.now()
    claim.decision_reason = reason.strip()
