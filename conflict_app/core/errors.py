"""Domain errors raised by operations and rules, translated only when shown.

Rule modules must not import Flask, so they mark messages with ``N_`` (extracted by pybabel,
see ``babel.cfg``) and the view translates ``message % params`` in the user's language.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a message for extraction without translating it now."""
    return message


class DomainError(Exception):
    """A use case refused: the message is shown to the user, nothing was changed."""

    def __init__(self, message: str, field: str | None = None, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params

    def translated(self) -> str:
        from flask_babel import get_locale, gettext

        from conflict_app.i18n import bidi

        text = gettext(self.message)
        params = self.params
        if params and bidi.is_rtl(str(get_locale())):
            # A reference or an example phone inside a right-to-left sentence keeps its own
            # order (the digit groups of "093 123456" are not swapped).
            params = {key: bidi.auto(value) for key, value in params.items()}
        return text % params if params else text


class PermissionDenied(DomainError):
    """The actor's role or jurisdiction does not allow this."""


class IllegalTransition(DomainError):
    """The claim is not in a state where this action is allowed."""


class StaleObject(DomainError):
    """Someone else changed the object since the form was loaded."""


class InvalidInput(DomainError):
    """A value breaks a domain rule (the form validators passed)."""
