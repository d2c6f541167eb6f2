"""Short secrets carried in the session cookie, encrypted.

Flask's session cookie is signed, not encrypted: anyone who sees it can read it. A herder's
PIN travels from the request that issued it to the page (and PDF) that shows it once; it is
sealed with a key derived from ``SECRET_KEY`` (Fernet: AES with an HMAC, and a time stamp),
so the cookie never holds it in clear and an old cookie cannot reveal it after ``MAX_AGE``.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

MAX_AGE = 15 * 60  # seconds: long enough to print the receipt


def fernet_for(purpose: str, secret: str | None = None) -> Fernet:
    """A Fernet keyed for one purpose from ``secret`` (default ``SECRET_KEY``): each use of
    encryption at rest or in cookies gets its own key, so one cannot open another's."""
    material = (secret or current_app.config["SECRET_KEY"]).encode()
    key = hashlib.sha256(purpose.encode() + b"\0" + material).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> Fernet:
    return fernet_for("pardus-sealed-session-values")


def _now() -> int:
    from conflict_app.core import clock

    return int(clock.now().timestamp())  # ages on the app's clock, like every deadline


def seal(value: str) -> str:
    return _fernet().encrypt_at_time(value.encode(), _now()).decode()


def unseal(token: object, max_age: int = MAX_AGE) -> str | None:
    """The sealed value, or None when it is missing, forged or too old."""
    if not isinstance(token, str) or not token:
        return None
    try:
        return _fernet().decrypt_at_time(token.encode(), max_age, _now()).decode()
    except (InvalidToken, ValueError):
        return None
