"""Analytics figures at range-wide scale: with a job system, web workers share the computed
figures through Redis and never compute them inside a request. A view after a change shows
the last figures with the time they were computed while a job brings them up to date; the
first view ever says they are being computed instead of running into the worker timeout."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import event

from conflict_app.analytics import store, synthetic
from conflict_app.analytics.landscape import generate
from conflict_app.bundles.writer import write_rows
from conflict_app.extensions import db

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL=redis://...")


def _import(app, tmp_path, seed: int) -> None:
    land = generate(seed, villages=3, design="random", measures={"corral": 0.3})
    path = tmp_path / f"landscape-{seed}"
    write_rows(path, households=land.households, herds=land.herds, measures=land.measures,
               incidents=land.incidents)
    synthetic.ensure_area("AM")
    result = app.test_cli_runner().invoke(args=["import-bundle", str(path)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def queue(app):
    from conflict_app.jobs.rq_backend import connection

    conn = connection(REDIS_URL)
    conn.flushdb()
    store.clear()
    app.config["REDIS_URL"] = REDIS_URL
    try:
        yield conn
    finally:
        app.config["REDIS_URL"] = None
        store.clear()
        conn.flushdb()
        conn.close()


def _work(conn) -> None:  # noqa: ANN001
    from rq import SimpleWorker

    from conflict_app.jobs import QUEUES

    SimpleWorker(list(QUEUES), connection=conn).work(burst=True)


def _species_table(html: str) -> str:
    return re.search(r"<section class=\"card\">.*?</section>", html, re.S).group(0)


def _loss_scans(client, url: str) -> tuple[object, int]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # noqa: ANN001
        # The check of the data (each table's size and newest row) aside.
        if "max(audit_entry.id)" not in statement.lower():
            seen.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return response, sum("join loss_line" in s or "from loss_line" in s for s in seen)


def test_first_view_waits_for_a_job_then_every_worker_reads_the_same_figures(
        app, world, browser_for, tmp_path, queue):
    _import(app, tmp_path, 5)
    analyst = browser_for(world.analyst)
    first, scans = _loss_scans(analyst, "/analytics/")
    assert first.status_code == 503 and scans == 0  # nothing computed inside the request
    assert first.headers["Retry-After"] == "10"
    assert "being computed" in first.get_data(as_text=True)
    again = analyst.get("/analytics/")
    assert again.status_code == 503
    assert queue.llen("rq:queue:bulk") == 2  # the overview and the map, each queued once

    _work(queue)
    shown, scans = _loss_scans(analyst, "/analytics/")
    assert shown.status_code == 200 and scans == 0
    html = shown.get_data(as_text=True)
    assert "being brought up to date" not in html
    # Another web worker (nothing in its memory) reads the figures from Redis.
    store._LOCAL.clear()
    other, scans = _loss_scans(analyst, "/analytics/")
    assert other.status_code == 200 and scans == 0
    assert _species_table(other.get_data(as_text=True)) == _species_table(html)

    # The data change: the page shows the last figures, says when they were computed,
    # and a job brings them up to date.
    _import(app, tmp_path, 6)
    stale, scans = _loss_scans(analyst, "/analytics/")
    assert stale.status_code == 200 and scans == 0
    stale_html = stale.get_data(as_text=True)
    assert "being brought up to date" in stale_html
    assert _species_table(stale_html) == _species_table(html)
    assert queue.llen("rq:queue:bulk") == 2
    _work(queue)
    fresh = analyst.get("/analytics/").get_data(as_text=True)
    assert "being brought up to date" not in fresh
    assert _species_table(fresh) != _species_table(html)


def test_the_api_answers_503_with_retry_after_until_the_figures_exist(
        app, world, tmp_path, queue, api):
    _import(app, tmp_path, 5)
    client = api(world.analyst)
    pending = client.get("/api/v1/analytics/effectiveness")
    assert pending.status_code == 503
    assert pending.headers["Content-Type"] == "application/problem+json"
    assert pending.headers["Retry-After"] == "10"
    _work(queue)
    answered = client.get("/api/v1/analytics/effectiveness")
    assert answered.status_code == 200
    assert {row["measure"] for row in answered.get_json()} >= {"corral"}


def test_a_measure_page_in_another_worker_reads_small_kept_figures(
        app, world, browser_for, tmp_path, queue):
    """The job keeps what the measure page shows (event study, displacement), not the
    household-month panel, so another worker reads a few kilobytes and computes nothing."""
    _import(app, tmp_path, 5)
    analyst = browser_for(world.analyst)
    assert analyst.get("/analytics/effectiveness").status_code == 503
    _work(queue)
    keys = [k for k in queue.scan_iter("pardus:analytics:*") if b"lock" not in k]
    assert keys and max(queue.strlen(k) for k in keys) < 200_000
    store._LOCAL.clear()
    page, scans = _loss_scans(analyst, "/analytics/measures/corral")
    assert page.status_code == 200 and scans == 0
    html = page.get_data(as_text=True)
    assert "Displacement to untreated neighbours" in html
    assert "Effect by time since installation" in html


def test_the_command_line_computes_what_no_job_has_yet_and_shares_it(
        app, world, tmp_path, queue):
    """Only web requests wait for the job: an operator's command answers at once (it is
    not a request that could run into the worker timeout), and its result serves the web."""
    _import(app, tmp_path, 5)
    result = app.test_cli_runner().invoke(args=["analytics", "effectiveness",
                                                "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "corral" in result.output
    assert queue.llen("rq:queue:bulk") == 0
    from conflict_app.analytics import service
    from conflict_app.cli import _RangeWide

    store._LOCAL.clear()  # another process: what it finds in Redis
    scope = store.Scope.of(_RangeWide())
    kept = store.read(service._key(scope, None, "confirmed_probable", "effectiveness"))
    assert kept is not None and kept.value["results"]


def test_the_incident_grid_download_waits_for_the_same_job_as_the_map(
        app, world, browser_for, tmp_path, queue):
    _import(app, tmp_path, 5)
    analyst = browser_for(world.analyst)
    first = analyst.get("/exports/incidents.geojson")
    assert first.status_code == 503 and first.headers["Retry-After"] == "10"
    assert "being computed" in first.get_data(as_text=True)
    assert queue.llen("rq:queue:bulk") == 1  # the map's grid, queued once
    _work(queue)
    ready = analyst.get("/exports/incidents.geojson")
    assert ready.status_code == 200 and ready.get_json()["type"] == "FeatureCollection"
    # The map page reads the same grid the download made: only the overview is queued.
    assert analyst.get("/analytics/").status_code == 503
    assert queue.llen("rq:queue:bulk") == 1


def test_the_regional_aggregate_waits_for_a_job_on_the_page_and_in_the_api(
        app, world, browser_for, tmp_path, queue, api):
    _import(app, tmp_path, 5)
    analyst = browser_for(world.analyst)
    first = analyst.get("/exports/aggregate.csv")
    assert first.status_code == 503 and first.headers["Retry-After"] == "10"
    client = api(world.analyst)
    db.session.commit()
    pending = client.get("/api/v1/exports/aggregate.csv")
    assert (pending.status_code == 503
            and pending.headers["Content-Type"] == "application/problem+json")
    assert queue.llen("rq:queue:bulk") == 1  # one count for both
    _work(queue)
    store._LOCAL.clear()  # another worker: it reads what the job kept
    page = analyst.get("/exports/aggregate.csv").get_data(as_text=True)
    assert page.startswith("country,region,year,species") and "\nAM," in page
    assert client.get("/api/v1/exports/aggregate.csv").get_data(as_text=True) == page
