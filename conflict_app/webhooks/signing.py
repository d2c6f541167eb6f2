"""Signing secrets and signatures, as the Standard Webhooks specification has them.

A secret is ``whsec_`` and 32 random bytes in base64; the signature of a message is
``v1,`` and the base64 HMAC-SHA256 of ``<webhook-id>.<webhook-timestamp>.<body>``. After a
rotation both the new and the previous secret sign for a day, space-separated, so a receiver
can switch without losing messages. Secrets are stored encrypted with a key derived from
``SECRET_KEY``: a copy of the database alone cannot forge a message.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from cryptography.fernet import Fernet, InvalidToken
from standardwebhooks.webhooks import Webhook

from conflict_app.core.sealed import fernet_for

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _fernet() -> Fernet:
    return fernet_for("pardus-webhook-secrets")


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(stored: str) -> str | None:
    """The secret, or None when SECRET_KEY changed since it was stored (rotate it)."""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64>``, made by the specification's own library."""
    at = datetime.fromtimestamp(timestamp, tz=UTC)
    return Webhook(secret).sign(message_id, at, body.decode())


def headers(secrets_: list[str], message_id: str, timestamp: int, body: bytes) -> dict:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, message_id, timestamp, body)
                                      for s in secrets_),
    }
