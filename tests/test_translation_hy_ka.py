"""Slips the full reviewer pass of the Armenian and Georgian catalogues found more than once,
checked on every message so they do not come back: Latin punctuation inside Armenian
sentences, and words that drift away from each glossary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
ARMENIAN = "\u0531-\u0587"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")


def _messages(code: str) -> list[tuple[str, str]]:
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs.extend((ids[0], text) for text in strings if text)
    return pairs


def armenian_punctuation_slips(msgid: str, msgstr: str) -> list[str]:
    """Armenian ends a sentence with ։ and separates clauses with ․ (or ՝); a Latin full
    stop, colon or question mark after an Armenian word is a slip. Abbreviations (էլ. փոստ,
    2026 թ.) and the time pattern ԺԺ:ՐՐ are fine."""
    text = PLACEHOLDER.sub("X", msgstr)
    text = re.sub(rf"(^|[^{ARMENIAN}])(էլ|Էլ|թ)\.", r"\1\2", text)
    text = text.replace("ԺԺ:ՐՐ", "")
    found = []
    if re.search(rf"[{ARMENIAN}»)]\.(\s|$)", text):
        found.append("Latin full stop")
    if re.search(rf"[{ARMENIAN}»]:", text):
        found.append("Latin colon")
    if re.search(rf"[{ARMENIAN}]\?", text):
        found.append("Latin question mark")
    return [f"hy: {what}: {msgid}" for what in found]


# (language, pattern that must not appear, why): terms the glossaries fix.
DRIFT = [
    ("hy", rf"(^|[^{ARMENIAN}])[Հհ]այտ(ի|ը|եր|երը|երի|ին)?([^{ARMENIAN}]|$)",
     "a claim is դիմում, not հայտ"),
    ("hy", r"միջադեպ", "an incident is դեպք"),
    ("hy", r"անդորրագ", "a receipt is ստացական"),
    ("ka", r"სქემ", "a scheme is პროგრამა"),
    ("ka", r"ფინანსური განყოფილებ", "finance is ფინანსური სამსახური"),
    ("ka", r"დონორ", "a funder is დამფინანსებელი"),
    ("ka", r"ოჯახ(?!ის უფროს)", "a household is შინამეურნეობა (ოჯახის უფროსი for its head)"),
]


def drift_slips(code: str, msgid: str, msgstr: str) -> list[str]:
    return [f"{code}: {why}: {msgid}" for lang, pattern, why in DRIFT
            if lang == code and re.search(pattern, msgstr)]


def herder_word_slips(code: str, msgid: str, msgstr: str) -> list[str]:
    """The herder (the livestock owner who claims) is not the shepherd (a hired hand, one of
    the protective measures): անասնապահ / მეცხოველე, not հովիվ / მწყემსი."""
    shepherd = {"hy": "հովիվ", "ka": "მწყემს"}[code]
    if shepherd in msgstr and "shepherd" not in msgid.lower() and "herder or guard" not in msgid:
        return [f"{code}: herder translated as shepherd: {msgid}"]
    return []


def test_armenian_sentences_use_armenian_punctuation():
    found = [line for msgid, msgstr in _messages("hy")
             for line in armenian_punctuation_slips(msgid, msgstr)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("code", ["hy", "ka"])
def test_glossary_terms_do_not_drift(code):
    found = [line for msgid, msgstr in _messages(code)
             for line in drift_slips(code, msgid, msgstr) + herder_word_slips(code, msgid, msgstr)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(("msgstr", "what"), [
    ("Չեղարկված է. դիմումը փակված է։", "Latin full stop"),
    ("Պատճենեք թոքենը հիմա, այն այլևս չի ցուցադրվի:", "Latin colon"),
    ("Կորցրե՞լ եք PIN կոդը?", "Latin question mark"),
])
def test_each_armenian_punctuation_slip_is_caught(msgstr, what):
    assert any(what in line for line in armenian_punctuation_slips("x", msgstr))


@pytest.mark.parametrize("msgstr", [
    "Էլ. փոստը կամ գաղտնաբառը սխալ է։",
    "Մուտքագրեք ժամը ԺԺ:ՐՐ ձևաչափով։",
    "Pardus %(ref)s: վճարվել է %(amount)s։",
    "Տասնորդական աստիճաններով, օրինակ՝ 38.948։",
])
def test_right_armenian_punctuation_is_not_flagged(msgstr):
    assert armenian_punctuation_slips("x", msgstr) == []


def test_each_drift_is_caught_and_the_right_words_pass():
    assert drift_slips("hy", "x", "Ընտրեք հայտի տողերից մեկը։")
    assert not drift_slips("hy", "x", "Այլ հայտնի պատճառներով")
    assert drift_slips("ka", "x", "ასეთი ოჯახი არ არსებობს.")
    assert not drift_slips("ka", "x", "შეიყვანეთ ოჯახის უფროსის სახელი.")
    assert herder_word_slips("ka", "Nothing, unless the herder appeals",
                             "თუ მწყემსი არ გაასაჩივრებს")
    assert not herder_word_slips("ka", "Trained shepherd", "მომზადებული მწყემსი")


@pytest.mark.parametrize("code", ["hy", "ka"])
def test_decimals_are_written_with_the_locale_comma(code):
    """Armenian and Georgian write 0,75 (the number fields accept it and show it back so)."""
    found = [msgid for msgid, msgstr in _messages(code) if re.search(r"\d\.\d", msgstr)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("code", ["hy", "ka"])
def test_confirmation_file_values_stay_literal(code):
    """The confirmation file holds the English words paid and failed; the error must name them."""
    texts = dict(_messages(code))
    assert re.search(r"\bpaid\b.*\bfailed\b", texts["The status must be paid or failed."])
