"""Slips found in the full review of the Latin-script Turkic catalogues (az, tr, tk, uz), each
kept from coming back: a case suffix glued to a placeholder, an Uzbek case ending written after a
placeholder, ASCII apostrophes for the Uzbek ʻ and ʼ, decimal examples written with a point where
the locale writes a comma, file column names translated although the file keeps them in English,
and words the glossary rejects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.numbers import get_decimal_symbol

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
CODES = ("az", "tr", "tk", "uz")

# Vowel harmony follows the spoken value, which a placeholder hides: "%(num)s-dən" is wrong for
# 6 (altıdan), "%(given)s-ci" for 3 (üçüncü). A noun after the placeholder carries the suffix.
GLUED_SUFFIX = re.compile(r"%\(\w+\)[sd](?:-|'|’)\w")
# Uzbek suffixes do not harmonise, but a case ending written apart after a placeholder
# ("%(date)s gacha", "%(approved)s dan") still reads as a stray word; a noun carries it
# ("%(date)s sanasigacha", "%(amount)s miqdoridan"). Only an ordinal before its noun is glued
# with a hyphen ("%(n)s-qator", "%(page)s-sahifa").
UZ_DETACHED = re.compile(r"%\(\w+\)[sd]\)? (?:da|dan|ga|gacha|ni|ning|dagi|ka|qa|gi)\b")
UZ_GLUED = re.compile(
    r"%\(\w+\)[sd]\)?(?:'|’|ʼ|-(?!(?:qator|sahifa|surat|dalil|yozuv|versiya|yil|persentil)\w*))\w")
# Uzbek Latin writes oʻ gʻ with U+02BB and the tutuq belgisi with U+02BC, never ' ‘ ’ or `.
UZBEK_APOSTROPHE = re.compile(r"[^\W\d_]['‘’`]")
DECIMAL_POINT = re.compile(r"\d\.\d")

# File columns and values are read in English whatever the page language.
FILE_WORDS = {
    "Columns: item, status (paid or failed), reference, reason. One wrong line and nothing is "
    "recorded; a file imported twice changes nothing.":
        ("item", "status", "paid", "failed", "reference", "reason"),
    "The status must be paid or failed.": ("paid", "failed"),
    "killed and injured are both 0": ("killed", "injured"),
}

# Words the glossary replaces (translations/<code>/glossary.md), with the word it asks for.
REJECTED = {
    "az": {r"\b[Kk]atib": "kargüzar (clerk)", r"[Nn]əzarətçi": "rəhbər (supervisor)",
           r"\bsxem": "proqram (scheme)", r"\biddia": "müraciət (claim)",
           r"\b[Hh]eyvandar\b": "maldar (herder)"},
    "tr": {r"[Oo]naylayıcı": "onay yetkilisi (approver)", r"[Mm]ali işler": "muhasebe (finance)",
           r"[İi]nceleyici": "saha görevlisi (verifier)", r"\bparti": "ödeme listesi (batch)"},
    "tk": {r"[Jj]emgyýetçilik": "oba jemgyýeti (community; jemgyýetçilik reads 'public')",
           r"\b[Gg]özegçi\b": "ýolbaşçy (supervisor)", r"\bshema": "maksatnama (scheme)",
           r"býujet": "býudjet (budget)", r"mukdar": "möçber (amount)",
           r"otrisatel": "noldan kiçi (negative)", r"uzakly[kg]": "uzynlyk (longitude)"},
    "uz": {},
}
# A shepherd is not the herder: the word may only translate "shepherd" or the guarding dog.
SHEPHERD = {"az": r"[Çç]oban", "tr": r"[Çç]oban", "tk": r"[Çç]opan", "uz": r"[Cc]hoʻpon"}


def _entries(code: str):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale=code)
    for message in catalog:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in strings:
            yield source, text or ""


@pytest.mark.parametrize("code", CODES)
def test_no_suffix_is_glued_to_a_placeholder(code):
    pattern = UZ_GLUED if code == "uz" else GLUED_SUFFIX
    found = [text for _, text in _entries(code) if pattern.search(text)]
    assert found == [], "\n".join(found)


def test_no_uzbek_case_ending_stands_after_a_placeholder():
    found = [text for _, text in _entries("uz") if UZ_DETACHED.search(text)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("text", ["%(date)s gacha keladi", "tasdiqlangan %(approved)s dan",
                                  "%(day)s da boshlanadi", "Sizniki %(given)s-si"])
def test_an_uzbek_ending_after_a_placeholder_is_caught(text):
    assert UZ_DETACHED.search(text) or UZ_GLUED.search(text)
    assert not (UZ_DETACHED.search("%(date)s sanasigacha, %(n)s-qator, %(num)d ta")
                or UZ_GLUED.search("%(date)s sanasigacha, %(n)s-qator, %(num)d ta"))


def test_uzbek_writes_its_own_apostrophes():
    found = [text for _, text in _entries("uz") if UZBEK_APOSTROPHE.search(text)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("code", CODES)
def test_decimal_examples_use_the_locale_separator(code):
    assert get_decimal_symbol(code) == ","
    found = [f"{source} → {text}" for source, text in _entries(code)
             if DECIMAL_POINT.search(source) and DECIMAL_POINT.search(text)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("code", CODES)
def test_file_columns_keep_their_english_names(code):
    found = [f"{source} → {text}" for source, text in _entries(code)
             if source in FILE_WORDS and not all(w in text for w in FILE_WORDS[source])]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("code", CODES)
def test_glossary_terms_are_used(code):
    found = []
    for source, text in _entries(code):
        for pattern, wanted in REJECTED[code].items():
            if re.search(pattern, text):
                found.append(f"{text}  (use {wanted})")
        shepherd = re.search(r"shepherd|guarding dog", source, re.I)
        if re.search(SHEPHERD[code], text) and not shepherd:
            found.append(f"{text}  (the herder is not a shepherd: {source})")
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(("code", "text"), [
    ("az", "%(num)s-dən çox müraciət gözləyir"),
    ("tk", "IRR %(bound)s-dan pes"),
    ("tr", "%(count)s'ten fazla"),
])
def test_a_glued_suffix_is_caught(code, text):
    assert GLUED_SUFFIX.search(text)


@pytest.mark.parametrize("text", ["Komissiya yig'ilishi", "a‘zolar", "bo’lgan"])
def test_an_ascii_apostrophe_in_uzbek_is_caught(text):
    assert UZBEK_APOSTROPHE.search(text)
    assert not UZBEK_APOSTROPHE.search("Komissiya yigʻilishi, aʼzolar")
