"""The OpenAPI paths of households (with their herd census), insurance enrolments and
presence records (joined into openapi.document)."""

from __future__ import annotations

from conflict_app.api import (
    enrolment_views,
    household_privacy_views,
    household_views,
    presence_views,
    schemas,
)
from conflict_app.api.openapi_resources import ID, PAGE

MODELS = (*household_views.MODELS, *household_privacy_views.MODELS, *enrolment_views.MODELS,
          *presence_views.MODELS)

HOUSEHOLD_ID = {"name": "household_id", "in": "path", "required": True, "schema": ID}
ENROLMENT_ID = {"name": "enrolment_id", "in": "path", "required": True, "schema": ID}
RECORD_ID = {"name": "record_id", "in": "path", "required": True, "schema": ID}
IF_MATCH = {"name": "If-Match", "in": "header", "required": True,
            "schema": {"type": "string", "maxLength": 200, "pattern": schemas.NO_NUL},
            "description": "The ETag of the household as read; a stale one is refused (412), "
                           "a missing one too (428)."}
PAYOUT_MATCH = {**IF_MATCH, "description": "The ETag of the payout details as read (of their "
                "absence before the first save); a stale one is refused (412), a missing one "
                "too (428)."}
ERASE_MATCH = {**IF_MATCH, "required": False,
               "description": "Optional: the household's ETag as read; a stale one is refused "
                              "(412)."}
PERSONAL_DATA = {"type": "object", "required": [
    "household", "herd_census", "claims", "measures", "payout_details", "text_messages"],
    "properties": {"household": {"type": "object"}, "herd_census": {"type": "array"},
                   "claims": {"type": "array"}, "measures": {"type": "array"},
                   "payout_details": {"type": ["object", "null"]},
                   "text_messages": {"type": "array"}}}
ETAG = {"ETag": {"description": "The household's entity tag (clerks and supervisors only)",
                 "schema": {"type": "string"}}}
POST_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422)


def _post(operation: str, summary: str, model, answer: dict, idempotency: dict,  # noqa: ANN001
          ref, problems, *parameters: dict) -> dict:  # noqa: ANN001
    return {"post": {
        "operationId": operation, "summary": summary,
        "parameters": [*parameters, idempotency],
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref(model)}}},
        "responses": {**answer, **problems(*POST_ERRORS)},
    }}


def paths(ref, problems, json, idempotency) -> dict:  # noqa: ANN001
    """The path items; ``ref``, ``problems``, ``json`` are openapi's helpers."""
    hv, ev, pv = household_views, enrolment_views, presence_views
    xv = household_privacy_views
    payout = {**json(xv.PayoutOut, "The payout details"),
              "headers": {"ETag": {"description": "The payout details' entity tag",
                                   "schema": {"type": "string"}}}}
    household = {**json(hv.HouseholdOut, "The household"), "headers": ETAG}
    by_id = [{"name": "scheme_id", "in": "query", "schema": ID}]
    return {
        "/households": {
            "get": {
                "operationId": "listHouseholds",
                "summary": "Households in your area, newest first; names and phones only for "
                           "roles that work on claims, national ID and exact location only "
                           "for clerks and supervisors",
                "parameters": [
                    {"name": "village_id", "in": "query", "schema": ID},
                    {"name": "country", "in": "query",
                     "schema": {"type": "string", "pattern": "^[A-Z]{2}$"}},
                    {"name": "q", "in": "query", "description": "Part of the name, phone or "
                     "village (not for analysts)",
                     "schema": {"type": "string", "maxLength": 100, "pattern": schemas.NO_NUL}},
                    *PAGE,
                ],
                "responses": {"200": json(hv.HouseholdPage, "A page of households"),
                              **problems(400, 401, 403)},
            },
            **_post("createHousehold", "Register a household and its herd census (same "
                    "rules as the household page)", hv.HouseholdFields,
                    {"201": {**json(hv.HouseholdOut, "The new household"), "headers": ETAG}},
                    idempotency, ref, problems),
        },
        "/households/{household_id}": {
            "get": {"operationId": "getHousehold", "parameters": [HOUSEHOLD_ID],
                    "responses": {"200": household, "304": {"description": "Not modified"},
                                  **problems(401, 403, 404)}},
            "put": {
                "operationId": "updateHousehold",
                "summary": "Correct a household and record head counts; If-Match must carry "
                           "its current ETag",
                "parameters": [HOUSEHOLD_ID, IF_MATCH],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref(hv.HouseholdFields)}}},
                "responses": {"200": household,
                              **problems(400, 401, 403, 404, 412, 413, 415, 422, 428)},
            },
        },
        "/households/{household_id}/payout-details": {
            "get": {"operationId": "getPayoutDetails",
                    "summary": "Where the household is paid (bank account or IBAN, mobile-money "
                               "wallet); clerks and supervisors only, as the household page",
                    "parameters": [HOUSEHOLD_ID],
                    "responses": {"200": payout, "304": {"description": "Not modified"},
                                  **problems(401, 403, 404)}},
            "put": {
                "operationId": "updatePayoutDetails",
                "summary": "Replace the payout details (same checks as the payout page: IBAN "
                           "checksum, a mobile number of the household's country); If-Match "
                           "must carry their current ETag",
                "parameters": [HOUSEHOLD_ID, PAYOUT_MATCH],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref(xv.PayoutIn)}}},
                "responses": {"200": payout,
                              **problems(400, 401, 403, 404, 412, 413, 415, 422, 428)},
            },
        },
        "/households/{household_id}/personal-data": {"get": {
            "operationId": "exportPersonalData",
            "summary": "Everything held about the household (record, census, claims, "
                       "measures, payout details, text messages), for the herder who asked; "
                       "clerks and supervisors only, each export audited",
            "parameters": [HOUSEHOLD_ID],
            "responses": {"200": {"description": "The personal data", "content": {
                "application/json": {"schema": PERSONAL_DATA}}},
                **problems(401, 403, 404)}}},
        "/households/{household_id}/erasure": {"post": {
            "operationId": "eraseHousehold",
            "summary": "Erase the household's personal data (name, phone, ID, homestead, "
                       "texts, evidence photos, payout details); its claims are kept. Refused "
                       "while a claim is running",
            "parameters": [HOUSEHOLD_ID, ERASE_MATCH],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref(xv.ErasureIn)}}},
            "responses": {"200": household,
                          **problems(400, 401, 403, 404, 412, 413, 415, 422)},
        }},
        "/enrolments": {
            "get": {
                "operationId": "listEnrolments",
                "summary": "Insurance enrolments of the households in your area, newest first",
                "parameters": [*by_id, {"name": "household_id", "in": "query", "schema": ID},
                               *PAGE],
                "responses": {"200": json(ev.EnrolmentPage, "A page of enrolments"),
                              **problems(400, 401, 403)},
            },
            **_post("createEnrolment", "Enrol a household in an insurance scheme; the premium "
                    "is computed from the rule version (same rules as the scheme page)",
                    ev.EnrolmentIn, {"201": json(ev.EnrolmentOut, "The new enrolment")},
                    idempotency, ref, problems),
        },
        "/enrolments/{enrolment_id}": {
            "get": {"operationId": "getEnrolment", "parameters": [ENROLMENT_ID],
                    "responses": {"200": json(ev.EnrolmentOut, "The enrolment"),
                                  **problems(401, 403, 404)}},
        },
        "/enrolments/{enrolment_id}/premium": _post(
            "recordPremium", "The herder's premium and the matching funds go into the pool "
            "(at most once); cover can start", ev.PremiumIn,
            {"200": json(ev.EnrolmentOut, "The enrolment")}, idempotency, ref, problems,
            ENROLMENT_ID),
        "/enrolments/{enrolment_id}/exclusion": _post(
            "excludeEnrolment", "A breach of the conservation agreement ends cover from a day "
            "(scheme managers and supervisors, as the scheme page)", ev.ExclusionIn,
            {"200": json(ev.EnrolmentOut, "The enrolment")}, idempotency, ref, problems,
            ENROLMENT_ID),
        "/presence-records": {
            "get": {
                "operationId": "listPresenceRecords",
                "summary": "Verified leopard presence records of the villages in your area, "
                           "newest first",
                "parameters": [*by_id, {"name": "village_id", "in": "query", "schema": ID},
                               {"name": "period", "in": "query", "schema": {
                                   "type": "integer", "minimum": 1900, "maximum": 2200}},
                               *PAGE],
                "responses": {"200": json(pv.PresencePage, "A page of presence records"),
                              **problems(400, 401, 403)},
            },
            **_post("createPresenceRecord", "Record verified presence or reproduction in a "
                    "community of an incentive scheme (same rules as the scheme page)",
                    pv.PresenceIn, {"201": json(pv.PresenceOut, "The new record")},
                    idempotency, ref, problems),
        },
        "/presence-records/{record_id}": {
            "get": {"operationId": "getPresenceRecord", "parameters": [RECORD_ID],
                    "responses": {"200": json(pv.PresenceOut, "The presence record"),
                                  **problems(401, 403, 404)}},
        },
    }
