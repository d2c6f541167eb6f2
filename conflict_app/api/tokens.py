"""Issuing, checking and revoking personal API tokens."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from conflict_app.api.models import ApiToken
from conflict_app.auth.models import User
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db

PREFIX = "pdx_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token carrying the user's roles and jurisdiction; the secret is returned once."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise InvalidInput(N_("Give the token a name of up to 80 characters."), field="name")
    secret = PREFIX + secrets.token_urlsafe(32)
    with unit_of_work():
        token = ApiToken(user_id=user.id, name=name, token_hash=_hash(secret),
                         prefix=secret[:12])
        db.session.add(token)
        db.session.flush()
        audit.record(actor_id=user.id, object_type="api_token", object_id=token.id,
                     action="issue_token", changes={"name": name})
    return token, secret


def revoke(user: User, token_id: int) -> None:
    with unit_of_work():
        token = db.session.get(ApiToken, token_id)
        if token is None or token.user_id != user.id:
            raise PermissionDenied(N_("This token does not exist."))
        if token.revoked_at is None:
            token.revoked_at = clock.now()
            audit.record(actor_id=user.id, object_type="api_token", object_id=token.id,
                         action="revoke_token")


def user_for(secret: str | None) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == _hash(secret),
                               ApiToken.revoked_at.is_(None))).first()
    if token is None or not token.user.active:
        return None
    return token.user
