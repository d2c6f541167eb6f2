"""Two-factor sign-in with time-based one-time passwords, and re-authentication.

Approvers, finance and administrators move money or grant rights, so they need a second
factor (an authenticator app). A sensitive step (releasing a payment batch) also asks for the
password and code again when the last authentication is more than a few minutes old.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

import pyotp
from flask import redirect, request, session, url_for
from sqlalchemy import or_, update

from conflict_app.auth import sessions
from conflict_app.auth.models import User
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db

ISSUER = "Pardus"
RECENT = timedelta(minutes=5)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def matching_step(secret: str | None, code: str | None) -> int | None:
    """The time step (30 s) whose code ``code`` is, one step of clock drift either way
    accepted, or None."""
    code = (code or "").strip().replace(" ", "")
    if not secret or not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    found = None
    for step in (now - 1, now, now + 1):  # all three compared: no early exit to time
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def code_is_valid(secret: str | None, code: str | None) -> bool:
    return matching_step(secret, code) is not None


def use_code(user: User, code: str | None) -> bool:
    """Accept the code of the user's key once: its step must be newer than the last one
    accepted. The step is taken by one conditional UPDATE, committed at once, so of two
    requests racing with the same code (on PostgreSQL the second waits for the first's row
    lock, then finds the condition false) exactly one succeeds."""
    step = matching_step(user.totp_secret, code)
    if step is None:
        return False
    taken = db.session.execute(
        update(User).where(User.id == user.id,
                           or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    db.session.commit()
    return taken.rowcount == 1


def confirm(user: User, secret: str, code: str) -> None:
    step = matching_step(secret, code)
    if step is None:
        raise InvalidInput(N_("The code is not right. Check the time on your phone and enter "
                              "the 6 digits shown now."), field="code")
    with unit_of_work():
        user.totp_secret = secret
        user.totp_confirmed_at = clock.now()
        # The code that confirmed the key cannot sign in afterwards.
        user.totp_last_step = max(step, user.totp_last_step or 0)
        # Whoever signed in with the old key (a lost phone) is signed out with it, in the
        # same transaction; the caller starts a new session for the browser that changed it.
        ended = sessions.end_all(user.id)
        audit.record(actor_id=user.id, object_type="user", object_id=user.id,
                     action="enable_two_factor", changes={"sessions_ended": ended})


def owner_confirmed(user: User, password: str | None, current_code: str | None) -> bool:
    """Before the second factor is set up or replaced: the password, and the code of the key
    in use, so a borrowed or stolen session cannot swap in a key of its own."""
    if not user.check_password(password or ""):
        return False
    return not user.has_two_factor or use_code(user, current_code)


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
