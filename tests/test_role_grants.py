"""Four-eyes on rights: a role that decides or pays money (or administers) is granted only
when a second administrator confirms it; an administrator never holds a money role; every
grant is audited and listed for review."""

from __future__ import annotations

from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.core.audit import AuditEntry
from conflict_app.core.permissions import Role
from conflict_app.extensions import db

PASSWORD_NEW = "snow leopard tracks at dawn"


def _form(world, **overrides):
    data = {"name": "Clerk", "email": "clerk@am.test", "roles": ["clerk", "supervisor"],
            "jurisdiction": f"AM:{world.syunik.id}", "locale": "en", "active": "y",
            "new_password": ""}
    data.update(overrides)
    return data


def _roles(user) -> set[Role]:
    db.session.expire_all()
    return set(db.session.get(User, user.id).roles)


def test_a_money_role_waits_for_a_second_administrator(world, browser_for):
    second = world.user("admin2@pardus.test", {Role.ADMIN}, None)
    db.session.commit()
    first_admin = browser_for(world.admin)
    saved = first_admin.post(f"/admin/users/{world.clerk.id}", data=_form(
        world, roles=["clerk", "supervisor", "finance"]))
    assert saved.status_code == 302
    assert _roles(world.clerk) == {Role.CLERK, Role.SUPERVISOR}  # not yet
    page = first_admin.get("/admin/grants").get_data(as_text=True)
    assert "clerk@am.test" in page and "Finance" in page and "Waits for a second" in page
    from conflict_app.auth.models import RoleGrant

    grant = db.session.scalars(select(RoleGrant).where(
        RoleGrant.user_id == world.clerk.id, RoleGrant.role == Role.FINANCE)).one()
    own = first_admin.post(f"/admin/grants/{grant.id}/confirm")
    assert own.status_code == 400
    assert "Another administrator must confirm" in own.get_data(as_text=True)
    assert Role.FINANCE not in _roles(world.clerk)
    confirmed = browser_for(second).post(f"/admin/grants/{grant.id}/confirm")
    assert confirmed.status_code == 302
    assert Role.FINANCE in _roles(world.clerk)
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "role_grant", AuditEntry.object_id == grant.id)).all()
    assert actions == ["request_role", "confirm_role"]
    history = browser_for(second).get("/admin/grants").get_data(as_text=True)
    assert "admin2@pardus.test" in history and "Confirmed" in history


def test_an_administrator_never_holds_a_money_role(world, browser_for):
    admin = browser_for(world.admin)
    response = admin.post(f"/admin/users/{world.admin.id}", data=_form(
        world, name="Admin", email="admin@pardus.test", roles=["admin", "approver"],
        jurisdiction="*"))
    assert response.status_code == 400
    assert "administrator may not also hold" in response.get_data(as_text=True)
    assert _roles(world.admin) == {Role.ADMIN}
    # Nor can an approver be made an administrator while keeping the money role.
    response = admin.post(f"/admin/users/{world.approver.id}", data=_form(
        world, name="Approver", email=world.approver.email, roles=["approver", "admin"]))
    assert response.status_code == 400


def test_a_new_account_gets_rights_only_on_confirmation_and_every_grant_is_listed(
        world, browser_for):
    admin = browser_for(world.admin)
    created = admin.post("/admin/users/new", data=_form(
        world, name="Puppet", email="puppet@am.test", roles=["admin"],
        jurisdiction="*", new_password=PASSWORD_NEW))
    assert created.status_code == 302
    puppet = db.session.scalars(select(User).where(User.email == "puppet@am.test")).one()
    assert puppet.roles == set()  # an administrator only once a second one confirms
    admin.post(f"/admin/users/{world.verifier.id}", data=_form(
        world, name="Verifier", email=world.verifier.email,
        roles=["verifier", "clerk"]))
    assert Role.CLERK in _roles(world.verifier)  # no money decision: at once
    page = admin.get("/admin/grants").get_data(as_text=True)
    assert "puppet@am.test" in page and "verifier@am.test" in page
    assert "Granted" in page
