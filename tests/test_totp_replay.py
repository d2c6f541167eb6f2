"""A one-time code is good once: seen over a shoulder, or replayed from a captured request,
it opens nothing a second time, even when the two uses race."""

from __future__ import annotations

import threading
import time

import pyotp
import pytest

from conflict_app.auth import two_factor
from conflict_app.auth.models import User
from conflict_app.extensions import db
from tests.conftest import PASSWORD, csrf_token


def _password_step(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.headers["Location"].endswith("/login/code")


def _code_step(client, code: str):
    return client.post("/login/code", data={"code": code,
                                            "csrf_token": csrf_token(client, "/login/code")})


def test_a_code_that_signed_in_cannot_sign_in_again(app, world):
    code = pyotp.TOTP(world.finance.totp_secret).now()
    owner, onlooker = app.test_client(), app.test_client()
    _password_step(owner, world.finance)
    assert _code_step(owner, code).status_code == 302
    _password_step(onlooker, world.finance)  # someone who also learnt the password
    again = _code_step(onlooker, code)
    assert again.status_code == 400
    assert "This code was used already" in again.get_data(as_text=True)
    assert onlooker.get("/queue").status_code == 302
    # The next code of the app works as usual.
    later = pyotp.TOTP(world.finance.totp_secret).at(time.time() + 30)
    assert _code_step(onlooker, later).status_code == 302


def test_the_sign_in_code_does_not_confirm_a_sensitive_step(app, world):
    code = pyotp.TOTP(world.finance.totp_secret).now()
    client = app.test_client()
    _password_step(client, world.finance)
    assert _code_step(client, code).status_code == 302
    reauth = client.post("/reauthenticate", data={
        "password": PASSWORD, "code": code,
        "csrf_token": csrf_token(client, "/reauthenticate")})
    assert reauth.status_code == 400


@pytest.mark.committed
def test_racing_uses_of_one_code_let_exactly_one_through(app):
    """Twelve requests with the same code at the same moment, on PostgreSQL: one is
    accepted."""
    from tests.conftest import World

    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): SQLite has one writer at a time")

    world = World()
    db.session.commit()
    user_id = world.finance.id
    code = pyotp.TOTP(world.finance.totp_secret).now()
    db.session.remove()
    barrier = threading.Barrier(12)
    results: list[bool] = []

    def attempt() -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            barrier.wait()
            results.append(two_factor.use_code(user, code))
            db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 11 + [True]
