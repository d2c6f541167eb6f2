"""Domain errors raised by operations and rules, translated only when shown.

Rule modules must not import Flask, so they mark messages with ``N_`` (extracted by pybabel,
see ``babel.cfg``) and the view translates ``message % params`` in the user's language.
A message with a number of things in it is marked with ``NP_(singular, plural)`` and raised
with ``count=``: languages count differently (Russian 1 день / 3 дня / 5 дней, Arabic has
six forms), so the form is chosen by that number when the message is translated.
"""

from __future__ import annotations

from typing import NamedTuple


class Plural(NamedTuple):
    """A message marked for extraction as a plural entry (msgid and msgid_plural)."""

    singular: str
    plural: str

    def english(self, count: int) -> str:
        return self.singular if count == 1 else self.plural


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a message for extraction without translating it now."""
    return message


def NP_(singular: str, plural: str) -> Plural:  # noqa: N802 - as N_, for ngettext
    """Mark a counted message for extraction without translating it now."""
    return Plural(singular, plural)


class DomainError(Exception):
    """A use case refused: the message is shown to the user, nothing was changed."""

    def __init__(self, message: str | Plural, field: str | None = None,
                 count: int | None = None, **params: object) -> None:
        # ``count`` chooses the plural form and is also there for the text as %(count)s.
        if count is not None:
            params = {**params, "count": count}
        if isinstance(message, Plural):
            if count is None:
                raise TypeError("a counted message needs count=")
            english = message.english(count)
        else:
            english = message
        super().__init__(english % params if params else english)
        self.message = message
        self.field = field
        self.count = count
        self.params = params

    def translated(self) -> str:
        from flask_babel import get_locale, get_translations

        from conflict_app.i18n import bidi

        translations = get_translations()
        if isinstance(self.message, Plural):
            text = translations.ungettext(*self.message, int(self.count or 0))
        else:
            text = translations.ugettext(self.message)
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
