"""The review of role grants: a second administrator confirms or refuses a pending grant;
administrators see every grant of the accounts they manage (see ``grants`` for the rules)."""

from __future__ import annotations

from sqlalchemy import select

from conflict_app.auth import sessions
from conflict_app.auth.grants import CONFIRMED, PENDING, REFUSED, check_separation
from conflict_app.auth.models import RoleGrant, User
from conflict_app.auth.operations import manages
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import Role
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db


def _pending(actor: User, grant_id: int) -> RoleGrant:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied(N_("Your role may not do this."))
    grant = db.session.scalars(select(RoleGrant).where(RoleGrant.id == grant_id)
                               .with_for_update(of=RoleGrant)).first()
    if grant is None or not manages(actor, grant.user):
        raise PermissionDenied(N_("This grant does not exist."))
    if grant.state != PENDING:
        raise InvalidInput(N_("This grant was already decided."))
    if actor.id in (grant.requested_by_id, grant.user_id):
        raise PermissionDenied(N_("Another administrator must confirm a role you asked for or "
                                  "that is for yourself."))
    return grant


def confirm(actor: User, grant_id: int) -> RoleGrant:
    """A second administrator confirms: the role is given now."""
    with unit_of_work():
        grant = _pending(actor, grant_id)
        user = grant.user
        check_separation(set(user.roles) | {grant.role})
        user.set_roles(set(user.roles) | {grant.role})
        grant.state, grant.decided_by_id, grant.decided_at = CONFIRMED, actor.id, clock.now()
        # The new right starts with a new sign-in (with the second factor it may need).
        ended = sessions.end_all(user.id)
        audit.record(actor_id=actor.id, object_type="role_grant", object_id=grant.id,
                     action="confirm_role",
                     changes={"user": user.id, "role": grant.role.value,
                              "sessions_ended": ended})
    return grant


def refuse(actor: User, grant_id: int) -> RoleGrant:
    with unit_of_work():
        grant = _pending(actor, grant_id)
        grant.state, grant.decided_by_id, grant.decided_at = REFUSED, actor.id, clock.now()
        audit.record(actor_id=actor.id, object_type="role_grant", object_id=grant.id,
                     action="refuse_role",
                     changes={"user": grant.user_id, "role": grant.role.value})
    return grant


def for_review(actor: User, limit: int = 200) -> tuple[list[RoleGrant], list[RoleGrant]]:
    """Pending grants, and the latest decided ones, of the accounts this admin manages."""
    rows = db.session.scalars(select(RoleGrant).order_by(RoleGrant.id.desc())
                              .limit(limit)).all()
    rows = [g for g in rows if manages(actor, g.user)]
    return [g for g in rows if g.state == PENDING], [g for g in rows if g.state != PENDING]
