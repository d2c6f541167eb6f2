"""Bidirectional text helpers for texts that are not HTML: SMS bodies, messages built
from parameters, PDF paragraphs.

A phone lays out an SMS by its first strong character: a text that begins with the Latin
"Pardus AM-2026-000123" is shown left to right even when the rest is Persian. Right-to-left
texts therefore start with a right-to-left mark, and each Latin token or number inside
them sits in an isolate (Unicode UAX #9, LRI…PDI), so a reference, a PIN or the digit
groups of a phone number keep their order and never pull punctuation out of place.
"""

from __future__ import annotations

RLM = "\u200f"
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"

RTL_LOCALES = frozenset({"ar", "fa", "fa_AF", "ckb", "ur", "ps"})


def ltr(text: object) -> str:
    """A left-to-right token (reference, PIN, phone number, address) kept in one piece."""
    return f"{LRI}{text}{PDI}"


def auto(text: object) -> str:
    """A value whose direction comes from its own first letter (an amount with its
    currency name, a date with a month name): isolated from the sentence around it."""
    return f"{FSI}{text}{PDI}"


def is_rtl(locale: str) -> bool:
    return str(locale) in RTL_LOCALES


def sms_text(text: str, locale: str) -> str:
    """An SMS body as phones should lay it out: right-to-left ones begin with RLM."""
    if is_rtl(locale) and not text.startswith(RLM):
        return RLM + text
    return text
