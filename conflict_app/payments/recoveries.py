"""Interim payments owed back: list them, and record the money returned or waived."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select

from conflict_app.auth.models import User
from conflict_app.claims import operations as claim_ops
from conflict_app.claims.models import Claim
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, IllegalTransition, InvalidInput, PermissionDenied
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.payments.models import PaymentRecovery, RecoveryState

OUTCOMES = (RecoveryState.RECOVERED, RecoveryState.WAIVED)


def recoveries_of(claim_id: int) -> list[PaymentRecovery]:
    return list(db.session.scalars(select(PaymentRecovery).where(
        PaymentRecovery.claim_id == claim_id).order_by(PaymentRecovery.id)))


def totals(scheme_ids: Iterable[int]) -> dict[int, dict[RecoveryState, Decimal]]:
    """Sum of recoveries of each scheme's claims by state, in one query for them all."""
    rows = db.session.execute(
        select(Claim.scheme_id, PaymentRecovery.state,
               func.coalesce(func.sum(PaymentRecovery.amount), 0))
        .join(Claim, Claim.id == PaymentRecovery.claim_id)
        .where(Claim.scheme_id.in_(list(scheme_ids)))
        .group_by(Claim.scheme_id, PaymentRecovery.state)).all()
    found: dict[int, dict[RecoveryState, Decimal]] = {}
    for scheme_id, state, total in rows:
        found.setdefault(scheme_id, {})[state] = Decimal(total)
    return found


def settle(actor: User, recovery_id: int, outcome: str, note: str) -> PaymentRecovery:
    """Finance records that the interim came back, or that the scheme waives it."""
    if not actor.has_role(Role.FINANCE):
        raise PermissionDenied(N_("Your role may not do this."))
    note = (note or "").strip()
    if outcome not in {o.value for o in OUTCOMES}:
        raise InvalidInput(N_("Choose whether the money came back or is waived."),
                           field="outcome")
    if not note or len(note) > 500:
        raise InvalidInput(N_("Give a note: the receipt, or why the scheme waives it."),
                           field="note")
    with unit_of_work():
        recovery = db.session.scalars(
            select(PaymentRecovery).where(PaymentRecovery.id == recovery_id)
            .with_for_update(of=PaymentRecovery).execution_options(populate_existing=True)
        ).first()
        if recovery is None:
            raise InvalidInput(N_("This recovery does not exist."))
        claim = claim_ops.lock_claim(recovery.claim_id)
        if not covers(actor, claim):
            raise PermissionDenied(N_("This claim is outside your jurisdiction."))
        if recovery.state != RecoveryState.OPEN:
            raise IllegalTransition(N_("This recovery was already recorded."))
        recovery.state = RecoveryState(outcome)
        recovery.settled_at = clock.now()
        recovery.settled_by_id = actor.id
        recovery.note = note
        audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                     action=f"interim_{outcome}", reason=note,
                     changes={"amount": recovery.amount, "currency": recovery.currency})
    return recovery
