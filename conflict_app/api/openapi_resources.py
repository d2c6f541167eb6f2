"""The OpenAPI paths of mitigation measures and incidents (joined into openapi.document)."""

from __future__ import annotations

from conflict_app.api import incident_views, measure_views, schemas
from conflict_app.mitigation.models import MeasureType
from conflict_app.verification.checklist import Confidence, Predator

MODELS = (*measure_views.MODELS, *incident_views.MODELS)

ID = {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID}
DATE = {"type": "string", "format": "date"}
PAGE = [
    {"name": "cursor", "in": "query", "description": "next_cursor of the previous page",
     "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,8}$"}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                "maximum": 200}},
]
MEASURE_ID = {"name": "measure_id", "in": "path", "required": True, "schema": ID}
INCIDENT_ID = {"name": "incident_id", "in": "path", "required": True, "schema": ID}
IF_MATCH = {"name": "If-Match", "in": "header", "required": True,
            "schema": {"type": "string", "maxLength": 200, "pattern": schemas.NO_NUL},
            "description": "The ETag of the measure as read; a stale one is refused (412), "
                           "a missing one too (428)."}
ETAG = {"ETag": {"description": "The measure's entity tag", "schema": {"type": "string"}}}


def paths(ref, problems, json, idempotency) -> dict:  # noqa: ANN001
    """The path items; ``ref``, ``problems``, ``json`` are openapi's helpers."""
    one_measure = {**json(measure_views.MeasureOut, "The measure"), "headers": ETAG}
    return {
        "/measures": {
            "get": {
                "operationId": "listMeasures",
                "summary": "Mitigation measures in your area, newest first",
                "parameters": [
                    {"name": "household_id", "in": "query", "schema": ID},
                    {"name": "measure", "in": "query",
                     "schema": {"type": "string", "enum": [m.value for m in MeasureType]}},
                    {"name": "installed_after", "in": "query", "schema": DATE,
                     "description": "Installed on or after this day"},
                    {"name": "installed_before", "in": "query", "schema": DATE,
                     "description": "Installed on or before this day"},
                    *PAGE,
                ],
                "responses": {"200": json(measure_views.MeasurePage, "A page of measures"),
                              **problems(400, 401, 403)},
            },
            "post": {
                "operationId": "createMeasure",
                "summary": "Record a measure for a household (same rules as its page)",
                "parameters": [idempotency],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref(measure_views.MeasureIn)}}},
                "responses": {"201": {**json(measure_views.MeasureOut, "The new measure"),
                                      "headers": ETAG},
                              **problems(400, 401, 403, 404, 409, 413, 415, 422)},
            },
        },
        "/measures/{measure_id}": {
            "get": {"operationId": "getMeasure", "parameters": [MEASURE_ID],
                    "responses": {"200": one_measure, "304": {"description": "Not modified"},
                                  **problems(401, 403, 404)}},
            "put": {
                "operationId": "updateMeasure",
                "summary": "Correct a measure; If-Match must carry its current ETag",
                "parameters": [MEASURE_ID, IF_MATCH],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref(measure_views.MeasureFields)}}},
                "responses": {"200": one_measure,
                              **problems(400, 401, 403, 404, 412, 413, 415, 422, 428)},
            },
        },
        "/incidents": {
            "get": {
                "operationId": "listIncidents",
                "summary": "Incidents in your area, newest first; exact coordinates only for "
                           "roles that work on claims",
                "parameters": [
                    {"name": "occurred_from", "in": "query", "schema": DATE},
                    {"name": "occurred_to", "in": "query", "schema": DATE},
                    {"name": "village_id", "in": "query", "schema": ID},
                    {"name": "predator", "in": "query",
                     "schema": {"type": "string", "enum": [p.value for p in Predator]}},
                    {"name": "confidence", "in": "query",
                     "schema": {"type": "string", "enum": [c.value for c in Confidence]}},
                    *PAGE,
                ],
                "responses": {"200": json(incident_views.IncidentPage, "A page of incidents"),
                              **problems(400, 401, 403)},
            },
        },
        "/incidents/{incident_id}": {
            "get": {"operationId": "getIncident", "parameters": [INCIDENT_ID],
                    "responses": {"200": json(incident_views.IncidentOut, "The incident"),
                                  **problems(401, 403, 404)}},
        },
    }
