"""Place names as the reader says them: countries in the user's language (CLDR's territory
names through Babel), and the country a herder most likely reports from."""

from __future__ import annotations

from collections.abc import Iterable

from flask import session
from flask_babel import get_locale

from conflict_app.geo.data import COUNTRIES, READERS
from conflict_app.i18n.collation import in_reader_order

# Languages spoken as the main language of one range state: that state is the first guess.
# Russian (spoken across Central Asia and the Caucasus) and English guess nothing.
_EXTRA_HOMES = {"ckb": "IQ"}
_SHARED = frozenset({"en", "ru"})
_LAST_CHOICE = "report_country"


def country_name(code: str) -> str:
    """The country's name in the current language, its stored English name otherwise."""
    locale = get_locale()
    names = locale.territories if locale is not None else {}
    return names.get(code) or dict((c, n) for c, n, *_rest in COUNTRIES).get(code, code)


def place_name(place, locale: str | None = None) -> str:  # noqa: ANN001
    """A province's, district's or village's name as the reader says it: in the country's
    own language and script for readers of that language (``Շվանիձոր`` in Armenian), the
    reference name otherwise. ``locale``: the reader's (an SMS in the household's
    language); the current one by default."""
    local = getattr(place, "local_name", None)
    if not local:
        return place.name
    if locale is None:
        current = get_locale()
        locale = str(current) if current is not None else None
    return local if locale in READERS.get(place.country_code, ()) else place.name


# Languages written in Arabic script separate list items with the Arabic comma.
_ARABIC_COMMA = frozenset({"ar", "fa", "fa_AF", "ckb", "ur", "ps"})


def list_separator() -> str:
    """", " — or "، " in languages written in Arabic script (a village and its district)."""
    current = get_locale()
    return "، " if current is not None and str(current) in _ARABIC_COMMA else ", "


def sorted_by_name(codes: Iterable[str]) -> list[tuple[str, str]]:
    """``(code, name)`` pairs sorted by the name the reader sees."""
    return in_reader_order([(code, country_name(code)) for code in codes], lambda p: p[1])


def home_country(language: str) -> str | None:
    homes: dict[str, list[str]] = {}
    for code, _name, _currency, default_locale in COUNTRIES:
        homes.setdefault(default_locale, []).append(code)
    if language in _SHARED:
        return None
    if language in _EXTRA_HOMES:
        return _EXTRA_HOMES[language]
    found = homes.get(language, [])
    return found[0] if len(found) == 1 else None


def preselected_country(available: set[str]) -> str | None:
    """The herder's last choice, else the state where their language is spoken, else none:
    never a foreign default."""
    last = session.get(_LAST_CHOICE)
    if last in available:
        return last
    guess = home_country(str(get_locale()))
    return guess if guess in available else None


def remember_country(code: str) -> None:
    session[_LAST_CHOICE] = code
