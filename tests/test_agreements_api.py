"""Conservation agreements through the API: read by the roles that work on cases in their
area, a milestone verified through the same operation as the page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from conflict_app.schemes import agreements, params
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes.params import SchemeKind
from tests import helpers
from tests.test_api import api  # noqa: F401
from tests.test_schemes import frozen  # noqa: F401


def _agreement(world):
    scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        "AM-AGR", "Syunik agreements", SchemeKind.INCENTIVE, "AM", None, "AMD", None,
        Decimal(100_000), "refuse", date(2020, 1, 1), None, Decimal(0), None))
    version = scheme_ops.add_version(world.manager, scheme.id, date(2020, 1, 1),
                                     params.defaults(SchemeKind.INCENTIVE))
    scheme_ops.publish_version(world.manager, version.id)
    household = helpers.household(world)
    return agreements.sign(world.manager, scheme.id, None, household.id, agreements.Terms(
        signed_on=date(2024, 3, 1), term_years=3, amount=Decimal("750.25"),
        milestones=["guard_dog"]))


def test_agreements_are_read_and_milestones_verified_through_the_api(
        world, api, frozen):  # noqa: F811
    agreement = _agreement(world)
    listed = api(world.clerk).get("/api/v1/agreements?scheme=AM-AGR")
    assert listed.status_code == 200
    [item] = listed.get_json()["items"]
    assert item["reference"] == agreement.reference and item["state"] == "active"
    assert item["instalments"][0] == {"year": 1, "amount": "750.25", "currency": "AMD",
                                      "state": "waiting", "payment": None}
    assert api(world.clerk).get("/api/v1/agreements?scheme=NONE").get_json()["items"] == []
    assert api(world.analyst).get("/api/v1/agreements").status_code == 403
    assert api(world.other_clerk).get(f"/api/v1/agreements/{agreement.id}").status_code == 404
    assert api(world.other_clerk).get("/api/v1/agreements").get_json()["items"] == []

    milestone = item["milestones"][0]
    url = f"/api/v1/agreement-milestones/{milestone['id']}/verify"
    # A clerk's token may carry the verification scope; the role still decides.
    refused = api(world.clerk).post(url, json={"verified_on": "2024-05-01",
                                               "evidence": "dog seen"})
    assert refused.status_code == 403
    bad = api(world.verifier).post(url, json={"verified_on": "2024-05-01"})
    assert bad.status_code == 422
    future = api(world.verifier).post(url, json={"verified_on": "2031-01-01",
                                                 "evidence": "dog seen"})
    assert future.status_code == 400 and future.get_json()["errors"][0]["field"] == \
        "verified_on"
    done = api(world.verifier).post(url, json={"verified_on": "2024-05-01",
                                               "evidence": "a guard dog with the flock"})
    assert done.status_code == 200, done.get_data(as_text=True)
    body = done.get_json()
    assert body["milestones"][0]["verified_on"] == "2024-05-01"
    assert body["instalments"][0]["state"] == "approved"
    assert body["instalments"][0]["payment"].startswith("INC-")
    again = api(world.verifier).post(url, json={"verified_on": "2024-05-01",
                                                "evidence": "again"})
    assert again.status_code == 400
    one = api(world.manager).get(f"/api/v1/agreements/{agreement.id}").get_json()
    assert one["milestones"][0]["evidence"] == "a guard dog with the flock"


def test_the_description_names_the_agreement_operations(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert "/agreements" in document["paths"]
    assert "/agreement-milestones/{milestone_id}/verify" in document["paths"]
    assert "MilestoneVerifyIn" in document["components"]["schemas"]


def test_an_agreement_signed_and_renewed_through_the_api(world, api, frozen):  # noqa: F811
    from datetime import UTC, datetime

    from conflict_app.core import clock
    from conflict_app.core.audit import AuditEntry
    from conflict_app.extensions import db
    from conflict_app.schemes.agreement_models import ConservationAgreement

    scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        "AM-AGR", "Syunik agreements", SchemeKind.INCENTIVE, "AM", None, "AMD", None,
        Decimal(100_000), "refuse", date(2020, 1, 1), None, Decimal(0), None))
    version = scheme_ops.add_version(world.manager, scheme.id, date(2020, 1, 1),
                                     params.defaults(SchemeKind.INCENTIVE))
    scheme_ops.publish_version(world.manager, version.id)
    household = helpers.household(world)
    terms = {"scheme_id": scheme.id, "household_id": household.id, "signed_on": "2025-03-01",
             "term_years": 2, "amount": 1200.5, "milestones": ["corral", "no_killing"]}
    manager = api(world.manager)
    # Only a scheme manager signs; bad terms are refused with the field and nothing stored.
    assert api(world.clerk).post("/api/v1/agreements", json=terms).status_code == 403
    assert manager.post("/api/v1/agreements", json={**terms, "term_years": 11}
                        ).status_code == 422
    future = manager.post("/api/v1/agreements", json={**terms, "signed_on": "2031-01-01"})
    assert future.status_code == 400 and future.get_json()["errors"][0]["field"] == \
        "signed_on"
    zero = manager.post("/api/v1/agreements", json={**terms, "amount": 0})
    assert zero.status_code == 400 and zero.get_json()["errors"][0]["field"] == "amount"
    assert db.session.query(ConservationAgreement).count() == 0
    signed = manager.post("/api/v1/agreements", json=terms, headers={"Idempotency-Key": "a1"})
    assert signed.status_code == 201, signed.get_json()
    body = signed.get_json()
    assert (body["term_years"], body["ends_on"], body["state"]) == (2, "2027-03-01", "active")
    assert [(m["year"], m["kind"]) for m in body["milestones"]] == [
        (1, "corral"), (1, "no_killing"), (2, "corral"), (2, "no_killing")]
    assert [i["amount"] for i in body["instalments"]] == ["1200.50", "1200.50"]
    again = manager.post("/api/v1/agreements", json=terms, headers={"Idempotency-Key": "a1"})
    assert again.get_json()["id"] == body["id"]
    assert db.session.query(ConservationAgreement).count() == 1
    # One in force already: a second is refused.
    assert manager.post("/api/v1/agreements", json=terms).status_code == 400
    assert db.session.scalar(db.select(AuditEntry.id).where(
        AuditEntry.action == "sign_agreement", AuditEntry.object_id == body["id"]))

    url = f"/api/v1/agreements/{body['id']}/renewal"
    renewal = {"term_years": 3, "amount": 1500, "milestones": ["presence"]}
    etag = manager.get(f"/api/v1/agreements/{body['id']}").headers["ETag"]
    assert manager.post(url, json=renewal).status_code == 428
    early = manager.post(url, json=renewal, headers={"If-Match": etag})
    assert early.status_code == 400 and "can be renewed from" in early.get_json()["title"]
    clock.freeze(datetime(2027, 1, 15, 9, 0, tzinfo=UTC))
    manager = api(world.manager)  # the first token expired meanwhile
    etag = manager.get(f"/api/v1/agreements/{body['id']}").headers["ETag"]
    assert manager.post(url, json=renewal, headers={"If-Match": '"old"'}).status_code == 412
    assert api(world.verifier).post(url, json=renewal, headers={"If-Match": etag}
                                    ).status_code == 403
    renewed = manager.post(url, json=renewal, headers={"If-Match": etag})
    assert renewed.status_code == 201, renewed.get_json()
    new = renewed.get_json()
    assert new["signed_on"] == "2027-03-01" and new["renews"] == body["reference"]
    assert len(new["instalments"]) == 3
    assert manager.get(f"/api/v1/agreements/{body['id']}").get_json()["state"] == "renewed"
    # The old ETag no longer holds.
    assert manager.post(url, json=renewal, headers={"If-Match": etag}).status_code == 412
