"""Issuing, checking and revoking personal API tokens.

A token carries scopes (what it may do), an expiry, its last use, and the roles its user
held when it was made: a role added later does not widen it (the token stops working until a
new one is made). The payments scope needs two-factor sign-in and a recent confirmation, as
the payment pages do; switching the account off revokes its tokens for good.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select, update

from conflict_app.api.models import ApiToken
from conflict_app.auth import events
from conflict_app.auth.models import User
from conflict_app.auth.operations import manages
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import Role
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db

PREFIX = "pdx_"
SCOPES = {
    "read": N_("Read claims and analytics"),
    "claims": N_("Report and move claims"),
    "verification": N_("File field verifications"),
    "payments": N_("Payment batches and payment files"),
    "funds": N_("Fund ledgers: contributions, income and allocations to schemes"),
    "schemes": N_("Draft and publish scheme rule versions"),
    "exports": N_("Download the claims and payments tables, with herders' personal data"),
    "alerts": N_("Send prevention alerts by SMS to an area"),
}
DAYS = (30, 90, 365)
USE_GRANULARITY = timedelta(minutes=1)  # last use is written at most once a minute


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def allowed_scopes(user: User) -> list[str]:
    """The scopes this user may put on a token: payments only with two-factor sign-in."""
    return [s for s in SCOPES if s != "payments" or user.has_two_factor]


def issue(user: User, name: str, scopes: Iterable[str] = ("read",),
          days: int = 90) -> tuple[ApiToken, str]:
    """A new token; the secret is returned once, only its hash is kept."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise InvalidInput(N_("Give the token a name of up to 80 characters."), field="name")
    wanted = {s for s in scopes}
    if not wanted or not wanted <= set(SCOPES):
        raise InvalidInput(N_("Choose at least one scope for the token."), field="scopes")
    if "payments" in wanted and not user.has_two_factor:
        raise InvalidInput(N_("Only an account with two-factor sign-in may make a token with "
                              "the payments scope."), field="scopes")
    if days not in DAYS:
        raise InvalidInput(N_("A token lasts 30, 90 or 365 days."), field="days")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    with unit_of_work():
        token = ApiToken(user_id=user.id, name=name, token_hash=_hash(secret),
                         prefix=secret[:12], created_at=now,
                         scopes=" ".join(s for s in SCOPES if s in wanted),
                         roles=" ".join(sorted(r.value for r in user.roles)),
                         expires_at=now + timedelta(days=days))
        db.session.add(token)
        db.session.flush()
        audit.record(actor_id=user.id, object_type="api_token", object_id=token.id,
                     action="issue_token",
                     changes={"name": name, "scopes": token.scopes, "days": days})
    return token, secret


def revoke(actor: User, token_id: int, *, owner_id: int | None = None) -> ApiToken:
    """The owner revokes a token, or an administrator who manages the owner (``owner_id``,
    the account whose page the administrator is on) does."""
    with unit_of_work():
        token = db.session.get(ApiToken, token_id)
        if owner_id is None:
            allowed = token is not None and token.user_id == actor.id
        else:
            allowed = (token is not None and token.user_id == owner_id
                       and actor.has_role(Role.ADMIN) and manages(actor, token.user))
        if not allowed:
            raise PermissionDenied(N_("This token does not exist."))
        if token.revoked_at is None:
            token.revoked_at = clock.now()
            audit.record(actor_id=actor.id, object_type="api_token", object_id=token.id,
                         action="revoke_token", changes={"user": token.user_id})
    return token


def revoke_all_of(user: User, actor: User) -> None:
    """Inside the caller's transaction (switching the account off): every live token of
    ``user`` is revoked, and stays so when the account is switched on again."""
    live = db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    for token in live:
        token.revoked_at = clock.now()
        audit.record(actor_id=actor.id, object_type="api_token", object_id=token.id,
                     action="revoke_token", reason="account switched off",
                     changes={"user": user.id})


def connect() -> None:
    """Subscribe to account changes (called once from ``create_app``)."""
    events.account_switched_off.connect(_switched_off, weak=False)


def _switched_off(user: User, actor: User, **_: object) -> None:
    revoke_all_of(user, actor)


def token_for(secret: str | None) -> ApiToken | None:
    """The live token a bearer secret names, its use recorded; None if it is unknown,
    revoked, expired, its user switched off, or its user gained a role since it was made."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == _hash(secret),
                               ApiToken.revoked_at.is_(None))).first()
    now = clock.now()
    if token is None or not token.user.active or token.expires_at <= now:
        return None
    if {r.value for r in token.user.roles} - token.role_set:
        return None
    if token.last_used_at is None or now - token.last_used_at >= USE_GRANULARITY:
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id)
                           .values(last_used_at=now))
        db.session.commit()
    return token


def user_for(secret: str | None) -> User | None:
    """The user a live bearer token belongs to, or None."""
    token = token_for(secret)
    return token.user if token is not None else None
