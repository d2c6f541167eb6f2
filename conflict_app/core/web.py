"""View helpers shared by every blueprint: public marker, role guard, form error mapping,
one-button actions on a record's page."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Request, abort, flash, redirect, request
from flask_login import current_user
from flask_wtf import FlaskForm

from conflict_app.core.errors import DomainError
from conflict_app.core.permissions import Role


def public(view: Callable) -> Callable:
    """Mark a view as reachable without signing in (the login guard reads the mark)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def roles_required(*roles: Role) -> Callable:
    """403 unless the signed-in user holds one of ``roles``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated or not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def attach_error(form: Any, error: DomainError) -> None:
    """Put a domain error on the form field it concerns, or on the whole form."""
    field = getattr(form, error.field, None) if error.field else None
    message = error.translated()
    if field is not None:
        field.errors = [*list(field.errors), message]
    else:
        form.form_errors.append(message)


def button_action(found: Any, act: Callable[[Any], object], done: str, *,
                  page: Callable[..., Any], back: str) -> Any:
    """A button on a record's page (switch off, pull now, send a test): the form carries
    the CSRF token only, so a missing or stale one is a 400. A refusal shows ``page`` again
    with its reason (400, nothing changed); otherwise ``done`` is flashed and the browser
    goes ``back``."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        act(found)
    except DomainError as err:
        return page(found, error=err.translated(), status=400)
    flash(done, "success")
    return redirect(back)


_JSON_NUL = re.compile(rb"\x00|\\u0000", re.IGNORECASE)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def has_nul_byte(request: Request) -> bool:
    """A NUL character in the path, the query, a header, a form field or a JSON body. No
    text field needs one, PostgreSQL refuses it in text columns, and some C libraries cut a
    string at it: such input is refused before any view sees it. (Files uploaded as text
    are checked where they are read: ``inputs.nul_position``.)"""
    if "\x00" in request.path:
        return True
    if any("\x00" in value for _name, value in request.headers.items()):
        return True  # e.g. an Idempotency-Key, looked up in the database
    pairs = list(request.args.items(multi=True))
    if request.mimetype in _FORM_TYPES:
        pairs += request.form.items(multi=True)
        pairs += [(key, f.filename or "") for key, f in request.files.items(multi=True)]
    if any("\x00" in key or "\x00" in value for key, value in pairs):
        return True
    return request.is_json and bool(_JSON_NUL.search(request.get_data(cache=True)))


def is_api_request() -> bool:
    """Under /api/ every answer, errors included, is JSON (a problem document)."""
    return request.path.startswith("/api/")
