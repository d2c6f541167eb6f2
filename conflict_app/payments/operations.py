"""Payment batches: build, export, record paid or failed. A claim, or an incentive
payment, is paid at most once.

Concurrency: an item is locked (SELECT ... FOR UPDATE on PostgreSQL) before its state is
read, the claim carries a version column, and a partial unique index allows one pending or
paid item per claim, so two requests racing to pay the same item cannot both succeed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defaultload, joinedload, selectinload

from conflict_app.auth.models import User
from conflict_app.claims import operations as claim_ops
from conflict_app.claims.models import Approval, Claim
from conflict_app.claims.workflow import Action, State
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied, StaleObject
from conflict_app.core.inputs import NUL_REFUSED, nul_position
from conflict_app.core.money import Money
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.herders.models import Household
from conflict_app.payments import files, owed
from conflict_app.payments import incentives as incentive_items
from conflict_app.payments.events import payment_recorded
from conflict_app.payments.models import (
    BatchState,
    ItemState,
    PaymentBatch,
    PaymentItem,
    PaymentMethod,
)
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes.models import IncentivePayment
from conflict_app.status import notify


def _finance(actor: User) -> None:
    if not actor.has_role(Role.FINANCE):
        raise PermissionDenied(N_("Your role may not do this."))


def _lock_claims(ids: list[int]) -> list[Claim]:
    """The claims, locked in one statement in the order of their ids (as two batches lock
    them, so they wait for each other rather than deadlock), with fresh values and the
    households their herders are texted at."""
    claims = list(db.session.scalars(
        select(Claim).where(Claim.id.in_(ids)).order_by(Claim.id).with_for_update(of=Claim)
        .execution_options(populate_existing=True)
        .options(selectinload(Claim.household), timezones.with_zone(Claim))))
    if len(claims) != len(ids):
        raise InvalidInput(N_("This claim does not exist."))
    return claims


def _approved_by(actor: User, claim_ids: list[int]) -> set[int]:
    """Of these claims, those ``actor`` approved (who approves a claim does not pay it)."""
    return set(db.session.scalars(select(Approval.claim_id).where(
        Approval.claim_id.in_(claim_ids), Approval.approver_id == actor.id)))


def _not_the_approver(approved_by_actor: set[int], claim: Claim) -> None:
    if claim.id in approved_by_actor:
        raise PermissionDenied(N_("You approved claim %(reference)s, so you may not pay it."),
                               reference=claim.reference)


def _scope_of(actor: User) -> tuple[str, int | None, int | None]:
    area = actor.jurisdiction_area
    if area is None:
        return actor.jurisdiction_country, None, None
    if area.level == 1:
        return actor.jurisdiction_country, area.id, None
    return actor.jurisdiction_country, area.parent_id, area.id


def create_batch(actor: User, claim_ids: Sequence[int], method: PaymentMethod,
                 incentive_ids: Sequence[int] = ()) -> PaymentBatch:
    """Put approved claims, or approved incentive payments, of one scheme and currency into
    a new batch."""
    _finance(actor)
    if actor.jurisdiction_country is None:
        raise PermissionDenied(N_("Payment batches are made by a country's or an area's "
                                  "finance office."))
    ids = sorted({int(i) for i in claim_ids})
    if not ids and not incentive_ids:
        raise InvalidInput(N_("Choose at least one approved claim."), field="claim_ids")
    with unit_of_work():
        country, admin1, admin2 = _scope_of(actor)
        batch = PaymentBatch(country_code=country, admin1_id=admin1, admin2_id=admin2,
                             currency="", method=method, state=BatchState.OPEN,
                             created_by_id=actor.id, created_at=clock.now())
        db.session.add(batch)
        db.session.flush()
        currencies, schemes = set(), set()
        beyond_approval = Decimal(0)  # interim shares and interest: budget not yet committed
        claims = _lock_claims(ids)
        # Read for every claim at once, after the locks (a batch of 500 was 13 statements
        # a claim).
        facts = owed.paid_facts(ids)
        approved_by_actor = _approved_by(actor, ids)
        for claim in claims:
            if not covers(actor, claim):
                raise PermissionDenied(N_("Claim %(reference)s is outside your jurisdiction."),
                                       reference=claim.reference)
            interim = owed.interim_due(claim, facts[claim.id])
            if interim is not None:
                # The scheme pays a share after the assessment, before the decision.
                beyond_approval += interim.amount
                currencies.add(claim.currency)
                schemes.add(claim.scheme_id)
                db.session.add(PaymentItem(batch_id=batch.id, claim_id=claim.id,
                                           part="interim", amount=interim.amount,
                                           currency=claim.currency, state=ItemState.PENDING))
                audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                             action="schedule_interim_payment",
                             changes={"batch": batch.id, "amount": interim.amount})
                continue
            if claim.state != State.APPROVED or not claim.amount_approved:
                raise InvalidInput(N_("Claim %(reference)s is not approved for payment."),
                                   field="claim_ids", reference=claim.reference)
            _not_the_approver(approved_by_actor, claim)
            if claim.budget_hold:
                raise InvalidInput(N_("Claim %(reference)s waits for budget."),
                                   field="claim_ids", reference=claim.reference)
            if claim.review_required and claim.reviewed_at is None:
                raise InvalidInput(N_("Claim %(reference)s waits for its second review."),
                                   field="claim_ids", reference=claim.reference)
            amount, interest = owed.payable(claim, facts[claim.id])
            beyond_approval += interest
            currencies.add(claim.currency)
            schemes.add(claim.scheme_id)
            claim_ops.fire(claim, Action.SCHEDULE_PAYMENT, actor,
                           changes={"batch": batch.id, "amount": amount,
                                    "interest": interest})
            # Re-decided upward on appeal after payment: only the difference, as a top-up.
            part = "topup" if facts[claim.id].final else "final"
            db.session.add(PaymentItem(batch_id=batch.id, claim_id=claim.id, part=part,
                                       amount=amount, interest=interest,
                                       currency=claim.currency, state=ItemState.PENDING))
        for _item, payment in incentive_items.schedule(actor, batch, incentive_ids):
            currencies.add(payment.currency)
            schemes.add(payment.scheme_id)
        db.session.flush()
        files.check_payees(method, batch.live_items())
        if len(currencies) != 1:
            raise InvalidInput(N_("A batch pays one currency: %(currencies)s were chosen."),
                               field="claim_ids", currencies=", ".join(sorted(currencies)))
        if len(schemes) != 1:
            raise InvalidInput(N_("A batch pays claims of one scheme."), field="claim_ids")
        scheme_id = schemes.pop()
        if scheme_id is not None and ids:
            # The scheme's row lock before the batch names the scheme: the foreign key's
            # share lock, taken first, made two batches wait for each other (a deadlock).
            scheme_ops.lock_scheme(scheme_id)
        batch.scheme_id = scheme_id
        batch.currency = currencies.pop()
        if batch.scheme_id is not None and ids:
            scheme_ops.commit_payments(batch.scheme_id, Money(beyond_approval, batch.currency))
        year = timezones.today_where(country, admin2, admin1).year  # the office's year
        batch.reference = f"PAY-{country}-{year}-{batch.id:05d}"
        audit.record(actor_id=actor.id, object_type="payment_batch", object_id=batch.id,
                     action="create_batch",
                     changes={"reference": batch.reference, "claims": len(ids),
                              "incentive_payments": len(set(incentive_ids)),
                              "method": method.value, "currency": batch.currency})
    return batch


# A batch with every item's payee and village, in a fixed handful of queries: the batch
# page, its PDF list and the payment file name each payee, and loading them one item at a
# time made a batch of 500 cost 1,000 queries.
WITH_PAYEES = (
    # Who made the batch is often who reads it: their roles are loaded already.
    defaultload(PaymentBatch.created_by).lazyload(User.role_rows),
    selectinload(PaymentBatch.items).options(
        joinedload(PaymentItem.claim).selectinload(Claim.household)
        .joinedload(Household.village),
        joinedload(PaymentItem.incentive).selectinload(IncentivePayment.household)
        .joinedload(Household.village)),
)


def load_batch(actor: User, batch_id: int, lock: bool = False) -> PaymentBatch:
    query = select(PaymentBatch).where(PaymentBatch.id == batch_id).options(*WITH_PAYEES)
    if lock:
        query = query.with_for_update(of=PaymentBatch).execution_options(populate_existing=True)
    batch = db.session.scalars(query).first()
    if batch is None or not covers(actor, batch):
        raise InvalidInput(N_("This payment batch does not exist."))
    return batch


def payment_file(batch: PaymentBatch) -> str:
    """The CSV handed to the bank or mobile-money provider, in the method's layout."""
    return files.payment_file(batch)


def export_batch(actor: User, batch_id: int, expected_items: list[int] | None = None) -> str:
    """The payment file; the first export closes the batch to changes.

    ``expected_items`` are the items the user was shown before confirming the release:
    when the batch changed since (an item removed by a colleague), nothing is released."""
    _finance(actor)
    with unit_of_work():
        batch = load_batch(actor, batch_id, lock=True)
        if not batch.live_items():
            raise InvalidInput(N_("The batch has no items to pay."))
        if expected_items is not None and sorted(expected_items) != sorted(
                i.id for i in batch.live_items()):
            raise StaleObject(N_("The batch changed since you opened this page. Nothing was "
                                 "exported; check what will be paid and confirm again."))
        first = batch.state == BatchState.OPEN
        if first:
            batch.state = BatchState.EXPORTED
            batch.exported_at = clock.now()
        audit.record(actor_id=actor.id, object_type="payment_batch", object_id=batch.id,
                     action="export_batch", changes={"first": first,
                                                     "items": len(batch.live_items())})
        text = payment_file(batch)
    return text


def _lock_item(actor: User, item_id: int) -> PaymentItem:
    item = db.session.scalars(
        select(PaymentItem).where(PaymentItem.id == item_id).with_for_update(of=PaymentItem)
        .execution_options(populate_existing=True)).first()
    if item is None or not covers(actor, item.batch):
        raise InvalidInput(N_("This payment item does not exist."))
    return item


def _set_result(actor: User, item: PaymentItem, state: ItemState, *,
                reference: str | None = None, reason: str | None = None) -> None:
    item.state = state
    item.payment_reference = reference if reference is not None else item.payment_reference
    item.failure_reason = reason if reason is not None else item.failure_reason
    item.recorded_by_id = actor.id
    item.recorded_at = clock.now()


def _close_if_done(batch: PaymentBatch) -> None:
    if all(i.state != ItemState.PENDING for i in batch.live_items()):
        batch.state = BatchState.CLOSED


def _check_reference(reference: str) -> str:
    reference = (reference or "").strip()
    if not reference or len(reference) > 80:
        raise InvalidInput(N_("Enter the payment reference (up to 80 characters)."),
                           field="reference")
    return reference


def _pay(actor: User, item: PaymentItem, reference: str, idempotency_key: str | None,
         claim: Claim | None = None, approved: set[int] | None = None) -> None:
    """``claim`` (locked) and ``approved`` (the claims ``actor`` approved) are given by a
    confirmation file, which reads them for all its lines at once."""
    if item.state == ItemState.PAID and item.payment_reference == reference:
        return  # the same confirmation sent twice: nothing to do
    if item.state != ItemState.PENDING:
        raise InvalidInput(N_("This item was already paid or failed."))
    if item.batch.state != BatchState.EXPORTED:
        raise InvalidInput(N_("Export the payment file before recording payments."))
    if item.incentive_payment_id is not None:
        _set_result(actor, item, ItemState.PAID, reference=reference)
        incentive_items.paid(actor, item, reference)
        _close_if_done(item.batch)
        payment_recorded.send(item, actor=actor)
        return
    claim = claim or claim_ops.lock_claim(item.claim_id)
    _not_the_approver(_approved_by(actor, [claim.id]) if approved is None else approved, claim)
    now = clock.now()
    item.state = ItemState.PAID
    item.payment_reference = reference
    item.recorded_by_id = actor.id
    item.recorded_at = now
    if item.part == "interim":  # the claim goes on to its decision
        audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                     action="record_interim_payment",
                     changes={"payment_reference": reference, "amount": item.amount})
        notify.interim_paid(claim)
        _close_if_done(item.batch)
        payment_recorded.send(item, actor=actor)
        return
    claim_ops.fire(claim, Action.RECORD_PAYMENT, actor,
                   changes={"payment_reference": reference, "amount": item.amount,
                            "idempotency_key": idempotency_key})
    claim.paid_at = now
    _close_if_done(item.batch)
    payment_recorded.send(item, actor=actor)


def record_paid(actor: User, item_id: int, reference: str,
                idempotency_key: str | None = None) -> PaymentItem:
    """Confirm one payment. Replaying the same confirmation returns it unchanged."""
    _finance(actor)
    reference = _check_reference(reference)
    try:
        with unit_of_work():
            item = _lock_item(actor, item_id)
            _pay(actor, item, reference, idempotency_key)
    except IntegrityError as exc:
        raise InvalidInput(N_("This item was already paid or failed.")) from exc
    return item


def _fail(actor: User, item: PaymentItem, reason: str, claim: Claim | None = None) -> None:
    if item.state != ItemState.PENDING:
        raise InvalidInput(N_("This item was already paid or failed."))
    if item.batch.state != BatchState.EXPORTED:
        raise InvalidInput(N_("Export the payment file before recording results."))
    if item.incentive_payment_id is not None:
        _set_result(actor, item, ItemState.FAILED, reason=reason.strip())
        incentive_items.back_to_queue(actor, item, reason.strip(), "payment_failed")
        _close_if_done(item.batch)
        return
    claim = claim or claim_ops.lock_claim(item.claim_id)
    item.state = ItemState.FAILED
    item.failure_reason = reason.strip()
    item.recorded_by_id = actor.id
    item.recorded_at = clock.now()
    if item.part == "interim":
        audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                     action="interim_payment_failed", reason=reason.strip())
    else:
        claim_ops.fire(claim, Action.PAYMENT_FAILED, actor, reason=reason)
    _close_if_done(item.batch)


def record_failed(actor: User, item_id: int, reason: str) -> PaymentItem:
    """A payment that did not go through: the claim goes back to the finance queue."""
    _finance(actor)
    if not (reason or "").strip():
        raise InvalidInput(N_("Give a reason."), field="reason")
    with unit_of_work():
        item = _lock_item(actor, item_id)
        _fail(actor, item, reason)
    return item


CONFIRMATION_COLUMNS = ("item", "status", "reference", "reason")


def refuse_nul(text: str) -> None:
    """A confirmation file with a NUL character is refused, naming its line: PostgreSQL can
    store it neither in a reference or a reason nor as the file kept for a job."""
    nul = nul_position(text)
    if nul is not None:
        raise InvalidInput(N_("Line %(line)s: %(problem)s"), field="file", line=nul[0],
                           problem=InvalidInput(NUL_REFUSED).translated())


def import_confirmations(actor: User, batch_id: int, text: str) -> dict[str, int]:
    """Apply the bank's or provider's confirmation file (CSV: item, status, reference,
    reason) all-or-nothing: one bad line and nothing is recorded. Lines already recorded
    the same way are skipped, so the file can be imported again."""
    _finance(actor)
    refuse_nul(text)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or not set(CONFIRMATION_COLUMNS[:2]) <= set(rows[0]):
        raise InvalidInput(N_("The file needs the columns: %(columns)s."), field="file",
                           columns=", ".join(CONFIRMATION_COLUMNS))
    counts = {"paid": 0, "failed": 0, "unchanged": 0}
    try:
        with unit_of_work():
            batch = load_batch(actor, batch_id, lock=True)
            # Every item, its claim and who approved it, locked and read once for the whole
            # file (in id order, as single results lock them): a file of 1,000 lines was
            # 16 statements a line.
            mine = {i.id: i for i in db.session.scalars(
                select(PaymentItem).where(PaymentItem.batch_id == batch.id,
                                          PaymentItem.state != ItemState.REMOVED)
                .order_by(PaymentItem.id).with_for_update(of=PaymentItem)
                .execution_options(populate_existing=True))}
            claim_ids = sorted({i.claim_id for i in mine.values() if i.claim_id is not None})
            claims = {c.id: c for c in _lock_claims(claim_ids)}
            approved = _approved_by(actor, claim_ids)
            for number, row in enumerate(rows, start=2):
                try:
                    item = mine.get(int((row.get("item") or "").strip()))
                except ValueError:
                    item = None
                status = (row.get("status") or "").strip().lower()
                try:
                    if item is None:
                        raise InvalidInput(N_("This payment item does not exist."))
                    claim = claims.get(item.claim_id)
                    if status == "paid":
                        reference = _check_reference(row.get("reference") or "")
                        if item.state == ItemState.PAID and item.payment_reference == reference:
                            counts["unchanged"] += 1
                            continue
                        _pay(actor, item, reference, None, claim, approved)
                    elif status == "failed":
                        reason = (row.get("reason") or "").strip()
                        if not reason:
                            raise InvalidInput(N_("Give a reason."))
                        if item.state == ItemState.FAILED:
                            counts["unchanged"] += 1
                            continue
                        _fail(actor, item, reason, claim)
                    else:
                        raise InvalidInput(N_("The status must be paid or failed."))
                except InvalidInput as err:
                    raise InvalidInput(N_("Line %(line)s: %(problem)s"), field="file",
                                       line=number, problem=err.translated()) from err
                counts[status] += 1
            audit.record(actor_id=actor.id, object_type="payment_batch", object_id=batch.id,
                         action="import_confirmations", changes=dict(counts))
    except IntegrityError as exc:
        raise InvalidInput(N_("This item was already paid or failed.")) from exc
    return counts


def remove_item(actor: User, item_id: int, reason: str) -> PaymentItem:
    """Take a claim out of a batch that was not exported yet."""
    _finance(actor)
    if not (reason or "").strip():
        raise InvalidInput(N_("Give a reason."), field="reason")
    with unit_of_work():
        item = _lock_item(actor, item_id)
        if item.batch.state != BatchState.OPEN or item.state != ItemState.PENDING:
            raise InvalidInput(N_("Only items of a batch not yet exported can be removed."))
        if item.incentive_payment_id is not None:
            _set_result(actor, item, ItemState.REMOVED, reason=reason.strip())
            incentive_items.back_to_queue(actor, item, reason.strip(), "remove_from_batch")
            return item
        claim = claim_ops.lock_claim(item.claim_id)
        item.state = ItemState.REMOVED
        item.failure_reason = reason.strip()
        if item.part == "interim":
            audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                         action="remove_interim_payment", reason=reason.strip())
        else:
            claim_ops.fire(claim, Action.PAYMENT_FAILED, actor, reason=reason)
    return item
