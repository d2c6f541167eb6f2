"""Two-factor sign-in with time-based one-time passwords, and re-authentication.

Approvers, finance and administrators move money or grant rights, so they need a second
factor (an authenticator app). A sensitive step (releasing a payment batch) also asks for the
password and code again when the last authentication is more than a few minutes old.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

import pyotp
from flask import redirect, request, session, url_for

from conflict_app.auth.models import User
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput
from conflict_app.core.transaction import unit_of_work

ISSUER = "Pardus"
RECENT = timedelta(minutes=5)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def code_is_valid(secret: str | None, code: str | None) -> bool:
    """One step of clock drift either way is accepted."""
    code = (code or "").strip().replace(" ", "")
    if not secret or not code.isdigit() or len(code) != 6:
        return False
    return pyotp.TOTP(secret).verify(code, valid_window=1)


def confirm(user: User, secret: str, code: str) -> None:
    if not code_is_valid(secret, code):
        raise InvalidInput(N_("The code is not right. Check the time on your phone and enter "
                              "the 6 digits shown now."), field="code")
    with unit_of_work():
        user.totp_secret = secret
        user.totp_confirmed_at = clock.now()
        audit.record(actor_id=user.id, object_type="user", object_id=user.id,
                     action="enable_two_factor")


def owner_confirmed(user: User, password: str | None, current_code: str | None) -> bool:
    """Before the second factor is set up or replaced: the password, and the code of the key
    in use, so a borrowed or stolen session cannot swap in a key of its own."""
    if not user.check_password(password or ""):
        return False
    return not user.has_two_factor or code_is_valid(user.totp_secret, current_code)


def mark_authenticated() -> None:
    session["auth_at"] = clock.now().isoformat()


def recently_authenticated() -> bool:
    value = session.get("auth_at")
    if not value:
        return False
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return False
    return clock.now() - at <= RECENT


def recent_auth_required(view: Callable) -> Callable:
    """Ask for the password (and code) again before a sensitive step."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not recently_authenticated():
            back = request.full_path if request.method == "GET" else _page_of_the_form()
            return redirect(url_for("auth.reauthenticate", next=back.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def _page_of_the_form() -> str:
    """Where to come back to after confirming a POST, which a redirect cannot repeat: the
    page at the same address when there is one (a confirmation page posts to itself), else
    the page the button was on, else the staff work queue. Never the public home page: a
    browser or proxy that drops the Referer would lose the user's work there."""
    from urllib.parse import urlsplit

    from flask import current_app
    from werkzeug.exceptions import HTTPException

    try:
        current_app.url_map.bind(request.host).match(request.path, method="GET")
    except HTTPException:
        pass
    else:
        return request.path
    ref = urlsplit(request.referrer or "")
    if ref.path and ref.netloc == request.host:
        return ref.path + (f"?{ref.query}" if ref.query else "")
    return url_for("claims.queue")
