"""The alert texts and the STOP/START keywords, in every language.

Texts name a village or an area and a date, never a household or a point. Right-to-left
texts follow ``i18n.bidi``: RLM first, each name and keyword isolated, so a Latin village
name or keyword keeps its place. Each fits two SMS segments (tests/test_sms_length.py).
"""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext

from conflict_app.i18n import bidi
from conflict_app.status.segments import phone_letters

# Longest village or area name put in a text, so every text stays within its segments.
NAME_MAX = 24

# Opt-out and opt-in words per language; the first of each is the one texts tell herders
# to send. English STOP and START work from any phone, as carriers' own opt-outs do.
STOP = {
    "en": ("STOP",), "ru": ("СТОП",), "kk": ("ТОҚТА", "СТОП"), "fa": ("لغو",),
    "fa_AF": ("لغو",), "ar": ("إيقاف", "ايقاف"), "ckb": ("وەستان",), "ur": ("بند",),
    "hy": ("ԴԱԴԱՐ",), "ka": ("შეწყვეტა",), "az": ("DAYAN",), "tr": ("IPTAL", "İPTAL"),
    "tk": ("BES",), "tg": ("ИСТ",), "uz": ("TO'XTAT", "TOXTAT"), "ps": ("بس",),
}
START = {
    "en": ("START",), "ru": ("СТАРТ",), "kk": ("БАСТАУ", "СТАРТ"), "fa": ("شروع",),
    "fa_AF": ("شروع",), "ar": ("بدء", "ابدأ"), "ckb": ("دەستپێکردن",), "ur": ("شروع",),
    "hy": ("ՍԿՍԵԼ",), "ka": ("დაწყება",), "az": ("BAŞLA", "BASLA"), "tr": ("BAŞLA", "BASLA"),
    "tk": ("BAŞLA", "BASLA"), "tg": ("ОҒОЗ",), "uz": ("BOSHLA",), "ps": ("پیل",),
}

# Arabic and Persian keyboards type some letters differently (ي/ی, ك/ک); both count.
_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "أ": "ا", "إ": "ا", "ʻ": "'",
                       "ʼ": "'", "’": "'", "‘": "'"})


def _fold(word: str) -> str:
    return word.translate(_FOLD).upper()


def keyword(text: str) -> tuple[str, str] | None:
    """("stop" or "start", the keyword's language) when ``text`` is only such a word."""
    words = re.sub(r"[\s.!،,؛]+", " ", text or "").strip().split(" ")
    if len(words) != 1 or not words[0]:
        return None
    word = _fold(words[0])
    for action, table in (("stop", STOP), ("start", START)):
        for locale, keywords in table.items():
            if any(_fold(k) == word for k in keywords):
                return action, locale
    return None


def render(kind: str, locale: str, **params: object) -> str:
    """One alert text in ``locale``: "attack", "broadcast", "alerts_off" or "alerts_on"."""
    params = dict(params)
    for key in ("village", "area"):
        if key in params:
            params[key] = str(params[key])[:NAME_MAX]
    params.setdefault("stop", STOP.get(locale, STOP["en"])[0])
    params.setdefault("start", START.get(locale, START["en"])[0])
    if bidi.is_rtl(locale):
        params = {key: bidi.auto(value) for key, value in params.items()}
    with force_locale(locale):
        texts = {
            # Translators: SMS to herders near a verified attack: short, plain words;
            # %(stop)s is the opt-out word of the language (e.g. STOP), keep it as given
            "attack": lambda: gettext(
                "Pardus: a leopard killed livestock near %(village)s on %(date)s. Keep "
                "animals in the corral at night. Send %(stop)s to end alerts.", **params),
            # Translators: SMS from the office to all herders of an area: short, plain
            # words; %(area)s is a province or district
            "broadcast": lambda: gettext(
                "Pardus: leopards are active around %(area)s. Keep animals in the corral "
                "at night. Send %(stop)s to end alerts.", **params),
            # Translators: SMS answer to a herder who sent the opt-out word
            "alerts_off": lambda: gettext(
                "Pardus: you will get no more leopard alerts. Send %(start)s to get them "
                "again.", **params),
            # Translators: SMS answer to a herder who sent the opt-in word
            "alerts_on": lambda: gettext(
                "Pardus: leopard alerts are on again. Send %(stop)s to end them.", **params),
        }
        body = texts[kind]()
    return bidi.sms_text(phone_letters(body, locale), locale)
