"""Four-eyes on rights. A role that decides or pays money, or administers, is granted only when
a second administrator confirms it: one administrator alone cannot make itself (or a puppet
account) an approver, a paying officer or another administrator. An administrator never holds
a money role at all. Every role given is recorded as a grant, audited and listed for review.

Money roles: verifier (the verified counts and confidence set the amount), approver (decides),
finance (pays), scheme manager (prices, budgets and rules). Roles taken away go at once.
"""

from __future__ import annotations

from sqlalchemy import select

from conflict_app.auth.models import RoleGrant, User
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput
from conflict_app.core.permissions import Role
from conflict_app.extensions import db

MONEY_ROLES = frozenset({Role.VERIFIER, Role.APPROVER, Role.FINANCE, Role.SCHEME_MANAGER})
CONFIRMED_ROLES = MONEY_ROLES | {Role.ADMIN}  # granted only by a second administrator
PENDING, GRANTED, CONFIRMED, REFUSED = "pending", "granted", "confirmed", "refused"


def check_separation(roles: set[Role] | frozenset[Role]) -> None:
    if Role.ADMIN in roles and roles & MONEY_ROLES:
        raise InvalidInput(N_("An administrator may not also hold a role that decides or pays "
                              "money (verifier, approver, finance, scheme manager)."),
                           field="roles")


def pending_roles(user_id: int) -> set[Role]:
    return set(db.session.scalars(select(RoleGrant.role).where(
        RoleGrant.user_id == user_id, RoleGrant.state == PENDING)))


def apply_roles(actor: User, user: User, wanted: set[Role]) -> set[Role]:
    """Inside the caller's transaction: give ``user`` the ``wanted`` roles, those that need a
    second administrator as pending grants. Returns the roles left waiting."""
    check_separation(wanted | pending_roles(user.id) if user.id else wanted)
    before = set(user.roles)
    added = wanted - before
    waiting = added & CONFIRMED_ROLES
    user.set_roles(wanted - waiting)
    db.session.flush()
    already = pending_roles(user.id)
    now = clock.now()
    for role in sorted(added):
        if role in waiting and role in already:
            continue
        grant = RoleGrant(user_id=user.id, role=role, requested_by_id=actor.id,
                          requested_at=now, state=PENDING if role in waiting else GRANTED)
        if role not in waiting:
            grant.decided_by_id, grant.decided_at = actor.id, now
        db.session.add(grant)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="role_grant", object_id=grant.id,
                     action="request_role" if role in waiting else "grant_role",
                     changes={"user": user.id, "role": role.value})
    return waiting
