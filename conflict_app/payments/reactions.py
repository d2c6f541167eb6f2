"""Payments reacting to claims: when a claim ends without being paid, its interim payment
items are cancelled in the same transaction, and one already paid is owed back.

Connected to ``claims.events.claim_moved`` by ``connect()`` when the app is built.
"""

from __future__ import annotations

from sqlalchemy import select

from conflict_app.claims.events import claim_moved
from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import State
from conflict_app.core import audit, clock
from conflict_app.extensions import db
from conflict_app.payments.models import ItemState, PaymentItem, PaymentRecovery, RecoveryState

# A claim in one of these states will not be paid (an appeal may reopen it).
ENDED = frozenset({State.REJECTED, State.INELIGIBLE, State.WITHDRAWN, State.DUPLICATE})


def on_claim_moved(claim: Claim, *, actor, before: State, after: State,  # noqa: ANN001
                   reason: str | None = None) -> None:
    if after in ENDED:
        _cancel_interim(claim, actor, after, reason)
    elif after == State.APPROVED:
        _offset_recoveries(claim, actor)


def _cancel_interim(claim: Claim, actor, after: State,  # noqa: ANN001
                    reason: str | None) -> None:
    items = db.session.scalars(
        select(PaymentItem).where(PaymentItem.claim_id == claim.id,
                                  PaymentItem.part == "interim",
                                  PaymentItem.state.in_((ItemState.PENDING, ItemState.PAID)))
        .with_for_update(of=PaymentItem)).all()
    for item in items:
        if item.state == ItemState.PENDING:
            item.state = ItemState.REMOVED
            item.failure_reason = reason
            item.recorded_by_id = actor.id
            item.recorded_at = clock.now()
            audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                         action="cancel_interim_payment", reason=reason,
                         changes={"amount": item.amount, "currency": item.currency,
                                  "batch": item.batch.reference})
            continue
        exists = db.session.scalar(select(PaymentRecovery.id).where(
            PaymentRecovery.payment_item_id == item.id))
        if exists is not None:
            recovery = db.session.get(PaymentRecovery, exists)
            if recovery.state != RecoveryState.OFFSET:
                continue
            recovery.state = RecoveryState.OPEN  # approved, appealed, now rejected again
            recovery.settled_at = recovery.settled_by_id = None
        else:
            recovery = PaymentRecovery(claim_id=claim.id, payment_item_id=item.id,
                                       amount=item.amount, currency=item.currency,
                                       state=RecoveryState.OPEN, created_at=clock.now())
            db.session.add(recovery)
        audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                     action="interim_recovery_due", to_state=after.value,
                     changes={"amount": item.amount, "currency": item.currency})


def _offset_recoveries(claim: Claim, actor) -> None:  # noqa: ANN001
    """Approved after an appeal: the interim already paid counts towards the approval."""
    for recovery in db.session.scalars(select(PaymentRecovery).where(
            PaymentRecovery.claim_id == claim.id,
            PaymentRecovery.state == RecoveryState.OPEN)):
        recovery.state = RecoveryState.OFFSET
        recovery.settled_at = clock.now()
        recovery.settled_by_id = actor.id
        audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                     action="interim_recovery_offset",
                     changes={"amount": recovery.amount, "currency": recovery.currency})


def connect() -> None:
    claim_moved.connect(on_claim_moved)
