"""``GET /api/v1/alerts``: alerts in the token user's area, newest first. The same rows as
the alerts page: kind, when, the village or area named, phones and segments, never a
household or a point. A broadcast to a province or district is previewed (phones, SMS
segments and the text in each language) and then sent with the preview's ETag, through the
same operations as the broadcast page."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from flask import g, request
from pydantic import BaseModel, Field

from conflict_app.alerts import operations
from conflict_app.alerts.views import VIEWERS, alerts_for
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
    whole_number,
)
from conflict_app.extensions import db


class AlertOut(BaseModel):
    id: int
    kind: str
    created_at: datetime
    country: str
    area: str | None
    village: str | None
    occurred_on: date | None
    radius_km: str | None
    villages: int
    villages_skipped: int
    phones: int
    segments: int


class AlertPage(BaseModel):
    items: list[AlertOut]
    next_cursor: str | None


def alert_out(alert) -> AlertOut:  # noqa: ANN001
    area = alert.admin2 or alert.admin1
    return AlertOut(
        id=alert.id, kind=alert.kind.value, created_at=alert.created_at,
        country=alert.country_code, area=area.name if area else None,
        village=alert.village.name if alert.village else None,
        occurred_on=alert.occurred_on,
        radius_km=str(alert.radius_km) if alert.radius_km is not None else None,
        villages=len(alert.reached), villages_skipped=alert.villages_skipped,
        phones=alert.phones, segments=alert.segments)


@bp.route("/alerts", methods=["GET"])
@authenticated("read")
def list_alerts():
    user = g.api_user
    if not user.has_role(*VIEWERS):
        raise ApiError(403, "Forbidden", "Your role may not list alerts.")
    after, limit = page_args()
    rows = alerts_for(user, limit + 1, after)
    return json_response(AlertPage(
        items=[alert_out(a) for a in rows[:limit]],
        next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None))


class BroadcastLanguage(BaseModel):
    locale: str
    phones: int
    segments_per_text: int
    segments: int
    text: str


class BroadcastPlanOut(BaseModel):
    area_id: int
    area: str
    phones: int
    villages: int
    villages_skipped: list[str] = Field(description="Villages left out: they had an alert "
                                                    "within the country's window")
    window_hours: int
    segments: int
    languages: list[BroadcastLanguage]


class BroadcastIn(schemas.Strict):
    area_id: int = Field(ge=1, le=schemas.MAX_ID)


class AlertEffectOut(BaseModel):
    """The analytics page's comparison: attacks per 100 village-weeks after a first alert
    against villages not yet alerted, with its design grade and caveats."""

    weeks: int
    villages_alerted: int
    villages_compared: int
    exposure_alerted: int = Field(description="Village-weeks after a first alert")
    exposure_control: int
    events_alerted: int
    events_control: int
    rate_alerted: float | None = Field(description="Attacks per 100 village-weeks")
    rate_control: float | None
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    upper_bound: float | None = Field(description="One-sided 95 % bound when no attack "
                                                  "followed an alert")
    suppressed: str | None = Field(description="Why no ratio is given (too few attacks)")
    grade: str
    design: str
    method: str
    caveats: list[str]


MODELS = (BroadcastPlanOut, BroadcastIn, AlertEffectOut)


def _plan_out(plan: operations.Plan) -> BroadcastPlanOut:
    return BroadcastPlanOut(
        area_id=plan.area.id, area=plan.area.label, phones=plan.phones,
        villages=len(plan.found.by_village()),
        villages_skipped=[v.name for v in plan.found.skipped],
        window_hours=plan.window_hours, segments=plan.segments,
        languages=[BroadcastLanguage(locale=locale, phones=phones, segments_per_text=each,
                                     segments=phones * each,
                                     text=operations.broadcast_text(locale, plan.area))
                   for locale, phones, each in plan.languages])


def _etag(out: BroadcastPlanOut) -> str:
    """Changes when the phones reached, the villages skipped or the texts do."""
    return hashlib.sha256(out.model_dump_json().encode()).hexdigest()[:32]


@bp.route("/alerts/broadcast-preview", methods=["GET"])
@authenticated("read")
def broadcast_preview():
    """What a broadcast would send; its ETag is what the sending request confirms."""
    out = _plan_out(operations.plan_broadcast(
        g.api_user, whole_number("area_id", request.args.get("area_id", ""))))
    response = json_response(out)
    response.set_etag(_etag(out))
    return response


@bp.route("/alerts/broadcasts", methods=["POST"])
@authenticated("alerts")
@idempotent
def send_broadcast():
    data = body(BroadcastIn)
    # Sent only as previewed: phones that joined, left or had an alert meanwhile make the
    # preview stale (412), as a changed page is confirmed again. Checked on the plan the
    # operation sends, under its lock, so a parallel send cannot slip in between.
    alert = operations.send_broadcast(
        g.api_user, data.area_id,
        confirm=lambda plan: if_match(_etag(_plan_out(plan)), "broadcast preview"))
    db.session.expire_all()
    return json_response(alert_out(db.session.get(type(alert), alert.id)), 201)


@bp.route("/analytics/alerts", methods=["GET"])
@authenticated("read")
def alert_effect():
    """The effect of alerts as on the analytics page, for the same roles and area."""
    from conflict_app.alerts import effect
    from conflict_app.alerts.views import ANALYSTS
    from conflict_app.geo.models import Country

    user = g.api_user
    if not user.has_role(*ANALYSTS):
        raise ApiError(403, "Forbidden", "The effect of alerts is for analysts and scheme "
                                         "managers.")
    country = user.jurisdiction_country
    if country is None and request.args.get("country"):
        code = request.args["country"].upper()
        if len(code) != 2 or db.session.get(Country, code) is None:
            raise ApiError(400, "Bad query", "country is a country's two-letter code.")
        country = code
    weeks = request.args.get("weeks", "4")
    if weeks not in {"2", "4", "8"}:
        raise ApiError(400, "Bad query", "weeks is 2, 4 or 8.")
    return json_response(AlertEffectOut(**effect.compare(user, country, int(weeks)).as_dict()))


def paths(ref, problems, json, idempotency) -> dict:  # noqa: ANN001
    """The broadcast's path items (joined into openapi.document)."""
    area = {"name": "area_id", "in": "query", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID}}
    etag = {"ETag": {"description": "The preview's entity tag", "schema": {"type": "string"}}}
    return {
        "/analytics/alerts": {"get": {
            "operationId": "alertEffect",
            "summary": "Verified attacks per 100 village-weeks after a first alert against "
                       "villages not yet alerted (design grade C, with its caveats)",
            "parameters": [
                {"name": "country", "in": "query",
                 "schema": {"type": "string", "pattern": "^[A-Za-z]{2}$"}},
                {"name": "weeks", "in": "query",
                 "schema": {"type": "string", "enum": ["2", "4", "8"]}}],
            "responses": {"200": json(AlertEffectOut, "The comparison"),
                          **problems(400, 401, 403)},
        }},
        "/alerts/broadcast-preview": {"get": {
            "operationId": "previewBroadcast",
            "summary": "What a broadcast to a province or district would send: phones, "
                       "villages left out, SMS segments and the text in each language "
                       "(supervisors and scheme managers)",
            "parameters": [area],
            "responses": {"200": {**json(BroadcastPlanOut, "The preview"), "headers": etag},
                          **problems(400, 401, 403)},
        }},
        "/alerts/broadcasts": {"post": {
            "operationId": "sendBroadcast",
            "summary": "Send the broadcast as previewed (scope alerts); phones that asked by "
                       "SMS for no more alerts get nothing",
            "parameters": [
                idempotency,
                {"name": "If-Match", "in": "header", "required": True,
                 "schema": {"type": "string", "maxLength": 200, "pattern": schemas.NO_NUL},
                 "description": "The preview's ETag; 412 when the broadcast would now reach "
                                "other phones or villages, 428 without it."}],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref(BroadcastIn)}}},
            "responses": {"201": json(AlertOut, "The alert sent"),
                          **problems(400, 401, 403, 409, 412, 413, 415, 422, 428)},
        }},
    }
