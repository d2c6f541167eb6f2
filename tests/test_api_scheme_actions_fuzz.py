"""The price, exchange-rate, incentive payment, withholding and settlement paths:
described in the OpenAPI document (which validates) and fuzzed by schemathesis through the
WSGI app with the token of each role: no 500, every answer as documented."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date

import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import positive_data_acceptance

from conflict_app.api import openapi_incentives, openapi_prices
from conflict_app.api.openapi import document
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.schemes import incentives
from conflict_app.schemes.models import Withholding
from conflict_app.schemes.params import SchemeKind
from tests import scheme_data

EXAMPLES = 12


def _labels() -> set[str]:
    labels: set[str] = set()
    for module in (openapi_prices, openapi_incentives):
        for path, item in module.paths(lambda m: {}, lambda *c: {}, lambda m, d: {}, {}).items():
            labels |= {f"{method.upper()} {path}" for method in item}
    return labels


def test_scheme_action_paths_match_their_description(app, world):
    validate(document())
    clock.freeze(scheme_data.START)
    try:
        scheme = scheme_data.scheme(world, "AM-INC", SchemeKind.INCENTIVE, budget="100000")
        item = incentives.withhold(world.manager, scheme.id, world.shikahogh.id, "poison",
                                   date(2026, 3, 1))
        pool = scheme_data.scheme(world, "AM-INS", SchemeKind.INSURANCE,
                                  admin1_id=world.syunik.id, budget="0")
        targets = {"scheme_id": scheme.id, "withholding_id": item.id, "pool": pool.id}
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        operations = [r.ok() for r in schema.get_all_operations() if r.ok().label in _labels()]
        assert len(operations) == 11
        seen: Counter = Counter()
        for user in (world.clerk, world.manager, world.admin, world.finance):
            client = scheme_data.client(app, user)
            for operation in operations:
                _fuzz(operation, client.headers, user.email, targets, seen)
    finally:
        clock.freeze(None)
    print(f"schemathesis calls: {sum(seen.values())}", sorted(seen.items()))
    assert seen[(world.manager.email, "GET", 200)] and seen[(world.clerk.email, "GET", 403)]
    assert seen[(world.manager.email, "POST", 200)]  # an appeal decided


def _fuzz(operation, headers, who, targets, seen):
    turns = itertools.count()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def check(case):
        turn = next(turns)
        if case.method == "GET" and not case.path_parameters and turn % 2 == 0:
            case.query = {}  # half the reads ask for the user's own table
        # Half the cases aim at real objects, so the handlers run rather than stop at 404.
        if case.path_parameters and turn % 2 == 0:
            for name, value in targets.items():
                if name in case.path_parameters:
                    case.path_parameters[name] = value
            if case.path.endswith("/settlements"):
                case.path_parameters["scheme_id"] = targets["pool"]
            if "withholding_id" in case.path_parameters:
                db.session.expire_all()
                item = db.session.get(Withholding, targets["withholding_id"])
                case.headers = {**(case.headers or {}), "If-Match":
                                f'"{incentives.withholding_fingerprint(item)}"'}
        # A JSON schema cannot say "a country's own currency" or "a village of the scheme":
        # such a request is schema-valid and refused with 400 (a problem document).
        response = case.call_and_validate(headers=headers,
                                          excluded_checks=[positive_data_acceptance])
        seen[(who, case.method, response.status_code)] += 1

    check()
