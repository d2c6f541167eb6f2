"""Two-factor sign-in for roles that move money or grant rights, and re-authentication."""

from __future__ import annotations

import re

import pyotp

from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from tests.conftest import PASSWORD, Browser, csrf_token


def test_an_approver_must_set_up_a_second_factor_first(app, world):
    newcomer = world.user("new.approver@am.test", {Role.APPROVER}, "AM", world.syunik.id)
    newcomer.totp_secret = newcomer.totp_confirmed_at = None
    db.session.commit()
    browser = Browser(app.test_client())
    assert browser.login(newcomer).status_code == 302
    queue = browser.get("/queue")
    assert queue.status_code == 302 and queue.headers["Location"].endswith(
        "/account/two-factor")
    page = browser.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page
    secret = re.search(r"<code><bdi>([A-Z2-7]+)</bdi></code>", page).group(1)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    wrong = browser.client.post("/account/two-factor", data={
        "code": "000000", "password": PASSWORD, "csrf_token": token})
    assert wrong.status_code == 400 and "not right" in wrong.get_data(as_text=True)
    ok = browser.client.post("/account/two-factor", data={
        "code": pyotp.TOTP(secret).now(), "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 302
    assert browser.get("/queue").status_code == 200
    db.session.expire_all()
    assert db.session.get(type(newcomer), newcomer.id).has_two_factor


def test_sign_in_needs_the_code_and_wrong_codes_lock(app, world):
    client = app.test_client()
    token = csrf_token(client, "/login")
    first = client.post("/login", data={"email": world.finance.email, "password": PASSWORD,
                                        "csrf_token": token})
    assert first.headers["Location"].endswith("/login/code")
    # Half signed in: no page is open yet.
    assert client.get("/queue").status_code == 302
    statuses = []
    for _ in range(6):
        statuses.append(client.post("/login/code", data={
            "code": "123456", "csrf_token": csrf_token(client, "/login/code")}).status_code)
    assert statuses[0] == 400 and statuses[-1] == 429
    locked = client.post("/login/code", data={
        "code": pyotp.TOTP(world.finance.totp_secret).now(),
        "csrf_token": csrf_token(client, "/login/code")})
    assert locked.status_code == 429


def test_clerks_sign_in_without_a_second_factor(app, world):
    browser = Browser(app.test_client())
    response = browser.login(world.clerk)
    assert response.status_code == 302 and response.headers["Location"].endswith("/queue")


def test_signed_in_sessions_expire(app, world):
    browser = Browser(app.test_client())
    response = browser.login(world.clerk)
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.permanent_session_lifetime.total_seconds() == 8 * 3600


def _next_code(secret: str) -> str:
    """The code of the next time step (accepted within the allowed drift), so a code used
    to sign in a moment ago is not sent again."""
    import time

    return pyotp.TOTP(secret).at(time.time() + 30)


def test_changing_the_second_factor_needs_password_and_current_code_and_is_not_fresh(
        app, world):
    """A finance session signed in ten minutes ago cannot swap in its own authenticator key
    with a new code alone, and a swap never counts as signing in again: exporting the
    payment file still asks for the password and code."""
    from datetime import UTC, datetime, timedelta

    from conflict_app.core import clock

    finance = world.user("payer@am.test", {Role.FINANCE}, "AM", world.syunik.id)
    db.session.commit()
    start = datetime.now(UTC)
    clock.freeze(start)
    try:
        browser = Browser(app.test_client())
        assert browser.login(finance).status_code == 302
        clock.freeze(start + timedelta(minutes=10))
        old_secret = finance.totp_secret
        page = browser.get("/account/two-factor").get_data(as_text=True)
        secret = re.search(r"<code><bdi>([A-Z2-7]+)</bdi></code>", page).group(1)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        new_code = pyotp.TOTP(secret).now()
        bare = browser.client.post("/account/two-factor", data={
            "code": new_code, "csrf_token": token})
        assert bare.status_code == 400
        wrong = browser.client.post("/account/two-factor", data={
            "code": new_code, "password": "not the password",
            "current_code": _next_code(old_secret), "csrf_token": token})
        assert wrong.status_code == 400
        assert "password or the current code is not right" in wrong.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(type(finance), finance.id).totp_secret == old_secret
        ok = browser.client.post("/account/two-factor", data={
            "code": new_code, "password": PASSWORD, "current_code": _next_code(old_secret),
            "csrf_token": token})
        assert ok.status_code == 302
        db.session.expire_all()
        assert db.session.get(type(finance), finance.id).totp_secret == secret
        # Still not freshly signed in: the payment-file export asks to confirm first.
        export = browser.post("/payments/batches/1/export")
        assert export.status_code == 302 and "/reauthenticate" in export.headers["Location"]
    finally:
        clock.freeze(None)
