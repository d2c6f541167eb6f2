"""View helpers shared by every blueprint: public marker, role guard, form error mapping."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

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
