"""Schemes and rule versions through the API: who reads which scheme, budgets as decimal
strings, a draft and its publication through the pages' operations with ETag and If-Match,
audited, refused for roles and areas the pages refuse."""

from __future__ import annotations

from sqlalchemy import select

from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db
from conflict_app.schemes.models import RuleVersion


def _audit(version_id):
    return [e.action for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "rule_version", AuditEntry.object_id == version_id)
        .order_by(AuditEntry.id))]


def test_case_roles_read_the_schemes_of_their_area_with_budgets(world, built, api):
    listed = api(world.clerk).get("/api/v1/schemes")
    assert listed.status_code == 200, listed.get_json()
    by_code = {s["code"]: s for s in listed.get_json()["items"]}
    assert set(by_code) == {"AM-COMP", "AM-INS", "AM-INC"}
    compensation = by_code["AM-COMP"]
    assert compensation["kind"] == "compensation" and compensation["version_in_force"] == 1
    budget = compensation["budget"]
    assert budget["allocated"] == "1000000.00" and budget["currency"] == "AMD"
    assert all(isinstance(budget[k], str) for k in ("committed", "disbursed", "remaining"))
    assert by_code["AM-INS"]["province"] == "Syunik"
    only = api(world.clerk).get("/api/v1/schemes?kind=insurance").get_json()["items"]
    assert [s["code"] for s in only] == ["AM-INS"]
    one = api(world.finance).get(f"/api/v1/schemes/{built.incentive.id}")
    assert one.status_code == 200 and one.get_json()["code"] == "AM-INC"

    # A clerk of another province sees the national schemes, not Syunik's pool.
    other = api(world.other_clerk)
    assert {s["code"] for s in other.get("/api/v1/schemes").get_json()["items"]} == {
        "AM-COMP", "AM-INC"}
    assert other.get(f"/api/v1/schemes/{built.insurance.id}").status_code == 404
    assert api(world.ge_clerk).get("/api/v1/schemes").get_json()["items"] == []
    # Analysts do not see the scheme pages.
    refused = api(world.analyst).get("/api/v1/schemes")
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert api(world.clerk).get("/api/v1/schemes?kind=lottery").status_code == 400


def test_settlements_of_an_insurance_pool(world, built, api):
    response = api(world.clerk).get(f"/api/v1/schemes/{built.insurance.id}/settlements")
    assert response.status_code == 200
    [settlement] = response.get_json()["items"]
    assert settlement["currency"] == "AMD"
    assert settlement["items"][0]["claim_reference"] == built.insured_claim.reference
    assert settlement["payable"] == "60000.00" and settlement["shortfall"] == "36000.00"
    not_insurance = api(world.clerk).get(
        f"/api/v1/schemes/{built.compensation.id}/settlements")
    assert not_insurance.status_code == 404


def test_versions_are_listed_and_read_with_their_etag(world, built, api):
    clerk = api(world.clerk)
    listed = clerk.get(f"/api/v1/schemes/{built.compensation.id}/versions").get_json()
    [first] = listed["items"]
    assert first["number"] == 1 and first["published"] is True
    assert first["values"]["share_of_value"] == "0.75"
    read = clerk.get(f"/api/v1/rule-versions/{first['id']}")
    assert read.status_code == 200 and read.headers["ETag"] == f'"{first["etag"]}"'
    again = clerk.get(f"/api/v1/rule-versions/{first['id']}",
                      headers={"If-None-Match": read.headers["ETag"]})
    assert again.status_code == 304
    assert api(world.other_clerk).get(
        f"/api/v1/rule-versions/{built.insurance.versions[0].id}").status_code == 404
    assert clerk.get("/api/v1/rule-versions/999999").status_code == 404


def test_a_manager_drafts_and_publishes_a_version_with_if_match(world, built, api):
    manager = api(world.manager)
    url = f"/api/v1/schemes/{built.compensation.id}/versions"
    draft = manager.post(url, json={"valid_from": "2026-06-01", "note": "higher share",
                                    "values": {"share_of_value": "0.9"}},
                         headers={"Idempotency-Key": "draft-1"})
    assert draft.status_code == 201, draft.get_json()
    body = draft.get_json()
    assert body["number"] == 2 and body["published"] is False
    # Values not given come from the latest version, as the page's form starts from them.
    assert body["values"]["share_of_value"] == "0.9"
    assert body["values"]["rate_probable"] == "0.75"
    assert draft.headers["Location"] == f"/api/v1/rule-versions/{body['id']}"
    replay = manager.post(url, json={"valid_from": "2026-06-01", "note": "higher share",
                                     "values": {"share_of_value": "0.9"}},
                          headers={"Idempotency-Key": "draft-1"})
    assert replay.status_code == 201 and replay.get_json()["id"] == body["id"]
    assert db.session.scalar(select(RuleVersion.id).where(
        RuleVersion.scheme_id == built.compensation.id, RuleVersion.number == 3)) is None

    publish = f"/api/v1/rule-versions/{body['id']}/publish"
    missing = manager.post(publish)
    assert missing.status_code == 428 and missing.mimetype == "application/problem+json"
    stale = manager.post(publish, headers={"If-Match": '"0123456789abcdef"'})
    assert stale.status_code == 412
    # A clerk may read the draft, never publish it.
    assert api(world.clerk).post(publish, headers={"If-Match": draft.headers["ETag"]}
                                 ).status_code == 403
    done = manager.post(publish, headers={"If-Match": draft.headers["ETag"]})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["published"] is True
    assert done.headers["ETag"] != draft.headers["ETag"]
    assert _audit(body["id"]) == ["draft_rule_version", "publish_rule_version"]
    # The copy read before publication is stale now.
    twice = manager.post(publish, headers={"If-Match": draft.headers["ETag"]})
    assert twice.status_code == 412
    already = manager.post(publish, headers={"If-Match": done.headers["ETag"]})
    assert already.status_code == 400
    assert _audit(body["id"]) == ["draft_rule_version", "publish_rule_version"]


def test_drafts_are_refused_as_the_page_refuses_them(world, built, api):
    manager = api(world.manager)
    url = f"/api/v1/schemes/{built.compensation.id}/versions"
    unknown = manager.post(url, json={"valid_from": "2026-06-01",
                                      "values": {"premium_rate": "0.1"}})
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"][0]["field"] == "values.premium_rate"
    share = manager.post(url, json={"valid_from": "2026-06-01",
                                    "values": {"share_of_value": "1.5"}})
    assert share.status_code == 400 and share.get_json()["errors"][0]["field"] == \
        "share_of_value"
    early = manager.post(url, json={"valid_from": "2025-01-01"})
    assert early.status_code == 400 and early.get_json()["errors"][0]["field"] == "valid_from"
    as_number = manager.post(url, json={"valid_from": "2026-06-01",
                                        "values": {"share_of_value": 0.9}})
    assert as_number.status_code == 422
    assert api(world.clerk).post(url, json={"valid_from": "2026-06-01"}).status_code == 403
    without_scope = api(world.manager, ["read"]).post(url, json={"valid_from": "2026-06-01"})
    assert without_scope.status_code == 403
    assert "schemes" in without_scope.get_json()["detail"]
    # Syunik's pool is configured by managers of all of Syunik; another province's clerk
    # does not even see it.
    assert api(world.other_clerk).post(f"/api/v1/schemes/{built.insurance.id}/versions",
                                       json={"valid_from": "2026-06-01"}).status_code == 404
    assert [v.number for v in db.session.scalars(select(RuleVersion).where(
        RuleVersion.scheme_id == built.compensation.id))] == [1]


def test_a_manager_tries_a_draft_on_past_claims(world, built, api):
    manager = api(world.manager)
    draft = manager.post(f"/api/v1/schemes/{built.compensation.id}/versions",
                         json={"valid_from": "2026-06-01",
                               "values": {"share_of_value": "0.9"}}).get_json()
    url = f"/api/v1/rule-versions/{draft['id']}/dry-run"
    trial = manager.get(url)
    assert trial.status_code == 200, trial.get_json()
    body = trial.get_json()
    [row] = body["rows"]
    assert row["claim_reference"] == built.claim.reference
    # Three ewes at 60 000: three quarters paid, then nine tenths under the draft.
    assert (row["before"], row["after"]) == ("135000.00", "162000.00")
    assert body["currency"] == "AMD" and body["after"] == "162000.00"
    empty = manager.get(f"{url}?start=2020-01-01&end=2020-12-31").get_json()
    assert empty["rows"] == [] and empty["before"] == "0.00"
    backwards = manager.get(f"{url}?start=2026-12-31&end=2026-01-01")
    assert backwards.status_code == 400 and backwards.get_json()["errors"][0]["field"] == "end"
    assert manager.get(f"{url}?start=2000-01-01&end=2026-01-01").status_code == 400
    assert api(world.clerk).get(url).status_code == 403
    assert [v.number for v in db.session.scalars(select(RuleVersion).where(
        RuleVersion.scheme_id == built.compensation.id, RuleVersion.published_at.is_not(None)))
        ] == [1]
