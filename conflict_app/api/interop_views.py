"""The API's side of the exchange with EarthRanger and SMART (docs/interop.md): verified
leopard attacks as EarthRanger event bodies or a SMART observation CSV, for the roles that
read incidents, in their area; and leopard observations imported as presence records by the
roles that record presence, through the same operation as the commands and the page.

Exact points only when the receiving system is trusted by configuration and the caller's role
works on claims; otherwise the centre of the 0.1° cell. No herder data in any answer."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Literal

from flask import Response, g, stream_with_context
from pydantic import BaseModel, Field

from conflict_app.api.incident_views import READERS
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    idempotent,
    json_response,
    page_args,
    query_date,
)
from conflict_app.core.permissions import CASE_ROLES
from conflict_app.interop import earthranger, smart
from conflict_app.interop.attacks import trusted, verified_attacks
from conflict_app.interop.imports import DEFAULT_MAX_BYTES, import_sightings

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "interop" / "schemas" / \
    "earthranger-event.schema.json"


class PresenceImportIn(BaseModel):
    source: Literal["earthranger", "smart"]
    format: Literal["json", "xml", "csv"] = Field(
        description="json for EarthRanger; xml or csv for SMART")
    scheme_id: int = Field(ge=1, le=2_147_483_647, description="The incentive scheme")
    kind: Literal["occasional", "regular", "reproduction"] = "occasional"
    content: str = Field(max_length=DEFAULT_MAX_BYTES,
                         description="The exported file's text (UTF-8)")


class PresenceRejection(BaseModel):
    line: int
    source_id: str
    reason: str


class PresenceImportOut(BaseModel):
    imported: list[int] = Field(description="Ids of the presence records created")
    already_imported: int = Field(description="Rows whose source id was imported before")
    rejected: list[PresenceRejection]


MODELS = (PresenceImportIn, PresenceImportOut)


def _reader():  # noqa: ANN202
    user = g.api_user
    if not user.has_role(*READERS):
        raise ApiError(403, "Forbidden", "Your role may not see incidents.")
    return user


def _dates() -> tuple[date | None, date | None]:
    return query_date("occurred_from"), query_date("occurred_to")


def _exact(user, target: str) -> bool:  # noqa: ANN001
    return trusted(target) and user.has_role(*CASE_ROLES)


@bp.route("/interop/earthranger/events", methods=["GET"])
@authenticated("read")
def earthranger_events():
    user = _reader()
    after, limit = page_args()
    since, until = _dates()
    attacks = list(verified_attacks(exact=_exact(user, "earthranger"), user=user,
                                    occurred_from=since, occurred_to=until,
                                    after=after or 0, limit=limit + 1))
    page = attacks[:limit]
    body_ = {"items": [earthranger.event(a) for a in page],
             "next_cursor": str(page[-1].claim_id) if len(attacks) > limit else None}
    return Response(json.dumps(body_, ensure_ascii=False), mimetype="application/json")


@bp.route("/interop/smart/observations.csv", methods=["GET"])
@authenticated("read")
def smart_observations():
    user = _reader()
    since, until = _dates()
    exact = _exact(user, "smart")

    def rows():  # streamed: a range-wide table is never held whole
        buffer = io.StringIO()
        attacks = verified_attacks(exact=exact, user=user, occurred_from=since,
                                   occurred_to=until)
        smart.write_csv([], buffer)
        yield buffer.getvalue()
        for attack in attacks:
            if attack.latitude is None:
                continue
            buffer = io.StringIO()
            smart.csv_writer(buffer).writerow(smart.csv_row(attack))
            yield buffer.getvalue()

    response = Response(stream_with_context(rows()), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="smart-observations.csv"'
    return response


@bp.route("/interop/presence-imports", methods=["POST"])
@authenticated("verification")
@idempotent
def presence_import():
    data = body(PresenceImportIn)
    report = import_sightings(g.api_user, data.scheme_id, data.source, data.format,
                              data.content.encode("utf-8"), data.kind)
    return json_response(PresenceImportOut(
        imported=report.imported, already_imported=report.already,
        rejected=[PresenceRejection(line=r.line, source_id=r.source_id, reason=r.reason)
                  for r in report.rejected]))


def event_schema() -> dict:
    """The shipped EarthRanger event schema, as an OpenAPI 3.1 (JSON Schema) object."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    return schema


def paths(ref, problems, json_, idempotency) -> dict:  # noqa: ANN001
    """The path items of this module (joined into openapi.document)."""
    dates = [{"name": "occurred_from", "in": "query",
              "schema": {"type": "string", "format": "date"}},
             {"name": "occurred_to", "in": "query",
              "schema": {"type": "string", "format": "date"}}]
    page = [{"name": "cursor", "in": "query", "description": "next_cursor of the previous page",
             "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,8}$"}},
            {"name": "limit", "in": "query",
             "schema": {"type": "integer", "minimum": 1, "maximum": 200}}]
    events = {"type": "object", "required": ["items", "next_cursor"],
              "properties": {"items": {"type": "array", "items": event_schema()},
                             "next_cursor": {"type": ["string", "null"]}}}
    return {
        "/interop/earthranger/events": {"get": {
            "operationId": "exportEarthRangerEvents",
            "summary": "Verified leopard attacks in your area as EarthRanger event bodies "
                       "(POST /api/v1.0/activity/events each); the 0.1° cell's centre unless "
                       "EarthRanger is trusted and your role works on claims",
            "parameters": [*dates, *page],
            "responses": {"200": {"description": "A page of events", "content": {
                "application/json": {"schema": events}}}, **problems(400, 401, 403)},
        }},
        "/interop/smart/observations.csv": {"get": {
            "operationId": "exportSmartObservations",
            "summary": "Verified leopard attacks in your area as a SMART observation CSV",
            "parameters": dates,
            "responses": {"200": {"description": "The table (docs/interop.md)", "content": {
                "text/csv": {"schema": {"type": "string"}}}}, **problems(400, 401, 403)},
        }},
        "/interop/presence-imports": {"post": {
            "operationId": "importPresence",
            "summary": "Import EarthRanger or SMART leopard observations as presence records "
                       "of an incentive scheme (each source id once; rejected rows explained)",
            "parameters": [idempotency],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref(PresenceImportIn)}}},
            "responses": {"200": json_(PresenceImportOut, "What was imported"),
                          **problems(400, 401, 403, 404, 409, 413, 415, 422)},
        }},
    }
