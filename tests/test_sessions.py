"""Sessions end when they should: a cookie kept after signing out, or after a password or
role change, or after "sign out everywhere", opens nothing, whichever worker it reaches."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from conflict_app import ROOT
from conflict_app.auth.models import User
from conflict_app.core.audit import AuditEntry
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from tests.conftest import PASSWORD, Browser

NEW_PASSWORD = "snow leopard tracks at dawn"


def _cookie(browser: Browser) -> str:
    return browser.client.get_cookie("session").value


def _replay(app, cookie: str):
    """Another browser (an attacker's) sending a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/queue")


def _signed_out(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_replayed_after_sign_out_is_refused(app, world, browser_for):
    clerk = browser_for(world.clerk)
    copied = _cookie(clerk)
    assert _replay(app, copied).status_code == 200  # the copy works while signed in
    assert clerk.post("/logout").status_code == 302
    assert _signed_out(_replay(app, copied))
    assert _signed_out(clerk.get("/queue"))


def test_a_new_password_ends_every_other_session(app, world, browser_for):
    office, phone = browser_for(world.clerk), browser_for(world.clerk)
    changed = office.post("/account", data={
        "form_name": "password", "current_password": PASSWORD,
        "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert changed.status_code == 302
    assert _signed_out(phone.get("/queue"))
    assert office.get("/queue").status_code == 200  # the browser that changed it goes on
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "change_password")).one()
    assert json.loads(entry.changes)["sessions_ended"] == 2


def test_sign_out_everywhere_ends_every_session(app, world, browser_for):
    office, phone = browser_for(world.clerk), browser_for(world.clerk)
    copied = _cookie(phone)
    page = office.get("/account").get_data(as_text=True)
    assert "signed in on 2 devices" in page
    done = office.post("/account/sign-out-everywhere")
    assert _signed_out(done)
    for response in (office.get("/queue"), phone.get("/queue"), _replay(app, copied)):
        assert _signed_out(response)
    assert db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_id == world.clerk.id, AuditEntry.object_type == "user")).all() \
        == ["end_sessions"]


def _admin_saves(browser_for, world, user, **changes):
    data = {"name": user.name, "email": user.email, "roles": sorted(r.value for r in user.roles),
            "jurisdiction": f"AM:{world.syunik.id}", "locale": "en", "active": "y",
            "new_password": ""}
    data.update(changes)
    response = browser_for(world.admin).post(f"/admin/users/{user.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def test_a_role_change_ends_the_sessions_of_that_account(app, world, browser_for):
    clerk, other = browser_for(world.clerk), browser_for(world.other_clerk)
    _admin_saves(browser_for, world, world.clerk, roles=["clerk", "supervisor"])
    assert _signed_out(clerk.get("/queue"))
    assert other.get("/queue").status_code == 200  # nobody else is touched
    assert browser_for(world.clerk).get("/queue").status_code == 200  # signs in again


def test_a_confirmed_money_role_ends_the_sessions_of_that_account(app, world, browser_for):
    second = world.user("admin2@pardus.test", {Role.ADMIN}, None)
    db.session.commit()
    clerk = browser_for(world.clerk)
    _admin_saves(browser_for, world, world.clerk, roles=["clerk", "finance"])
    assert clerk.get("/queue").status_code == 200  # a request alone changes nothing yet
    from conflict_app.auth.models import RoleGrant

    grant = db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == world.clerk.id,
                                                       RoleGrant.role == Role.FINANCE)).one()
    assert browser_for(second).post(f"/admin/grants/{grant.id}/confirm").status_code == 302
    assert _signed_out(clerk.get("/queue"))


def test_switching_an_account_off_ends_its_sessions_for_good(app, world, browser_for):
    clerk = browser_for(world.clerk)
    copied = _cookie(clerk)
    _admin_saves(browser_for, world, world.clerk, active="")
    _admin_saves(browser_for, world, world.clerk)  # on again: the old sessions stay ended
    db.session.expire_all()
    assert db.session.get(User, world.clerk.id).active
    assert _signed_out(clerk.get("/queue"))
    assert _signed_out(_replay(app, copied))


def test_an_idle_session_ends_on_the_server_too(app, world, browser_for):
    from datetime import timedelta

    from conflict_app.core import clock

    clerk = browser_for(world.clerk)
    copied = _cookie(clerk)
    clock.freeze(clock.now() + app.permanent_session_lifetime + timedelta(minutes=1))
    assert _signed_out(_replay(app, copied))


# -- Two worker processes on one database ------------------------------------------------

WORKER = """
import json, os, sys
from config import TestConfig
from conflict_app import create_app

class Worker(TestConfig):
    SQLALCHEMY_DATABASE_URI = os.environ["WORKER_DATABASE_URL"]
    WTF_CSRF_ENABLED = False

app = create_app(Worker)
print("ready", flush=True)
for line in sys.stdin:
    action, email, cookie = json.loads(line)
    client = app.test_client()  # a browser holding only the cookie it is given
    if cookie:
        client.set_cookie("session", cookie)
    if action == "login":
        r = client.post("/login", data={"email": email,
                                        "password": os.environ["WORKER_PASSWORD"]})
    elif action == "logout":
        r = client.post("/logout")
    elif action == "password":
        new = "snow leopard tracks at dawn"
        r = client.post("/account", data={"form_name": "password",
                                          "current_password": os.environ["WORKER_PASSWORD"],
                                          "new_password": new, "confirm_password": new})
    else:
        r = client.get("/queue")
    kept = client.get_cookie("session")
    print(json.dumps([r.status_code, r.headers.get("Location"), kept.value if kept else None]),
          flush=True)
"""


class Worker:
    """A separate process with its own app, as each gunicorn worker is."""

    def __init__(self, app) -> None:
        env = dict(os.environ, WORKER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                   WORKER_PASSWORD=PASSWORD)
        self.process = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env,  # noqa: S603
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def __call__(self, action: str, email: str = "", cookie: str | None = None):
        self.process.stdin.write(json.dumps([action, email, cookie]) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)
        self.process.stdout.close()


@pytest.mark.committed
def test_an_ended_session_is_refused_by_every_worker_process(app):
    """Worker one signs in; worker two serves that cookie, then signs out; worker one then
    refuses the same cookie. A password changed through worker two ends the session worker
    one handed out. On PostgreSQL when TEST_DATABASE_URL names one."""
    from tests.conftest import World

    world = World()
    db.session.commit()
    email = world.clerk.email
    db.session.remove()
    one, two = Worker(app), Worker(app)
    try:
        status, _, cookie = one("login", email)
        assert status == 302
        assert two("get", cookie=cookie)[0] == 200
        assert two("logout", cookie=cookie)[0] == 302
        status, location, _ = one("get", cookie=cookie)
        assert status == 302 and "/login" in location

        _, _, first = one("login", email)
        _, _, second = two("login", email)
        status, _, second_after = two("password", cookie=second)
        assert status == 302
        status, location, _ = one("get", cookie=first)
        assert status == 302 and "/login" in location
        assert one("get", cookie=second_after)[0] == 200
    finally:
        one.stop()
        two.stop()


def test_a_new_authenticator_key_ends_every_other_session(app, world, browser_for):
    """Whoever signed in with the old key (a stolen phone) is signed out when it is
    replaced; the browser that replaced it goes on. Ended in the change's own transaction,
    and the audit entry says how many."""
    import re

    import pyotp

    from tests.conftest import totp_code

    office, phone = browser_for(world.finance), browser_for(world.finance)
    page = office.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r"<code><bdi>([A-Z2-7]+)</bdi></code>", page).group(1)
    old = totp_code(world.finance)  # the key in use, a code not used to sign in
    replaced = office.post("/account/two-factor", data={
        "code": pyotp.TOTP(secret).now(), "password": PASSWORD, "current_code": old})
    assert replaced.status_code == 302
    assert _signed_out(phone.get("/queue"))
    assert office.get("/queue").status_code == 200
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "enable_two_factor")).one()
    assert json.loads(entry.changes)["sessions_ended"] == 2
