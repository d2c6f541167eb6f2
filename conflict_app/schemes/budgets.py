"""What a scheme's budget has committed, disbursed and held back. Every sum is grouped by
scheme, so the scheme list reads the budgets of fifty schemes with the same few queries as
one scheme's page (schemes.operations.budget is the one-scheme case of ``budgets``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import State
from conflict_app.core.money import Money
from conflict_app.extensions import db
from conflict_app.payments.models import ItemState, PaymentItem, RecoveryState
from conflict_app.schemes.models import IncentivePayment, Scheme, SettlementItem

COMMITTED = (State.APPROVED, State.PAYMENT_SCHEDULED)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Budget:
    allocated: Money
    committed: Money  # approved, not yet paid
    disbursed: Money
    held: Money  # approvals queued beyond the budget
    # Interim payments of claims that ended unpaid, owed back (already in ``disbursed``).
    to_recover: Money | None = None

    @property
    def remaining(self) -> Money:
        return self.allocated - self.committed - self.disbursed


def budget(scheme: Scheme) -> Budget:
    return budgets([scheme])[scheme.id]


def budgets(schemes: Iterable[Scheme]) -> dict[int, Budget]:
    """Each scheme's budget by its id, in a fixed number of queries however many."""
    schemes = list(schemes)
    if not schemes:
        return {}
    ids = {s.id for s in schemes}
    payable = func.coalesce(SettlementItem.payable, Claim.amount_approved)
    approved = {(sid, hold): Decimal(total) for sid, hold, total in db.session.execute(
        select(Claim.scheme_id, Claim.budget_hold, func.coalesce(func.sum(payable), 0))
        .select_from(Claim).outerjoin(SettlementItem, SettlementItem.claim_id == Claim.id)
        .where(Claim.scheme_id.in_(ids), Claim.state.in_(COMMITTED))
        .group_by(Claim.scheme_id, Claim.budget_hold))}

    def items(amount, *where) -> dict[int, Decimal]:  # noqa: ANN001 - a SQL expression
        return {sid: Decimal(total) for sid, total in db.session.execute(
            select(Claim.scheme_id, func.coalesce(func.sum(amount), 0))
            .select_from(PaymentItem).join(Claim, PaymentItem.claim_id == Claim.id)
            .where(Claim.scheme_id.in_(ids), *where).group_by(Claim.scheme_id))}

    paid_claims = items(PaymentItem.amount, PaymentItem.state == ItemState.PAID)
    # A payment made before an appeal re-decided the claim is disbursed as well, so it
    # leaves the committed amount of its approved claim.
    paid_before = items(PaymentItem.amount - PaymentItem.interest,
                        PaymentItem.state == ItemState.PAID, Claim.state.in_(COMMITTED),
                        Claim.budget_hold.is_(False))
    # Interim payments: paid ones already count as disbursed, so they leave the committed
    # amount of their approved claims; pending ones of undecided claims are committed.
    interim = items(PaymentItem.amount, PaymentItem.part == "interim",
                    PaymentItem.state == ItemState.PENDING, Claim.state.not_in(COMMITTED))
    # Interest for late payment on its way is committed beyond the approved amount.
    interest = items(PaymentItem.interest, PaymentItem.part != "interim",
                     PaymentItem.state == ItemState.PENDING)
    incentive = {(sid, state): Decimal(total) for sid, state, total in db.session.execute(
        select(IncentivePayment.scheme_id, IncentivePayment.state,
               func.coalesce(func.sum(IncentivePayment.amount), 0))
        .where(IncentivePayment.scheme_id.in_(ids))
        .group_by(IncentivePayment.scheme_id, IncentivePayment.state))}
    from conflict_app.payments.recoveries import totals

    recoveries = totals(ids)
    out = {}
    for scheme in schemes:
        sid = scheme.id
        committed = (approved.get((sid, False), ZERO) - paid_before.get(sid, ZERO)
                     + interim.get(sid, ZERO) + interest.get(sid, ZERO)
                     # Cancelled payments count nowhere: cancelling releases their budget.
                     + sum((incentive.get((sid, s), ZERO)
                            for s in ("approved", "withheld", "scheduled")), ZERO))
        owed = recoveries.get(sid, {})
        disbursed = (paid_claims.get(sid, ZERO)
                     - owed.get(RecoveryState.RECOVERED, ZERO)  # the money came back
                     + incentive.get((sid, "paid"), ZERO))
        out[sid] = Budget(scheme.money(scheme.budget), scheme.money(committed),
                          scheme.money(disbursed),
                          scheme.money(approved.get((sid, True), ZERO)),
                          scheme.money(owed.get(RecoveryState.OPEN, ZERO)))
    return out
