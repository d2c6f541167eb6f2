"""The receipt and status pages in a real browser at the narrowest phones (320 px), right to
left: the reference and PIN each on one line, the receipt reloads, nothing overflows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conflict_app.core import clock
from tests import browser_support as bs
from tests.conftest import csrf_token

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def _report(app, world) -> str:
    """A herder's report sent by HTTP; returns the session cookie holding its receipt."""
    client = app.test_client()
    url = "/report?country=AM&lang=fa"
    response = client.post(url, data={
        "csrf_token": csrf_token(client, url), "country": "AM", "name": "Karen Sargsyan",
        "phone": "+374 94 111 222", "village_id": str(world.shvanidzor_id),
        "setting": "pasture", "occurred_on": (clock.today() - timedelta(days=1)).isoformat(),
        "part_of_day": "evening", "species": "sheep", "age_class": "adult_female",
        "killed": "2", "protection": "dog"}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session")).value


def _one_line(page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    # An inline element broken over lines (at a hyphen) has one box per line.
    lines = page.locator(selector).evaluate("e => e.getClientRects().length")
    assert lines == 1, (selector, lines)
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box


@pytest.mark.parametrize("locale", ["fa", "ar", "ckb", "ka"])
def test_receipt_at_320_px_keeps_reference_and_pin_whole_and_reloads(
        app, live, chromium_browser, world_committed, visit, locale):
    cookie = _report(app, world_committed)
    herder = bs.Session(chromium_browser, live, visit, locale, viewport={"width": 320,
                                                                         "height": 700})
    herder.context.add_cookies([{"name": app.config.get("SESSION_COOKIE_NAME", "session"),
                                 "value": cookie, "url": live.url}])
    herder.goto("/report/receipt")
    page = herder.page
    _one_line(page, "strong.big.ref >> nth=0")
    _one_line(page, "strong.big.ref >> nth=1")  # the PIN, on the first view only
    reference = page.locator("strong.big.ref bdi").nth(0).inner_text().strip()
    page.reload()
    assert page.locator("strong.big.ref").count() == 1
    assert page.locator("strong.big.ref bdi").inner_text().strip() == reference
    _one_line(page, "strong.big.ref")
    assert not bs.overflow(page)
    herder.close()
