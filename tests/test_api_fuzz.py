"""Schemathesis fuzzes the API against its own OpenAPI description: no 500, and every
response matches the documented schema, status code and content type."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from conflict_app.api import tokens
from tests import helpers


def test_api_matches_its_description(app, world):
    helpers.report(world)
    _token, secret = tokens.issue(world.clerk, "fuzz", tokens.allowed_scopes(world.clerk))
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:

        @settings(max_examples=30, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(headers=headers)

        check()
