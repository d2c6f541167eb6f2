"""The API's side of mitigation measures: list, read, record and correct, through the same
operations as the household page (mitigation.operations). A measure's entity tag is the
fingerprint of its recorded fields; a correction must name it in ``If-Match``, so an update
made from an old copy is refused instead of overwriting someone else's change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from flask import Response, g, request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conflict_app.api import schemas
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    idempotent,
    if_match,
    json_response,
    page_args,
    query_date,
    stale,
    tagged_response,
    whole_number,
)
from conflict_app.core.errors import StaleObject
from conflict_app.core.money import CURRENCIES
from conflict_app.core.permissions import covers, scope
from conflict_app.extensions import db
from conflict_app.herders.models import Household
from conflict_app.mitigation import operations as mitigation_ops
from conflict_app.mitigation.models import Measure, MeasureType

# Money as a decimal string of at most 10^9 with cents, as the household form accepts it.
COST = r"^(0|[1-9][0-9]{0,8})(\.[0-9]{1,2})?$"
Currency = Literal[CURRENCIES]  # type: ignore[valid-type]


class MeasureFields(schemas.Strict):
    measure: MeasureType
    installed_on: date
    removed_on: date | None = None
    verified_on: date | None = None
    cost: str | None = Field(default=None, pattern=COST,
                             description="Decimal string, e.g. \"1250.00\"; with currency")
    currency: Currency | None = None
    funder: str | None = schemas.text(default=None, max_length=160)
    assignment: Literal["household", "village"] | None = Field(
        default=None, description="The unit drawn at random; empty for the household's own "
                                  "choice")
    assignment_method: str | None = schemas.text(default=None, max_length=160)


class MeasureIn(MeasureFields):
    household_id: schemas.Id


class MeasureOut(BaseModel):
    id: int
    household_id: int | None
    village_id: int
    village: str
    country: str
    measure: MeasureType
    installed_on: date
    removed_on: date | None
    verified_on: date | None
    cost: str | None = Field(description="Decimal string, never a float")
    currency: str | None
    funder: str | None
    assignment: str | None
    assignment_method: str | None
    etag: str = Field(description="Send it back in If-Match to correct the measure")


class MeasurePage(BaseModel):
    items: list[MeasureOut]
    next_cursor: str | None


MODELS = (MeasureIn, MeasureFields, MeasureOut, MeasurePage)


def _reader():  # noqa: ANN202
    user = g.api_user
    if not user.has_role(*mitigation_ops.STAFF):
        raise ApiError(403, "Forbidden", "Your role may not see mitigation measures.")
    return user


def _measure_for(measure_id: int) -> Measure:
    user = _reader()
    measure = db.session.get(Measure, measure_id)
    # Outside the jurisdiction looks exactly like "not there": ids cannot be probed.
    if measure is None or not covers(user, measure):
        raise ApiError(404, "Not found", "No measure with this id in your area.")
    return measure


def _out(measure: Measure) -> MeasureOut:
    return MeasureOut(
        id=measure.id, household_id=measure.household_id, village_id=measure.village_id,
        village=measure.village.name, country=measure.country_code, measure=measure.measure,
        installed_on=measure.installed_on, removed_on=measure.removed_on,
        verified_on=measure.verified_on,
        cost=str(Decimal(measure.cost).quantize(mitigation_ops.CENT))
        if measure.cost is not None else None,
        currency=measure.currency, funder=measure.funder, assignment=measure.assignment,
        assignment_method=measure.assignment_method, etag=mitigation_ops.fingerprint(measure))


def _answer(measure_id: int, status: int = 200) -> Response:
    db.session.expire_all()
    return tagged_response(_out(db.session.get(Measure, measure_id)), status,
                           f"/api/v1/measures/{measure_id}")


def _input(data: MeasureFields) -> mitigation_ops.MeasureInput:
    return mitigation_ops.MeasureInput(
        measure=data.measure, installed_on=data.installed_on, removed_on=data.removed_on,
        verified_on=data.verified_on,
        cost=Decimal(data.cost) if data.cost is not None else None, currency=data.currency,
        funder=data.funder, assignment=data.assignment,
        assignment_method=data.assignment_method)


@bp.route("/measures", methods=["GET"])
@authenticated("read")
def list_measures():
    user = _reader()
    after, limit = page_args()
    query = scope(select(Measure).options(selectinload(Measure.village)), Measure, user)
    if household := request.args.get("household_id"):
        query = query.where(Measure.household_id == whole_number("household_id", household))
    if kind := request.args.get("measure"):
        if kind not in {m.value for m in MeasureType}:
            raise ApiError(400, "Bad query", f"Unknown measure {kind!r}.")
        query = query.where(Measure.measure == MeasureType(kind))
    if since := query_date("installed_after"):
        query = query.where(Measure.installed_on >= since)
    if until := query_date("installed_before"):
        query = query.where(Measure.installed_on <= until)
    if after:
        query = query.where(Measure.id < after)
    rows = list(db.session.scalars(query.order_by(Measure.id.desc()).limit(limit + 1)))
    return json_response(MeasurePage(
        items=[_out(m) for m in rows[:limit]],
        next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None))


@bp.route("/measures/<int:measure_id>", methods=["GET"])
@authenticated("read")
def get_measure(measure_id: int):
    measure = _measure_for(measure_id)
    response = _answer(measure.id)
    return response.make_conditional(request)


@bp.route("/measures", methods=["POST"])
@authenticated("claims")
@idempotent
def create_measure():
    user = g.api_user
    data = body(MeasureIn)
    household = db.session.get(Household, data.household_id)
    if household is None or not covers(user, household):
        raise ApiError(404, "Not found", "No household with this id in your area.")
    measure = mitigation_ops.record_measure(user, household, _input(data))
    return _answer(measure.id, 201)


@bp.route("/measures/<int:measure_id>", methods=["PUT"])
@authenticated("claims")
def update_measure(measure_id: int):
    measure = _measure_for(measure_id)
    expected = if_match(mitigation_ops.fingerprint(measure), "measure")
    data = body(MeasureFields)
    try:
        mitigation_ops.update_measure(g.api_user, measure.id, _input(data), expected)
    except StaleObject as exc:  # changed between the check above and the row lock
        raise stale("measure") from exc
    return _answer(measure.id)
