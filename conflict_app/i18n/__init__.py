"""Locale selection, text direction and formatting helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from babel import Locale, negotiate_locale
from flask import current_app, request, session
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    get_locale,
)
from flask_login import current_user

from conflict_app.core.money import Money

# English is the source; the official languages of the thirteen range states follow
# (PRODUCT.md §6), Afghanistan with Dari and Pashto, Iraq with Arabic and Sorani.
LOCALES = ("en", "ar", "hy", "az", "fa", "fa_AF", "ka", "kk", "ckb", "ru", "tr", "tk", "ur",
           "tg", "uz", "ps")
RTL = frozenset({"ar", "fa", "fa_AF", "ckb", "ur", "ps"})


# Where CLDR's own name is not what speakers call the language in a chooser.
_NATIVE_NAMES = {"fa_AF": "دری", "az": "Azərbaycan dili", "uz": "Oʻzbekcha"}


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
        if _may_be_signed_in() and current_user and current_user.is_authenticated:
            preferred = _valid(current_user.locale)
            if preferred:
                return preferred
        negotiated = _negotiated(request.headers.get("Accept-Language", ""))
        if negotiated:
            return negotiated
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _may_be_signed_in() -> bool:
    """Whether the request carries a sign-in at all (a session naming a user, or a remember
    cookie); without one, loading the user to read their language is work for nothing."""
    return ("_user_id" in session
            or current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            in request.cookies)


_NEGOTIATED: dict[str, str | None] = {}


def _negotiated(header: str) -> str | None:
    """The browser's languages against ours, once per distinct Accept-Language header."""
    if header in _NEGOTIATED:
        return _NEGOTIATED[header]
    # Babel, not Werkzeug: best_match prefers an exact "en" over "ar-IQ" (I18N-FACTS.md).
    wanted = [lang.replace("-", "_") for lang, _q in request.accept_languages]
    negotiated = negotiate_locale(wanted, LOCALES, sep="_")
    if len(_NEGOTIATED) >= 1024:
        _NEGOTIATED.clear()
    _NEGOTIATED[header] = negotiated
    return negotiated


def select_timezone() -> str | None:
    """Staff read times in their jurisdiction's zone: one instance serves the whole range,
    and a report at 01:30 in Yerevan is not "21:30 the day before" to the clerk there.
    Anyone else (range-wide staff, the public) reads the instance's default zone."""
    from flask_login import current_user

    country = getattr(current_user, "jurisdiction_country", None)
    if not country:
        return None
    from conflict_app.geo import timezones

    return timezones.zone_name(country, current_user.jurisdiction_area_id)


@contextmanager
def force_timezone(zone) -> Iterator[None]:  # noqa: ANN001 - a tzinfo
    """Dates and times shown inside are in ``zone`` (a claim's jurisdiction), like
    ``force_locale`` does for the language."""
    from flask_babel import _get_current_context

    ctx = _get_current_context()
    if ctx is None:
        yield
        return
    import pytz  # Flask-Babel's own time zones are pytz zones

    before = getattr(ctx, "babel_tzinfo", None)
    ctx.babel_tzinfo = pytz.timezone(getattr(zone, "key", None) or str(zone))
    try:
        yield
    finally:
        ctx.babel_tzinfo = before


def direction() -> str:
    locale = get_locale()
    return locale.character_order == "right-to-left" and "rtl" or "ltr"


# Babel prints ASCII digits only (I18N-FACTS.md); a deployment may ask for native ones.
_EXTENDED_ARABIC = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
NATIVE_DIGITS = {"fa": _EXTENDED_ARABIC, "fa_AF": _EXTENDED_ARABIC, "ur": _EXTENDED_ARABIC,
                 "ps": _EXTENDED_ARABIC, "ar": _ARABIC_INDIC, "ckb": _ARABIC_INDIC}
CALENDARS = ("gregorian", "solar_hijri")


def digits(text: str) -> str:
    """Native digits for the current locale when the deployment asks for them."""
    if current_app.config.get("DIGITS") != "native":
        return text
    table = NATIVE_DIGITS.get(str(get_locale()))
    if not table:
        return text
    return text.translate(str.maketrans("0123456789", table))


def remember_calendar() -> None:
    """A calendar chosen by a link (``?calendar=solar_hijri`` on the start page) is kept for
    the visit, whether or not the page that follows the link shows a date."""
    chosen = request.args.get("calendar")
    if chosen in CALENDARS and session.get("calendar") != chosen:
        session["calendar"] = chosen


def calendar() -> str:
    """Solar Hijri only for Persian and Dari, and only when chosen."""
    if not str(get_locale()).startswith("fa"):
        return "gregorian"
    if request:
        remember_calendar()
        if session.get("calendar") in CALENDARS:
            return session["calendar"]
        if current_user and current_user.is_authenticated:
            return getattr(current_user, "calendar", None) or "gregorian"
    return "gregorian"


def _solar_hijri(value) -> str:  # noqa: ANN001
    from persiantools.jdatetime import JalaliDate

    from conflict_app.i18n.months import dari_month

    if hasattr(value, "date"):  # a moment: its day where the user (or the claim) is
        value = format_datetime_local(value)
    day = value.date() if hasattr(value, "date") else value
    jalali = JalaliDate(day)
    if str(get_locale()) == "fa_AF":
        # Dari month names (حمل، ثور، …) are not in the library: they are in our catalogue.
        return f"{jalali.day} {dari_month(jalali.month)} {jalali.year}"
    return jalali.strftime("%d %B %Y", locale="fa").lstrip("۰")


def date_text(value, fmt: str = "medium") -> str:  # noqa: ANN001
    if value is None:
        return ""
    if calendar() == "solar_hijri":
        return digits(_solar_hijri(value))
    return digits(format_date(value, fmt))


def datetime_text(value, fmt: str = "medium") -> str:  # noqa: ANN001
    if value is None:
        return ""
    if calendar() == "solar_hijri":
        from flask_babel import format_time

        # The Solar Hijri day is written in Persian digits: its time goes with it.
        time_text = format_time(value, "short").translate(
            str.maketrans("0123456789", _EXTENDED_ARABIC))
        return digits(f"{_solar_hijri(format_datetime_local(value))} {time_text}")
    return digits(format_datetime(value, fmt))


def format_datetime_local(value):  # noqa: ANN001, ANN201
    """The date of ``value`` in the user's time zone (Solar Hijri days follow it too)."""
    from flask_babel import to_user_timezone

    return to_user_timezone(value)


def _native() -> bool:
    return (current_app.config.get("DIGITS") == "native"
            and str(get_locale()) in NATIVE_DIGITS)


def money(value: Money | None) -> str:
    if value is None:
        return ""
    if _native():
        # The locale's own separators (٬ ٫) go with its own digits.
        from babel.numbers import UnsupportedNumberingSystemError
        from babel.numbers import format_currency as babel_currency

        system = "arab" if NATIVE_DIGITS[str(get_locale())] == _ARABIC_INDIC else "arabext"
        try:
            text = babel_currency(value.amount, value.currency, locale=get_locale(),
                                  numbering_system=system)
        except UnsupportedNumberingSystemError:
            text = format_currency(value.amount, value.currency)
        return digits(text)
    return format_currency(value.amount, value.currency)


def percent(value) -> str:  # noqa: ANN001
    return digits(format_percent(value))


def number(value) -> str:  # noqa: ANN001
    """A decimal in the locale's separators with all its significant digits (an exchange
    rate of 390 reads 390, not 3.9E+2; 0.000123 keeps its digits)."""
    from decimal import Decimal

    value = Decimal(value).normalize()
    return digits(format_decimal(value, format="#,##0.##########"))


def fixed(value, places: int = 2) -> str:  # noqa: ANN001
    """A statistic rounded to ``places`` decimals in the locale's separators (an IRR of
    0.25 reads «0,25» in Russian), where a template would otherwise print Python's "0.25"."""
    from decimal import ROUND_HALF_EVEN, Decimal

    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_EVEN)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return digits(format_decimal(rounded, format=pattern))


def template_helpers() -> dict[str, object]:
    return {
        "text_direction": direction,
        "current_locale": lambda: str(get_locale()),
        "format_money": money,
        "format_date": date_text,
        "format_datetime": datetime_text,
        "format_percent": percent,
        "format_number": number,
        "digits": digits,
        "Money": Money,
        "locales": LOCALES,
        "native_name": native_name,
        "format_phone": _phone,
    }


def _phone(value: str | None, country: str | None = None) -> str:
    """A stored E.164 phone in its national format (international when foreign)."""
    from conflict_app.core.inputs import display_phone

    return display_phone(value, country)
