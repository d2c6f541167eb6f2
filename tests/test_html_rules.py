"""Every page of every role, as the W3C Nu checker and a browser's cache would see it: no
``action=""``, no duplicate ids, a required select starts with an empty choice, and staff
pages with personal data are never stored by a browser or proxy cache."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest

from tests.test_every_route import ROLE_USERS, _urls, _values


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self.empty_actions = 0
        self.bad_selects: list[str] = []
        self._select: tuple[str, bool] | None = None  # (name, required) of an open select
        self._first_option: dict | None = None
        self._option_text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids[a["id"]] += 1
        if tag == "form" and a.get("action") == "":
            self.empty_actions += 1
        if tag == "select":
            needs_blank = "required" in a and "multiple" not in a and int(a.get("size") or 1) <= 1
            self._select = (a.get("name", "?"), needs_blank)
            self._first_option = None
        elif tag == "option" and self._select and self._first_option is None:
            self._first_option = a
            self._option_text = ""

    def handle_data(self, data):
        if self._first_option is not None and self._select:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "option" and self._select and self._first_option is not None:
            name, needs_blank = self._select
            if needs_blank and self._first_option.get("value", self._option_text) != "":
                self.bad_selects.append(f"{name}: {self._first_option!r}")
            self._select = (name, False)  # only the first option counts
        if tag == "select":
            self._select = None


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_every_page_is_valid_html_and_never_cached(app, world, browser_for, role):
    values = _values(world)
    browser = browser_for(getattr(world, ROLE_USERS[role]))
    problems = []
    for endpoint, method, url in _urls(app, values):
        if method != "GET" or endpoint in {"auth.logout", "static"}:
            continue
        response = browser.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        if "no-store" not in response.headers.get("Cache-Control", ""):
            problems.append(f"{url}: Cache-Control {response.headers.get('Cache-Control')}")
        page = _Page()
        page.feed(response.get_data(as_text=True))
        if page.empty_actions:
            problems.append(f'{url}: form action=""')
        problems += [f"{url}: duplicate id {i}" for i, n in page.ids.items() if n > 1]
        problems += [f"{url}: required select without empty first option {s}"
                     for s in page.bad_selects]
    assert not problems, "\n".join(problems)
