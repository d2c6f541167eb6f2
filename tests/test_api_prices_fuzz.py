"""The price and exchange-rate paths: described in the OpenAPI document (which validates) and
fuzzed by schemathesis through the WSGI app with the token of each role: no 500, every
answer as documented."""

from __future__ import annotations

import itertools
from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import positive_data_acceptance

from conflict_app.api import openapi_prices
from conflict_app.api.openapi import document
from tests import scheme_data

EXAMPLES = 15


def _paths() -> set[str]:
    return set(openapi_prices.paths(lambda m: {}, lambda *c: {}, lambda m, d: {}, {}))


def test_price_paths_match_their_description(app, world):
    validate(document())
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [r.ok() for r in schema.get_all_operations() if r.ok().path in _paths()]
    assert len(operations) == 4
    seen: Counter = Counter()
    for user in (world.clerk, world.manager, world.admin):
        client = scheme_data.client(app, user)
        for operation in operations:
            _fuzz(operation, client.headers, user.email, seen)
    print(f"schemathesis calls: {sum(seen.values())}", sorted(seen.items()))
    assert seen[(world.manager.email, "GET", 200)] and seen[(world.clerk.email, "GET", 403)]


def _fuzz(operation, headers, who, seen):
    turns = itertools.count()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def check(case):
        if case.method == "GET" and next(turns) % 2 == 0:
            case.query = {}  # half the reads ask for the user's own table
        # A JSON schema cannot say "a country's own currency": such a request is
        # schema-valid and refused with 400 (a problem document, checked by the others).
        response = case.call_and_validate(headers=headers,
                                          excluded_checks=[positive_data_acceptance])
        seen[(who, case.method, response.status_code)] += 1

    check()
