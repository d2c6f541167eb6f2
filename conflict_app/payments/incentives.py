"""Incentive payments (performance and adoption) paid through batches like claims: an
approved payment is scheduled into a batch, exported in its payment file, and recorded paid
or failed from the confirmations. Payments react to the schemes here (a withheld or
cancelled payment leaves a batch not yet exported); the schemes never call payments."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from conflict_app.auth.models import User
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import covers
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import Village
from conflict_app.payments.models import BatchState, ItemState, PaymentBatch, PaymentItem
from conflict_app.schemes.events import incentive_stopped
from conflict_app.schemes.models import IncentivePayment


def ready(villages: Select, limit: int = 200) -> list[IncentivePayment]:
    """Approved incentive payments of the villages selected (scoped by the caller)."""
    return list(db.session.scalars(
        select(IncentivePayment).where(
            IncentivePayment.state == "approved",
            IncentivePayment.village_id.in_(villages.with_only_columns(Village.id)))
        .options(selectinload(IncentivePayment.household))
        .order_by(IncentivePayment.id).limit(limit)))


def schedule(actor: User, batch: PaymentBatch, ids: Sequence[int]
             ) -> list[tuple[PaymentItem, IncentivePayment]]:
    """Put approved incentive payments into ``batch``; in the caller's transaction."""
    made = []
    for payment_id in sorted({int(i) for i in ids}):
        payment = db.session.get(IncentivePayment, payment_id,
                                 with_for_update={"of": IncentivePayment},
                                 populate_existing=True)
        if payment is None or not covers(actor, payment.village):
            raise InvalidInput(N_("No such payment."), field="claim_ids")
        if payment.state == "withheld":
            raise InvalidInput(N_("Payment %(reference)s is withheld."), field="claim_ids",
                               reference=payment.reference)
        if payment.state != "approved":
            raise InvalidInput(N_("Payment %(reference)s is not approved for payment."),
                               field="claim_ids", reference=payment.reference)
        if payment.created_by_id == actor.id:
            raise PermissionDenied(N_("You approved this payment, so you may not pay it."))
        item = PaymentItem(batch_id=batch.id, incentive_payment_id=payment.id, part="final",
                           amount=payment.amount, currency=payment.currency,
                           state=ItemState.PENDING)
        item.incentive = payment
        db.session.add(item)
        payment.state = "scheduled"
        audit.record(actor_id=actor.id, object_type="incentive_payment", object_id=payment.id,
                     action="schedule_payment", from_state="approved", to_state="scheduled",
                     changes={"batch": batch.id, "amount": payment.amount})
        made.append((item, payment))
    return made


def paid(actor: User, item: PaymentItem, reference: str) -> None:
    payment = item.incentive
    payment.state = "paid"
    payment.payment_reference = reference
    payment.paid_on = timezones.today_for(db.session.get(Village, payment.village_id))
    payment.paid_by_id = actor.id
    audit.record(actor_id=actor.id, object_type="incentive_payment", object_id=payment.id,
                 action="pay", from_state="scheduled", to_state="paid",
                 changes={"reference": reference, "amount": payment.amount,
                          "batch": item.batch.reference})


def back_to_queue(actor: User, item: PaymentItem, reason: str, action: str) -> None:
    """A failed or removed item: the payment waits for the next batch (or stays withheld)."""
    payment = item.incentive
    if payment.state != "scheduled":
        return
    payment.state = "approved"
    audit.record(actor_id=actor.id, object_type="incentive_payment", object_id=payment.id,
                 action=action, from_state="scheduled", to_state="approved", reason=reason,
                 changes={"batch": item.batch.reference})


def on_incentive_stopped(payment: IncentivePayment, *, actor, after: str,  # noqa: ANN001
                         reason: str | None = None) -> None:
    item = db.session.scalars(
        select(PaymentItem).where(PaymentItem.incentive_payment_id == payment.id,
                                  PaymentItem.state == ItemState.PENDING)
        .with_for_update(of=PaymentItem)).first()
    if item is None:
        payment.state = after
        return
    if item.batch.state != BatchState.OPEN:
        if after == "cancelled":
            raise InvalidInput(N_("The payment file of batch %(batch)s with this payment was "
                                  "already sent: record its result first."),
                               batch=item.batch.reference)
        return  # the money is on its way; the withholding holds the next ones
    item.state = ItemState.REMOVED
    item.failure_reason = reason
    item.recorded_by_id = actor.id
    item.recorded_at = clock.now()
    payment.state = after
    audit.record(actor_id=actor.id, object_type="payment_batch", object_id=item.batch_id,
                 action="remove_incentive_payment", reason=reason,
                 changes={"payment": payment.reference, "amount": item.amount,
                          "because": after})


def connect() -> None:
    incentive_stopped.connect(on_incentive_stopped)
