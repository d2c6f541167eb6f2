"""The JSON API: tokens, the same rules as the pages, problem documents, idempotency."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conflict_app.api import tokens
from conflict_app.claims.models import Claim
from conflict_app.core import clock
from conflict_app.extensions import db
from tests import helpers


@pytest.fixture
def api(app, world):
    """A JSON client per user, authenticated with a freshly issued token."""

    class Client:
        def __init__(self, user):
            _token, secret = tokens.issue(user, "tests", tokens.allowed_scopes(user))
            self.headers = {"Authorization": f"Bearer {secret}"}
            self.client = app.test_client()

        def get(self, url, **kw):
            return self.client.get(url, headers=self.headers, **kw)

        def post(self, url, json=None, headers=None, **kw):
            return self.client.post(url, json=json, headers={**self.headers, **(headers or {})},
                                    **kw)

    return Client


def report_body(household_id, **extra):
    return {"household_id": household_id,
            "occurred_on": (clock.today() - timedelta(days=1)).isoformat(),
            "setting": "pasture", "part_of_day": "night",
            "lines": [{"species": "sheep", "age_class": "adult_female", "killed": 2,
                       "injured": 0}], **extra}


def test_no_token_no_entry(app, world):
    response = app.test_client().get("/api/v1/claims")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 401
    bad = app.test_client().get("/api/v1/claims", headers={"Authorization": "Bearer pdx_x"})
    assert bad.status_code == 401


def test_revoked_token_stops_working(app, world, api):
    clerk = api(world.clerk)
    assert clerk.get("/api/v1/claims").status_code == 200
    token = db.session.scalars(select(tokens.ApiToken)).first()
    tokens.revoke(world.clerk, token.id)
    assert clerk.get("/api/v1/claims").status_code == 401


def test_a_claim_through_the_api_from_report_to_payment(world, api):
    household = helpers.household(world)
    clerk, supervisor = api(world.clerk), api(world.supervisor)
    created = clerk.post("/api/v1/claims", json=report_body(household.id),
                         headers={"Idempotency-Key": "report-1"})
    assert created.status_code == 201, created.get_json()
    claim = created.get_json()
    assert claim["state"] == "reported" and len(claim["pin"]) == 6
    # The same key and body: the same answer, no second claim.
    again = clerk.post("/api/v1/claims", json=report_body(household.id),
                       headers={"Idempotency-Key": "report-1"})
    assert again.status_code == 201 and again.get_json()["reference"] == claim["reference"]
    assert db.session.scalar(select(func.count(Claim.id))) == 1
    other = clerk.post("/api/v1/claims", json=report_body(household.id, setting="village"),
                       headers={"Idempotency-Key": "report-1"})
    assert other.status_code == 422
    ref = claim["reference"]

    def fire(client, action, version, **extra):
        return client.post(f"/api/v1/claims/{ref}/transitions",
                           json={"action": action, "version": version, **extra})

    screened = fire(clerk, "screen", claim["version"])
    assert screened.status_code == 200, screened.get_json()
    stale = fire(clerk, "withdraw", claim["version"], reason="x")
    assert stale.status_code == 409
    assigned = fire(supervisor, "assign_verifier", screened.get_json()["version"],
                    verifier_id=world.verifier.id)
    assert assigned.status_code == 200
    state = assigned.get_json()
    photo = base64.b64encode(helpers.photo_bytes()).decode()
    verified = api(world.verifier).post(f"/api/v1/claims/{ref}/verification", json={
        "version": state["version"], "visited_on": clock.today().isoformat(),
        "signs": {"haemorrhage": True, "bite_location": "throat_nape", "heads_killed": 2,
                  "carcass_handling": "hoisted"},
        "predator": "leopard", "confidence": "confirmed",
        "confirmed": [{"line_id": ln["id"], "killed": ln["killed"], "injured": 0}
                      for ln in state["lines"]],
        "photos": [photo]})
    assert verified.status_code == 201, verified.get_json()
    assessed = fire(clerk, "assess", verified.get_json()["version"])
    assert assessed.get_json()["assessment"]["total"] == "90000.00"
    steps = assessed.get_json()["assessment"]["steps"]
    assert steps[-1]["text"].startswith("Total:") and any(s["rule"] for s in steps)
    # The verifier may not approve; an approver may.
    approved = fire(api(world.approver), "approve", assessed.get_json()["version"])
    assert approved.status_code == 200 and approved.get_json()["state"] == "approved"

    # Payment through the API alone: batch, payment file, confirmation (at most once).
    finance = api(world.finance)
    assert clerk.post("/api/v1/payment-batches",
                      json={"claims": [ref], "method": "cash"}).status_code == 403
    batch = finance.post("/api/v1/payment-batches", json={"claims": [ref],
                                                          "method": "cash"},
                         headers={"Idempotency-Key": "batch-1"})
    assert batch.status_code == 201, batch.get_json()
    batch = batch.get_json()
    assert batch["total"] == "90000.00" and batch["items"][0]["claim_reference"] == ref
    item = batch["items"][0]["id"]
    early = finance.post(f"/api/v1/payment-items/{item}/paid", json={"reference": "MM-1"})
    assert early.status_code == 400  # export the payment file first
    exported = finance.post(f"/api/v1/payment-batches/{batch['id']}/export")
    assert exported.status_code == 200 and ref in exported.get_json()["payment_file"]
    paid = finance.post(f"/api/v1/payment-items/{item}/paid", json={"reference": "MM-1"},
                        headers={"Idempotency-Key": "pay-1"})
    assert paid.status_code == 200 and paid.get_json()["state"] == "paid"
    again = finance.post(f"/api/v1/payment-items/{item}/paid", json={"reference": "MM-2"})
    assert again.status_code == 400
    final = clerk.get(f"/api/v1/claims/{ref}").get_json()
    assert final["state"] == "paid" and final["paid_at"]
    assert finance.get(f"/api/v1/payment-batches/{batch['id']}").get_json()["state"] == "closed"
    assert finance.get("/api/v1/payment-batches/999999").status_code == 404


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"household_id": 1, "occurred_on": "2026-01-01"}, 422),  # missing fields
        ({"household_id": "x"}, 422),  # wrong type
        ({"unknown": 1}, 422),  # unknown field
    ],
)
def test_bad_bodies_are_precise_problems(world, api, body, status):
    response = api(world.clerk).post("/api/v1/claims", json=body)
    assert response.status_code == status
    problem = response.get_json()
    assert response.mimetype == "application/problem+json" and problem["errors"]


def test_malformed_json_and_wrong_type(world, api):
    clerk = api(world.clerk)
    response = clerk.client.post("/api/v1/claims", data="{not json",
                                 headers={**clerk.headers, "Content-Type": "application/json"})
    assert response.status_code == 400
    response = clerk.client.post("/api/v1/claims", data="a=b", headers=clerk.headers)
    assert response.status_code == 415


def test_jurisdiction_applies_to_tokens(world, api):
    claim, _ = helpers.report(world)
    assert api(world.clerk).get(f"/api/v1/claims/{claim.reference}").status_code == 200
    assert api(world.other_clerk).get(f"/api/v1/claims/{claim.reference}").status_code == 404
    listed = api(world.other_clerk).get("/api/v1/claims").get_json()
    assert listed["items"] == []
    assert api(world.analyst).get("/api/v1/claims").status_code == 403


def test_openapi_document_is_valid(app):
    from openapi_spec_validator import validate

    document = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert "/claims/{reference}/transitions" in document["paths"]
