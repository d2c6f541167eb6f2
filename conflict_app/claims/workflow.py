"""The claim lifecycle as data: states, actions, who may fire them and what they need.

Pure rules: no Flask, no database. ``claims.operations`` is the only caller that changes a
claim, through ``check`` below, so an action that is not in ``TRANSITIONS`` cannot happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from conflict_app.core.errors import N_, IllegalTransition, PermissionDenied
from conflict_app.core.permissions import Role


class State(StrEnum):
    REPORTED = "reported"
    SCREENED = "screened"
    MORE_EVIDENCE_REQUESTED = "more_evidence_requested"
    INELIGIBLE = "ineligible"
    VERIFICATION_SCHEDULED = "verification_scheduled"
    VERIFIED = "verified"
    ASSESSED = "assessed"
    APPROVED = "approved"
    PAYMENT_SCHEDULED = "payment_scheduled"
    PAID = "paid"
    CLOSED = "closed"
    REJECTED = "rejected"
    APPEALED = "appealed"
    WITHDRAWN = "withdrawn"
    DUPLICATE = "duplicate"


class Action(StrEnum):
    SCREEN = "screen"
    DECLARE_INELIGIBLE = "declare_ineligible"
    REQUEST_EVIDENCE = "request_evidence"
    RECEIVE_EVIDENCE = "receive_evidence"
    ASSIGN_VERIFIER = "assign_verifier"
    FILE_VERIFICATION = "file_verification"
    ASSESS = "assess"
    APPROVE = "approve"
    SEND_BACK = "send_back"
    REJECT = "reject"
    APPEAL = "appeal"
    APPEAL_TO_VERIFICATION = "appeal_to_verification"
    APPEAL_TO_ASSESSMENT = "appeal_to_assessment"
    DISMISS_APPEAL = "dismiss_appeal"
    UPHOLD_PAYMENT = "uphold_payment"
    SCHEDULE_PAYMENT = "schedule_payment"
    PAYMENT_FAILED = "payment_failed"
    RECORD_PAYMENT = "record_payment"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    MARK_DUPLICATE = "mark_duplicate"


class Need(StrEnum):
    """What an action requires besides the actor; operations validate each."""

    REASON = "reason"
    DEADLINE = "deadline"
    VERIFIER = "verifier"
    REPORT = "report"
    ASSESSMENT = "assessment"
    DUPLICATE_OF = "duplicate_of"
    PAYMENT_REFERENCE = "payment_reference"


S = State
OPEN = frozenset(
    {S.REPORTED, S.SCREENED, S.MORE_EVIDENCE_REQUESTED, S.VERIFICATION_SCHEDULED, S.VERIFIED,
     S.ASSESSED, S.APPROVED, S.APPEALED}
)
FINAL = frozenset({S.CLOSED, S.WITHDRAWN, S.DUPLICATE})
# Decided for payment (paid and closed ones included): these carry an approved amount.
DECIDED = frozenset({S.APPROVED, S.PAYMENT_SCHEDULED, S.PAID, S.CLOSED})


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[State]
    # None: the claim returns to the state it was in before (more evidence requested).
    target: State | None
    roles: frozenset[Role]
    needs: frozenset[Need] = frozenset()


def _t(action, sources, target, roles, needs=()):  # noqa: ANN001, ANN202 - table helper
    return Transition(action, frozenset(sources), target, frozenset(roles), frozenset(needs))


R = Role
TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        _t(Action.SCREEN, {S.REPORTED}, S.SCREENED, {R.CLERK, R.SUPERVISOR}),
        _t(Action.DECLARE_INELIGIBLE, {S.REPORTED, S.SCREENED}, S.INELIGIBLE,
           {R.CLERK, R.SUPERVISOR}, {Need.REASON}),
        _t(Action.REQUEST_EVIDENCE, {S.REPORTED, S.SCREENED, S.VERIFIED, S.ASSESSED},
           S.MORE_EVIDENCE_REQUESTED, {R.CLERK, R.SUPERVISOR, R.APPROVER},
           {Need.REASON, Need.DEADLINE}),
        _t(Action.RECEIVE_EVIDENCE, {S.MORE_EVIDENCE_REQUESTED}, None, {R.CLERK, R.SUPERVISOR}),
        _t(Action.ASSIGN_VERIFIER, {S.SCREENED, S.VERIFICATION_SCHEDULED},
           S.VERIFICATION_SCHEDULED, {R.SUPERVISOR}, {Need.VERIFIER}),
        _t(Action.FILE_VERIFICATION, {S.VERIFICATION_SCHEDULED}, S.VERIFIED, {R.VERIFIER},
           {Need.REPORT}),
        _t(Action.ASSESS, {S.VERIFIED, S.ASSESSED}, S.ASSESSED, {R.CLERK, R.SUPERVISOR},
           {Need.ASSESSMENT}),
        _t(Action.APPROVE, {S.ASSESSED}, S.APPROVED, {R.APPROVER}),
        _t(Action.SEND_BACK, {S.ASSESSED}, S.VERIFICATION_SCHEDULED, {R.APPROVER},
           {Need.REASON}),
        _t(Action.REJECT, {S.SCREENED, S.VERIFIED, S.ASSESSED}, S.REJECTED, {R.APPROVER},
           {Need.REASON}),
        # An approved amount can be appealed too, before or after it is paid (within the
        # appeal period): a higher amount on appeal is paid as a top-up.
        _t(Action.APPEAL, {S.REJECTED, S.INELIGIBLE, S.APPROVED, S.PAID}, S.APPEALED,
           {R.CLERK}, {Need.REASON}),
        _t(Action.APPEAL_TO_VERIFICATION, {S.APPEALED}, S.VERIFICATION_SCHEDULED,
           {R.SUPERVISOR}, {Need.VERIFIER}),
        _t(Action.APPEAL_TO_ASSESSMENT, {S.APPEALED}, S.VERIFIED, {R.SUPERVISOR, R.APPROVER},
           {Need.REPORT}),
        _t(Action.DISMISS_APPEAL, {S.APPEALED}, S.REJECTED, {R.APPROVER}, {Need.REASON}),
        # An appeal against a claim already paid ends with the payment standing, never in a
        # rejection of money paid out.
        _t(Action.UPHOLD_PAYMENT, {S.APPEALED, S.VERIFIED, S.ASSESSED}, S.PAID, {R.APPROVER},
           {Need.REASON}),
        _t(Action.SCHEDULE_PAYMENT, {S.APPROVED}, S.PAYMENT_SCHEDULED, {R.FINANCE}),
        _t(Action.PAYMENT_FAILED, {S.PAYMENT_SCHEDULED}, S.APPROVED, {R.FINANCE},
           {Need.REASON}),
        _t(Action.RECORD_PAYMENT, {S.PAYMENT_SCHEDULED}, S.PAID, {R.FINANCE},
           {Need.PAYMENT_REFERENCE}),
        _t(Action.CLOSE, {S.PAID}, S.CLOSED, {R.CLERK, R.FINANCE}),
        _t(Action.WITHDRAW, OPEN, S.WITHDRAWN, {R.CLERK, R.SUPERVISOR}, {Need.REASON}),
        _t(Action.MARK_DUPLICATE, OPEN, S.DUPLICATE, {R.CLERK, R.SUPERVISOR},
           {Need.REASON, Need.DUPLICATE_OF}),
    )
}


def check(state: State, action: Action, roles: frozenset[Role]) -> Transition:
    """Return the transition for ``action`` from ``state`` or refuse it."""
    transition = TRANSITIONS[action]
    if state not in transition.sources:
        raise IllegalTransition(
            N_("This action is not possible while the claim is %(state)s."), state=state.value
        )
    if not roles.intersection(transition.roles):
        raise PermissionDenied(N_("Your role may not do this."))
    return transition


def available(state: State, roles: frozenset[Role]) -> list[Action]:
    """Actions the given roles could fire from ``state`` (guards are checked later)."""
    return [
        t.action for t in TRANSITIONS.values() if state in t.sources and roles & t.roles
    ]


# Work queues: which states wait for which role. Verifiers see only their own visits.
QUEUES: dict[Role, frozenset[State]] = {
    R.CLERK: frozenset({S.REPORTED, S.MORE_EVIDENCE_REQUESTED, S.VERIFIED, S.PAID}),
    R.SUPERVISOR: frozenset({S.SCREENED, S.APPEALED}),
    R.VERIFIER: frozenset({S.VERIFICATION_SCHEDULED}),
    R.APPROVER: frozenset({S.ASSESSED, S.APPEALED}),
    R.FINANCE: frozenset({S.APPROVED, S.PAYMENT_SCHEDULED}),
}


@dataclass(frozen=True)
class Deadlines:
    screening: timedelta
    verification: timedelta
    decision: timedelta
    appeal: timedelta
    closing: timedelta = timedelta(days=7)


def due_at(
    state: State,
    *,
    reported_at: datetime,
    changed_at: datetime,
    deadlines: Deadlines,
    evidence_due_at: datetime | None = None,
    reopened_at: datetime | None = None,
) -> datetime | None:
    """When the claim's current step is due; ``None`` when nobody has to act.

    An appeal sent back to verification or assessment (``reopened_at``) starts the clock
    again from then: the new visit and decision get the same time as the first ones.
    """
    if reopened_at is not None and reopened_at > reported_at:
        reported_at = reopened_at
    if state == S.REPORTED:
        return reported_at + deadlines.screening
    if state in {S.SCREENED, S.VERIFICATION_SCHEDULED}:
        return reported_at + deadlines.verification
    if state == S.MORE_EVIDENCE_REQUESTED:
        return evidence_due_at
    if state in {S.VERIFIED, S.ASSESSED, S.APPROVED, S.PAYMENT_SCHEDULED}:
        return reported_at + deadlines.decision
    if state == S.APPEALED:
        return changed_at + deadlines.decision
    if state == S.PAID:
        return changed_at + deadlines.closing
    return None


class HerderStep(StrEnum):
    """The plain steps a herder sees (PRODUCT.md §2)."""

    RECEIVED = "received"
    BEING_CHECKED = "being_checked"
    FIELD_VISIT = "field_visit"
    DECISION = "decision"
    PAYMENT = "payment"
    DONE = "done"


HERDER_STEP: dict[State, HerderStep] = {
    S.REPORTED: HerderStep.RECEIVED,
    S.SCREENED: HerderStep.BEING_CHECKED,
    S.MORE_EVIDENCE_REQUESTED: HerderStep.BEING_CHECKED,
    S.VERIFICATION_SCHEDULED: HerderStep.FIELD_VISIT,
    S.VERIFIED: HerderStep.DECISION,
    S.ASSESSED: HerderStep.DECISION,
    S.APPEALED: HerderStep.DECISION,
    S.INELIGIBLE: HerderStep.DECISION,
    S.REJECTED: HerderStep.DECISION,
    S.APPROVED: HerderStep.PAYMENT,
    S.PAYMENT_SCHEDULED: HerderStep.PAYMENT,
    S.PAID: HerderStep.DONE,
    S.CLOSED: HerderStep.DONE,
    S.WITHDRAWN: HerderStep.DONE,
    S.DUPLICATE: HerderStep.DONE,
}
