"""Slips a reader of Persian, Dari and Pashto catches and the general checks do not.

Persian digits in sentences without a number placeholder (numbers from placeholders arrive in
Latin digits, so those sentences keep Latin ones), right-to-left punctuation, no clitic glued to
a placeholder, and Dari free of the Iranian words its glossary replaces.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from conflict_app.i18n.catalogues import TRANSLATIONS

_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd%]|\{[a-z_]*\}")
# Codes people type or read as they are: formats, standards, e-mail and web addresses.
_CODES = re.compile(r"<[^>]+>|https?://\S+|[\w.-]+@[\w.-]+|YYYY-MM-DD|HH:MM|UTF-8|E\.164|"
                    r"[A-Z]{2}-[0-9-]+|\+[0-9][0-9 ]+")
_ARABIC_LETTER = "\u0621-\u064a\u066e-\u06d3"
# Iranian words the Dari glossary (translations/fa_AF/glossary.md) replaces, with the Dari one.
IRANIAN_IN_DARI = {
    "حادثه": "واقعه", "فهرست": "لست", "پیامک": "پیام کوتاه", "نویسه": "حرف",
    "شهرستان": "ولسوالی", "استان": "ولایت", "روستا": "قریه", "دامدار": "مالدار",
    "گذرواژه": "رمز عبور", "سامانه": "سیستم", "تلفن": "تلیفون", "تیلفون": "تلیفون",
    "پیش‌نویس": "مسوده", "کارتابل": "صف کار", "تسویه": "تصفیه", "برآورد": "تخمین",
    "صدک": "پرسنتایل", "مرتع": "چراگاه", "الاغ": "خر", "اسب": "اسپ",
    "کد": "کود", "فرم": "فورم", "مدیر طرح": "مدیر برنامه",
}


def _messages(code: str):
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=code)
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        yield ids[0], [s for s in strings if s]


@pytest.mark.parametrize("code", ["fa", "fa_AF"])
def test_numbers_without_a_placeholder_are_in_persian_digits(code):
    wrong = [msgid[:60] for msgid, strings in _messages(code) for text in strings
             if not _PLACEHOLDER.search(text) and re.search("[0-9]", _CODES.sub(" ", text))]
    assert wrong == []


@pytest.mark.parametrize("code", ["fa", "fa_AF", "ps"])
def test_right_to_left_punctuation(code):
    latin = re.compile(f"[{_ARABIC_LETTER}][\u200c ]?[?,;]")
    wrong = [msgid[:60] for msgid, strings in _messages(code) for text in strings
             if latin.search(_CODES.sub(" ", _PLACEHOLDER.sub("x", text)))]
    assert wrong == []


@pytest.mark.parametrize("code", ["fa", "fa_AF", "ps"])
def test_no_word_glued_to_a_placeholder(code):
    glued = re.compile(rf"%\([a-z_]+\)[sd][{_ARABIC_LETTER}]|[{_ARABIC_LETTER}]%\(")
    wrong = [msgid[:60] for msgid, strings in _messages(code) for text in strings
             if glued.search(text)]
    assert wrong == []


def test_dari_uses_afghan_words():
    found = []
    for msgid, strings in _messages("fa_AF"):
        for text in strings:
            for iranian, dari in IRANIAN_IN_DARI.items():
                if re.search(rf"(?<![{_ARABIC_LETTER}]){iranian}(?![{_ARABIC_LETTER}])", text):
                    found.append(f"{iranian} (Dari: {dari}): {msgid[:50]}")
    assert found == []


def test_the_checks_catch_their_slips():
    assert re.search("[0-9]", _CODES.sub(" ", "مثلاً 0.75")) and not re.search(
        "[0-9]", _CODES.sub(" ", "به شکل YYYY-MM-DD، مثلاً name@example.org"))
    assert re.search(rf"(?<![{_ARABIC_LETTER}])حادثه(?![{_ARABIC_LETTER}])", "تاریخ حادثه")
    assert not re.search(rf"(?<![{_ARABIC_LETTER}])کد(?![{_ARABIC_LETTER}])", "کدام مواشی")
