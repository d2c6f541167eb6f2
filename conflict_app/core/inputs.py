"""One normaliser for what people type: numbers and phone numbers.

Numbers arrive in Latin, Arabic-Indic (٠-٩) or Persian/Urdu (۰-۹) digits, with the locale's
decimal and group separators («0,75» in ru, kk, az, tr; «1٬234٫5» in Arabic script) or the
plain point a phone keyboard offers; all mean the same number. Phones are parsed with the
rules of the household's country (``phonenumbers``), stored in E.164 and shown in the
national format. Every form field, the SMS webhook and the API go through here.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

import phonenumbers
from babel import Locale
from babel.numbers import NumberFormatError, get_decimal_symbol, get_group_symbol, parse_decimal

from conflict_app.core.errors import N_

ARABIC_DECIMAL, ARABIC_GROUP = "\u066b", "\u066c"  # ٫ ٬
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u200a'’]")
# Direction marks a phone keyboard or a copied number may carry.
_MARKS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_PLAIN = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_NUMBERLIKE = re.compile(r"^[+-]?[\d.,]*\d[\d.,]*$")


# The answer to a NUL character in anything typed or uploaded as text (it is refused before
# the database sees it: PostgreSQL cannot store it in a text column).
NUL_REFUSED = N_("The input contains a character that is not allowed (a NUL byte). Nothing "
                 "was changed.")


def nul_position(text: str) -> tuple[int, int] | None:
    """(line, CSV column) of the first NUL character in ``text``, both from 1, or None.
    The column counts the commas before it outside quotes, as a spreadsheet would."""
    at = text.find("\x00")
    if at < 0:
        return None
    start = text.rfind("\n", 0, at) + 1
    column, quoted = 1, False
    for char in text[start:at]:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            column += 1
    return text.count("\n", 0, at) + 1, column


def latin_digits(text: str) -> str:
    """Every decimal digit of any script (٠-٩, ۰-۹, ...) as 0-9; other characters unchanged."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def clean(text: str | None) -> str:
    """Latin digits, no direction marks, surrounding space removed."""
    return _MARKS.sub("", latin_digits(text or "")).strip()


_CODE_SEPARATORS = re.compile(r"[\s.\u2010-\u2015-]")


def compact_code(text: str | None) -> str:
    """A code typed in groups (a PIN): Latin digits, no spaces, dashes or points between."""
    return _CODE_SEPARATORS.sub("", clean(text))


def parse_number(text: str | None, locale: str | Locale = "en") -> Decimal | None:
    """The number typed, or ``None`` when nothing was typed; ``ValueError`` when it is not one.

    The locale's own format is tried first (strictly, so «1,234» in English is a thousand
    and more); a single point or comma between digits is a decimal separator in any locale.
    """
    raw = clean(text)
    if not raw:
        return None
    decimal_symbol = get_decimal_symbol(locale)
    group_symbol = get_group_symbol(locale)
    raw = raw.replace(ARABIC_DECIMAL, decimal_symbol).replace(ARABIC_GROUP, group_symbol)
    raw = raw.replace("\u2212", "-")  # the minus sign some keyboards give
    compact = _SPACES.sub("", raw)
    if not _NUMBERLIKE.match(compact):  # letters, exponents, "NaN": not a typed number
        raise ValueError(text)
    if _PLAIN.match(compact):
        if "," in compact and "." not in compact and group_symbol == ",":
            # «1,234» in a locale that groups with commas: let the locale's rules decide.
            pass
        else:
            return _decimal(compact.replace(",", "."))
    try:
        number = parse_decimal(compact, locale=locale, strict=True)
    except NumberFormatError:
        if _PLAIN.match(compact):
            return _decimal(compact.replace(",", "."))
        raise ValueError(text) from None
    return _decimal(str(number))


def _decimal(text: str) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


def parse_integer(text: str | None, locale: str | Locale = "en") -> int | None:
    number = parse_number(text, locale)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(text)
    return int(number)


def plain_number(value: Decimal | int | None, locale: str | Locale = "en") -> str:
    """A number written back into a form field: the locale's decimal sign, no grouping, no
    trailing zeros a column's scale adds (a share stored as 0.7500 is shown as typed, 0,75)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        text = str(value)
    return text.replace(".", get_decimal_symbol(locale))


# --- dates ------------------------------------------------------------------------------
_SEP = r"\s*[/\-.\u066b\u060c]\s*"  # / - . and the Arabic decimal sign and comma
_DATE_PARTS = re.compile(rf"^(\d{{1,4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})$")


def parse_solar_hijri(text: str | None) -> date | None:
    """The Gregorian day of a Solar Hijri date typed as year/month/day in any digits;
    ``None`` when empty or not a date of that calendar. A Gregorian year (1900 and later)
    is read as Gregorian, so a date copied from elsewhere still means what it says."""
    from persiantools.jdatetime import JalaliDate

    match = _DATE_PARTS.match(clean(text))
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        if year >= 1900:
            return date(year, month, day)
        return JalaliDate(year, month, day).to_gregorian()
    except ValueError:
        return None


def solar_hijri_text(day: date) -> str:
    """``day`` as a Solar Hijri year/month/day, the way it is typed back into a form."""
    from persiantools.jdatetime import JalaliDate

    jalali = JalaliDate(day)
    return f"{jalali.year:04d}/{jalali.month:02d}/{jalali.day:02d}"


# --- phones ------------------------------------------------------------------------------
class PhoneError(ValueError):
    pass


def parse_phone(text: str | None, country: str | None) -> str | None:
    """The phone number in E.164 (``+37493123456``), read with ``country``'s rules when it
    has no country code; ``None`` when empty; ``PhoneError`` when it cannot be a number."""
    raw = clean(text)
    if not raw:
        return None
    raw = raw.replace("\uff0b", "+")
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        raise PhoneError(text) from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None, country: str | None = None) -> str:
    """National format for a number of ``country`` (or of its own country), else
    international; a stored value that does not parse is shown as it is."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(number)
    if country and region != country.upper():
        return phonenumbers.format_number(number,
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def example_phone(country: str | None) -> str:
    """An example mobile number of ``country`` in national format, for a hint."""
    if not country:
        return ""
    number = phonenumbers.example_number_for_type(country.upper(),
                                                  phonenumbers.PhoneNumberType.MOBILE)
    if number is None:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
