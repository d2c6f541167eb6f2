"""The herders' pages without per-request waste: a session cookie verified once per process
still fails when tampered with or too old, the form's token still belongs to its visitor, and
the limits that count look-ups still count them."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import session

from conflict_app.core.cookies import RememberingSessionInterface
from tests import helpers
from tests.conftest import csrf_token


def _cookie(app, data: dict) -> str:
    with app.test_request_context("/"):
        signer = app.session_interface.get_signing_serializer(app)
        return signer.dumps(data)


def _opened(app, cookie: str) -> dict:
    name = app.config["SESSION_COOKIE_NAME"]
    with app.test_request_context("/", headers={"Cookie": f"{name}={cookie}"}):
        return dict(session)


def test_a_verified_cookie_is_read_again_and_a_tampered_one_is_not(app):
    assert isinstance(app.session_interface, RememberingSessionInterface)
    cookie = _cookie(app, {"lang": "hy"})
    assert _opened(app, cookie) == {"lang": "hy"}
    assert _opened(app, cookie) == {"lang": "hy"}  # from memory this time
    body, stamp, signature = cookie.split(".")
    forged = ".".join((body, stamp, ("A" if signature[0] != "A" else "B") + signature[1:]))
    assert _opened(app, forged) == {}


def test_a_remembered_cookie_still_expires(app, monkeypatch):
    cookie = _cookie(app, {"lang": "ru"})
    assert _opened(app, cookie) == {"lang": "ru"}
    lifetime = app.permanent_session_lifetime + timedelta(seconds=5)
    later = time.time() + lifetime.total_seconds()
    monkeypatch.setattr(time, "time", lambda: later)
    assert _opened(app, cookie) == {}


def test_each_request_gets_its_own_session_to_change(app):
    cookie = _cookie(app, {"public_receipt": {"reference": "AM-2026-000001"}})
    name = app.config["SESSION_COOKIE_NAME"]
    with app.test_request_context("/", headers={"Cookie": f"{name}={cookie}"}):
        session["public_receipt"]["reference"] = "changed"  # not marked as modified
    assert _opened(app, cookie) == {"public_receipt": {"reference": "AM-2026-000001"}}


def test_the_form_s_token_stays_with_its_visitor_on_every_view(app, world):
    claim, pin = helpers.report(world)
    first, second = app.test_client(), app.test_client()
    tokens = [csrf_token(first, "/status") for _ in range(3)]
    other = csrf_token(second, "/status")
    assert other not in tokens
    for token in tokens:
        page = first.post("/status", data={"csrf_token": token, "reference": claim.reference,
                                           "pin": pin})
        assert page.status_code == 200 and claim.reference in page.get_data(as_text=True)
    assert second.post("/status", data={"csrf_token": tokens[0], "reference": claim.reference,
                                        "pin": pin}).status_code == 400


def test_look_ups_are_still_limited(app, world):
    claim, _pin = helpers.report(world)
    client = app.test_client()
    token = csrf_token(client, "/status")
    codes = [client.post("/status", data={"csrf_token": token, "reference": claim.reference,
                                          "pin": "000000"}).status_code for _ in range(11)]
    assert codes[:10] == [400] * 10 and codes[10] == 429  # 10 per minute per address
