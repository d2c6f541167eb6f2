"""The API's side of incidents (read only), with the personal-data rules of the pages: the
roles that open claims see exact coordinates, as the claim page shows them; analysts get
them on the 0.1° grid of the de-identified export (bundles.exporter.coarsen), never the
point. No incident answer carries a herder's name, phone or the free-text description
(herders name people in it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from flask import g, request
from pydantic import BaseModel, Field
from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import selectinload

from conflict_app.api.views import (
    ApiError,
    authenticated,
    bp,
    json_response,
    page_args,
    query_date,
    whole_number,
)
from conflict_app.bundles.exporter import coarsen
from conflict_app.claims.models import Claim, Incident
from conflict_app.core.permissions import CASE_ROLES, Role, covers, scope
from conflict_app.extensions import db
from conflict_app.verification.checklist import Confidence, Predator
from conflict_app.verification.models import VerificationReport

GRID = Decimal("0.1")  # the analytics grid, as the de-identified export coarsens to
READERS = (*CASE_ROLES, Role.ANALYST)


class IncidentLineOut(BaseModel):
    species: str
    age_class: str
    killed: int
    injured: int


class IncidentOut(BaseModel):
    id: int
    occurred_on: date
    part_of_day: str | None
    country: str
    village_id: int
    village: str
    setting: str | None
    in_protected_area: bool
    latitude: str | None = Field(description="Decimal degrees as a string; the south-west "
                                             "corner of a 0.1° cell when coarse")
    longitude: str | None
    precision: Literal["exact", "grid_0.1"] | None = Field(
        description="exact for roles that work on claims, grid_0.1 for analysts; null when "
                    "no location was given")
    predator: str | None = Field(description="From the latest verification, or as recorded "
                                             "with an imported incident")
    confidence: str | None
    household_id: int | None = Field(description="Only for roles that work on claims")
    claim_reference: str | None = Field(description="Only for roles that work on claims")
    lines: list[IncidentLineOut]


class IncidentPage(BaseModel):
    items: list[IncidentOut]
    next_cursor: str | None


MODELS = (IncidentOut, IncidentPage)


def _reader():  # noqa: ANN202
    user = g.api_user
    if not user.has_role(*READERS):
        raise ApiError(403, "Forbidden", "Your role may not see incidents.")
    return user


def _attributed():  # noqa: ANN202
    """Select incidents with their claim, predator and confidence: their verdict report's
    (the latest of their claims', kept on the incident), else what an imported incident
    recorded (as analytics attributes them). The claim's reference is read for the rows of
    the page alone: grouping every claim by incident first cost a scan of the whole table
    on each page."""
    reference = (select(func.max(Claim.reference)).where(Claim.incident_id == Incident.id)
                 .correlate(Incident).scalar_subquery())
    predator = func.coalesce(type_coerce(VerificationReport.predator, String),
                             Incident.recorded_predator)
    confidence = func.coalesce(type_coerce(VerificationReport.confidence, String),
                               Incident.recorded_confidence)
    query = (select(Incident, reference, predator, confidence)
             .outerjoin(VerificationReport, VerificationReport.id == Incident.verdict_report_id)
             .options(selectinload(Incident.lines), selectinload(Incident.village)))
    return query, predator, confidence


def _out(user, incident: Incident, reference: str | None,  # noqa: ANN001
         predator: str | None, confidence: str | None) -> IncidentOut:
    casework = user.has_role(*CASE_ROLES)
    lat, lon, precision = incident.latitude, incident.longitude, None
    if lat is not None and lon is not None:
        precision = "exact" if casework else "grid_0.1"
        if not casework:
            lat, lon = coarsen(Decimal(lat), GRID), coarsen(Decimal(lon), GRID)
    else:
        lat = lon = None
    return IncidentOut(
        id=incident.id, occurred_on=incident.occurred_on,
        part_of_day=incident.part_of_day.value if incident.part_of_day else None,
        country=incident.country_code, village_id=incident.village_id,
        village=incident.village.name,
        setting=incident.setting.value if incident.setting else None,
        in_protected_area=incident.in_protected_area,
        latitude=str(lat) if lat is not None else None,
        longitude=str(lon) if lon is not None else None, precision=precision,
        predator=predator, confidence=confidence,
        household_id=incident.household_id if casework else None,
        claim_reference=reference if casework else None,
        lines=[IncidentLineOut(species=ln.species.value, age_class=ln.age_class.value,
                               killed=ln.killed, injured=ln.injured) for ln in incident.lines])


@bp.route("/incidents", methods=["GET"])
@authenticated("read")
def list_incidents():
    user = _reader()
    after, limit = page_args()
    query, predator, confidence = _attributed()
    query = scope(query, Incident, user)
    if since := query_date("occurred_from"):
        query = query.where(Incident.occurred_on >= since)
    if until := query_date("occurred_to"):
        query = query.where(Incident.occurred_on <= until)
    if village := request.args.get("village_id"):
        query = query.where(Incident.village_id == whole_number("village_id", village))
    if wanted := request.args.get("predator"):
        if wanted not in {p.value for p in Predator}:
            raise ApiError(400, "Bad query", f"Unknown predator {wanted!r}.")
        query = query.where(predator == wanted)
    if wanted := request.args.get("confidence"):
        if wanted not in {c.value for c in Confidence}:
            raise ApiError(400, "Bad query", f"Unknown confidence {wanted!r}.")
        query = query.where(confidence == wanted)
    if after:
        query = query.where(Incident.id < after)
    rows = db.session.execute(query.order_by(Incident.id.desc()).limit(limit + 1)).all()
    return json_response(IncidentPage(
        items=[_out(user, *row) for row in rows[:limit]],
        next_cursor=str(rows[limit - 1][0].id) if len(rows) > limit else None))


@bp.route("/incidents/<int:incident_id>", methods=["GET"])
@authenticated("read")
def get_incident(incident_id: int):
    user = _reader()
    query, _predator, _confidence = _attributed()
    row = db.session.execute(query.where(Incident.id == incident_id)).first()
    # Outside the jurisdiction looks exactly like "not there": ids cannot be probed.
    if row is None or not covers(user, row[0]):
        raise ApiError(404, "Not found", "No incident with this id in your area.")
    return json_response(_out(user, *row))
