"""The OpenAPI paths of schemes (their creation and changes too) and rule versions, payments
of every scheme kind (the batch writes too), PDF documents, exports and the analytics
overview (joined into openapi.document). Binary answers are described with their media types,
so a client (and the fuzzer) knows a PDF or a CSV comes back, and a problem document when
something is refused."""

from __future__ import annotations

from conflict_app.api import (
    batch_views,
    confirmation_views,
    export_run_views,
    export_views,
    incentive_views,
    payment_views,
    recovery_views,
    scheme_views,
    voucher_views,
)
from conflict_app.api import schemas as api_schemas
from conflict_app.api import scheme_edit_views as scheme_edits
from conflict_app.exports.views import XLSX
from conflict_app.i18n import LOCALES
from conflict_app.payments.models import BatchState, ItemState
from conflict_app.schemes.params import SchemeKind

MODELS = (*scheme_views.MODELS, *scheme_edits.MODELS, *payment_views.MODELS,
          *batch_views.MODELS, *incentive_views.MODELS, *recovery_views.MODELS,
          *export_views.MODELS, *voucher_views.MODELS, *confirmation_views.MODELS,
          *export_run_views.MODELS)

ID = {"type": "integer", "minimum": 1, "maximum": api_schemas.MAX_ID}
DATE = {"type": "string", "format": "date"}
PAGE = [
    {"name": "cursor", "in": "query", "description": "next_cursor of the previous page",
     "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,8}$"}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                "maximum": 200}},
]
SCHEME_CODE = {"name": "scheme", "in": "query", "description": "A scheme's code",
               "schema": {"type": "string", "maxLength": 32, "pattern": api_schemas.NO_NUL}}


def _path(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _enum(name: str, values, description: str | None = None) -> dict:  # noqa: ANN001
    parameter = {"name": name, "in": "query",
                 "schema": {"type": "string", "enum": [str(v) for v in values]}}
    if description:
        parameter["description"] = description
    return parameter


LANG = _enum("lang", LOCALES, "The document's language; without it a letter to the herder "
                              "is in the herder's language, any other document follows "
                              "Accept-Language, then your preferred language")
IF_MATCH = {"name": "If-Match", "in": "header", "required": True,
            "schema": {"type": "string", "maxLength": 200, "pattern": api_schemas.NO_NUL},
            "description": "The rule version's ETag as read; a stale one is refused (412), "
                           "a missing one too (428)."}
SCHEME_MATCH = {**IF_MATCH, "description": "The scheme's ETag as read; a stale one is "
                                           "refused (412), a missing one too (428)."}
ETAG = {"ETag": {"description": "The rule version's entity tag", "schema": {"type": "string"}}}
BINARY = {"type": "string", "format": "binary"}


def _binary(media: str, description: str) -> dict:
    return {"description": description, "content": {media: {"schema": BINARY}},
            "headers": {"Content-Disposition": {"schema": {"type": "string"}}}}


def _get(operation: str, summary: str, parameters: list, responses: dict) -> dict:
    return {"get": {"operationId": operation, "summary": summary, "parameters": parameters,
                    "responses": responses}}


def paths(ref, problems, json, idempotency) -> dict:  # noqa: ANN001
    """The path items; ``ref``, ``problems``, ``json`` are openapi's helpers."""
    pdf = {"200": _binary("application/pdf", "The PDF"), **problems(400, 401, 403, 404, 503)}
    version = {**json(scheme_views.RuleVersionOut, "The rule version"), "headers": ETAG}
    post = problems(400, 401, 403, 404, 409, 413, 415, 422)
    scheme = {**json(scheme_views.SchemeOut, "The scheme"),
              "headers": {"ETag": {"description": "The scheme's entity tag",
                                   "schema": {"type": "string"}}}}
    return {
        "/schemes": {
            **_get("listSchemes", "Schemes that pay in your area, with their budgets",
                   [_enum("kind", [k.value for k in SchemeKind])],
                   {"200": json(scheme_views.SchemePage, "The schemes"),
                    **problems(400, 401, 403)}),
            "post": {
                "operationId": "createScheme",
                "summary": "Create a scheme (scheme managers, within their jurisdiction; same "
                           "rules as the scheme page); it pays once a rule version is published",
                "parameters": [idempotency],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref(scheme_edits.SchemeIn)}}},
                "responses": {"201": scheme, **post},
            },
        },
        "/schemes/{scheme_id}": {
            **_get("getScheme", "A scheme and its budget, with its ETag", [_path("scheme_id")],
                   {"200": scheme, "304": {"description": "Not modified"},
                    **problems(401, 403, 404)}),
            "put": {
                "operationId": "updateScheme",
                "summary": "Change a scheme's budget, end date, second-review sampling, "
                           "funders or closing (scheme managers of its whole area; same rules "
                           "as the scheme page); If-Match must carry its current ETag",
                "parameters": [_path("scheme_id"), SCHEME_MATCH],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref(scheme_edits.SchemeSettings)}}},
                "responses": {"200": scheme,
                              **problems(400, 401, 403, 404, 412, 413, 415, 422, 428)},
            },
        },
        "/schemes/{scheme_id}/versions": {
            **_get("listRuleVersions", "The scheme's rule versions, drafts and published",
                   [_path("scheme_id")],
                   {"200": json(scheme_views.RuleVersionPage, "The versions"),
                    **problems(401, 403, 404)}),
            "post": {
                "operationId": "createRuleVersion",
                "summary": "A draft rule version (scheme managers of the scheme's whole area; "
                           "same rules as the page); it counts once published",
                "parameters": [_path("scheme_id"), idempotency],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref(scheme_views.RuleVersionIn)}}},
                "responses": {"201": {**json(scheme_views.RuleVersionOut, "The draft"),
                                      "headers": ETAG}, **post},
            },
        },
        "/schemes/{scheme_id}/settlements": _get(
            "listSettlements", "An insurance pool's settlements (claims of your area)",
            [_path("scheme_id")],
            {"200": json(scheme_views.SettlementPage, "The settlements"),
             **problems(401, 403, 404)}),
        "/rule-versions/{version_id}": _get(
            "getRuleVersion", "A rule version with its ETag", [_path("version_id")],
            {"200": version, "304": {"description": "Not modified"},
             **problems(401, 403, 404)}),
        "/rule-versions/{version_id}/dry-run": _get(
            "dryRunRuleVersion", "What the claims of a period would have been under the "
            "version, next to what they were (scheme managers; nothing is stored)",
            [_path("version_id"),
             {"name": "start", "in": "query", "schema": DATE,
              "description": "First day of losses (default: 1 January last year)"},
             {"name": "end", "in": "query", "schema": DATE,
              "description": "Last day of losses (default: today); at most ten years"}],
            {"200": json(scheme_views.DryRunOut, "The trial"),
             **problems(400, 401, 403, 404)}),
        "/rule-versions/{version_id}/publish": {"post": {
            "operationId": "publishRuleVersion",
            "summary": "Publish a draft; If-Match must carry its current ETag",
            "parameters": [_path("version_id"), IF_MATCH, idempotency],
            "responses": {"200": version, **problems(400, 401, 403, 404, 409, 412, 422, 428)},
        }},
        "/payment-batches": _get(
            "listPaymentBatches", "Payment batches of your area, newest first (finance)",
            [SCHEME_CODE, _enum("state", [s.value for s in BatchState]), *PAGE],
            {"200": json(payment_views.BatchPage, "A page of batches"),
             **problems(400, 401, 403)}),
        "/payment-batches/{batch_id}/confirmations": {"post": {
            "operationId": "importConfirmations",
            "summary": "Record the results of a batch from the provider's confirmation file, "
                       "all lines or none (finance; same rules as the batch page)",
            "parameters": [_path("batch_id"), idempotency],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref(batch_views.ConfirmationsIn)}}},
            "responses": {"200": json(batch_views.ConfirmationsOut, "What was recorded"),
                          "202": json(confirmation_views.ConfirmationRunOut,
                                      "A long file: recorded by a job; follow it at "
                                      "Location"),
                          **post},
        }},
        "/confirmation-runs/{run_id}": _get(
            "getConfirmationRun", "A long confirmation file you sent: its state, then what "
            "was recorded or which line stopped it", [_path("run_id")],
            {"200": json(confirmation_views.ConfirmationRunOut, "The run"),
             **problems(401, 403, 404)}),
        "/payment-items/{item_id}/removal": {"post": {
            "operationId": "removePaymentItem",
            "summary": "Take an item out of a batch not yet exported (finance); the claim or "
                       "incentive payment waits for the next batch",
            "parameters": [_path("item_id"), idempotency],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref(batch_views.RemovalIn)}}},
            "responses": {"200": json(api_schemas.PaymentItemOut, "The removed item"), **post},
        }},
        "/payment-items": _get(
            "listPaymentItems",
            "Items of the batches of your area, newest first: claims of compensation and "
            "insurance schemes (with their settlement), performance, adoption and agreement "
            "instalment payments (finance)",
            [SCHEME_CODE, _enum("scheme_kind", [k.value for k in SchemeKind]),
             _enum("state", [s.value for s in ItemState]),
             _enum("payable", ["claim", *payment_views.INCENTIVE_KINDS]),
             {"name": "batch_id", "in": "query", "schema": ID}, *PAGE],
            {"200": json(payment_views.PaymentItemPage, "A page of items"),
             **problems(400, 401, 403)}),
        "/payment-items/{item_id}": _get(
            "getPaymentItem", "One payment item", [_path("item_id")],
            {"200": json(payment_views.PaymentItemDetail, "The item"),
             **problems(401, 403, 404)}),
        "/incentive-payments": _get(
            "listIncentivePayments",
            "Performance, adoption and instalment payments of your area, in a batch or not "
            "yet, newest first (finance)",
            [SCHEME_CODE, _enum("state", payment_views.INCENTIVE_STATES),
             _enum("kind", payment_views.INCENTIVE_KINDS), *PAGE],
            {"200": json(payment_views.IncentivePaymentPage, "A page of payments"),
             **problems(400, 401, 403)}),
        "/incentive-payments/{payment_id}/cancellation": {"post": {
            "operationId": "cancelIncentivePayment",
            "summary": "Cancel a wrong incentive payment not yet paid (scheme managers; same "
                       "rules as the scheme page); one in a batch not yet released leaves it",
            "parameters": [_path("payment_id"), idempotency],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref(incentive_views.CancellationIn)}}},
            "responses": {"200": json(payment_views.IncentivePaymentOut, "The payment"),
                          **post},
        }},
        "/payment-recoveries": _get(
            "listPaymentRecoveries", "Interim payments owed back by claims of your area that "
            "ended unpaid, newest first (finance)",
            [SCHEME_CODE, _enum("state", ["open", "recovered", "waived", "offset"]), *PAGE],
            {"200": json(recovery_views.RecoveryPage, "A page of recoveries"),
             **problems(400, 401, 403)}),
        "/payment-recoveries/{recovery_id}/settlement": {"post": {
            "operationId": "settlePaymentRecovery",
            "summary": "Record that an interim payment owed back came back, or is waived "
                       "(finance; same rules as the payments page; once)",
            "parameters": [_path("recovery_id"), idempotency],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref(recovery_views.SettlementIn)}}},
            "responses": {"200": json(recovery_views.RecoveryOut, "The recovery"), **post},
        }},
        "/claims/{reference}/receipt.pdf": _get(
            "claimReceiptPdf", "The herder's receipt (clerks, supervisors, approvers); "
            "never with the PIN", [_reference(), LANG], pdf),
        "/claims/{reference}/decision.pdf": _get(
            "claimDecisionPdf", "The herder's decision letter (clerks, supervisors, approvers; "
            "an injury or death letter only for those who may read medical details)",
            [_reference(), LANG], pdf),
        "/payment-items/{item_id}/voucher.pdf": _get(
            "paymentVoucherPdf", "A payment voucher (finance)", [_path("item_id"), LANG], pdf),
        "/payment-batches/{batch_id}/list.pdf": _get(
            "paymentBatchListPdf", "A batch's list (finance)", [_path("batch_id"), LANG], pdf),
        "/payment-batches/{batch_id}/vouchers.pdf": _get(
            "paymentBatchVouchersPdf", "Every voucher of a batch (finance); a batch with more "
            "vouchers than the server renders in one request answers 409: ask for a voucher "
            "run instead", [_path("batch_id"), LANG], {**pdf, **problems(409)}),
        "/payment-batches/{batch_id}/voucher-runs": {"post": {
            "operationId": "createVoucherRun",
            "summary": "Every voucher of a batch, rendered by a background job (finance); "
                       "follow the run at Location",
            "parameters": [_path("batch_id"), LANG, idempotency],
            "responses": {"202": json(voucher_views.VoucherRunOut, "The run, queued"),
                          **problems(400, 401, 403, 404, 409)}}},
        "/voucher-runs/{run_id}": _get(
            "getVoucherRun", "A voucher run you asked for: its state, and its file once done",
            [_path("run_id")], {"200": json(voucher_views.VoucherRunOut, "The run"),
                                **problems(401, 403, 404)}),
        "/voucher-runs/{run_id}/vouchers.pdf": _get(
            "voucherRunPdf", "The vouchers of a finished run (kept for a day); 409 while it "
            "runs", [_path("run_id")], {**pdf, **problems(409)}),
        "/schemes/{scheme_id}/report.pdf": _get(
            "schemeReportPdf", "A scheme's implementation report for a period of losses "
            "(scheme managers; analysts read it de-identified)",
            [_path("scheme_id"),
             {"name": "start", "in": "query", "schema": DATE,
              "description": "First day of losses (default: 1 January)"},
             {"name": "end", "in": "query", "schema": DATE,
              "description": "Last day of losses (default: today); at most ten years"},
             LANG], pdf),
        **_exports(problems),
        **_export_runs(ref, problems, json, idempotency),
        "/analytics/overview": _get(
            "analyticsOverview", "The analytics overview's figures, de-identified; 503 with "
            "Retry-After while they are being computed",
            [_enum("filter", ["confirmed_probable", "confirmed",
                              "confirmed_probable_possible"]),
             {"name": "country", "in": "query", "schema": {
                 "type": "string", "pattern": "^[A-Za-z]{2}$"},
              "description": "Range-wide users may pick a country"}],
            {"200": json(export_views.AnalyticsOverview, "The figures"),
             **problems(400, 401, 403),
             "503": {"description": "Figures being computed; ask again after Retry-After",
                     "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                     "content": {"application/problem+json": {
                         "schema": ref(api_schemas.Problem)}}}}),
    }


def _reference() -> dict:
    return {"name": "reference", "in": "path", "required": True,
            "schema": {"type": "string", "maxLength": 24, "pattern": api_schemas.NO_NUL}}


def _exports(problems) -> dict:  # noqa: ANN001
    personal = "with herders' names and phones: the 'exports' scope"
    geojson = {"description": "Grid cells (polygons), never points", "content": {
        "application/geo+json": {"schema": {"type": "object", "required": ["type", "features"],
                                            "properties": {"type": {"const": "FeatureCollection"},
                                                           "features": {"type": "array"}}}}}}
    refused = problems(401, 403)
    too_large = problems(401, 403, 409)
    large = "; more rows than the server writes in one request answer 409: ask for an export run"
    return {
        "/exports/claims.csv": _get("exportClaimsCsv",
                                    f"Claims of your area ({personal}){large}", [],
                                    {"200": _binary("text/csv", "CSV"), **too_large}),
        "/exports/claims.xlsx": _get("exportClaimsXlsx",
                                     f"Claims of your area ({personal}){large}", [],
                                     {"200": _binary(XLSX, "Workbook"), **too_large}),
        "/exports/payments.csv": _get("exportPaymentsCsv",
                                      f"Payment items of your area ({personal}){large}", [],
                                      {"200": _binary("text/csv", "CSV"), **too_large}),
        "/exports/payments.xlsx": _get("exportPaymentsXlsx",
                                       f"Payment items of your area ({personal}){large}", [],
                                       {"200": _binary(XLSX, "Workbook"), **too_large}),
        "/exports/incidents.geojson": _get("exportIncidentsGeojson",
                                           "Incidents on the analytics grid (de-identified)",
                                           [], {"200": geojson, **refused}),
        "/exports/aggregate.csv": _get("exportAggregateCsv",
                                       "Losses and payouts by country, region, year, species "
                                       "(de-identified; small cells suppressed)", [],
                                       {"200": _binary("text/csv", "CSV"), **refused}),
    }



def _export_runs(ref, problems, json, idempotency) -> dict:  # noqa: ANN001
    files = {"200": {**_binary("text/csv", "CSV"),
                     "content": {"text/csv": {"schema": BINARY}, XLSX: {"schema": BINARY}}},
             **problems(401, 403, 404, 409)}
    return {
        "/export-runs": {"post": {
            "operationId": "createExportRun",
            "summary": "A whole claims or payments table of your area, written by a "
                       "background job (the 'exports' scope); follow the run at Location",
            "parameters": [idempotency],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref(export_run_views.ExportRunIn)}}},
            "responses": {"202": json(export_run_views.ExportRunOut, "The run, queued"),
                          **problems(400, 401, 403, 409, 413, 415, 422)}}},
        "/export-runs/{run_id}": _get(
            "getExportRun", "An export run you asked for: its state, and its file once done",
            [_path("run_id")], {"200": json(export_run_views.ExportRunOut, "The run"),
                                **problems(401, 403, 404)}),
        "/export-runs/{run_id}/file": _get(
            "exportRunFile", "The file of a finished export run (kept for a day); 409 while "
            "it runs", [_path("run_id")], files),
    }
