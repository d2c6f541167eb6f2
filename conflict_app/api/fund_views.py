"""The API's side of funds: funds in the token user's area with their totals, a fund's
ledger (newest first, by cursor), and new ledger entries through the same operation as the
fund's page (the ``funds`` scope; the role and jurisdiction still decide)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import g
from pydantic import BaseModel, Field
from sqlalchemy import select

from conflict_app.api import schemas
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    idempotent,
    json_response,
    page_args,
)
from conflict_app.core.permissions import CASE_ROLES, Role
from conflict_app.extensions import db
from conflict_app.schemes import funds
from conflict_app.schemes import scope as scheme_scope
from conflict_app.schemes.fund_models import EntryKind, Fund, FundEntry, Pot
from conflict_app.schemes.models import Scheme

READERS = (*CASE_ROLES, Role.ANALYST)


class FundOut(BaseModel):
    id: int
    name: str
    kind: str  # endowment (only its income is allocated) or pooled
    currency: str
    country: str
    province: str | None
    contributions: str
    income: str
    allocated: str  # to schemes, net of returns
    adjustments: str
    balance: str
    principal: str  # an endowment's kept capital
    available: str  # what may be allocated now


class FundPage(BaseModel):
    items: list[FundOut]


class FundEntryOut(BaseModel):
    id: int
    kind: str
    pot: str
    amount: str  # signed as it changes the balance
    currency: str
    booked_on: date
    donor: str | None
    period_from: date | None
    period_to: date | None
    scheme: str | None
    note: str | None
    recorded_by: str
    recorded_at: datetime


class FundEntryPage(BaseModel):
    items: list[FundEntryOut]
    next_cursor: str | None


class FundEntryIn(schemas.Strict):
    kind: Literal["contribution", "income", "allocation", "return", "adjustment"]
    amount: schemas.number(-1e13, 1e13) = Field(  # type: ignore[valid-type]
        description="Positive; an adjustment that takes money out is negative")
    currency: str | None = Field(None, pattern="^[A-Z]{3}$",
                                 description="When given, the fund's currency")
    booked_on: date
    donor: str | None = schemas.text(default=None, max_length=160)
    period_from: date | None = None
    period_to: date | None = None
    scheme: str | None = schemas.text(default=None, max_length=32,
                                      description="The scheme's code (allocation, return)")
    pot: Literal["principal", "income"] | None = None
    note: str | None = schemas.text(default=None, max_length=2000)


MODELS = (FundOut, FundPage, FundEntryOut, FundEntryPage, FundEntryIn)


def fund_out(fund: Fund, t: funds.Totals | None = None) -> FundOut:
    """A fund as the API answers it; ``t``, its totals when a list has read them already."""
    t = funds.totals(fund) if t is None else t
    return FundOut(
        id=fund.id, name=fund.name, kind=fund.kind.value, currency=fund.currency,
        country=fund.country_code, province=fund.admin1.name if fund.admin1 else None,
        contributions=str(t.contributions.amount), income=str(t.income.amount),
        allocated=str(t.allocated.amount), adjustments=str(t.adjustments.amount),
        balance=str(t.balance.amount), principal=str(t.principal.amount),
        available=str(t.available.amount))


def entry_out(entry: FundEntry) -> FundEntryOut:
    return FundEntryOut(
        id=entry.id, kind=entry.kind.value, pot=entry.pot.value, amount=str(entry.amount),
        currency=entry.currency, booked_on=entry.booked_on, donor=entry.donor,
        period_from=entry.period_from, period_to=entry.period_to,
        scheme=entry.scheme.code if entry.scheme else None, note=entry.note,
        recorded_by=entry.created_by.name, recorded_at=entry.created_at)


def _reader():  # noqa: ANN202
    user = g.api_user
    if not user.has_role(*READERS):
        raise ApiError(403, "Forbidden", "Your role may not see funds.")
    return user


def _fund(fund_id: int) -> Fund:
    fund = db.session.get(Fund, fund_id)
    if fund is None or not scheme_scope.reaches(g.api_user, fund.country_code,
                                                fund.admin1_id):
        raise ApiError(404, "Not found", "No fund with this id in your area.")
    return fund


@bp.route("/funds", methods=["GET"])
@authenticated("read")
def list_funds():
    user = _reader()
    found = funds.visible_funds(user)
    totals = funds.totals_of(found)
    return json_response(FundPage(items=[fund_out(f, totals[f.id]) for f in found]))


@bp.route("/funds/<int:fund_id>", methods=["GET"])
@authenticated("read")
def get_fund(fund_id: int):
    _reader()
    return json_response(fund_out(_fund(fund_id)))


@bp.route("/funds/<int:fund_id>/entries", methods=["GET"])
@authenticated("read")
def list_fund_entries(fund_id: int):
    _reader()
    fund = _fund(fund_id)
    before, limit = page_args()  # the ledger pages from the newest entry back
    rows = funds.ledger(fund.id, before=before, limit=limit + 1)
    return json_response(FundEntryPage(
        items=[entry_out(e) for e in rows[:limit]],
        next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None))


@bp.route("/funds/<int:fund_id>/entries", methods=["POST"])
@authenticated("funds")
@idempotent
def create_fund_entry(fund_id: int):
    user = _reader()
    fund = _fund(fund_id)
    data = body(FundEntryIn)
    scheme_id = None
    if data.scheme is not None:
        scheme_id = db.session.scalar(select(Scheme.id).where(
            Scheme.code == data.scheme.upper())) or 0
    entry = funds.record_entry(user, fund.id, funds.EntryInput(
        kind=EntryKind(data.kind), amount=data.amount, booked_on=data.booked_on,
        currency=data.currency, donor=data.donor, period_from=data.period_from,
        period_to=data.period_to, scheme_id=scheme_id, pot=Pot(data.pot) if data.pot else None,
        note=data.note))
    db.session.expire_all()
    return json_response(entry_out(db.session.get(FundEntry, entry.id)), 201)
