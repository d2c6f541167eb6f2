"""The API's side of interim payments owed back: an interim share paid on a claim that then
ended unpaid (rejected, withdrawn, a duplicate) is a recovery of the scheme. The finance
office lists those of its area and records, as the payments page does (payments.recoveries),
that the money came back or that the scheme waives it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from flask import g, request
from pydantic import BaseModel, Field
from sqlalchemy import select

from conflict_app.api import schemas
from conflict_app.api.household_views import NAME
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    idempotent,
    json_response,
    page_args,
)
from conflict_app.claims.models import Claim
from conflict_app.core.permissions import Role, covers, scope
from conflict_app.extensions import db
from conflict_app.payments import recoveries
from conflict_app.payments.models import PaymentRecovery, RecoveryState
from conflict_app.schemes.models import Scheme


class RecoveryOut(BaseModel):
    id: int
    claim_reference: str
    scheme: str | None
    amount: str = Field(description="Decimal string, never a float")
    currency: str
    state: RecoveryState = Field(description="open: owed back; recovered; waived; offset: the "
                                             "claim was approved after all")
    note: str | None = Field(description="The receipt, or why the scheme waives it")
    created_at: datetime
    settled_at: datetime | None


class RecoveryPage(BaseModel):
    items: list[RecoveryOut]
    next_cursor: str | None


class SettlementIn(schemas.Strict):
    outcome: Literal["recovered", "waived"]
    note: str = Field(min_length=1, max_length=500, pattern=NAME,
                      description="The receipt, or why the scheme waives it")


MODELS = (RecoveryOut, RecoveryPage, SettlementIn)


def _finance():  # noqa: ANN202
    user = g.api_user
    if not user.has_role(Role.FINANCE):
        raise ApiError(403, "Forbidden", "Recoveries are recorded by the finance office.")
    return user


def _outs(rows: list[tuple[PaymentRecovery, str, str | None]]) -> list[RecoveryOut]:
    return [RecoveryOut(
        id=r.id, claim_reference=reference, scheme=code,
        amount=str(Decimal(r.amount).quantize(Decimal("0.01"))), currency=r.currency,
        state=r.state, note=r.note, created_at=r.created_at, settled_at=r.settled_at)
        for r, reference, code in rows]


def _query():  # noqa: ANN202 - a Select
    return (select(PaymentRecovery, Claim.reference, Scheme.code)
            .join(Claim, Claim.id == PaymentRecovery.claim_id)
            .outerjoin(Scheme, Scheme.id == Claim.scheme_id))


@bp.route("/payment-recoveries", methods=["GET"])
@authenticated("payments")
def list_recoveries():
    user = _finance()
    after, limit = page_args()
    query = scope(_query(), Claim, user)
    if state := request.args.get("state"):
        if state not in {s.value for s in RecoveryState}:
            raise ApiError(400, "Bad query", f"Unknown state {state!r}.")
        query = query.where(PaymentRecovery.state == RecoveryState(state))
    if code := request.args.get("scheme"):
        if len(code) > 32 or "\x00" in code:
            raise ApiError(400, "Bad query", "scheme is a scheme's code.")
        query = query.where(Scheme.code == code.upper())
    if after:
        query = query.where(PaymentRecovery.id < after)
    rows = db.session.execute(query.order_by(PaymentRecovery.id.desc()).limit(limit + 1)).all()
    return json_response(RecoveryPage(
        items=_outs(rows[:limit]),
        next_cursor=str(rows[limit - 1][0].id) if len(rows) > limit else None))


@bp.route("/payment-recoveries/<int:recovery_id>/settlement", methods=["POST"])
@authenticated("payments")
@idempotent
def settle_recovery(recovery_id: int):
    user = _finance()
    found = db.session.get(PaymentRecovery, recovery_id)
    claim = db.session.get(Claim, found.claim_id) if found is not None else None
    # Outside the jurisdiction looks exactly like "not there": ids cannot be probed.
    if claim is None or not covers(user, claim):
        raise ApiError(404, "Not found", "No recovery with this id in your area.")
    data = body(SettlementIn)
    recoveries.settle(user, recovery_id, data.outcome, data.note)
    db.session.expire_all()
    row = db.session.execute(_query().where(PaymentRecovery.id == recovery_id)).one()
    return json_response(_outs([tuple(row)])[0])
