"""Status PINs: a keyed hash (HMAC-SHA256) with a key kept outside the database.

A PIN is a 6-digit secret: any hash of it, however slow, falls to 10**6 guesses once the
hash is stolen, so a password-grade KDF (about 1 s of CPU per check) bought nothing but a
status page that could serve two herders a second. What protects a PIN on line is the lock
after a few wrong tries; what protects it in a stolen database is the key, which lives in
``PIN_KEY``/``PIN_KEY_FILE`` and never in the database or its backups (SECURITY.md).

Hashes written before the change (werkzeug ``scrypt:``/``pbkdf2:``) still verify and are
replaced by the keyed form at their next successful check.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from flask import Flask, current_app
from werkzeug.security import check_password_hash

PREFIX = "hmac-sha256$"


def configure(app: Flask, relaxed: bool) -> str | None:
    """Set ``app.config['PIN_KEY']`` (bytes); returns a problem to report, if any."""
    raw = app.config.get("PIN_KEY")
    key_file = app.config.get("PIN_KEY_FILE")
    if not raw and key_file:
        try:
            raw = Path(key_file).read_text(encoding="utf-8").strip()
        except OSError:
            return f"PIN_KEY_FILE {key_file} cannot be read"
    if raw:
        if len(raw) < 32:
            return "PIN_KEY must be at least 32 characters (e.g. 64 hex digits)"
        app.config["PIN_KEY"] = raw.encode() if isinstance(raw, str) else raw
        return None
    if not relaxed:
        return "PIN_KEY (or PIN_KEY_FILE)"
    # Debug and tests only: derived from the secret key, so nothing extra to set up.
    app.config["PIN_KEY"] = hmac.new(
        str(app.config.get("SECRET_KEY") or "").encode(), b"pardus status PIN key",
        hashlib.sha256).digest()
    return None


def new_pin() -> str:
    """Six digits: what a herder can keep on paper and type on any phone."""
    return f"{secrets.randbelow(10**6):06d}"


def _mac(salt: str, pin: str) -> str:
    key = current_app.config["PIN_KEY"]
    return hmac.new(key, f"{salt}:{pin}".encode(), hashlib.sha256).hexdigest()


def hash_pin(pin: str) -> str:
    salt = secrets.token_hex(8)
    return f"{PREFIX}{salt}${_mac(salt, pin)}"


def check_pin(stored: str, pin: str) -> tuple[bool, bool]:
    """(matches, should be re-hashed): old password-grade hashes still verify, once."""
    if stored.startswith(PREFIX):
        salt, _, digest = stored[len(PREFIX):].partition("$")
        return hmac.compare_digest(_mac(salt, pin), digest), False
    matches = check_password_hash(stored, pin)
    return matches, matches


def burn(pin: str) -> None:
    """The cost of one check, for look-ups of unknown references."""
    _mac("0" * 16, pin)
