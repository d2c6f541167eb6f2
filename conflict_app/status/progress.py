"""The plain steps a herder sees for a claim, with dates, from the claim's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select

from conflict_app.claims.appeals import appeal_deadline
from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import HERDER_STEP, HerderStep, State
from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db

ORDER = list(HerderStep)


@dataclass
class Step:
    step: HerderStep
    reached_at: datetime | None
    current: bool
    done: bool


@dataclass
class Progress:
    steps: list[Step]
    current: HerderStep
    state: State
    due_at: datetime | None
    amount: object | None  # Money once decided
    decided_at: datetime | None
    appeal_until: datetime | None
    paid_at: datetime | None


@cache
def _history():  # noqa: ANN202
    """The claim's states and their times. Built once: on the herders' status page building
    a statement cost more CPU than running it."""
    return (select(AuditEntry.to_state, AuditEntry.occurred_at)
            .where(AuditEntry.object_type == "claim",
                   AuditEntry.object_id == bindparam("claim_id"),
                   AuditEntry.to_state.is_not(None))
            .order_by(AuditEntry.id))


def progress(claim: Claim) -> Progress:
    from conflict_app.core.money import Money

    reached: dict[HerderStep, datetime] = {}
    # Only the states and their times: the entries' actors are not shown here.
    for to_state, occurred_at in db.session.execute(_history(), {"claim_id": claim.id}):
        reached.setdefault(HERDER_STEP[State(to_state)], occurred_at)
    current = HERDER_STEP[claim.state]
    position = ORDER.index(current)
    steps = [
        Step(step, reached.get(step) if i <= position else None, step == current,
             i < position or (step == HerderStep.DONE and current == HerderStep.DONE))
        for i, step in enumerate(ORDER)
    ]
    # The payment's reference is among the claim's figures (status/figures.py), read there.
    amount = (Money(claim.amount_approved, claim.currency)
              if claim.amount_approved is not None else None)
    return Progress(
        steps=steps, current=current, state=claim.state,
        due_at=claim.due_at if claim.state not in {State.REJECTED, State.INELIGIBLE} else None,
        amount=amount, decided_at=claim.decided_at,
        appeal_until=appeal_deadline(claim),
        paid_at=claim.paid_at,
    )
