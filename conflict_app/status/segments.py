"""How many SMS segments a text takes: GSM-7 when every character has a GSM 03.38 code
(extension characters count twice), otherwise UCS-2 (UTF-16 code units)."""

from __future__ import annotations

import math

import gsm0338  # noqa: F401 - registers the "gsm03.38" codec

GSM_SINGLE, GSM_PART = 160, 153  # septets; a multi-part message loses 7 to its header
UCS2_SINGLE, UCS2_PART = 70, 67


def segments(text: str) -> int:
    try:
        units = len(text.encode("gsm03.38"))
        single, part = GSM_SINGLE, GSM_PART
    except UnicodeEncodeError:
        units = len(text.encode("utf-16-le")) // 2
        single, part = UCS2_SINGLE, UCS2_PART
    return 1 if units <= single else math.ceil(units / part)


# Uzbek (Latin) writes oʻ and gʻ with a turned comma and the separation sign with a modifier
# apostrophe; neither is in GSM 03.38, and one of them turns a whole text into UCS-2 (70
# characters a segment instead of 160). Texts in Uzbek use the plain apostrophe, as people
# type them on phones (o'zbek, g'alla), so they stay in GSM-7.
_PHONE_LETTERS = {
    "uz": str.maketrans({"\u02bb": "'", "\u02bc": "'", "\u2018": "'", "\u2019": "'"}),
}


def phone_letters(text: str, locale: str) -> str:
    """``text`` with the letters phones send in the language's usual SMS spelling."""
    table = _PHONE_LETTERS.get(str(locale))
    return text.translate(table) if table else text
