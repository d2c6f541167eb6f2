"""The measure and incident paths: described in the OpenAPI document (which validates), and
fuzzed by schemathesis through the WSGI app with a clerk's token and an analyst's: no 500,
every answer as documented."""

from __future__ import annotations

from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import positive_data_acceptance

from conflict_app.api import tokens
from conflict_app.api.openapi import document
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.mitigation import operations as mitigation_ops
from conflict_app.mitigation.models import MeasureType
from tests import helpers

NEW_PATHS = ("/measures", "/measures/{measure_id}", "/incidents", "/incidents/{incident_id}")
EXAMPLES = 40
FIELDS = set(mitigation_ops.FIELDS)


def test_document_describes_the_new_paths_and_validates():
    doc = document()
    validate(doc)
    for path in NEW_PATHS:
        assert path in doc["paths"]
    schemas = doc["components"]["schemas"]
    assert schemas["MeasureOut"]["properties"]["cost"]["anyOf"][0]["type"] == "string"
    assert "IncidentOut" in schemas
    put = doc["paths"]["/measures/{measure_id}"]["put"]
    assert {"412", "428"} <= set(put["responses"])


def test_new_paths_match_their_description(app, world):
    helpers.verified(world)  # an incident with a verification, and its household
    household = helpers.household(world, name="Fuzz Household")
    measure = mitigation_ops.record_measure(world.clerk, household, mitigation_ops.MeasureInput(
        measure=MeasureType.CORRAL, installed_on=clock.today()))
    users = (world.clerk, world.analyst)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()
                  if result.ok().path in NEW_PATHS]
    assert len(operations) == 6
    seen: Counter = Counter()
    for user in users:
        _token, secret = tokens.issue(user, "fuzz", tokens.allowed_scopes(user))
        for operation in operations:
            _fuzz(operation, {"Authorization": f"Bearer {secret}"}, user.email, household.id,
                  measure, seen)
    calls = sum(seen.values())
    # Each operation ran its examples for both roles (hypothesis may stop early on a
    # small input space, never at none).
    assert calls >= len(operations) * len(users)
    # The clerk's fuzzing reached the operations: measures recorded and corrected.
    assert seen[(world.clerk.email, "POST", 201)] and seen[(world.clerk.email, "PUT", 200)]
    print(f"schemathesis calls: {calls}", sorted(seen.items()))


def _fuzz(operation, headers, who, household_id, measure, seen):
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def check(case):
        # Aim at a real household and measure, with its current ETag, so the operations
        # run rather than stopping at 404 or 412.
        if case.path_parameters and "measure_id" in case.path_parameters:
            case.path_parameters["measure_id"] = measure.id
        if case.method == "PUT":
            db.session.expire_all()
            case.headers = {**(case.headers or {}),
                            "If-Match": f'"{mitigation_ops.fingerprint(measure)}"'}
        if isinstance(case.body, dict) and "household_id" in case.body:
            case.body["household_id"] = household_id
        # A JSON schema cannot say "not in the future" or "cost with its currency": such a
        # body is schema-valid and refused by the operation with 400. That check is
        # replaced by a stricter one: a 400 only for a write, naming the broken field.
        response = case.call_and_validate(headers=headers,
                                          excluded_checks=[positive_data_acceptance])
        if response.status_code == 400:
            assert case.method in {"POST", "PUT"}, response.text
            assert response.json()["errors"][0]["field"] in FIELDS, response.text
        seen[(who, case.method, response.status_code)] += 1

    check()
