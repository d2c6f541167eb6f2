"""Examples in hints and errors follow the reader's country.

A clerk in Golestan is shown an Iranian phone number and an "IR-" claim reference, not the
Armenian ones the English text was written with. The country is the staff member's
jurisdiction when it is one country, else the country where the page's language is spoken
in the leopard's range (a herder checking a claim in Persian reads an Iranian example).
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_locale

from conflict_app.core import clock, inputs
from conflict_app.i18n.bidi import is_rtl, ltr

# The range state where each language is the official one (English falls back to the first).
LANGUAGE_COUNTRY = {
    "en": "AM", "hy": "AM", "az": "AZ", "ka": "GE", "ru": "RU", "tr": "TR", "fa": "IR",
    "fa_AF": "AF", "ps": "AF", "tk": "TM", "kk": "KZ", "uz": "UZ", "tg": "TJ", "ur": "PK",
    "ar": "IQ", "ckb": "IQ",
}


def country(explicit: str | None = None) -> str:
    """The country examples are drawn from (ISO code)."""
    if explicit:
        return explicit.upper()
    if has_request_context():
        from flask_login import current_user

        own = getattr(current_user, "jurisdiction_country", None) \
            if getattr(current_user, "is_authenticated", False) else None
        if own:
            return own
    locale = get_locale()
    return LANGUAGE_COUNTRY.get(str(locale) if locale else "en", "AM")


def _kept_whole(text: str) -> str:
    """Inside right-to-left text a reference or a phone stays one left-to-right piece."""
    locale = get_locale()
    return ltr(text) if text and locale and is_rtl(str(locale)) else text


def reference(where: str | None = None) -> str:
    """A claim reference as printed on a receipt: ``IR-2026-000123``."""
    return _kept_whole(f"{country(where)}-{clock.today().year}-000123")


def phone(where: str | None = None, international: bool = True) -> str:
    """An example mobile number of the country, with its country code by default."""
    code = country(where)
    if not international:
        return inputs.example_phone(code)
    import phonenumbers

    number = phonenumbers.example_number_for_type(code, phonenumbers.PhoneNumberType.MOBILE)
    if number is None:
        return ""
    return _kept_whole(phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
