"""The API's reads of payments of every scheme kind, for the finance office as its pages:
batches and their items (claims of compensation and insurance schemes, an insurance claim
with the settlement that fixed its payable share; performance, adoption and agreement
instalment payments of incentive schemes), and incentive payments not yet in a batch.
Amounts are decimal strings with their currency; lists are newest first with a cursor."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from flask import g, request
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conflict_app.api.views import (
    ApiError,
    authenticated,
    bp,
    json_response,
    page_args,
    whole_number,
)
from conflict_app.auth.models import User
from conflict_app.claims.models import Claim
from conflict_app.core.permissions import Role, covers, scope
from conflict_app.extensions import db
from conflict_app.geo.models import Village
from conflict_app.payments.models import BatchState, ItemState, PaymentBatch, PaymentItem
from conflict_app.schemes.agreement_models import AgreementInstalment, ConservationAgreement
from conflict_app.schemes.models import IncentivePayment, Scheme, SettlementItem
from conflict_app.schemes.params import SchemeKind

Payable = Literal["claim", "performance", "adoption", "instalment"]
INCENTIVE_KINDS = ("performance", "adoption", "instalment")
INCENTIVE_STATES = ("approved", "withheld", "scheduled", "paid", "cancelled")
CENT = Decimal("0.01")


class SettlementShare(BaseModel):
    """What an insurance pool's settlement fixed for the claim (pro rata when short)."""

    settlement_id: int
    period_start: date
    period_end: date
    approved: str
    payable: str


class PaymentItemDetail(BaseModel):
    id: int
    batch_id: int
    batch_reference: str | None
    batch_state: BatchState
    method: str
    scheme: str | None
    scheme_kind: SchemeKind | None
    payable: Payable = Field(description="What the item pays: a claim, or an incentive "
                                         "payment of that kind")
    reference: str = Field(description="The claim's reference or the incentive payment's")
    agreement: str | None = Field(description="The agreement of an instalment")
    instalment_year: int | None
    period: int | None = Field(description="The year a performance payment is for")
    household_id: int | None
    village: str | None = Field(description="The community paid (incentive payments)")
    part: Literal["final", "interim"]
    amount: str = Field(description="Decimal string, interest included; never a float")
    interest: str
    currency: str
    state: ItemState
    payment_reference: str | None
    failure_reason: str | None
    recorded_at: datetime | None
    settlement: SettlementShare | None


class PaymentItemPage(BaseModel):
    items: list[PaymentItemDetail]
    next_cursor: str | None


class BatchSummary(BaseModel):
    id: int
    reference: str | None
    state: BatchState
    method: str
    scheme: str | None
    currency: str
    total: str = Field(description="Of the items not removed: decimal string")
    items: int = Field(description="How many items are not removed")
    created_at: datetime
    exported_at: datetime | None


class BatchPage(BaseModel):
    items: list[BatchSummary]
    next_cursor: str | None


class IncentivePaymentOut(BaseModel):
    id: int
    reference: str
    scheme: str
    kind: Literal["performance", "adoption", "instalment"]
    village: str
    household_id: int | None
    measure_id: int | None
    period: int | None
    agreement: str | None
    instalment_year: int | None
    amount: str
    currency: str
    state: Literal["approved", "withheld", "scheduled", "paid", "cancelled"]
    payment_reference: str | None
    paid_on: date | None
    cancel_reason: str | None
    created_at: datetime


class IncentivePaymentPage(BaseModel):
    items: list[IncentivePaymentOut]
    next_cursor: str | None


MODELS = (SettlementShare, PaymentItemDetail, PaymentItemPage, BatchSummary, BatchPage,
          IncentivePaymentOut, IncentivePaymentPage)


def finance_reader() -> User:
    user = g.api_user
    if not user.has_role(Role.FINANCE):
        raise ApiError(403, "Forbidden", "Payments are seen by the finance office.")
    return user


def _money(value: Decimal | None) -> str:
    return str(Decimal(value or 0).quantize(CENT))


def _choice(name: str, allowed) -> str | None:  # noqa: ANN001
    value = request.args.get(name)
    if value and value not in {str(a) for a in allowed}:
        raise ApiError(400, "Bad query", f"Unknown {name} {value!r}.")
    return value or None


def _scheme_code() -> str | None:
    code = request.args.get("scheme")
    if code and (len(code) > 32 or "\x00" in code):
        raise ApiError(400, "Bad query", "scheme is a scheme's code.")
    return code.upper() if code else None


def _next(rows: list, limit: int) -> str | None:
    return str(rows[limit - 1].id) if len(rows) > limit else None


def _instalments(payment_ids: set[int]) -> dict[int, tuple[str, int]]:
    """payment id → (agreement reference, year) of the instalments among them, one query."""
    if not payment_ids:
        return {}
    rows = db.session.execute(
        select(AgreementInstalment.payment_id, ConservationAgreement.id,
               AgreementInstalment.year)
        .join(ConservationAgreement, ConservationAgreement.id == AgreementInstalment.agreement_id)
        .where(AgreementInstalment.payment_id.in_(payment_ids)))
    return {pid: (f"AGR-{aid:06d}", year) for pid, aid, year in rows}


def _settlements(claim_ids: set[int]) -> dict[int, SettlementShare]:
    if not claim_ids:
        return {}
    rows = db.session.scalars(select(SettlementItem).options(
        selectinload(SettlementItem.settlement)).where(SettlementItem.claim_id.in_(claim_ids)))
    return {i.claim_id: SettlementShare(
        settlement_id=i.settlement_id, period_start=i.settlement.period_start,
        period_end=i.settlement.period_end, approved=_money(i.approved),
        payable=_money(i.payable)) for i in rows}


def _item_details(items: list[PaymentItem]) -> list[PaymentItemDetail]:
    instalments = _instalments({i.incentive_payment_id for i in items
                                if i.incentive_payment_id})
    settled = _settlements({i.claim_id for i in items if i.claim_id})
    schemes = {s.id: s for s in db.session.scalars(select(Scheme).where(Scheme.id.in_(
        {i.claim.scheme_id if i.claim else i.incentive.scheme_id for i in items} - {None})))}
    out = []
    for item in items:
        claim, incentive = item.claim, item.incentive
        scheme = schemes.get(claim.scheme_id if claim else incentive.scheme_id)
        agreement, year = instalments.get(item.incentive_payment_id, (None, None))
        out.append(PaymentItemDetail(
            id=item.id, batch_id=item.batch_id, batch_reference=item.batch.reference,
            batch_state=item.batch.state, method=item.batch.method.value,
            scheme=scheme.code if scheme else None,
            scheme_kind=scheme.kind if scheme else None,
            payable="claim" if claim else incentive.kind, reference=item.reference,
            agreement=agreement, instalment_year=year,
            period=incentive.period if incentive and incentive.kind == "performance" else None,
            household_id=claim.household_id if claim else incentive.household_id,
            village=incentive.village.name if incentive else None, part=item.part,
            amount=_money(item.amount), interest=_money(item.interest),
            currency=item.currency, state=item.state,
            payment_reference=item.payment_reference, failure_reason=item.failure_reason,
            recorded_at=item.recorded_at, settlement=settled.get(item.claim_id)))
    return out


def _scheme_of_item():  # noqa: ANN202 - a SQL expression
    return func.coalesce(Claim.scheme_id, IncentivePayment.scheme_id)


@bp.route("/payment-items", methods=["GET"])
@authenticated("payments")
def list_payment_items():
    user = finance_reader()
    after, limit = page_args()
    state = _choice("state", [s.value for s in ItemState])
    payable = _choice("payable", ("claim", *INCENTIVE_KINDS))
    kind = _choice("scheme_kind", [k.value for k in SchemeKind])
    query = scope(select(PaymentItem).join(PaymentBatch, PaymentItem.batch_id == PaymentBatch.id)
                  .outerjoin(Claim, PaymentItem.claim_id == Claim.id)
                  .outerjoin(IncentivePayment,
                             PaymentItem.incentive_payment_id == IncentivePayment.id)
                  .outerjoin(Scheme, Scheme.id == _scheme_of_item()), PaymentBatch, user)
    if code := _scheme_code():
        query = query.where(Scheme.code == code)
    if kind:
        query = query.where(Scheme.kind == SchemeKind(kind))
    if state:
        query = query.where(PaymentItem.state == ItemState(state))
    if payable == "claim":
        query = query.where(PaymentItem.claim_id.is_not(None))
    elif payable:
        query = query.where(IncentivePayment.kind == payable)
    if batch := request.args.get("batch_id"):
        query = query.where(PaymentItem.batch_id == whole_number("batch_id", batch))
    if after:
        query = query.where(PaymentItem.id < after)
    rows = list(db.session.scalars(query.options(selectinload(PaymentItem.batch))
                                   .order_by(PaymentItem.id.desc()).limit(limit + 1)))
    return json_response(PaymentItemPage(items=_item_details(rows[:limit]),
                                         next_cursor=_next(rows, limit)))


def item_for(item_id: int, user: User) -> PaymentItem:
    """An item of a batch in the user's area, paying someone in it; else 404."""
    item = db.session.get(PaymentItem, item_id)
    if item is None or not covers(user, item.batch) or not covers(user, item.located):
        raise ApiError(404, "Not found", "No payment item with this id in your area.")
    return item


@bp.route("/payment-items/<int:item_id>", methods=["GET"])
@authenticated("payments")
def get_payment_item(item_id: int):
    user = finance_reader()
    return json_response(_item_details([item_for(item_id, user)])[0])


@bp.route("/payment-batches", methods=["GET"])
@authenticated("payments")
def list_payment_batches():
    user = finance_reader()
    after, limit = page_args()
    state = _choice("state", [s.value for s in BatchState])
    query = scope(select(PaymentBatch, Scheme.code)
                  .outerjoin(Scheme, Scheme.id == PaymentBatch.scheme_id), PaymentBatch, user)
    if code := _scheme_code():
        query = query.where(Scheme.code == code)
    if state:
        query = query.where(PaymentBatch.state == BatchState(state))
    if after:
        query = query.where(PaymentBatch.id < after)
    rows = db.session.execute(query.order_by(PaymentBatch.id.desc()).limit(limit + 1)).all()
    # The totals of the page's batches alone: joined as a GROUP BY they summed every item of
    # every batch ever made on each page.
    totals = {batch_id: (n, total) for batch_id, n, total in db.session.execute(
        select(PaymentItem.batch_id, func.count(PaymentItem.id),
               func.coalesce(func.sum(PaymentItem.amount), 0))
        .where(PaymentItem.state != ItemState.REMOVED,
               PaymentItem.batch_id.in_([b.id for b, _code in rows[:limit]]))
        .group_by(PaymentItem.batch_id))}
    items = []
    for b, code in rows[:limit]:
        n, total = totals.get(b.id, (0, 0))
        items.append(BatchSummary(
            id=b.id, reference=b.reference, state=b.state, method=b.method.value, scheme=code,
            currency=b.currency, total=_money(total), items=n, created_at=b.created_at,
            exported_at=b.exported_at))
    return json_response(BatchPage(
        items=items, next_cursor=str(rows[limit - 1][0].id) if len(rows) > limit else None))


@bp.route("/incentive-payments", methods=["GET"])
@authenticated("payments")
def list_incentive_payments():
    """Performance, adoption and instalment payments of the communities in the user's area,
    in a batch or not yet (approved, withheld after a retaliatory killing, cancelled)."""
    user = finance_reader()
    after, limit = page_args()
    state = _choice("state", INCENTIVE_STATES)
    kind = _choice("kind", INCENTIVE_KINDS)
    query = scope(select(IncentivePayment, Scheme.code)
                  .join(Village, Village.id == IncentivePayment.village_id)
                  .join(Scheme, Scheme.id == IncentivePayment.scheme_id), Village, user)
    if code := _scheme_code():
        query = query.where(Scheme.code == code)
    if state:
        query = query.where(IncentivePayment.state == state)
    if kind:
        query = query.where(IncentivePayment.kind == kind)
    if after:
        query = query.where(IncentivePayment.id < after)
    rows = db.session.execute(query.order_by(IncentivePayment.id.desc()).limit(limit + 1)).all()
    return json_response(IncentivePaymentPage(
        items=incentive_outs(rows[:limit]),
        next_cursor=str(rows[limit - 1][0].id) if len(rows) > limit else None))


def incentive_outs(rows: list[tuple[IncentivePayment, str]]) -> list[IncentivePaymentOut]:
    """(payment, its scheme's code) pairs as the API answers them."""
    instalments = _instalments({p.id for p, _code in rows})
    items = []
    for payment, code in rows:
        agreement, year = instalments.get(payment.id, (None, None))
        items.append(IncentivePaymentOut(
            id=payment.id, reference=payment.reference, scheme=code, kind=payment.kind,
            village=payment.village.name, household_id=payment.household_id,
            measure_id=payment.measure_id, period=payment.period, agreement=agreement,
            instalment_year=year, amount=_money(payment.amount), currency=payment.currency,
            state=payment.state, payment_reference=payment.payment_reference,
            paid_on=payment.paid_on, cancel_reason=payment.cancel_reason,
            created_at=payment.created_at))
    return items
