"""A pseudo-locale run: every translatable string is wrapped in markers, every page is
rendered, and any English words left outside the markers are strings nobody marked for
translation."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.dates import get_day_names, get_month_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import url_for
from sqlalchemy import String, select

from conflict_app.core.money import CURRENCIES
from conflict_app.extensions import db
from conflict_app.i18n import LOCALES, catalogues, native_name
from tests import helpers
from tests.test_every_route import ROLE_USERS, _values


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    # Machine strings (keys, codes) are not interface text.
    SKIP = {"script", "style", "code", "svg"}

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        for name, value in attrs:
            if name in {"alt", "title", "aria-label", "placeholder"} and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


@pytest.fixture
def pseudo(app, tmp_path):
    """Serve English from a catalogue whose every entry is wrapped in ⟦ ⟧."""
    with catalogues.POT.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(f"⟦{message.id[0]}⟧" if i == 0 else f"⟦{message.id[1]}⟧"
                                   for i in range(2))
        else:
            message.string = f"⟦{message.id}⟧"
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as fh:
        write_mo(fh, catalog)
    config = app.extensions["babel"]
    original = config.translation_directories
    config.translation_directories = [str(tmp_path)]
    config.instance.domain_instance.cache.clear()
    yield
    config.translation_directories = original
    config.instance.domain_instance.cache.clear()


def _data_words() -> set[str]:
    """Words that come from data, not from the interface."""
    words: set[str] = set()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)).all():
            for value in row:
                if value:
                    words.update(re.findall(r"[A-Za-z]{3,}", str(value)))
    for width in ("wide", "abbreviated"):
        words.update(get_month_names(width, locale="en").values())
        words.update(get_day_names(width, locale="en").values())
    words.update({"PM", "AM"})
    words.update(CURRENCIES)  # ISO codes are the same in every language
    words.update({"CSV", "XLSX", "GeoJSON", "JSON", "PDF"})  # file format names
    words.update({"ODK", "Central", "KoboToolbox"})  # the field-form servers' product names
    for code in LOCALES:  # the language chooser names each language in its own script
        words.update(re.findall(r"[A-Za-z]{3,}", native_name(code)))
    return {w.lower() for w in words}


def test_no_unmarked_english_on_any_page(app, world, browser_for, pseudo):
    values = _values(world)
    helpers.household(world, name="Pseudo")
    allowed = _data_words()
    found: dict[str, set[str]] = {}
    for role, attr in ROLE_USERS.items():
        browser = browser_for(getattr(world, attr))
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            with app.test_request_context():
                url = url_for(rule.endpoint, **{a: values.get(a, 1) for a in rule.arguments})
            response = browser.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                response.close()
                continue
            parser = _Text()
            parser.feed(response.get_data(as_text=True))
            response.close()
            text = " ".join(parser.parts)
            # Translated words inside translated sentences nest: strip from the inside out.
            while (stripped := re.sub(r"⟦[^⟦⟧]*⟧", " ", text)) != text:
                text = stripped
            for word in re.findall(r"[A-Za-z]{3,}", text):
                if word.lower() not in allowed:
                    found.setdefault(word, set()).add(f"{role.value}:{rule.endpoint}")
    assert not found, {w: sorted(p)[:3] for w, p in sorted(found.items())}
