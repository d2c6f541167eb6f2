"""The analyst's overview in a real browser with a job system, in English and Persian: the
first view says the figures are being computed and offers to look again; after a change the
page shows the last figures with the time they were computed. Every page: no sideways
overflow, axe-core clean, Nu HTML checker clean."""

from __future__ import annotations

import pytest

from conflict_app.analytics import store
from conflict_app.extensions import db
from tests import browser_support as bs
from tests.test_analytics_shared import REDIS_URL, _import, _work

pytestmark = [pytest.mark.browser, pytest.mark.committed,
              pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL=redis://...")]


@pytest.mark.parametrize("locale", ["en", "fa"])
def test_figures_being_computed_then_dated_while_a_job_refreshes_them(
        app, live, chromium_browser, world_committed, visit, locale, tmp_path):
    from conflict_app.jobs.rq_backend import connection

    conn = connection(REDIS_URL)
    conn.flushdb()
    store.clear()
    app.config["REDIS_URL"] = REDIS_URL
    try:
        _import(app, tmp_path, 5)
        db.session.commit()
        analyst = bs.Session(chromium_browser, live, visit, locale)
        analyst.login(world_committed.analyst)
        response = analyst.page.goto(f"{live.url}/analytics/?lang={locale}")
        assert response.status == 503 and response.headers["retry-after"] == "10"
        # No timed refresh (people who read slowly must not lose the page): a button.
        assert analyst.page.locator("meta[http-equiv=refresh]").count() == 0
        assert analyst.page.locator("main a.button").count() == 1
        analyst.check("/analytics/ pending")
        bs.shot(analyst, "analytics-pending")

        _work(conn)
        analyst.goto("/analytics/")
        assert analyst.page.locator("p.notice").count() == 0
        _import(app, tmp_path, 6)
        db.session.commit()
        analyst.goto("/analytics/")
        notice = analyst.page.locator("p.notice[role=status]")
        assert notice.is_visible()
        bs.shot(analyst, "analytics-stale")
        analyst.close()
        bs.assert_clean(visit)
    finally:
        app.config["REDIS_URL"] = None
        store.clear()
        conn.flushdb()
        conn.close()
