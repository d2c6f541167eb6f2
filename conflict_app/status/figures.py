"""The money a herder is told about, read from the claim's settled state.

Every figure on the status page, in a text and in the decision letter comes from here, so
they all agree: the approved amount, the interim part already paid, the share an insurance
pool could pay when it was short (and the shortfall), the payment made and its interest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload

from conflict_app.core.money import Money
from conflict_app.extensions import db
from conflict_app.payments.models import ItemState, PaymentItem
from conflict_app.schemes.models import SettlementItem


@dataclass(frozen=True)
class Figures:
    approved: Money | None
    # The part an insurance pool could pay when it was short, and what it could not.
    settled: Money | None = None
    shortfall: Money | None = None
    interim: Money | None = None  # the interim part already paid
    interim_reference: str | None = None
    interim_paid_at: datetime | None = None
    paid: Money | None = None  # the latest payment on the decision (interest included)
    # Paid earlier on a decision (a top-up after an appeal follows the first payment).
    earlier: Money | None = None
    interest: Money | None = None
    payment_reference: str | None = None
    paid_at: datetime | None = None

    @property
    def due(self) -> Money | None:
        """What the herder receives in all (before any interest for a late payment)."""
        return self.settled or self.approved

    @property
    def rest(self) -> Money | None:
        """What is still to be paid after the interim part."""
        if self.due is None:
            return None
        return self.due - self.interim if self.interim else self.due

    @property
    def in_parts(self) -> bool:
        return bool(self.interim or self.earlier)

    @property
    def total_paid(self) -> Money | None:
        parts = [m for m in (self.interim, self.earlier, self.paid) if m is not None]
        if not parts:
            return None
        return sum(parts[1:], parts[0])

    @property
    def settled_share(self) -> Decimal | None:
        if self.settled is None or not self.approved or not self.approved.amount:
            return None
        return self.settled.amount / self.approved.amount


# The statements are built once: on the herders' status page building them cost more CPU
# than running them.
@cache
def _settlement():  # noqa: ANN202
    return (select(SettlementItem).where(SettlementItem.claim_id == bindparam("claim_id"))
            .options(lazyload("*")))


@cache
def _payments():  # noqa: ANN202
    return (select(PaymentItem).where(PaymentItem.claim_id == bindparam("claim_id"),
                                      PaymentItem.state == ItemState.PAID)
            .order_by(PaymentItem.id).options(lazyload("*")))


def figures(claim) -> Figures:  # noqa: ANN001 - a Claim
    """The claim's figures as they stand in the current transaction."""
    currency = claim.currency
    approved = (Money(claim.amount_approved, currency)
                if claim.amount_approved is not None else None)
    settled = shortfall = None
    # A settlement shares out approved amounts: before a decision there is none to read.
    # The claim is at hand: no join back to it (the items load it eagerly elsewhere).
    item = None if approved is None else db.session.scalar(
        _settlement(), {"claim_id": claim.id})
    if item is not None:
        settled = Money(item.payable, currency)
        if item.payable < item.approved:
            shortfall = Money(item.approved - item.payable, currency)
    interim = interim_ref = interim_at = paid = earlier = None
    interest = reference = paid_at = None
    for row in db.session.scalars(_payments(), {"claim_id": claim.id}):
        if row.part == "interim":
            interim, interim_ref, interim_at = (Money(row.amount, currency),
                                                row.payment_reference, row.recorded_at)
            continue
        if paid is not None:  # a top-up after an appeal: the first payment came before
            earlier = paid if earlier is None else earlier + paid
        paid, reference, paid_at = (Money(row.amount, currency), row.payment_reference,
                                    row.recorded_at)
        interest = Money(row.interest, currency) if row.interest else None
    return Figures(approved=approved, settled=settled, shortfall=shortfall, interim=interim,
                   interim_reference=interim_ref, interim_paid_at=interim_at, paid=paid,
                   earlier=earlier,
                   interest=interest, payment_reference=reference, paid_at=paid_at)
