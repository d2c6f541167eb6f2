"""The API's writes of payment batches, as the payments pages make them: a batch of approved
claims and approved incentive payments (performance, adoption, agreement instalments), an
item taken out before the file is released, the payment file, and the results, one by one
or from the provider's confirmation file. Every write is the pages' operation
(payments.operations), for the finance office only.

A batch's entity tag names its state and the items it would pay: releasing the file with
``If-Match`` pays exactly the items that were read, as the page's confirmation does."""

from __future__ import annotations

import hashlib
import json

from flask import Response, g, request
from pydantic import BaseModel, Field
from sqlalchemy import select

from conflict_app.api import schemas
from conflict_app.api.confirmation_views import run_answer
from conflict_app.api.document_views import reader_locale
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    idempotent,
    json_response,
    tagged_response,
)
from conflict_app.api.views import if_match as check_if_match
from conflict_app.api.views import stale as stale_error
from conflict_app.auth.models import User
from conflict_app.claims.models import Claim
from conflict_app.core.errors import DomainError, StaleObject
from conflict_app.core.permissions import Role, covers, scope
from conflict_app.extensions import db
from conflict_app.payments import confirmation_runs
from conflict_app.payments import operations as pay
from conflict_app.payments.models import (
    ConfirmationRun,
    PaymentBatch,
    PaymentItem,
    PaymentMethod,
)
from conflict_app.schemes.models import IncentivePayment

MAX_FILE = 2 * 1024 * 1024  # as the page's upload


class ConfirmationsIn(schemas.Strict):
    csv: str = Field(max_length=MAX_FILE, description="The provider's confirmation file as "
                                                       "text: columns item, status, reference, "
                                                       "reason; all lines or none are recorded")


class RemovalIn(schemas.Strict):
    reason: str = schemas.text(min_length=1, max_length=2000)


class ConfirmationsOut(BaseModel):
    paid: int
    failed: int
    unchanged: int = Field(description="Lines already recorded the same way")
    batch: schemas.BatchOut


MODELS = (ConfirmationsIn, RemovalIn, ConfirmationsOut)


def _item_out(item: PaymentItem) -> schemas.PaymentItemOut:
    return schemas.PaymentItemOut(
        id=item.id, claim_reference=item.reference, amount=str(item.amount),
        interest=str(item.interest or 0), currency=item.currency, state=item.state.value,
        payment_reference=item.payment_reference, failure_reason=item.failure_reason)


def _live_ids(batch: PaymentBatch) -> list[int]:
    return sorted(i.id for i in batch.live_items())


def batch_tag(batch: PaymentBatch) -> str:
    text = json.dumps([batch.id, batch.state.value, _live_ids(batch)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _batch_out(batch: PaymentBatch) -> schemas.BatchOut:
    return schemas.BatchOut(
        id=batch.id, reference=batch.reference, state=batch.state.value,
        method=batch.method.value, currency=batch.currency, total=str(batch.total().amount),
        items=[_item_out(i) for i in batch.items], etag=batch_tag(batch))


def _batch_answer(user: User, batch_id: int, status: int = 200) -> Response:
    db.session.expire_all()
    return tagged_response(_batch_out(pay.load_batch(user, batch_id)), status)


def _finance_user() -> User:
    user = g.api_user
    if not user.has_role(Role.FINANCE):
        raise ApiError(403, "Forbidden", "Payments are made by the finance office.")
    return user


def _batch_for(user: User, batch_id: int) -> PaymentBatch:
    try:
        return pay.load_batch(user, batch_id)
    except DomainError as err:
        raise ApiError(404, "Not found", err.translated()) from err


def _ids_of(user: User, data: schemas.BatchIn) -> tuple[list[int], list[int]]:
    """The claims and incentive payments named, each in the user's area; else 404."""
    wanted = {reference.upper() for reference in data.claims}
    found = {claim.reference: claim.id for claim in db.session.scalars(
        scope(select(Claim), Claim, user).where(Claim.reference.in_(wanted)))}
    if missing := sorted(wanted - set(found)):
        raise ApiError(404, "Not found",
                       f"No claim with this reference in your area: {', '.join(missing)}.")
    rewards: dict[str, int] = {}
    for reference in {r.upper() for r in data.incentive_payments}:
        number = reference.removeprefix("INC-")
        whole = number.isascii() and number.isdigit()  # "INC-١" names nothing
        payment = db.session.get(IncentivePayment, int(number)) \
            if whole and 0 < int(number) <= schemas.MAX_ID else None
        if payment is not None and covers(user, payment.village):
            rewards[reference] = payment.id
    if missing := sorted({r.upper() for r in data.incentive_payments} - set(rewards)):
        raise ApiError(404, "Not found", "No incentive payment with this reference in your "
                                         f"area: {', '.join(missing)}.")
    return list(found.values()), list(rewards.values())


@bp.route("/payment-batches", methods=["POST"])
@authenticated("payments")
@idempotent
def create_payment_batch():
    user = _finance_user()
    data = body(schemas.BatchIn)
    claims, rewards = _ids_of(user, data)
    batch = pay.create_batch(user, claims, PaymentMethod(data.method), rewards)
    return _batch_answer(user, batch.id, 201)


@bp.route("/payment-batches/<int:batch_id>", methods=["GET"])
@authenticated("payments")
def get_payment_batch(batch_id: int):
    user = _finance_user()
    return _batch_answer(user, _batch_for(user, batch_id).id).make_conditional(request)


@bp.route("/payment-batches/<int:batch_id>/export", methods=["POST"])
@authenticated("payments")
@idempotent
def export_payment_batch(batch_id: int):
    """With If-Match, only the items that were read are released; a batch changed since (an
    item removed by a colleague) is refused with 412, as the page refuses it."""
    user = _finance_user()
    batch = _batch_for(user, batch_id)
    expected = None
    if "If-Match" in request.headers:
        check_if_match(batch_tag(batch), "payment batch")
        expected = _live_ids(batch)
    try:
        text = pay.export_batch(user, batch_id, expected)
    except StaleObject as exc:  # changed between the check above and the row lock
        raise stale_error("payment batch") from exc
    db.session.expire_all()
    return json_response(schemas.BatchExport(batch=_batch_out(pay.load_batch(user, batch_id)),
                                             payment_file=text))


@bp.route("/payment-batches/<int:batch_id>/confirmations", methods=["POST"])
@authenticated("payments")
@idempotent
def import_confirmations(batch_id: int):
    user = _finance_user()
    batch = _batch_for(user, batch_id)
    data = body(ConfirmationsIn)
    counts = confirmation_runs.record(user, batch.id, data.csv, reader_locale())
    if isinstance(counts, ConfirmationRun):  # a long file: 202 and where to follow its job
        return run_answer(counts, 202)
    db.session.expire_all()
    return json_response(ConfirmationsOut(**counts,
                                          batch=_batch_out(pay.load_batch(user, batch.id))))


def _item_answer(item_id: int) -> Response:
    db.session.expire_all()
    return json_response(_item_out(db.session.get(PaymentItem, item_id)))


@bp.route("/payment-items/<int:item_id>/paid", methods=["POST"])
@authenticated("payments")
@idempotent
def record_paid(item_id: int):
    user = _finance_user()
    data = body(schemas.PaidIn)
    item = pay.record_paid(user, item_id, data.reference,
                           idempotency_key=request.headers.get("Idempotency-Key"))
    return _item_answer(item.id)


@bp.route("/payment-items/<int:item_id>/failed", methods=["POST"])
@authenticated("payments")
@idempotent
def record_failed(item_id: int):
    user = _finance_user()
    data = body(schemas.FailedIn)
    item = pay.record_failed(user, item_id, data.reason)
    return _item_answer(item.id)


@bp.route("/payment-items/<int:item_id>/removal", methods=["POST"])
@authenticated("payments")
@idempotent
def remove_payment_item(item_id: int):
    """Take a claim or an incentive payment out of a batch not yet released; it waits for
    the next batch."""
    user = _finance_user()
    data = body(RemovalIn)
    item = pay.remove_item(user, item_id, data.reason)
    return _item_answer(item.id)
