"""Payout details and erasure of a household through the API: the household pages'
operations and roles, If-Match, problem documents, and account numbers kept out of the
audit log."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from conflict_app.claims import operations as ops
from conflict_app.core.audit import AuditEntry
from conflict_app.core.errors import StaleObject
from conflict_app.extensions import db
from conflict_app.herders import payout, privacy
from conflict_app.herders.models import Household, PayoutDetails
from tests import helpers
from tests.test_api_households import Client

WALLET, ACCOUNT = "+37477123456", "1570012345678900"


def _url(household_id, what="payout-details"):
    return f"/api/v1/households/{household_id}/{what}"


def _details(household_id):
    db.session.expire_all()
    return db.session.scalar(select(PayoutDetails).where(
        PayoutDetails.household_id == household_id))


def _audit(household_id):
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "household", AuditEntry.object_id == household_id)
        .order_by(AuditEntry.id)))


def test_clerk_reads_and_replaces_payout_details(app, world):
    household = helpers.household(world)
    clerk = Client(app, world.clerk)
    read = clerk.get(_url(household.id))
    assert read.status_code == 200, read.get_json()
    empty = read.get_json()
    assert empty["wallet_number"] is None and empty["uses_iban"] is False
    assert read.headers["Cache-Control"] == "private, no-store"
    answer = clerk.put(_url(household.id), {
        "bank_account": "1570-0123-4567-8900", "bank_name": "Ardshinbank",
        "wallet_number": "077 123 456", "wallet_provider": "Idram"},
        headers={"If-Match": read.headers["ETag"]})
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    assert (data["bank_account"], data["wallet_number"]) == (ACCOUNT, WALLET)
    assert answer.headers["ETag"] == f'"{data["etag"]}"' != read.headers["ETag"]
    assert _details(household.id).wallet_number == WALLET
    entry = _audit(household.id)[-1]
    assert entry.action == "payout_details"
    # The audit log names the fields, never the numbers.
    logged = json.dumps(entry.changes)
    assert "bank_account" in logged and ACCOUNT not in logged and WALLET not in logged


def test_payout_details_follow_the_household_pages_roles(app, world):
    household = helpers.household(world)
    helpers.payout(household)
    for user in (world.verifier, world.approver, world.finance, world.manager,
                 world.analyst):
        client = Client(app, user)
        response = client.get(_url(household.id))
        assert response.status_code == 403, user.email
        assert response.content_type == "application/problem+json"
        assert ACCOUNT not in response.get_data(as_text=True)
        assert client.put(_url(household.id), {"wallet_number": None},
                          headers={"If-Match": "*"}).status_code == 403
    # Another area's clerk: the household is not there.
    assert Client(app, world.other_clerk).get(_url(household.id)).status_code == 404
    assert _details(household.id).wallet_number == WALLET


def test_bad_payout_details_change_nothing(app, world):
    household = helpers.household(world)
    helpers.payout(household)
    clerk = Client(app, world.clerk)
    tag = clerk.get(_url(household.id)).headers["ETag"]
    # A wallet number of another country: the operation's own translated refusal.
    refused = clerk.put(_url(household.id), {"wallet_number": "+995555123456",
                                             "wallet_provider": "Idram"},
                        headers={"If-Match": tag})
    assert refused.status_code == 400
    assert refused.content_type == "application/problem+json"
    assert refused.get_json()["errors"][0]["field"] == "wallet_number"
    # A wallet without its provider, and a field the page does not have.
    assert clerk.put(_url(household.id), {"wallet_number": "077 123 456"},
                     headers={"If-Match": tag}).status_code == 400
    invalid = clerk.put(_url(household.id), {"pin": "1234"}, headers={"If-Match": tag})
    assert invalid.status_code == 422 and invalid.get_json()["errors"][0]["field"] == "pin"
    assert _details(household.id).bank_account == ACCOUNT
    assert [e.action for e in _audit(household.id)] == ["register"]


def test_payout_details_need_a_current_etag(app, world):
    household = helpers.household(world)
    clerk = Client(app, world.clerk)
    old = clerk.get(_url(household.id)).headers["ETag"]
    change = {"wallet_number": "077 123 456", "wallet_provider": "Idram"}
    assert clerk.put(_url(household.id), change).status_code == 428
    assert clerk.put(_url(household.id), change, headers={"If-Match": old}).status_code == 200
    stale = clerk.put(_url(household.id), {"wallet_number": None}, headers={"If-Match": old})
    assert stale.status_code == 412
    assert stale.content_type == "application/problem+json"
    assert _details(household.id).wallet_number == WALLET
    # The operation checks the tag again under the row lock.
    assert payout.fingerprint(household.id, _details(household.id)) != old.strip('"')


def _settled_claim(world):
    claim = helpers.verified(world)
    ops.assess(claim.id, world.clerk, helpers.reload(claim).version)
    ops.reject(claim.id, world.approver, helpers.reload(claim).version, "not leopard")
    return claim


def test_clerk_erases_a_settled_household(app, world):
    claim = _settled_claim(world)
    helpers.payout(claim.household)
    clerk = Client(app, world.clerk)
    tag = clerk.get(f"/api/v1/households/{claim.household_id}").headers["ETag"]
    answer = clerk.post(_url(claim.household_id, "erasure"), {"reason": "the herder asked"},
                        headers={"If-Match": tag})
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    assert data["head_name"] == "—" and data["phone"] is None and data["location"] is None
    assert _details(claim.household_id) is None
    entry = _audit(claim.household_id)[-1]
    assert (entry.action, entry.reason) == ("erase_personal_data", "the herder asked")
    # The claim is kept.
    assert Client(app, world.approver).get(f"/api/v1/claims/{claim.reference}").status_code \
        == 200


def test_erasure_is_refused_as_on_the_page(app, world):
    running = helpers.verified(world)
    household_id = running.household_id
    clerk = Client(app, world.clerk)
    # A claim still running: the operation's refusal; nothing erased.
    refused = clerk.post(_url(household_id, "erasure"), {"reason": "the herder asked"})
    assert refused.status_code == 400
    assert "still running" in refused.get_json()["title"]
    # No reason, a blank one, an unknown field.
    for bad in ({}, {"reason": "   "}, {"reason": "x", "all": True}):
        response = clerk.post(_url(household_id, "erasure"), bad)
        assert response.status_code == 422, bad
        assert response.content_type == "application/problem+json"
    for user in (world.verifier, world.approver, world.finance, world.manager, world.analyst):
        assert Client(app, user).post(_url(household_id, "erasure"),
                                      {"reason": "asked"}).status_code == 403, user.email
    assert Client(app, world.other_clerk).post(_url(household_id, "erasure"),
                                               {"reason": "asked"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Household, household_id).head_name == "Armen Petrosyan"
    assert "erase_personal_data" not in [e.action for e in _audit(household_id)]


def test_erasure_with_a_stale_etag_is_refused(app, world):
    claim = _settled_claim(world)
    clerk = Client(app, world.clerk)
    old = clerk.get(f"/api/v1/households/{claim.household_id}").headers["ETag"]
    household = db.session.get(Household, claim.household_id)
    household.phone = "+37491000000"  # corrected meanwhile
    db.session.flush()
    stale = clerk.post(_url(claim.household_id, "erasure"), {"reason": "asked"},
                       headers={"If-Match": old})
    assert stale.status_code == 412
    db.session.expire_all()
    assert db.session.get(Household, claim.household_id).head_name == "Armen Petrosyan"


def test_the_herder_s_personal_data_for_the_household_pages_roles(app, world):
    claim = helpers.verified(world)
    helpers.payout(claim.household)
    clerk = Client(app, world.clerk)
    response = clerk.get(_url(claim.household_id, "personal-data"))
    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == "private, no-store"
    data = response.get_json()
    assert data["household"]["phone"] == "+37491234567"
    assert data["claims"][0]["reference"] == claim.reference
    assert data["payout_details"]["wallet_number"] == WALLET
    assert _audit(claim.household_id)[-1].action == "export_personal_data"
    for user in (world.verifier, world.approver, world.finance, world.manager, world.analyst):
        refused = Client(app, user).get(_url(claim.household_id, "personal-data"))
        assert refused.status_code == 403, user.email
        assert "+37491234567" not in refused.get_data(as_text=True)
    assert Client(app, world.other_clerk).get(
        _url(claim.household_id, "personal-data")).status_code == 404
    assert [e.action for e in _audit(claim.household_id)].count("export_personal_data") == 1


def test_erasure_checks_the_tag_again_under_the_row_lock(app, world):
    """A correction landing between the API's check and the erasure's lock is not erased."""
    claim = _settled_claim(world)
    household = db.session.get(Household, claim.household_id)
    with pytest.raises(StaleObject):
        privacy.erase(world.clerk, household, "asked", expected="a tag read before")
    db.session.expire_all()
    assert db.session.get(Household, claim.household_id).head_name == "Armen Petrosyan"


def test_payout_save_checks_the_tag_again_under_the_row_lock(app, world):
    household = helpers.household(world)
    helpers.payout(household)
    db.session.commit()  # entered earlier, as on the page
    with pytest.raises(StaleObject):
        payout.save(world.clerk, household, payout.PayoutInput(), expected="a tag read before")
    assert _details(household.id).wallet_number == WALLET
