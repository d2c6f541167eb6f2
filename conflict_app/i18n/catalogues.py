"""Catalogue maintenance for translators: extract, update, compile and check.

Extraction keeps each message's source files (not line numbers, so editing code elsewhere
causes no churn), message contexts and ``Translators:`` comments, and is sorted by message, so
re-extracting shows no drift unless a string, its context or its files changed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from conflict_app.i18n import LOCALES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
KEYWORDS = ["-k", "_l", "-k", "N_", "-k", "NP_:1,2", "-k", "lazy_gettext", "-k", "_p:1c,2",
            "-k", "_lp:1c,2", "-k", "lazy_pgettext:1c,2"]
TARGET_LOCALES = [code for code in LOCALES if code != "en"]


def catalogue_codes() -> list[str]:
    """Every language to maintain: the offered ones and any catalogue still being written."""
    written = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
    return TARGET_LOCALES + [code for code in written if code not in TARGET_LOCALES]


def _pybabel(*args: str, quiet: bool = False) -> None:
    subprocess.run(  # noqa: S603 - fixed arguments, our own tool
        [sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT,
        capture_output=quiet,
    )


def extract(output: Path = POT) -> None:
    _pybabel("extract", "-F", "babel.cfg", *KEYWORDS, "--add-location=file", "--no-wrap",
             "--sort-output", "--add-comments=Translators:", "--project=Pardus",
             "--copyright-holder=Pardus contributors", "--version=0.1",
             "-o", str(output), ".")


def update() -> None:
    for code in catalogue_codes():
        po = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
        if po.exists():
            before = _read(po, code)
            _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", code,
                     "--no-wrap", "--ignore-obsolete", "--no-fuzzy-matching")
            carry_over(po, code, before)
        else:
            _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", code,
                     "--no-wrap")


def _read(po: Path, code: str) -> Catalog:
    with po.open("rb") as fh:
        return read_po(fh, locale=code)


def carry_over(po: Path, code: str, before: Catalog) -> int:
    """Keep a translation when a message only gained or changed its context.

    Without this, giving "Open" a context would drop every language's translation. When the
    old message now stands for one context only, its translation was made for that use and is
    kept as it is; when it was split into several contexts (the word had two meanings), the
    translation is kept but marked fuzzy, so a translator checks it against each context.
    """
    catalog = _read(po, code)
    uses: dict[object, int] = {}
    for message in catalog:
        if message.id:
            uses[message.id] = uses.get(message.id, 0) + 1
    old: dict[object, Message] = {}
    for message in sorted(before, key=lambda m: (m.fuzzy, m.context is not None)):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and all(strings):
            old.setdefault(message.id, message)
    carried = 0
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not message.id or any(strings) or message.id not in old:
            continue
        source = old[message.id]
        message.string = source.string
        if uses[message.id] > 1 or source.fuzzy:
            message.flags.add("fuzzy")
        carried += 1
    if carried:
        with po.open("wb") as fh:
            write_po(fh, catalog, width=None, ignore_obsolete=True)
    return carried


def compile_all(quiet: bool = False) -> None:
    # Fuzzy entries are never compiled (pybabel skips them without --use-fuzzy).
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics", quiet=quiet)


_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")
_TAG = re.compile(r"</?[a-z][^>]*>")


def _stray_percent(text: str) -> bool:
    """A % that is neither a placeholder nor %% breaks formatting at run time."""
    return "%" in _PLACEHOLDER.sub("", text).replace("%%", "")


def problems(code: str) -> list[str]:
    """Untranslated, fuzzy, placeholder or tag mismatches in one catalogue."""
    po = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return [f"{code}: no catalogue"]
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=code)
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        name = ids[0][:60]
        if message.fuzzy:
            found.append(f"{code}: fuzzy: {name}")
        if any(not s for s in strings):
            found.append(f"{code}: untranslated: {name}")
            continue
        wanted = sorted(_PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            got = sorted(_PLACEHOLDER.findall(s))
            if sorted(set(got)) != sorted(set(wanted)) and not (
                len(ids) > 1 and set(got) <= set(wanted)
            ):
                found.append(f"{code}: placeholders differ: {name}")
            if _stray_percent(s) and not _stray_percent(ids[-1]):
                found.append(f"{code}: write a literal % as %%: {name}")
            if sorted(_TAG.findall(ids[-1])) != sorted(_TAG.findall(s)):
                found.append(f"{code}: HTML tags differ: {name}")
        if len(ids) > 1 and len(strings) != catalog.num_plurals:
            found.append(f"{code}: needs {catalog.num_plurals} plural forms: {name}")
    return found
