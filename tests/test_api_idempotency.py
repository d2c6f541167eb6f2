"""An Idempotency-Key holds under concurrent retries: one claim, one answer for all."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from conflict_app.api import tokens
from conflict_app.claims.models import Claim
from conflict_app.extensions import db
from tests import helpers
from tests.conftest import World
from tests.test_api import report_body


@pytest.mark.committed
@pytest.mark.postgres
def test_twenty_parallel_requests_with_one_key_create_one_claim(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    world = World()
    db.session.commit()
    household = helpers.household(world)
    _token, secret = tokens.issue(world.clerk, "tests", tokens.allowed_scopes(world.clerk))
    body = report_body(household.id)
    db.session.remove()
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "retry-storm-1"}
    answers: list[tuple[int, dict]] = []
    start = threading.Barrier(20)

    def send() -> None:
        client = app.test_client()
        start.wait()
        response = client.post("/api/v1/claims", json=body, headers=headers)
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [status for status, _ in answers] == [201] * 20
    assert len({answer["reference"] for _, answer in answers}) == 1
    assert db.session.scalar(select(func.count(Claim.id))) == 1
    # The first answer carries the PIN; the replays the same claim without it.
    assert sorted(answer["pin"] is None for _, answer in answers) == [False] + [True] * 19
