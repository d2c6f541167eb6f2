"""The sign-in details of a sync source, encrypted at rest (Fernet, from ``cryptography``).

The key comes from the server's configuration, never from the database: ``FIELD_SYNC_KEY``
(or the file ``FIELD_SYNC_KEY_FILE`` names), else one derived from ``SECRET_KEY`` as the
webhook secrets are. A copy of the database alone does not give the password of the ODK
Central account or the KoboToolbox token.
"""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from conflict_app.core.sealed import fernet_for


def _fernet() -> Fernet:
    config = current_app.config
    key = config.get("FIELD_SYNC_KEY")
    if not key and config.get("FIELD_SYNC_KEY_FILE"):
        key = Path(config["FIELD_SYNC_KEY_FILE"]).read_text().strip()
    if key:
        return fernet_for("pardus-field-sync", key)
    return fernet_for("pardus-field-sync-from-secret-key")


def seal(credentials: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(credentials, sort_keys=True).encode()).decode()


def unseal(stored: str) -> dict[str, str] | None:
    """The sign-in details, or None when the key changed since they were saved (enter
    them again)."""
    try:
        found = json.loads(_fernet().decrypt(stored.encode()).decode())
    except (InvalidToken, ValueError):
        return None
    return found if isinstance(found, dict) else None
