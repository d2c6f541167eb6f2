"""The scheme, payment, document, export and analytics paths: described in the OpenAPI
document (which validates), and fuzzed by schemathesis through the WSGI app with the token of
each role that uses them: no 500, every answer (PDF, CSV, workbook, JSON, problem) as
documented."""

from __future__ import annotations

import itertools
from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import positive_data_acceptance

from conflict_app.api import openapi_schemes
from conflict_app.api.openapi import document
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes.models import Scheme
from tests import scheme_data

EXAMPLES = 12
BINARY = {"application/pdf", "text/csv", "application/vnd.openxmlformats-officedocument."
          "spreadsheetml.sheet"}


def _new_paths() -> set[str]:
    return set(openapi_schemes.paths(lambda m: {}, lambda *c: {}, lambda m, d: {}, {}))


def test_document_describes_the_new_paths_with_their_media_types():
    doc = document()
    validate(doc)
    paths = doc["paths"]
    for path in _new_paths():
        assert path in paths, path
    # The GET joined the existing POST of the same path.
    assert set(paths["/payment-batches"]) == {"get", "post"}
    assert "application/pdf" in paths["/claims/{reference}/receipt.pdf"]["get"]["responses"][
        "200"]["content"]
    assert "text/csv" in paths["/exports/claims.csv"]["get"]["responses"]["200"]["content"]
    publish = paths["/rule-versions/{version_id}/publish"]["post"]
    assert {"412", "428"} <= set(publish["responses"])
    overview = paths["/analytics/overview"]["get"]["responses"]["503"]
    assert "Retry-After" in overview["headers"]


def test_new_paths_match_their_description(app, world, built):
    draft = scheme_ops.add_version(world.manager, built.compensation.id,
                                   clock.today(), {"share_of_value": "0.8"})
    targets = {"scheme_id": built.compensation.id, "version_id": draft.id,
               "item_id": built.incentive_batch.items[0].id,
               "batch_id": built.insurance_batch.id, "reference": built.claim.reference,
               "payment_id": built.performance.id}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    new = _new_paths()
    # Creating a batch is the older operation of a path that gained its GET here; settling
    # a pool is fuzzed with the other scheme actions (test_api_scheme_actions_fuzz).
    operations = [result.ok() for result in schema.get_all_operations()
                  if result.ok().path in new
                  and result.ok().label not in {"POST /payment-batches",
                                                "POST /schemes/{scheme_id}/settlements"}]
    assert len(operations) == 39  # with the three export-run operations
    seen: Counter = Counter()
    users = (world.clerk, world.finance, world.manager, world.analyst)
    for user in users:
        client = scheme_data.client(app, user)
        for operation in operations:
            _fuzz(operation, client.headers, user.email, targets, draft, seen)
    calls = sum(seen.values())
    # Any failed check has raised above: reaching here means none.
    print(f"schemathesis calls: {calls}", sorted(seen.items()))
    assert calls >= len(operations) * len(users)
    # The fuzzing reached the operations, not only their refusals.
    assert seen[(world.manager.email, "POST", 201)]
    assert seen[(world.manager.email, "PUT", 200)], sorted(seen.items())
    assert seen[(world.finance.email, "GET", 200)] and seen[(world.clerk.email, "GET", 200)]


def _fuzz(operation, headers, who, targets, draft, seen):
    turns = itertools.count()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def check(case):
        turn = next(turns)
        # Half the cases aim at real objects, so the handlers run rather than stop at 404.
        if case.path_parameters and turn % 2 == 0:
            for name, value in targets.items():
                if name in case.path_parameters:
                    case.path_parameters[name] = value
            if isinstance(case.body, dict) and "valid_from" in case.body and turn % 4 == 0:
                case.body["valid_from"] = clock.today().isoformat()
        if operation.path.endswith("/publish") and turn % 4 == 0:
            db.session.expire_all()
            case.headers = {**(case.headers or {}),
                            "If-Match": f'"{scheme_ops.version_fingerprint(draft)}"'}
        if case.method == "PUT" and turn % 4 == 0:
            db.session.expire_all()
            scheme = db.session.get(Scheme, case.path_parameters["scheme_id"])
            if scheme is not None:
                case.headers = {**(case.headers or {}),
                                "If-Match": f'"{scheme_ops.scheme_fingerprint(scheme)}"'}
        # A JSON schema cannot say "start before end" or "a share at most 1": such a request
        # is schema-valid and refused with 400 (a problem document, checked by the others).
        response = case.call_and_validate(headers=headers,
                                          excluded_checks=[positive_data_acceptance])
        if response.status_code == 200 and response.headers.get("Content-Type", "").split(
                ";")[0] in BINARY:
            assert response.content[:4] == b"%PDF" or "pdf" not in response.headers[
                "Content-Type"]
        seen[(who, case.method, response.status_code)] += 1

    check()
