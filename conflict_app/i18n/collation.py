"""Alphabetical order as the reader's language has it: CLDR's collation rules through ICU.

Code point order is wrong in most of our languages: Persian پ چ ژ گ come after ی, Turkish Ç
and İ after Z, Kazakh Ә and Қ after Я, Russian Ё before А. Every list of places shown to a
reader is sorted through ``in_reader_order``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

import icu
from flask_babel import get_locale

T = TypeVar("T")


@lru_cache(maxsize=32)
def _collator(locale: str) -> icu.Collator:
    # Collators are costly to build and safe to share for comparing (ICU's const methods).
    return icu.Collator.createInstance(icu.Locale(locale))


def sort_key(locale: str | None = None) -> Callable[[str], bytes]:
    """A key for ``sorted`` ordering text as ``locale`` (the current one by default) does."""
    if locale is None:
        current = get_locale()
        locale = str(current) if current is not None else "en"
    return _collator(locale).getSortKey


def in_reader_order(items: Iterable[T], text: Callable[[T], str]) -> list[T]:
    """``items`` sorted by ``text`` of each, as the current reader's language orders words."""
    key = sort_key()
    return sorted(items, key=lambda item: key(text(item)))
