"""The downloads of the export pages (exports.views) and the analytics overview's figures,
for the roles those pages allow, from the same functions.

Claims and payments tables carry herders' names and phone numbers: through the API they need
a token with the ``exports`` scope, which its owner chooses on purpose (and makes, as every
token, after confirming their password), so that a token made to read claims one at a time
cannot carry the whole register away. The de-identified downloads (incident grid,
range-wide aggregate) need ``read`` only."""

from __future__ import annotations

import json
from datetime import datetime

from flask import Response, g, request
from pydantic import BaseModel, Field

from conflict_app.analytics import service as analytics
from conflict_app.analytics import store as analytics_store
from conflict_app.api.views import ApiError, authenticated, bp, json_response
from conflict_app.auth.models import User
from conflict_app.exports import aggregate, jobs
from conflict_app.exports.views import DEIDENTIFIED, TABLE_ROLES, download, table_file
from conflict_app.extensions import db
from conflict_app.geo.models import Country

ANALYSTS = DEIDENTIFIED  # the analytics pages' roles: analysts, scheme managers, admins


def allowed(*roles) -> User:  # noqa: ANN002
    user = g.api_user
    if not user.has_role(*roles):
        raise ApiError(403, "Forbidden", "Your role may not download this export.")
    return user


def _table(table: str, extension: str) -> Response:
    """A claims or payments table as on the exports page: refused (403) for a role that may
    not see it, 409 when too large for one request (naming the route that prepares it),
    else streamed (CSV) or written at once (XLSX)."""
    user = allowed(*TABLE_ROLES[table])
    count = jobs.too_large(user, table)
    if count is not None:
        raise ApiError(409, "Too large", f"This export has {count} rows: ask for it with POST "
                                         "/api/v1/export-runs and download it when it is "
                                         "done.")
    return table_file(user, table, extension)


@bp.route("/exports/claims.csv", methods=["GET"])
@authenticated("exports")
def export_claims_csv():
    return _table("claims", "csv")


@bp.route("/exports/claims.xlsx", methods=["GET"])
@authenticated("exports")
def export_claims_xlsx():
    return _table("claims", "xlsx")


@bp.route("/exports/payments.csv", methods=["GET"])
@authenticated("exports")
def export_payments_csv():
    return _table("payments", "csv")


@bp.route("/exports/payments.xlsx", methods=["GET"])
@authenticated("exports")
def export_payments_xlsx():
    return _table("payments", "xlsx")


@bp.route("/exports/incidents.geojson", methods=["GET"])
@authenticated("read")
def export_incidents_geojson():
    collection = aggregate.geojson(allowed(*DEIDENTIFIED))
    return download(json.dumps(collection), "application/geo+json", "incidents.geojson")


@bp.route("/exports/aggregate.csv", methods=["GET"])
@authenticated("read")
def export_aggregate_csv():
    return download(aggregate.aggregate_csv(allowed(*DEIDENTIFIED)), "text/csv",
                     "aggregate.csv")


# --- the analytics overview --------------------------------------------------------------
class RateRow(BaseModel):
    group: str | int | None = Field(description="The species, region, season, month (1-12), "
                                                "setting or time of day")
    losses: int | None = Field(description="Heads killed; empty when suppressed")
    head_years: float
    rate_per_100: float | None
    suppressed: bool = Field(description="Fewer than 5 households: numbers withheld")


class OutcomeRow(BaseModel):
    confidence: str
    claims: int | None
    approved: int | None
    rejected: int | None
    suppressed: bool


class TimeRow(BaseModel):
    step: str
    claims: int | None
    median_days: float | None
    p90_days: float | None
    suppressed: bool


class GridCell(BaseModel):
    lat: float = Field(description="South-west corner of the cell, never an exact place")
    lon: float
    size: float
    incidents: int | None
    suppressed: bool


class Grid(BaseModel):
    cells: list[GridCell]
    size: float
    total: int
    hidden: int


class AnalyticsOverview(BaseModel):
    country: str | None
    verification_filter: str
    rates: dict[str, list[RateRow]] = Field(description="Heads killed per 100 head-years, "
                                                        "by species, region, season, month, "
                                                        "setting and time of day")
    outcomes: list[OutcomeRow]
    times: list[TimeRow]
    grid: Grid
    figures_as_of: datetime | None = Field(description="Set when the figures are from "
                                                       "before the latest change (a job "
                                                       "is bringing them up to date)")


MODELS = (RateRow, OutcomeRow, TimeRow, GridCell, Grid, AnalyticsOverview)


def _country(user: User) -> str | None:
    """Users of one country see it; range-wide users may pick one."""
    if user.jurisdiction_country:
        return user.jurisdiction_country
    code = request.args.get("country")
    if not code:
        return None
    if len(code) != 2 or db.session.get(Country, code.upper()) is None:
        raise ApiError(400, "Bad query", f"Unknown country {code!r}.")
    return code.upper()


@bp.route("/analytics/overview", methods=["GET"])
@authenticated("read")
def analytics_overview():
    user = g.api_user
    if not user.has_role(*ANALYSTS):
        raise ApiError(403, "Forbidden", "Analytics are for analysts.")
    verification = request.args.get("filter", "confirmed_probable")
    if verification not in analytics.FILTERS:
        raise ApiError(400, "Bad query", f"Unknown filter {verification!r}.")
    country = _country(user)
    # Both figures are asked for even when the first is still being computed, so the
    # first request queues them at once (as the page does).
    figures = grid = pending = None
    try:
        figures = analytics.overview(user, country, verification)
    except analytics_store.FiguresPending as err:
        pending = err
    try:
        grid = analytics.grid(user, country)
    except analytics_store.FiguresPending as err:
        pending = err
    if pending is not None:
        raise pending
    return json_response(AnalyticsOverview(
        country=country, verification_filter=verification, rates=figures["rates"],
        outcomes=figures["outcomes"], times=figures["times"], grid=grid,
        figures_as_of=analytics_store.as_of()))
