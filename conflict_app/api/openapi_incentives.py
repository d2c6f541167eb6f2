"""The OpenAPI paths of an incentive scheme's payments (performance and adoption),
withholdings and their appeals, and of settling an insurance pool (joined into
openapi.document)."""

from __future__ import annotations

from conflict_app.api import incentive_views, payment_views, scheme_views, settlement_views
from conflict_app.api import withholding_views as withholdings
from conflict_app.api.openapi_prices import PAGE
from conflict_app.api.openapi_schemes import ID

MODELS = (*withholdings.MODELS, *settlement_views.MODELS)

ETAG = {"ETag": {"description": "The withholding's entity tag",
                 "schema": {"type": "string"}}}
IF_MATCH = {"name": "If-Match", "in": "header", "required": True,
            "schema": {"type": "string", "maxLength": 200, "pattern": "^[^\\x00]*$"},
            "description": "The withholding's ETag as read; a stale one is refused (412), a "
                           "missing one too (428)."}


def _path(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def paths(ref, problems, json, idempotency) -> dict:  # noqa: ANN001
    """The path items; ``ref``, ``problems``, ``json`` are openapi's helpers."""
    one = {**json(withholdings.WithholdingOut, "The withholding"), "headers": ETAG}
    post = problems(400, 401, 403, 404, 409, 413, 415, 422)
    return {
        "/schemes/{scheme_id}/performance-payments": {
            "post": {
                "operationId": "computePerformancePayments",
                "summary": "Compute a year's performance payments of an incentive scheme: one "
                           "per community with verified presence records, not yet paid for "
                           "the year (scheme managers of the whole scheme; same rules as the "
                           "scheme page); a community whose payments are withheld gets a "
                           "withheld one. 201 with the new payments, 200 when every community "
                           "was already paid",
                "parameters": [_path("scheme_id"), idempotency],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref(incentive_views.PerformanceIn)}}},
                "responses": {
                    "201": json(incentive_views.IncentivePaymentList, "The new payments"),
                    "200": json(incentive_views.IncentivePaymentList, "No new payment"),
                    **post},
            },
        },
        "/schemes/{scheme_id}/adoption-payments": {
            "post": {
                "operationId": "approveAdoptionPayment",
                "summary": "Approve a household's adoption payment for a measure whose "
                           "installation is verified, within the scheme's caps (scheme "
                           "managers; same rules as the scheme page)",
                "parameters": [_path("scheme_id"), idempotency],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref(incentive_views.AdoptionIn)}}},
                "responses": {"201": json(payment_views.IncentivePaymentOut, "The payment"),
                              **post},
            },
        },
        "/schemes/{scheme_id}/settlements": {
            "post": {
                "operationId": "settleInsurancePool",
                "summary": "Settle an insurance pool for a period (finance officers and "
                           "scheme managers whose jurisdiction covers the whole pool; same "
                           "rules as the scheme page): the approved claims of losses in the "
                           "period not yet settled are paid pro rata from what the pool "
                           "holds, audited",
                "parameters": [_path("scheme_id"), idempotency],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref(settlement_views.SettlementIn)}}},
                "responses": {"201": json(scheme_views.SettlementOut, "The settlement"),
                              **problems(400, 401, 403, 404, 409, 413, 415, 422)},
            },
        },
        "/schemes/{scheme_id}/withholdings": {
            "get": {
                "operationId": "listWithholdings",
                "summary": "An incentive scheme's withholdings in your villages, newest "
                           "first (the roles that see the scheme page)",
                "parameters": [_path("scheme_id"), *PAGE],
                "responses": {"200": json(withholdings.WithholdingPage, "The withholdings"),
                              **problems(400, 401, 403, 404)},
            },
            "post": {
                "operationId": "createWithholding",
                "summary": "Withhold a community's payments for the scheme's cycle after a "
                           "confirmed retaliatory killing (scheme managers; same rules as the "
                           "scheme page): its approved payments are held, audited",
                "parameters": [_path("scheme_id"), idempotency],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref(withholdings.WithholdingIn)}}},
                "responses": {"201": one,
                              **problems(400, 401, 403, 404, 409, 413, 415, 422)},
            },
        },
        "/withholdings/{withholding_id}": {
            "get": {
                "operationId": "getWithholding",
                "summary": "A withholding, with its ETag",
                "parameters": [_path("withholding_id")],
                "responses": {"200": one, "304": {"description": "Not modified"},
                              **problems(401, 403, 404)},
            },
        },
        "/withholdings/{withholding_id}/appeal": {
            "post": {
                "operationId": "decideWithholdingAppeal",
                "summary": "Decide the community's appeal (scheme managers): upheld lifts the "
                           "withholding and releases the held payments, dismissed keeps it "
                           "to the cycle's end; If-Match must carry its current ETag",
                "parameters": [_path("withholding_id"), IF_MATCH, idempotency],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref(withholdings.AppealIn)}}},
                "responses": {"200": one,
                              **problems(400, 401, 403, 404, 409, 412, 413, 415, 422, 428)},
            },
        },
    }
