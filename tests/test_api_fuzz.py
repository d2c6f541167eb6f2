"""Schemathesis fuzzes the API against its own OpenAPI description: no 500, and every
response matches the documented schema, status code and content type."""

from __future__ import annotations

import itertools

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.config import PositiveDataAcceptanceConfig

from conflict_app.api import tokens
from tests import helpers


def test_api_matches_its_description(app, world):
    helpers.report(world)
    _token, secret = tokens.issue(world.clerk, "fuzz", tokens.allowed_scopes(world.clerk))
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # A body the description calls valid must never be refused as malformed (422). The
    # business rules that depend on today's date or on the records (an incident older than
    # the reporting window, a kind the place's scheme does not pay) answer 400 with the
    # field at fault, and a JSON schema cannot state them; every other status keeps the
    # library's default expectation.
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
        expected_statuses=["2xx", "3xx", 400, 401, 403, 404, 409, 412, 428, 429])
    operations = [result.ok() for result in schema.get_all_operations()]
    keys = itertools.count()
    assert len(operations) >= 6
    for operation in operations:

        @settings(max_examples=30, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            # A key is the user's across every path: one the fuzzer happens to send again
            # with another body is rightly refused (422, tested in test_api_idempotency),
            # which is not a malformed body. Each case gets a key of its own.
            if case.headers and "Idempotency-Key" in case.headers:
                case.headers["Idempotency-Key"] = f"fuzz-{next(keys)}"
            case.call_and_validate(headers=headers)

        check()
