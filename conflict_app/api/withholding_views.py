"""The API's side of withholding an incentive scheme's payments to a community after a
confirmed retaliatory killing, and of deciding the community's appeal, through the scheme
page's operations (schemes.incentives.withhold, appeal): scheme managers of the scheme, with
the ``schemes`` scope, audited as on the page. A withholding answers with an ETag; an appeal
sends it in If-Match, so a withholding lifted or released meanwhile is not decided twice."""

from __future__ import annotations

from datetime import date

from flask import Response, g, request
from pydantic import BaseModel, Field
from sqlalchemy import select

from conflict_app.api import schemas
from conflict_app.api.household_views import NAME
from conflict_app.api.scheme_views import MANAGERS, READERS, scheme_for
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    idempotent,
    if_match,
    json_response,
    page_args,
    stale,
    tagged_response,
)
from conflict_app.core.errors import StaleObject
from conflict_app.core.permissions import covers
from conflict_app.extensions import db
from conflict_app.schemes import incentives
from conflict_app.schemes.models import Scheme, Withholding
from conflict_app.schemes.params import SchemeKind


class WithholdingOut(BaseModel):
    id: int
    scheme_id: int
    village_id: int
    village: str
    reason: str
    noticed_on: date
    ends_on: date = Field(description="Released automatically after this day")
    state: str = Field(description="active, lifted (appeal upheld) or released")
    appeal: str | None
    closed_on: date | None
    etag: str


class WithholdingPage(BaseModel):
    items: list[WithholdingOut]
    next_cursor: str | None


class WithholdingIn(schemas.Strict):
    village_id: schemas.Id
    noticed_on: date = Field(description="The day notice was given; the cycle runs from it")
    reason: str = Field(min_length=1, max_length=2000, pattern=NAME)


class AppealIn(schemas.Strict):
    reason: str = Field(min_length=1, max_length=2000, pattern=NAME,
                        description="The community's appeal and the decision")
    upheld: bool = Field(description="true lifts the withholding and releases the held "
                                     "payments; false keeps it to the end of the cycle")


MODELS = (WithholdingOut, WithholdingPage, WithholdingIn, AppealIn)


def withholding_out(item: Withholding) -> WithholdingOut:
    return WithholdingOut(
        id=item.id, scheme_id=item.scheme_id, village_id=item.village_id,
        village=item.village.name, reason=item.reason, noticed_on=item.noticed_on,
        ends_on=item.ends_on, state=item.state, appeal=item.appeal, closed_on=item.closed_on,
        etag=incentives.withholding_fingerprint(item))


def _answer(withholding_id: int, status: int = 200) -> Response:
    db.session.expire_all()
    return tagged_response(withholding_out(db.session.get(Withholding, withholding_id)),
                           status, f"/api/v1/withholdings/{withholding_id}")


def _incentive_scheme(scheme_id: int) -> Scheme:
    scheme = scheme_for(scheme_id)
    if scheme.kind is not SchemeKind.INCENTIVE:
        raise ApiError(404, "Not found", "Only an incentive scheme withholds payments.")
    return scheme


def _withholding(withholding_id: int) -> Withholding:
    """One of a scheme and a village in the user's area; any other does not exist for them."""
    user = g.api_user
    if not user.has_role(*READERS):
        raise ApiError(403, "Forbidden", "Your role may not see schemes.")
    item = db.session.get(Withholding, withholding_id)
    if item is None or not covers(user, item.village):
        raise ApiError(404, "Not found", "No withholding with this id in your area.")
    scheme_for(item.scheme_id)
    return item


def _manager():  # noqa: ANN202
    user = g.api_user
    if not user.has_role(*MANAGERS):
        raise ApiError(403, "Forbidden", "Payments are withheld by scheme managers.")
    return user


@bp.route("/schemes/<int:scheme_id>/withholdings", methods=["GET"])
@authenticated("read")
def list_withholdings(scheme_id: int):
    """The scheme's withholdings in the user's villages, newest first, as its page lists."""
    scheme = _incentive_scheme(scheme_id)
    before, limit = page_args()
    query = select(Withholding).where(Withholding.scheme_id == scheme.id)
    if before is not None:
        query = query.where(Withholding.id < before)
    rows = [w for w in db.session.scalars(query.order_by(Withholding.id.desc()))
            if covers(g.api_user, w.village)][:limit + 1]
    return json_response(WithholdingPage(
        items=[withholding_out(w) for w in rows[:limit]],
        next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None))


@bp.route("/withholdings/<int:withholding_id>", methods=["GET"])
@authenticated("read")
def get_withholding(withholding_id: int):
    return _answer(_withholding(withholding_id).id).make_conditional(request)


@bp.route("/schemes/<int:scheme_id>/withholdings", methods=["POST"])
@authenticated("schemes")
@idempotent
def create_withholding(scheme_id: int):
    scheme = _incentive_scheme(scheme_id)
    user = _manager()
    data = body(WithholdingIn)
    item = incentives.withhold(user, scheme.id, data.village_id, data.reason, data.noticed_on)
    return _answer(item.id, 201)


@bp.route("/withholdings/<int:withholding_id>/appeal", methods=["POST"])
@authenticated("schemes")
@idempotent
def decide_appeal(withholding_id: int):
    item = _withholding(withholding_id)
    user = _manager()
    current = if_match(incentives.withholding_fingerprint(item), "withholding")
    data = body(AppealIn)
    try:
        incentives.appeal(user, item.id, data.reason, data.upheld, expected=current)
    except StaleObject as exc:  # decided between the check above and the row lock
        raise stale("withholding") from exc
    return _answer(item.id)
