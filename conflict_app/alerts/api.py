"""``GET /api/v1/alerts``: alerts in the token user's area, newest first. The same rows as
the alerts page: kind, when, the village or area named, phones and segments, never a
household or a point."""

from __future__ import annotations

from datetime import date, datetime

from flask import g, request
from pydantic import BaseModel

from conflict_app.alerts.views import VIEWERS, alerts_for
from conflict_app.api import schemas
from conflict_app.api.views import ApiError, authenticated, bp, json_response


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
    cursor = request.args.get("cursor")
    try:
        after = int(cursor) if cursor else None
        limit = min(max(int(request.args.get("limit", 50)), 1), 200)
    except ValueError as exc:
        raise ApiError(400, "Bad query", "cursor and limit are whole numbers.") from exc
    if after is not None and not 0 < after <= schemas.MAX_ID:
        raise ApiError(400, "Bad query", "cursor is out of range.")
    rows = alerts_for(user, limit + 1, after)
    return json_response(AlertPage(
        items=[alert_out(a) for a in rows[:limit]],
        next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None))
