"""The herder's journey in a real browser at phone width: report → receipt → status, in
English and in Persian (right to left). Every page: no sideways overflow, axe-core clean,
Nu HTML checker clean."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from conflict_app.core import clock
from tests import browser_support as bs

pytestmark = [pytest.mark.browser, pytest.mark.committed]


@pytest.mark.parametrize("locale", ["en", "fa"])
def test_herder_reports_and_follows_the_claim(live, chromium_browser, world_committed, visit,
                                              locale):
    world = world_committed
    herder = bs.Session(chromium_browser, live, visit, locale)
    herder.goto("/")
    herder.goto("/report?country=AM")
    page = herder.page
    page.fill("#name", "Karen Sargsyan")
    page.fill("#phone", "+374 94 111 222")
    page.select_option("#village_id", str(world.shvanidzor_id))
    page.select_option("#setting", "pasture")
    page.fill("#occurred_on", (clock.today() - timedelta(days=1)).isoformat())
    page.select_option("#part_of_day", "evening")
    page.select_option("#species", "sheep")
    page.select_option("#age_class", "adult_female")
    page.fill("#killed", "2")
    page.check("#protection-1")
    herder.submit("main form button[type=submit]")
    herder.check("check your answers")
    assert "Karen Sargsyan" in page.inner_text("main dl")
    herder.submit("main form:last-of-type button[type=submit]")
    herder.check("receipt")
    text = page.inner_text("main")
    reference = re.search(r"AM-\d{4}-\d{6}", text).group(0)
    pin = page.locator("strong.big bdi").nth(1).inner_text().strip()
    assert re.fullmatch(r"\d{6}", pin), pin
    herder.goto("/status")
    page.fill("#reference", reference)
    page.fill("#pin", pin)
    herder.submit("main form button[type=submit]")
    herder.check("status")
    assert page.locator("[aria-current=step]").count() == 1
    herder.close()
    bs.assert_clean(visit)


def test_urdu_pages_are_drawn_in_nastaliq_from_the_app(live, chromium_browser, visit):
    herder = bs.Session(chromium_browser, live, visit, "ur")
    failed = []
    herder.page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    herder.goto("/")
    page = herder.page
    loaded = page.evaluate("""async () => {
        await document.fonts.ready;
        const faces = await document.fonts.load('16px "Pardus Nastaliq"', 'ےہ');
        return faces.map(f => f.family);
    }""")
    assert loaded, "the Nastaliq face was not loaded"
    assert page.evaluate("() => document.fonts.check('16px \"Pardus Nastaliq\"', 'ےہ')")
    family = page.evaluate("() => getComputedStyle(document.querySelector('main')).fontFamily")
    assert family.startswith('"Pardus Nastaliq"'), family
    herder.goto("/status")
    assert not [u for u in failed if "/fonts/" in u], failed
    herder.close()
    bs.assert_clean(visit)
