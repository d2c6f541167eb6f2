"""API tokens: scopes, expiry, last use, bound to the roles they were made with, revoked with
the account, and the payments scope only for a user with two-factor sign-in."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from conflict_app.api import tokens
from conflict_app.core import clock
from conflict_app.core.errors import InvalidInput
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from tests import helpers


def _client(app, secret):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}

    class C:
        def get(self, url):
            return client.get(url, headers=headers)

        def post(self, url, json=None):
            return client.post(url, json=json, headers=headers)

    return C()


def test_a_token_does_only_what_its_scopes_allow_and_records_its_last_use(app, world):
    token, secret = tokens.issue(world.clerk, "reader", scopes=["read"])
    clerk = _client(app, secret)
    assert token.last_used_at is None
    assert clerk.get("/api/v1/claims").status_code == 200
    db.session.expire_all()
    assert db.session.get(tokens.ApiToken, token.id).last_used_at is not None
    refused = clerk.post("/api/v1/claims", json={"household_id": 1})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert "claims" in refused.get_json()["detail"]
    with pytest.raises(InvalidInput, match="scope"):
        tokens.issue(world.clerk, "none", scopes=[])
    with pytest.raises(InvalidInput, match="scope"):
        tokens.issue(world.clerk, "bad", scopes=["everything"])


def test_a_token_expires(app, world):
    token, secret = tokens.issue(world.clerk, "short", scopes=["read"], days=30)
    assert token.expires_at - token.created_at == timedelta(days=30)
    clerk = _client(app, secret)
    assert clerk.get("/api/v1/claims").status_code == 200
    clock.freeze(clock.now() + timedelta(days=31))
    try:
        assert clerk.get("/api/v1/claims").status_code == 401
    finally:
        clock.freeze(None)
    with pytest.raises(InvalidInput, match="days"):
        tokens.issue(world.clerk, "forever", scopes=["read"], days=100000)


def test_a_role_added_later_does_not_widen_a_token(app, world):
    """A token made as a clerk does not gain finance powers when finance is added."""
    claim = helpers.approved(world, killed=1)
    _token, secret = tokens.issue(world.clerk, "clerk tool", scopes=["read", "claims"])
    world.clerk.set_roles({Role.CLERK, Role.SUPERVISOR, Role.FINANCE})
    world.clerk.totp_secret = pyotp.random_base32()
    world.clerk.totp_confirmed_at = clock.now()
    db.session.commit()
    clerk = _client(app, secret)
    response = clerk.post("/api/v1/payment-batches", json={"claims": [claim.reference],
                                                           "method": "cash"})
    assert response.status_code in (401, 403), response.get_json()
    assert helpers.reload(claim).state.value == "approved"


def test_switching_an_account_off_revokes_its_tokens_for_good(app, world, browser_for):
    token, secret = tokens.issue(world.clerk, "sync", scopes=["read"])
    clerk = _client(app, secret)
    assert clerk.get("/api/v1/claims").status_code == 200
    admin = browser_for(world.admin)
    form = {"name": "Clerk", "email": "clerk@am.test", "roles": ["clerk", "supervisor"],
            "jurisdiction": f"AM:{world.syunik.id}", "locale": "en", "new_password": ""}
    assert admin.post(f"/admin/users/{world.clerk.id}", data=form).status_code == 302
    assert clerk.get("/api/v1/claims").status_code == 401
    assert admin.post(f"/admin/users/{world.clerk.id}",
                      data={**form, "active": "y"}).status_code == 302
    assert clerk.get("/api/v1/claims").status_code == 401  # stays revoked
    db.session.expire_all()
    assert db.session.get(tokens.ApiToken, token.id).revoked_at is not None


def test_payment_file_export_needs_the_payments_scope_which_needs_two_factor(app, world):
    with pytest.raises(InvalidInput, match="two-factor"):
        tokens.issue(world.clerk, "pay", scopes=["payments"])
    claim = helpers.approved(world, killed=1)
    _t, read_only = tokens.issue(world.finance, "reader", scopes=["read"])
    refused = _client(app, read_only).post(
        "/api/v1/payment-batches", json={"claims": [claim.reference], "method": "cash"})
    assert refused.status_code == 403
    _t, paying = tokens.issue(world.finance, "bank", scopes=["read", "payments"])
    finance = _client(app, paying)
    batch = finance.post("/api/v1/payment-batches",
                         json={"claims": [claim.reference], "method": "cash"})
    assert batch.status_code == 201, batch.get_json()
    exported = finance.post(f"/api/v1/payment-batches/{batch.get_json()['id']}/export")
    assert exported.status_code == 200 and claim.reference in exported.get_json()[
        "payment_file"]


def test_token_pages_show_scopes_expiry_last_use_and_revoke(app, world, browser_for):
    token, secret = tokens.issue(world.clerk, "field laptop", scopes=["read", "claims"])
    _client(app, secret).get("/api/v1/claims")
    clerk = browser_for(world.clerk)
    page = clerk.get("/account/tokens").get_data(as_text=True)
    assert "field laptop" in page and "Report and move claims" in page
    assert "Expires" in page and "Last used" in page
    assert "Payment batches and payment files" not in page  # no two-factor: not offered
    created = clerk.post("/account/tokens", data={"name": "phone", "scopes": ["read"],
                                                  "days": "30"})
    assert created.status_code == 200 and "pdx_" in created.get_data(as_text=True)
    admin = browser_for(world.admin)
    user_page = admin.get(f"/admin/users/{world.clerk.id}").get_data(as_text=True)
    assert "field laptop" in user_page and "phone" in user_page
    revoked = admin.post(f"/admin/users/{world.clerk.id}/tokens/{token.id}/revoke")
    assert revoked.status_code == 302
    assert _client(app, secret).get("/api/v1/claims").status_code == 401
    # Finance, with two-factor, may make a payments token after confirming it is them.
    finance = browser_for(world.finance)
    assert "Payment batches and payment files" in finance.get(
        "/account/tokens").get_data(as_text=True)
    made = finance.post("/account/tokens", data={"name": "bank", "scopes": ["payments"],
                                                 "days": "30"})
    assert made.status_code == 200 and "pdx_" in made.get_data(as_text=True)
    assert db.session.scalars(select(tokens.ApiToken).where(
        tokens.ApiToken.name == "bank")).one().scopes == "payments"


def test_a_token_with_every_scope_is_saved_with_room_for_more(app, world):
    """Eight scopes took 62 of 64 characters: the next scope would have made a token with
    every scope fail to save on PostgreSQL."""
    from conflict_app.api.models import ApiToken

    token, _secret = tokens.issue(world.admin, "all", list(tokens.SCOPES))
    assert db.session.get(ApiToken, token.id).scope_set == frozenset(tokens.SCOPES)
    room = ApiToken.__table__.c.scopes.type.length
    assert len(" ".join(tokens.SCOPES)) * 3 <= room
