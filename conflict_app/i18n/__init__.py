"""Locale selection, text direction and formatting helpers."""

from __future__ import annotations

from babel import Locale, negotiate_locale
from flask import current_app, request, session
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_percent,
    get_locale,
)
from flask_login import current_user

from conflict_app.core.money import Money

# English is the source; the eleven range-state languages follow (PRODUCT.md §6).
LOCALES = ("en", "ar", "hy", "az", "fa", "fa_AF", "ka", "kk", "ckb", "ru", "tr", "tk", "ur")
RTL = frozenset({"ar", "fa", "fa_AF", "ckb", "ur"})


# Where CLDR's own name is not what speakers call the language in a chooser.
_NATIVE_NAMES = {"fa_AF": "دری", "az": "Azərbaycan dili"}


def native_name(code: str) -> str:
    """The language's name in its own script, for the language chooser."""
    if code in _NATIVE_NAMES:
        return _NATIVE_NAMES[code]
    locale = Locale.parse(code)
    name = locale.get_display_name(locale) or code
    if code == "ka":  # Georgian has no capital letters in running text
        return name
    return name[:1].upper() + name[1:]


def _valid(code: str | None) -> str | None:
    if not code:
        return None
    code = code.replace("-", "_")
    return code if code in LOCALES else None


def select_locale() -> str:
    """Explicit choice, session, user preference, browser, default (STYLE.md)."""
    if request:
        chosen = _valid(request.args.get("lang"))
        if chosen:
            session["lang"] = chosen
            return chosen
        remembered = _valid(session.get("lang"))
        if remembered:
            return remembered
        if current_user and current_user.is_authenticated:
            preferred = _valid(current_user.locale)
            if preferred:
                return preferred
        # Babel, not Werkzeug: best_match prefers an exact "en" over "ar-IQ" (I18N-FACTS.md).
        wanted = [lang.replace("-", "_") for lang, _q in request.accept_languages]
        negotiated = negotiate_locale(wanted, LOCALES, sep="_")
        if negotiated:
            return negotiated
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def direction() -> str:
    locale = get_locale()
    return locale.character_order == "right-to-left" and "rtl" or "ltr"


def money(value: Money | None) -> str:
    if value is None:
        return ""
    return format_currency(value.amount, value.currency)


def template_helpers() -> dict[str, object]:
    return {
        "text_direction": direction,
        "current_locale": lambda: str(get_locale()),
        "format_money": money,
        "format_date": format_date,
        "format_datetime": format_datetime,
        "format_percent": format_percent,
        "Money": Money,
        "locales": LOCALES,
        "native_name": native_name,
    }
