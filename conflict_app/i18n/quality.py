"""Checks a reviewer would make on every catalogue, beyond completeness.

``catalogues.problems`` finds what breaks at run time (untranslated, fuzzy, placeholders);
this module finds what reads wrong: a copy of another language's text, letters of the wrong
script, English left behind, Latin punctuation or mixed digits in right-to-left sentences,
plural forms that drop their number, and whatever the ``dennis`` linter reports.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from conflict_app.i18n.catalogues import TRANSLATIONS, catalogue_codes

RTL_CODES = frozenset({"ar", "fa", "fa_AF", "ckb", "ur", "ps"})
LATIN_SCRIPT = frozenset({"az", "tk", "tr", "uz"})
CYRILLIC_SCRIPT = frozenset({"ru", "kk", "tg"})
# Languages close enough to share whole sentences (Persian and Dari).
KIN = [frozenset({"fa", "fa_AF"})]

_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd%]|\{[a-z_]*\}")
_TAG = re.compile(r"</?[a-z][^>]*>|&[a-z]+;")
# Words that stay in Latin letters in every language: the product, codes and units people
# see as they are (PIN and SMS are on the herder's phone, the others are standards).
LATIN_WORDS = re.compile(
    r"\b(Pardus|PIN|SMS|GPS|DNA|JPEG|PNG|WebP|PDF|CSV|JSON Feed|Atom|JSON|XLSForm|ODK Central|ODK|"
    r"KoboToolbox|"
    r"KoBoToolbox|XLSX|IBAN|E\.164|UTC|USD|IRR|BACI|TOTP|QR|URL|API|ID|HTML|STATUS|PIN-?|OK|"
    r"Standard Webhooks|EarthRanger|SMART|"
    r"[A-Z]{2,3}(?:-[0-9A-Z-]+)?|[a-z0-9._-]+@[a-z0-9.-]+|https?://\S+|https?|"
    r"[a-z_]+\.[a-z]{2,4})\b|/[a-z]+/")  # the last: a path in an address, e.g. /projects/
ARABIC_YEH_KAF = re.compile("[\u064a\u0643\u0649]")  # ي ك ى
# Pashto has its own ي (U+064A) at the end of a word; ك ى گ and a medial ي are wrong there.
PASHTO_WRONG = re.compile("[\u0643\u0649\u06af]|\u064a(?=[\u0620-\u064a\u066e-\u06d3])")
LATIN_DIGITS = re.compile("[0-9]")
NATIVE_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
CYRILLIC = re.compile("[\u0400-\u04ff]")
LATIN = re.compile("[A-Za-z]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# Column names of the files people exchange, and terms kept in Latin in Cyrillic text.
KEPT_LATIN = re.compile(r"\b([A-D]|[a-z]+_[a-z_]+|zip|GeoJSON|Score|killed|injured|item|status|"
                        r"paid|failed|reference|reason|id|x|y|date|dateTime)\b")
# Entries that are the same in English and the language on purpose.
SAME_AS_ENGLISH = {"Pardus", "SMS", "GPS", "PIN"}
SAME_AS_ENGLISH_IN = {
    code: {"Administrator", "Bank", "Median", "region", "IRR (95 %% interval)", "Model",
           "Status", "Server", "Form"}
    for code in ("az", "tk", "tr", "uz")
}
# Proper names transliterated, which Latin-script languages may spell as English does
# (Afghan month names: "Hamal", "Mizan").
NAME_CONTEXTS = ("Afghan Solar Hijri month",)
# Names that every language of one script writes alike.
SHARED_NAMES = {"Alborz–Kopet Dagh", "Zagros", "Caucasus", "Pardus"}
# Plural forms that may leave the number out ("one year", Arabic "two years").
NUMBERLESS_FORMS = {"ar": {0, 1, 2}, "ru": set()}


def _read(code: str) -> Catalog | None:
    po = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return None
    with po.open("rb") as fh:
        return read_po(fh, locale=code)


def _strings(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _ids(message: Message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _bare(text: str) -> str:
    """The words of a message: no placeholders, tags or words kept in Latin on purpose."""
    return LATIN_WORDS.sub(" ", _TAG.sub(" ", _PLACEHOLDER.sub(" ", text)))


def _entries(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id and any(_strings(m)))


def script_problems(code: str, catalog: Catalog) -> list[str]:
    """Letters of another script, RTL punctuation and digits, English left in place."""
    found = []
    for message in _entries(catalog):
        msgid = _ids(message)[0][:60]

        def name(what: str, msgid: str = msgid) -> str:
            return f"{code}: {what}: {msgid}"
        for text in _strings(message):
            bare = _bare(text)
            if code in RTL_CODES:
                wrong = PASHTO_WRONG if code == "ps" else ARABIC_YEH_KAF
                if code != "ar" and wrong.search(text):
                    found.append(name("Arabic letter where the language has its own"))
                if ";" in _PLACEHOLDER.sub("", text):
                    found.append(name("Latin ';' in a right-to-left sentence (use ؛)"))
                if LATIN_DIGITS.search(bare) and NATIVE_DIGITS.search(bare):
                    found.append(name("Latin and native digits mixed"))
            if code in LATIN_SCRIPT and CYRILLIC.search(text):
                found.append(name("Cyrillic letter in a Latin-script language"))
            if code in CYRILLIC_SCRIPT and LATIN.search(KEPT_LATIN.sub(" ", bare)):
                found.append(name("Latin letters in a Cyrillic-script language"))
        msgid = _ids(message)[0]
        allowed = SAME_AS_ENGLISH | SHARED_NAMES | SAME_AS_ENGLISH_IN.get(code, set())
        if (_strings(message)[0] == msgid and ENGLISH_WORD.search(_bare(msgid))
                and msgid not in allowed
                and not (message.context or "").startswith(NAME_CONTEXTS)):
            found.append(f"{code}: left in English: {msgid[:60]}")
    return found


def plural_problems(code: str, catalog: Catalog) -> list[str]:
    """Every plural form but a language's "one" keeps the number it counts."""
    found = []
    for message in _entries(catalog):
        ids = _ids(message)
        if len(ids) < 2:
            continue
        wanted = set(_PLACEHOLDER.findall(ids[1]))
        for index, text in enumerate(_strings(message)):
            got = set(_PLACEHOLDER.findall(text))
            if got - wanted:
                found.append(f"{code}: plural form {index} has unknown placeholders: "
                             f"{ids[0][:60]}")
            may_drop = NUMBERLESS_FORMS.get(code, {0})
            if "%(num)s" in wanted and "%(num)s" not in got and index not in may_drop:
                found.append(f"{code}: plural form {index} drops the number: {ids[0][:60]}")
    return found


def copied_problems(catalogs: dict[str, Catalog]) -> list[str]:
    """A sentence identical to another language's is almost always a copy left in place."""
    by_text: dict[tuple[object, str], list[str]] = {}
    for code, catalog in catalogs.items():
        for message in _entries(catalog):
            text = _strings(message)[0]
            words = ENGLISH_WORD.findall(_bare(text)) or re.findall(r"\w{3,}", _bare(text))
            if len(words) < 3 or text == _ids(message)[0] or _ids(message)[0] in SHARED_NAMES:
                continue
            by_text.setdefault((message.id, message.context or "", text), []).append(code)
    found = []
    for (msgid, _context, _text), codes in sorted(by_text.items(), key=str):
        if len(codes) > 1 and frozenset(codes) not in KIN:
            first = msgid if isinstance(msgid, str) else msgid[0]
            found.append(f"{'/'.join(codes)}: same text in several languages: {first[:60]}")
    return found


def _dennis() -> str | None:
    return shutil.which("dennis-cmd", path=str(Path(sys.executable).parent)) or \
        shutil.which("dennis-cmd")


def dennis_available() -> bool:
    return _dennis() is not None


def dennis_problems(code: str) -> list[str]:
    """The Mozilla ``dennis`` linter's errors (warnings are style and left to reviewers)."""
    po = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    command = _dennis()
    if command is None:
        return [f"{code}: dennis is not installed (pip install dennis)"]
    result = subprocess.run(  # noqa: S603 - our own catalogue, a fixed tool
        [command, "lint", "--errorsonly", str(po)], capture_output=True, text=True,
        check=False)
    if result.returncode == 0:
        return []
    output = (result.stdout + result.stderr).splitlines()
    errors = [line.strip() for line in output if re.search(r"\bE\d{3}\b", line)]
    return [f"{code}: dennis: {line}" for line in errors] or \
        [f"{code}: dennis failed: {' '.join(output[-3:])}"]


def problems(codes: list[str] | None = None, lint: bool = True) -> list[str]:
    codes = codes or catalogue_codes()
    catalogs = {code: c for code in codes if (c := _read(code)) is not None}
    found: list[str] = []
    for code, catalog in catalogs.items():
        found += script_problems(code, catalog)
        found += plural_problems(code, catalog)
        if lint:
            found += dennis_problems(code)
    found += copied_problems(catalogs)
    return found
