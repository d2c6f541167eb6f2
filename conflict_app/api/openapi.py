"""The OpenAPI 3.1 description, generated from the pydantic models the handlers validate with
(so the document cannot drift from what the API accepts)."""

from __future__ import annotations

from functools import cache

from pydantic.json_schema import models_json_schema

from conflict_app.api import schemas
from conflict_app.claims.workflow import State

MODELS = (schemas.Problem, schemas.ReportIn, schemas.TransitionIn, schemas.VerificationIn,
          schemas.ClaimOut, schemas.ClaimCreated, schemas.ClaimPage, schemas.EffectivenessRow,
          schemas.BatchIn, schemas.PaidIn, schemas.FailedIn, schemas.BatchOut,
          schemas.BatchExport, schemas.SeasonCountIn, schemas.LeopardSignsIn,
          schemas.VetInvoiceIn, schemas.HarmIn)


def _ref(model) -> dict:  # noqa: ANN001
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _problems(*codes: int) -> dict:
    texts = {400: "Bad request", 401: "No valid token", 403: "Not allowed for this role",
             404: "Not found in your area", 409: "Stale version or illegal transition",
             412: "The ETag in If-Match is stale", 428: "If-Match is missing",
             413: "Payload too large", 415: "Not JSON", 422: "Invalid body",
             429: "Too many requests", 503: "Not available now; try again later"}
    return {str(c): {"description": texts[c],
                     "content": {"application/problem+json": {"schema": _ref(schemas.Problem)}}}
            for c in codes}


def _json(model, description: str) -> dict:  # noqa: ANN001
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


REFERENCE = {"name": "reference", "in": "path", "required": True,
             "schema": {"type": "string", "maxLength": 24, "pattern": schemas.NO_NUL}}
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "schema": {"type": "string", "maxLength": 100, "pattern": schemas.NO_NUL},
               "description": "Repeat a POST safely: the same key and body return the first "
                              "answer; the same key with another body is refused (422)."}


BATCH_ID = {"name": "batch_id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID}}
ITEM_ID = {"name": "item_id", "in": "path", "required": True,
           "schema": {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID}}
AGREEMENT_ID = {"name": "agreement_id", "in": "path", "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID}}
FUND_ID = {"name": "fund_id", "in": "path", "required": True,
           "schema": {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID}}
BATCH_ETAG = {"ETag": {"description": "The batch's state and the items it would pay",
                      "schema": {"type": "string"}}}
BATCH_MATCH = {"name": "If-Match", "in": "header", "required": False,
               "schema": {"type": "string", "maxLength": 200, "pattern": schemas.NO_NUL},
               "description": "Optional: the batch's ETag as read; the file is released only "
                              "if the batch still holds those items (412 otherwise)."}
MILESTONE_ID = {"name": "milestone_id", "in": "path", "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID}}


def _alert_page():  # noqa: ANN202 - the alerts feature's own response model
    from conflict_app.alerts.api import AlertPage

    return AlertPage


def _alerts():  # noqa: ANN202 - the alerts' own models and broadcast paths
    from conflict_app.alerts import api

    return api


def _agreement_models():  # noqa: ANN202 - the agreements' own models
    from conflict_app.api import agreement_views

    return agreement_views


def _fund_models():  # noqa: ANN202 - the funds' own models
    from conflict_app.api import fund_views

    return fund_views


def _interop():  # noqa: ANN202 - the exchange with EarthRanger and SMART
    from conflict_app.api import interop_views

    return interop_views


def _webhooks() -> tuple[dict, list]:  # the messages webhooks send, from their own models
    from conflict_app.webhooks.payloads import openapi_webhooks

    return openapi_webhooks(_ref)


@cache
def document() -> dict:
    from conflict_app.api import committee_views as committees
    from conflict_app.api import openapi_incentives, openapi_prices, openapi_schemes
    from conflict_app.api import openapi_people as people
    from conflict_app.api import openapi_resources as resources

    agreement = _agreement_models()
    fund = _fund_models()
    interop = _interop()
    webhooks, webhook_models = _webhooks()
    _, definitions = models_json_schema(
        [(m, "validation") for m in (*MODELS, _alert_page(), *agreement.MODELS,
                                     *resources.MODELS, *fund.MODELS, *interop.MODELS,
                                     *webhook_models, *openapi_schemes.MODELS,
                                     *openapi_prices.MODELS, *openapi_incentives.MODELS,
                                     *people.MODELS, *committees.MODELS,
                                     *_alerts().MODELS)],
        ref_template="#/components/schemas/{model}")
    post_common = _problems(400, 401, 403, 404, 409, 413, 415, 422)
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "Pardus API", "version": "1.0.0",
                 "description": "Claims of livestock loss to leopards, their workflow and "
                                "the analytics, with the same rules as the web pages."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A personal API token."}},
            "schemas": definitions["$defs"],
        },
        "paths": {
            "/claims": {
                "get": {
                    "operationId": "listClaims", "summary": "Claims in your area, newest first",
                    "parameters": [
                        {"name": "state", "in": "query", "schema": {
                            "type": "string", "enum": [st.value for st in State]}},
                        {"name": "cursor", "in": "query", "schema": {
                            "type": "string", "pattern": "^[1-9][0-9]{0,8}$"}},
                        {"name": "limit", "in": "query",
                         "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                    ],
                    "responses": {"200": _json(schemas.ClaimPage, "A page of claims"),
                                  **_problems(400, 401, 403)},
                },
                "post": {
                    "operationId": "createClaim", "summary": "Register a loss report",
                    "parameters": [IDEMPOTENCY],
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _ref(schemas.ReportIn)}}},
                    "responses": {"201": _json(schemas.ClaimCreated, "The new claim and PIN"),
                                  **post_common},
                },
            },
            "/claims/{reference}": {
                "get": {"operationId": "getClaim", "parameters": [REFERENCE],
                        "responses": {"200": _json(schemas.ClaimOut, "The claim"),
                                      **_problems(401, 404)}},
            },
            "/claims/{reference}/transitions": {
                "post": {
                    "operationId": "transitionClaim",
                    "summary": "Fire a workflow action (same rules as the claim page)",
                    "parameters": [REFERENCE, IDEMPOTENCY],
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _ref(schemas.TransitionIn)}}},
                    "responses": {"200": _json(schemas.ClaimOut, "The claim after it"),
                                  **post_common},
                },
            },
            "/claims/{reference}/verification": {
                "post": {
                    "operationId": "fileVerification",
                    "parameters": [REFERENCE, IDEMPOTENCY],
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _ref(schemas.VerificationIn)}}},
                    "responses": {"201": _json(schemas.ClaimOut, "The verified claim"),
                                  **post_common},
                },
            },
            **{f"/claims/{{reference}}/{path}": {"post": {
                "operationId": operation, "summary": summary,
                "parameters": [REFERENCE, IDEMPOTENCY],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": _ref(model)}}},
                "responses": {"200": _json(schemas.ClaimOut, "The claim"), **post_common},
            }} for path, operation, model, summary in (
                ("season-counts", "recordSeasonCounts", schemas.SeasonCountIn,
                 "Herd counts before and after the season: the line is valued as missing "
                 "animals"),
                ("leopard-signs", "recordLeopardSigns", schemas.LeopardSignsIn,
                 "The assigned verifier's leopard signs in the area of a missing-animals line"),
                ("vet-invoice", "recordVetInvoice", schemas.VetInvoiceIn,
                 "The vet invoice of a line's injured animals (photo and amount)"),
                ("harm", "recordHarm", schemas.HarmIn,
                 "What an injury, death or crop damage claim is valued from (verifier or "
                 "supervisor); medical fields are special category data"),
            )},
            "/payment-batches": {
                "post": {
                    "operationId": "createPaymentBatch",
                    "summary": "Put approved claims, or approved incentive payments "
                               "(performance, adoption, agreement instalments), of one scheme "
                               "and currency into a batch (same rules as the payments page)",
                    "parameters": [IDEMPOTENCY],
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _ref(schemas.BatchIn)}}},
                    "responses": {"201": _json(schemas.BatchOut, "The new batch"),
                                  **post_common},
                },
            },
            "/payment-batches/{batch_id}": {
                "get": {"operationId": "getPaymentBatch", "parameters": [BATCH_ID],
                        "responses": {"200": {**_json(schemas.BatchOut, "The batch"),
                                              "headers": BATCH_ETAG},
                                      "304": {"description": "Not modified"},
                                      **_problems(400, 401, 403, 404)}},
            },
            "/payment-batches/{batch_id}/export": {
                "post": {
                    "operationId": "exportPaymentBatch",
                    "summary": "The payment file; the first export closes the batch to changes",
                    "parameters": [BATCH_ID, BATCH_MATCH, IDEMPOTENCY],
                    "responses": {"200": _json(schemas.BatchExport, "Batch and payment file"),
                                  **post_common, **_problems(412)},
                },
            },
            "/payment-items/{item_id}/paid": {
                "post": {
                    "operationId": "recordPaid", "summary": "Confirm a payment (at most once)",
                    "parameters": [ITEM_ID, IDEMPOTENCY],
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _ref(schemas.PaidIn)}}},
                    "responses": {"200": _json(schemas.PaymentItemOut, "The paid item"),
                                  **post_common},
                },
            },
            "/payment-items/{item_id}/failed": {
                "post": {
                    "operationId": "recordFailed",
                    "summary": "A payment that did not go through; the claim returns to the queue",
                    "parameters": [ITEM_ID, IDEMPOTENCY],
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _ref(schemas.FailedIn)}}},
                    "responses": {"200": _json(schemas.PaymentItemOut, "The failed item"),
                                  **post_common},
                },
            },
            "/analytics/effectiveness": {
                "get": {
                    "operationId": "effectiveness",
                    "parameters": [
                        {"name": "filter", "in": "query", "schema": {
                            "type": "string", "enum": ["confirmed_probable", "confirmed",
                                                       "confirmed_probable_possible"]}},
                        {"name": "country", "in": "query", "schema": {
                            "type": "string", "pattern": "^[A-Z]{2}$"}},
                    ],
                    "responses": {"200": {"description": "One row per measure and design",
                                          "content": {"application/json": {"schema": {
                                              "type": "array",
                                              "items": _ref(schemas.EffectivenessRow)}}}},
                                  **_problems(400, 401, 403)},
                },
            },
            "/alerts": {
                "get": {
                    "operationId": "listAlerts",
                    "summary": "Prevention alerts in your area, newest first",
                    "parameters": [
                        {"name": "cursor", "in": "query", "schema": {
                            "type": "integer", "minimum": 1, "maximum": schemas.MAX_ID}},
                        {"name": "limit", "in": "query", "schema": {
                            "type": "integer", "minimum": 1, "maximum": 200}},
                    ],
                    "responses": {"200": _json(_alert_page(), "A page of alerts"),
                                  **_problems(400, 401, 403)},
                },
            },
            "/agreements": {
                "get": {
                    "operationId": "listAgreements",
                    "summary": "Conservation agreements in your area, newest first",
                    "parameters": [{"name": "scheme", "in": "query", "schema": {
                        "type": "string", "maxLength": 32, "pattern": schemas.NO_NUL}}],
                    "responses": {"200": _json(agreement.AgreementPage, "The agreements"),
                                  **_problems(400, 401, 403)},
                },
            },
            "/agreements/{agreement_id}": {
                "get": {"operationId": "getAgreement", "parameters": [AGREEMENT_ID],
                        "responses": {"200": {**_json(agreement.AgreementOut,
                                                      "The agreement, milestones, instalments"),
                                              "headers": {"ETag": {
                                                  "description": "Send it back in If-Match "
                                                                 "to renew the agreement",
                                                  "schema": {"type": "string"}}}},
                                      **_problems(400, 401, 403, 404)}},
            },
            "/agreement-milestones/{milestone_id}/verify": {
                "post": {
                    "operationId": "verifyMilestone",
                    "summary": "Verify a milestone with evidence (same rules as the page); the "
                               "year's instalment becomes payable with its last milestone",
                    "parameters": [MILESTONE_ID, IDEMPOTENCY],
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _ref(agreement.MilestoneVerifyIn)}}},
                    "responses": {"200": _json(agreement.AgreementOut, "The agreement"),
                                  **post_common},
                },
            },
            **resources.paths(_ref, _problems, _json, IDEMPOTENCY),
            **interop.paths(_ref, _problems, _json, IDEMPOTENCY),
            **people.paths(_ref, _problems, _json, IDEMPOTENCY),
            **committees.paths(_ref, _problems, _json, IDEMPOTENCY),
            **_alerts().paths(_ref, _problems, _json, IDEMPOTENCY),
            "/funds": {
                "get": {"operationId": "listFunds",
                        "summary": "Funds of the offices in your area, with their totals",
                        "responses": {"200": _json(fund.FundPage, "The funds"),
                                      **_problems(401, 403)}},
            },
            "/funds/{fund_id}": {
                "get": {"operationId": "getFund", "parameters": [FUND_ID],
                        "responses": {"200": _json(fund.FundOut, "The fund and its totals"),
                                      **_problems(400, 401, 403, 404)}},
            },
            "/funds/{fund_id}/entries": {
                "get": {
                    "operationId": "listFundEntries", "summary": "The ledger, newest first",
                    "parameters": [
                        FUND_ID,
                        {"name": "cursor", "in": "query", "schema": {
                            "type": "integer", "minimum": 1, "maximum": schemas.MAX_ID}},
                        {"name": "limit", "in": "query", "schema": {
                            "type": "integer", "minimum": 1, "maximum": 200}},
                    ],
                    "responses": {"200": _json(fund.FundEntryPage, "A page of entries"),
                                  **_problems(400, 401, 403, 404)},
                },
                "post": {
                    "operationId": "createFundEntry",
                    "summary": "Record a contribution, income, an allocation to a scheme's "
                               "budget, a return or an adjustment (same rules as the page)",
                    "parameters": [FUND_ID, IDEMPOTENCY],
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _ref(fund.FundEntryIn)}}},
                    "responses": {"201": _json(fund.FundEntryOut, "The new entry"),
                                  **post_common},
                },
            },
            "/openapi.json": {
                "get": {"operationId": "openapi", "security": [],
                        "responses": {"200": {"description": "This document",
                                              "content": {"application/json": {}}}}},
            },
        },
        # What Pardus sends to the subscriptions an administrator keeps (OpenAPI 3.1).
        "webhooks": webhooks,
    }
    # Operations joined by method: a path may have its GET here and its POST above.
    for more in (openapi_schemes.paths, openapi_prices.paths, openapi_incentives.paths,
                 agreement.paths):
        for path, item in more(_ref, _problems, _json, IDEMPOTENCY).items():
            doc["paths"].setdefault(path, {}).update(item)
    return doc
