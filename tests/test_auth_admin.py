"""Signing in and out, the own account, and the administration of users and places, as the
people using them see it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from conflict_app.auth import operations
from conflict_app.auth.models import User
from conflict_app.core import clock
from conflict_app.core.audit import AuditEntry
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea, Village
from tests.conftest import PASSWORD, csrf_token

NEW_PASSWORD = "snow leopard tracks at dawn"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    operations.login_throttle.reset()
    yield
    operations.login_throttle.reset()


def _text(response) -> str:
    return response.get_data(as_text=True)


def _login(browser, email, password, next_url=None):
    token = csrf_token(browser.client, "/login")
    url = "/login" if next_url is None else f"/login?next={next_url}"
    return browser.client.post(url, data={"email": email, "password": password,
                                          "csrf_token": token})


def _with_token(browser):
    """Browser.post takes its token from /queue; the own account page carries one too."""
    browser.token = csrf_token(browser.client, "/account")
    return browser


def _user_form(**overrides):
    data = {
        "name": "Narine Hakobyan",
        "email": "narine@am.test",
        "roles": ["clerk", "supervisor"],
        "jurisdiction": "AM",
        "locale": "hy",
        "active": "y",
        "new_password": NEW_PASSWORD,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- signing in ------------------------------------------------------------------------


def test_sign_in_leads_to_the_queue_and_remembers_the_time(browser, world):
    response = _login(browser, world.clerk.email, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/queue")
    db.session.refresh(world.clerk)
    assert world.clerk.last_login_at is not None
    # Signed in: the login page sends the user on to the queue.
    again = browser.get("/login")
    assert again.status_code == 302
    assert again.headers["Location"].endswith("/queue")


def test_email_is_not_case_sensitive(browser, world):
    response = _login(browser, "Clerk@AM.test", PASSWORD)
    assert response.status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(browser, world):
    wrong = _login(browser, world.clerk.email, "not the password at all")
    unknown = _login(browser, "nobody@nowhere.test", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "Email or password is wrong." in _text(response)
    # Still signed out.
    assert browser.get("/queue").status_code == 302


def test_switched_off_account_cannot_sign_in(browser, world):
    world.clerk.active = False
    db.session.flush()
    response = _login(browser, world.clerk.email, PASSWORD)
    assert response.status_code == 403
    assert "This account is switched off" in _text(response)
    assert browser.get("/queue").status_code == 302


def test_five_failures_lock_the_address_for_fifteen_minutes(browser, world):
    start = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
    clock.freeze(start)
    for _ in range(4):
        assert _login(browser, world.clerk.email, "guess guess guess").status_code == 400
    fifth = _login(browser, world.clerk.email, "guess guess guess")
    assert fifth.status_code == 429
    assert "Too many failed attempts for this account" in _text(fifth)
    # Even the right password is refused while the lock lasts.
    clock.freeze(start + timedelta(minutes=10))
    locked = _login(browser, world.clerk.email, PASSWORD)
    assert locked.status_code == 429
    assert "Please wait 5 minutes" in _text(locked)
    # Another address is not affected.
    assert _login(browser, world.supervisor.email, PASSWORD).status_code == 302
    browser.client.post("/logout", data={"csrf_token": csrf_token(browser.client, "/account")})
    clock.freeze(start + timedelta(minutes=16))
    assert _login(browser, world.clerk.email, PASSWORD).status_code == 302


def test_failures_spread_over_time_do_not_lock(browser, world):
    start = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
    for minute in range(0, 80, 16):  # five failures, never more than one per window
        clock.freeze(start + timedelta(minutes=minute))
        assert _login(browser, world.clerk.email, "guess guess guess").status_code == 400
    assert _login(browser, world.clerk.email, PASSWORD).status_code == 302


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
    "evil.example",
])
def test_sign_in_never_sends_users_to_another_site(browser, world, target):
    response = _login(browser, world.clerk.email, PASSWORD, next_url=target)
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]
    assert response.headers["Location"].endswith("/queue")


def test_sign_in_returns_to_the_page_asked_for(browser, world):
    first = browser.get("/account")
    assert first.status_code == 302
    assert "/login" in first.headers["Location"]
    response = _login(browser, world.clerk.email, PASSWORD, next_url="/account")
    assert response.headers["Location"].endswith("/account")


def test_sign_out(world, browser_for):
    browser = _with_token(browser_for(world.clerk))
    assert browser.get("/logout").status_code == 405
    response = browser.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    assert "You have signed out." in _text(browser.get("/login"))
    assert browser.get("/queue").status_code == 302


def test_sign_out_needs_the_form_token(world, browser_for):
    browser = browser_for(world.clerk)
    assert browser.client.post("/logout").status_code == 400
    assert browser.get("/account").status_code == 200


# --- own account -----------------------------------------------------------------------


def test_changing_the_language_shows_the_pages_in_it(world, browser_for):
    browser = _with_token(browser_for(world.clerk))
    response = browser.post("/account", data={"form_name": "language", "locale": "ar"})
    assert response.status_code == 302
    db.session.refresh(world.clerk)
    assert world.clerk.locale == "ar"
    page = _text(browser.get("/account"))
    assert 'dir="rtl"' in page
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "user", AuditEntry.object_id == world.clerk.id)).one()
    assert entry.action == "update_user"


def test_unknown_language_is_refused(world, browser_for):
    browser = _with_token(browser_for(world.clerk))
    response = browser.post("/account", data={"form_name": "language", "locale": "xx"})
    assert response.status_code == 400
    assert "Choose one of the options in the list." in _text(response)


@pytest.mark.parametrize(("current", "new", "message"), [
    ("wrong wrong wrong", NEW_PASSWORD, "Your current password is not right."),
    (PASSWORD, "short", "Use between 12 and 256 characters."),
    (PASSWORD, "password1234", "This password is too common."),
    (PASSWORD, "clerk@am.test", "The password must not be your email address."),
])
def test_password_change_refusals(world, browser_for, current, new, message):
    browser = _with_token(browser_for(world.clerk))
    response = browser.post("/account", data={
        "form_name": "password", "current_password": current, "new_password": new,
        "confirm_password": new,
    })
    assert response.status_code == 400
    assert message in _text(response)
    db.session.refresh(world.clerk)
    assert world.clerk.check_password(PASSWORD)


def test_password_change_needs_the_same_password_twice(world, browser_for):
    browser = _with_token(browser_for(world.clerk))
    response = browser.post("/account", data={
        "form_name": "password", "current_password": PASSWORD,
        "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x",
    })
    assert response.status_code == 400
    assert "The two new passwords are not the same." in _text(response)


def test_password_change_then_sign_in_with_the_new_one(app, world, browser_for):
    browser = _with_token(browser_for(world.clerk))
    response = browser.post("/account", data={
        "form_name": "password", "current_password": PASSWORD,
        "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert "Your password is changed." in _text(browser.get("/account"))
    fresh = app.test_client()
    from tests.conftest import Browser

    other = Browser(fresh)
    assert other.login(world.clerk, PASSWORD).status_code == 400
    assert other.login(world.clerk, NEW_PASSWORD).status_code == 302
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "change_password", AuditEntry.object_id == world.clerk.id)).one()
    db.session.refresh(world.clerk)
    assert world.clerk.password_hash not in entry.changes


# --- user administration ---------------------------------------------------------------


def test_admin_creates_a_user_who_can_then_sign_in(app, world, browser_for):
    admin = _with_token(browser_for(world.admin))
    form_page = _text(admin.get("/admin/users/new"))
    assert "Armenia / Syunik / Meghri" in form_page
    response = admin.post("/admin/users/new", data=_user_form(
        jurisdiction=f"AM:{world.syunik.id}"))
    assert response.status_code == 302, _text(response)
    listing = _text(admin.get("/admin/users?q=narine"))
    assert "Narine Hakobyan" in listing
    assert "Clerk, Supervisor" in listing
    created = db.session.scalars(select(User).where(User.email == "narine@am.test")).one()
    assert created.roles == {Role.CLERK, Role.SUPERVISOR}
    assert (created.jurisdiction_country, created.jurisdiction_area_id) == ("AM",
                                                                           world.syunik.id)
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "user", AuditEntry.object_id == created.id)).one()
    assert entry.action == "create_user"
    assert created.password_hash not in entry.changes
    assert "password" not in entry.changes

    from tests.conftest import Browser

    newcomer = Browser(app.test_client())
    assert newcomer.login(created, NEW_PASSWORD).status_code == 302
    page = _text(newcomer.get("/account"))
    assert "Narine Hakobyan" in page
    assert 'lang="hy"' in page  # their chosen language


def test_admin_edits_roles_and_switches_a_user_off(app, world, browser_for):
    admin = _with_token(browser_for(world.admin))
    page = _text(admin.get(f"/admin/users/{world.clerk.id}"))
    assert 'value="clerk@am.test"' in page
    response = admin.post(f"/admin/users/{world.clerk.id}", data=_user_form(
        name="Clerk", email="clerk@am.test", roles=["analyst"],
        jurisdiction=f"AM:{world.meghri.id}", locale="en", active=None, new_password=""))
    assert response.status_code == 302, _text(response)
    db.session.refresh(world.clerk)
    assert world.clerk.roles == {Role.ANALYST}  # a money role would wait for a second admin
    assert world.clerk.jurisdiction_area_id == world.meghri.id
    assert not world.clerk.active
    assert world.clerk.check_password(PASSWORD)  # empty password field keeps it
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "update_user", AuditEntry.object_id == world.clerk.id)).one()
    assert '"active": [true, false]' in entry.changes
    from tests.conftest import Browser

    assert Browser(app.test_client()).login(world.clerk).status_code == 403


def test_users_list_filters_by_role_and_pages(app, world, browser_for):
    admin = _with_token(browser_for(world.admin))
    verifiers = _text(admin.get("/admin/users?role=verifier"))
    assert "verifier@am.test" in verifiers
    assert "clerk@am.test" not in verifiers
    assert admin.get("/admin/users?role=bogus&after=x").status_code == 200
    app.config["PAGE_SIZE"] = 3
    try:
        first = _text(admin.get("/admin/users"))
        assert "Next page" in first
        assert "clerk@am.test" in first
        second = _text(admin.get(f"/admin/users?after={world.verifier.id}"))
        assert "clerk@am.test" not in second
        assert "approver@am.test" in second
    finally:
        app.config["PAGE_SIZE"] = 25


def test_duplicate_email_is_refused(world, browser_for):
    admin = _with_token(browser_for(world.admin))
    response = admin.post("/admin/users/new", data=_user_form(email="CLERK@am.test"))
    assert response.status_code == 400
    assert "Another account already uses this email address." in _text(response)
    edit = admin.post(f"/admin/users/{world.supervisor.id}", data=_user_form(
        name="Supervisor", email="clerk@am.test", roles=["supervisor"], new_password=""))
    assert edit.status_code == 400
    assert "Another account already uses this email address." in _text(edit)


def test_area_must_belong_to_the_country(world, browser_for):
    admin = _with_token(browser_for(world.admin))
    response = admin.post("/admin/users/new",
                          data=_user_form(jurisdiction=f"GE:{world.syunik.id}"))
    assert response.status_code == 400
    assert "This province or district is not in the chosen country." in _text(response)
    garbage = admin.post("/admin/users/new", data=_user_form(jurisdiction="AM:abc"))
    assert garbage.status_code == 400
    assert "Choose one of the options in the list." in _text(garbage)
    assert db.session.scalar(select(User).where(User.email == "narine@am.test")) is None


def test_new_user_needs_a_good_password_and_a_role(world, browser_for):
    admin = _with_token(browser_for(world.admin))
    weak = admin.post("/admin/users/new", data=_user_form(new_password="qwerty123456"))
    assert weak.status_code == 400
    assert "This password is too common." in _text(weak)
    missing = admin.post("/admin/users/new", data=_user_form(new_password=""))
    assert missing.status_code == 400
    assert "This field is required." in _text(missing)
    no_role = admin.post("/admin/users/new", data=_user_form(roles=[]))
    assert no_role.status_code == 400
    assert "Choose at least one role." in _text(no_role)


def test_admin_cannot_lock_themselves_out(world, browser_for):
    admin = _with_token(browser_for(world.admin))
    me = {"name": "Admin", "email": "admin@pardus.test", "jurisdiction": "*", "locale": "en",
          "new_password": ""}
    off = admin.post(f"/admin/users/{world.admin.id}",
                     data=_user_form(**me, roles=["admin"], active=None))
    assert off.status_code == 400
    assert "You cannot switch off your own account." in _text(off)
    demoted = admin.post(f"/admin/users/{world.admin.id}", data=_user_form(**me, roles=["clerk"]))
    assert demoted.status_code == 400
    assert "You cannot remove your own administrator role." in _text(demoted)
    db.session.refresh(world.admin)
    assert world.admin.active
    assert Role.ADMIN in world.admin.roles


@pytest.mark.parametrize("url", [
    "/admin/users", "/admin/users/new", "/admin/users/1", "/admin/areas", "/admin/areas/new",
    "/admin/areas/1", "/admin/villages/new",
])
def test_only_administrators_reach_the_admin_pages(world, browser_for, url):
    for user in (world.clerk, world.supervisor, world.manager, world.analyst):
        browser = browser_for(user)
        response = browser.get(url)
        assert response.status_code == 403
        assert "You do not have permission to see this page." in _text(response)


def test_country_admin_manages_only_their_country(world, browser_for):
    am_admin = world.user("admin@am.test", {Role.ADMIN}, "AM")
    browser = _with_token(browser_for(am_admin))
    listing = _text(browser.get("/admin/users"))
    assert "clerk@am.test" in listing
    assert "clerk@ge.test" not in listing
    assert "admin@pardus.test" not in listing
    assert browser.get(f"/admin/users/{world.ge_clerk.id}").status_code == 404
    assert browser.get(f"/admin/users/{world.admin.id}").status_code == 404
    tampered = browser.post(f"/admin/users/{world.ge_clerk.id}", data=_user_form(
        email="clerk@ge.test", jurisdiction="AM"))
    assert tampered.status_code == 404
    db.session.refresh(world.ge_clerk)
    assert world.ge_clerk.jurisdiction_country == "GE"
    # Nor may they hand out another country, or the whole range.
    form_page = _text(browser.get("/admin/users/new"))
    assert "Georgia" not in form_page
    for place in ("GE", "*"):
        response = browser.post("/admin/users/new", data=_user_form(jurisdiction=place))
        assert response.status_code == 400
        assert "You may only give a jurisdiction inside your own." in _text(response)
    # Their own users they do manage.
    assert browser.get(f"/admin/users/{world.clerk.id}").status_code == 200
    areas = _text(browser.get("/admin/areas"))
    assert "Syunik" in areas
    assert "Kakheti" not in areas
    assert browser.get(f"/admin/areas/{world.kakheti.id}").status_code == 404


def test_unknown_user_and_area_are_not_found(world, browser_for):
    admin = browser_for(world.admin)
    assert admin.get("/admin/users/999999").status_code == 404
    assert admin.get("/admin/areas/999999").status_code == 404


# --- places ----------------------------------------------------------------------------


def test_areas_page_counts_villages(world, browser_for):
    admin = browser_for(world.admin)
    page = _text(admin.get("/admin/areas"))
    assert "Armenia" in page
    assert "Georgia" in page
    assert "3 villages" in page  # Armenia
    assert "1 village" in page   # Georgia
    assert "Syunik / Meghri" in page


def test_areas_page_does_not_query_per_row(world, browser_for):
    admin = browser_for(world.admin)

    def statements() -> int:
        seen = []

        def count(*_args):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert admin.get("/admin/areas").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    before = statements()
    for n in range(4):
        province = AdminArea(country_code="GE", level=1, name=f"Province {n}")
        db.session.add(province)
        db.session.flush()
        district = AdminArea(country_code="GE", level=2, name=f"District {n}",
                             parent_id=province.id)
        db.session.add(district)
        db.session.flush()
        db.session.add(Village(country_code="GE", admin1_id=province.id,
                               admin2_id=district.id, name=f"Village {n}"))
    db.session.flush()
    assert statements() == before


def test_admin_adds_a_province_a_district_and_a_village(world, browser_for):
    admin = _with_token(browser_for(world.admin))
    response = admin.post("/admin/areas/new", data={"place": "GE", "name": "Samtskhe-Javakheti",
                                                     "region": "caucasus"})
    assert response.status_code == 302, _text(response)
    province = db.session.scalars(
        select(AdminArea).where(AdminArea.name == "Samtskhe-Javakheti")).one()
    assert province.level == 1
    response = admin.post("/admin/areas/new", data={"place": f"GE:{province.id}",
                                                     "name": "Borjomi"})
    assert response.status_code == 302, _text(response)
    district = db.session.scalars(select(AdminArea).where(AdminArea.name == "Borjomi")).one()
    assert district.parent_id == province.id
    assert district.region == province.region
    assert "Samtskhe-Javakheti / Borjomi" in _text(admin.get("/admin/areas"))

    response = admin.post("/admin/villages/new", data={
        "name": "Likani", "area_id": str(district.id), "latitude": "41.83",
        "longitude": "43.36", "protected_area": "Borjomi-Kharagauli National Park"})
    assert response.status_code == 302, _text(response)
    village = db.session.scalars(select(Village).where(Village.name == "Likani")).one()
    assert (village.country_code, village.admin1_id, village.admin2_id) == (
        "GE", province.id, district.id)
    listing = _text(admin.get(f"/admin/areas/{district.id}"))
    assert "Likani" in listing
    assert "Borjomi-Kharagauli National Park" in listing
    assert "Likani" in _text(admin.get(f"/admin/areas/{province.id}"))
    actions = set(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type.in_(["admin_area", "village"]))))
    assert actions == {"create_area", "create_village"}


def test_place_forms_refuse_bad_input(world, browser_for):
    admin = _with_token(browser_for(world.admin))
    duplicate = admin.post("/admin/areas/new", data={"place": "AM", "name": "syunik"})
    assert duplicate.status_code == 400
    assert "There is already a place with this name here." in _text(duplicate)
    under_district = admin.post("/admin/areas/new", data={"place": f"AM:{world.meghri.id}",
                                                           "name": "Nowhere"})
    assert under_district.status_code == 400
    assert "A district belongs to a province; choose a province." in _text(under_district)
    mixed = admin.post("/admin/areas/new", data={"place": f"GE:{world.syunik.id}",
                                                  "name": "Nowhere"})
    assert mixed.status_code == 400
    assert "This province or district is not in the chosen country." in _text(mixed)
    far_north = admin.post("/admin/villages/new", data={
        "name": "Nowhere", "area_id": str(world.syunik.id), "latitude": "91",
        "longitude": "46"})
    assert far_north.status_code == 400
    assert "Latitude is between -90 and 90." in _text(far_north)
    half = admin.post("/admin/villages/new", data={
        "name": "Nowhere", "area_id": str(world.syunik.id), "latitude": "39"})
    assert half.status_code == 400
    assert "Give both latitude and longitude, or neither." in _text(half)
    no_area = admin.post("/admin/villages/new", data={"name": "Nowhere", "area_id": "abc"})
    assert no_area.status_code == 400
    assert "Choose a province or district from the list." in _text(no_area)
    twice = admin.post("/admin/villages/new", data={"name": "Gndevaz",
                                                    "area_id": str(world.vayots.id)})
    assert twice.status_code == 400
    assert "There is already a village with this name here." in _text(twice)
    assert db.session.scalar(select(Village).where(Village.name == "Nowhere")) is None


def test_guessing_the_current_password_on_the_account_page_locks_it(world, browser_for):
    browser = _with_token(browser_for(world.clerk))
    attempt = {"form_name": "password", "current_password": "guess guess guess",
               "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    for _ in range(5):
        assert browser.post("/account", data=attempt).status_code == 400
    right = browser.post("/account", data={**attempt, "current_password": PASSWORD})
    assert right.status_code == 400
    assert "Too many failed attempts for this account" in _text(right)
    db.session.refresh(world.clerk)
    assert world.clerk.check_password(PASSWORD)
