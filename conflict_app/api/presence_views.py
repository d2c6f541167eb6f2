"""The API's side of verified leopard presence records of incentive schemes: list, read and
record, through the same operation as the scheme page (schemes.incentives.record_presence).

Readers are the roles of the scheme page, each seeing the records of the villages of their
area; verifiers and scheme managers (administrators too) record them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import g, request
from pydantic import BaseModel, Field
from sqlalchemy import select

from conflict_app.api import schemas
from conflict_app.api.enrolment_views import scheme_for
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    idempotent,
    json_response,
    page_args,
    whole_number,
)
from conflict_app.core.permissions import CASE_ROLES, Role, covers, scope
from conflict_app.extensions import db
from conflict_app.geo.models import Village
from conflict_app.schemes import incentive_rules, incentives
from conflict_app.schemes.models import PresenceRecord, Scheme
from conflict_app.schemes.params import SchemeKind

RECORDING = (Role.VERIFIER, Role.SCHEME_MANAGER, Role.ADMIN)
Kind = Literal[incentive_rules.PRESENCE_KINDS]  # type: ignore[valid-type]


class PresenceIn(schemas.Strict):
    scheme_id: schemas.Id
    village_id: schemas.Id
    kind: Kind
    observed_on: date
    evidence: str = schemas.text(min_length=1, max_length=2000,
                                 description="What was seen and where it is kept (camera "
                                             "trap images, track photos)")


class PresenceOut(BaseModel):
    id: int
    scheme_id: int
    scheme: str = Field(description="The scheme's code")
    village_id: int
    village: str
    period: int = Field(description="The year the record counts for")
    kind: str = Field(description="occasional, regular or reproduction")
    observed_on: date
    evidence: str
    verified_by_id: int
    verified_by: str
    created_at: datetime


class PresencePage(BaseModel):
    items: list[PresenceOut]
    next_cursor: str | None


MODELS = (PresenceIn, PresenceOut, PresencePage)


def _reader():  # noqa: ANN202
    user = g.api_user
    if not user.has_role(*CASE_ROLES):
        raise ApiError(403, "Forbidden", "Your role may not see presence records.")
    return user


def _outs(records: list[PresenceRecord]) -> list[PresenceOut]:
    """Records as the API answers them, their schemes' codes read in one query for all."""
    codes = dict(db.session.execute(select(Scheme.id, Scheme.code).where(
        Scheme.id.in_({r.scheme_id for r in records}))).all()) if records else {}
    return [_out(r, codes[r.scheme_id]) for r in records]


def _out(record: PresenceRecord, scheme_code: str) -> PresenceOut:
    return PresenceOut(
        id=record.id, scheme_id=record.scheme_id, scheme=scheme_code,
        village_id=record.village_id, village=record.village.name, period=record.period,
        kind=record.kind, observed_on=record.observed_on, evidence=record.evidence,
        verified_by_id=record.verified_by_id, verified_by=record.verified_by.name,
        created_at=record.created_at)


def _query(user):  # noqa: ANN001, ANN202 - a Select of the records of the user's villages
    return scope(select(PresenceRecord).join(Village, PresenceRecord.village_id == Village.id),
                 Village, user)


@bp.route("/presence-records", methods=["GET"])
@authenticated("read")
def list_presence_records():
    user = _reader()
    after, limit = page_args()
    query = _query(user)
    if scheme := request.args.get("scheme_id"):
        query = query.where(PresenceRecord.scheme_id == whole_number("scheme_id", scheme))
    if village := request.args.get("village_id"):
        query = query.where(PresenceRecord.village_id == whole_number("village_id", village))
    if period := request.args.get("period"):
        try:
            year = int(period)
        except ValueError as exc:
            raise ApiError(400, "Bad query", "period is a year, e.g. 2026.") from exc
        if not 1900 <= year <= 2200:
            raise ApiError(400, "Bad query", "period is a year, e.g. 2026.")
        query = query.where(PresenceRecord.period == year)
    if after:
        query = query.where(PresenceRecord.id < after)
    rows = list(db.session.scalars(query.order_by(PresenceRecord.id.desc()).limit(limit + 1)))
    return json_response(PresencePage(
        items=_outs(rows[:limit]),
        next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None))


@bp.route("/presence-records/<int:record_id>", methods=["GET"])
@authenticated("read")
def get_presence_record(record_id: int):
    user = _reader()
    record = db.session.scalars(_query(user).where(PresenceRecord.id == record_id)).first()
    # Outside the jurisdiction looks exactly like "not there": ids cannot be probed.
    if record is None:
        raise ApiError(404, "Not found", "No presence record with this id in your area.")
    return json_response(_outs([record])[0])


@bp.route("/presence-records", methods=["POST"])
@authenticated("verification")
@idempotent
def create_presence_record():
    user = g.api_user
    if not user.has_role(*RECORDING):
        raise ApiError(403, "Forbidden", "Presence is recorded by verifiers and scheme "
                                         "managers.")
    data = body(PresenceIn)
    scheme = scheme_for(user, data.scheme_id, SchemeKind.INCENTIVE)
    village = db.session.get(Village, data.village_id)
    if village is None or not covers(user, village):
        raise ApiError(404, "Not found", "No village with this id in your area.")
    record = incentives.record_presence(user, scheme.id, village.id, data.kind,
                                        data.observed_on, data.evidence)
    db.session.expire_all()
    response = json_response(_outs([db.session.get(PresenceRecord, record.id)])[0], 201)
    response.headers["Location"] = f"/api/v1/presence-records/{record.id}"
    return response
