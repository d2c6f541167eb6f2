"""A claims or payments export too large for one request is written by a job: the exports
page offers to prepare it, a page follows the job, and the file is for who asked only.

Before, a province of half a million claims streamed at about 600 rows a second inside the
request, and the web worker's 30-second timeout cut the file off after some 18,000 rows."""

from __future__ import annotations

import csv
import gzip
import io
import os
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.exports.jobs import purge_runs
from conflict_app.exports.models import ExportRun
from conflict_app.extensions import db
from conflict_app.jobs.records import QUEUED
from tests import helpers
from tests.test_page_queries import _paid_claims

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def small_limit(app):
    """Two rows count as a large export here (the default is 10,000)."""
    before = app.config["EXPORT_ROWS_IN_REQUEST"]
    app.config["EXPORT_ROWS_IN_REQUEST"] = 2
    yield
    app.config["EXPORT_ROWS_IN_REQUEST"] = before


def _claims(world, n: int = 3) -> list:
    claims = [helpers.report(world, hh=helpers.household(world, name=f"Herder {k}"))[0]
              for k in range(n)]
    db.session.commit()
    return claims


def test_a_large_claims_export_is_prepared_then_downloaded(app, world, browser_for,
                                                           small_limit):
    claims = _claims(world)
    clerk = browser_for(world.clerk)
    at_once = clerk.get("/exports/claims.csv")
    assert at_once.status_code == 303  # not written inside the request
    page = clerk.get(at_once.headers["Location"]).get_data(as_text=True)
    assert "This export has 3 rows" in page and "Prepare the file (CSV)" in page
    response = clerk.post("/exports/runs", data={"table": "claims", "format": "csv"})
    assert response.status_code == 303
    # Without Redis the job ran in this process after the commit: the file is ready.
    run_page = clerk.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="100"' in run_page and "Look again" not in run_page
    assert "Download the file (CSV)" in run_page
    run = db.session.scalars(select(ExportRun)).one()
    assert run.rows == 3 and len(run.data) < 2000  # kept compressed
    download = clerk.get(f"/exports/runs/{run.id}/file")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.headers["Cache-Control"] == "private, no-store"
    assert "pardus-claims-" in download.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert sorted(r["reference"] for r in rows) == sorted(c.reference for c in claims)
    assert {r["household"] for r in rows} == {"Herder 0", "Herder 1", "Herder 2"}
    assert gzip.decompress(run.data).decode() == download.get_data(as_text=True)

    spreadsheet = clerk.post("/exports/runs", data={"table": "claims", "format": "xlsx"})
    xlsx_run = db.session.get(ExportRun, int(spreadsheet.headers["Location"].rsplit("/", 1)[1]))
    book = load_workbook(io.BytesIO(clerk.get(f"/exports/runs/{xlsx_run.id}/file").get_data()))
    assert book.active.max_row == 4  # the header and the three claims


def test_a_large_payments_export_is_prepared_for_finance(app, world, browser_for,
                                                         small_limit):
    from conflict_app.payments import operations as pay
    from conflict_app.payments.models import PaymentMethod

    claims = _paid_claims(world, 3, 0)
    pay.create_batch(world.finance, [c.id for c in claims], PaymentMethod.CASH)
    db.session.commit()
    finance = browser_for(world.finance)
    assert finance.get("/exports/payments.xlsx").status_code == 303
    response = finance.post("/exports/runs", data={"table": "payments", "format": "csv"})
    run = db.session.get(ExportRun, int(response.headers["Location"].rsplit("/", 1)[1]))
    text = finance.get(f"/exports/runs/{run.id}/file").get_data(as_text=True)
    assert all(c.reference in text for c in claims)


def test_only_who_asked_gets_the_file_and_only_for_tables_their_role_sees(
        app, world, browser_for, small_limit):
    _claims(world)
    clerk = browser_for(world.clerk)
    clerk.post("/exports/runs", data={"table": "claims", "format": "csv"})
    run = db.session.scalars(select(ExportRun)).one()
    colleague = world.user("clerk2@syunik.test", {Role.CLERK}, "AM", world.syunik.id)
    db.session.commit()
    other = browser_for(colleague)
    assert other.get(f"/exports/runs/{run.id}").status_code == 404
    assert other.get(f"/exports/runs/{run.id}/file").status_code == 404
    # A clerk may not have the payments table written; an analyst no table at all.
    assert clerk.post("/exports/runs", data={"table": "payments",
                                             "format": "csv"}).status_code == 403
    assert browser_for(world.analyst).post(
        "/exports/runs", data={"table": "claims", "format": "csv"}).status_code == 403
    assert clerk.post("/exports/runs", data={"table": "household",
                                             "format": "csv"}).status_code == 400
    assert clerk.post("/exports/runs", data={"table": "claims",
                                             "format": "pdf"}).status_code == 400
    assert db.session.scalar(select(func.count(ExportRun.id))) == 1  # nothing else made


def test_a_small_export_still_downloads_at_once(app, world, browser_for):
    claims = _claims(world, 2)
    clerk = browser_for(world.clerk)
    page = clerk.get("/exports/").get_data(as_text=True)
    assert "Prepare the file" not in page
    response = clerk.get("/exports/claims.csv")
    assert response.status_code == 200 and claims[1].reference in response.get_data(
        as_text=True)


def test_prepared_exports_are_removed_after_a_day(app, world, small_limit, browser_for):
    _claims(world)
    browser_for(world.clerk).post("/exports/runs", data={"table": "claims", "format": "csv"})
    run = db.session.scalars(select(ExportRun)).one()
    assert purge_runs() == 0
    run.created_at = clock.now() - timedelta(days=1, minutes=1)
    db.session.commit()
    assert purge_runs() == 1
    assert db.session.scalar(select(func.count(ExportRun.id))) == 0


@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL=redis://...")
def test_with_a_queue_the_export_waits_for_a_worker(app, world, browser_for, small_limit):
    from rq import SimpleWorker

    from conflict_app.jobs import QUEUES
    from conflict_app.jobs.rq_backend import connection

    conn = connection(REDIS_URL)
    conn.flushdb()
    _claims(world)
    clerk = browser_for(world.clerk)
    app.config["REDIS_URL"] = REDIS_URL
    try:
        response = clerk.post("/exports/runs", data={"table": "claims", "format": "xlsx"})
        run = db.session.scalars(select(ExportRun)).one()
        assert run.state == QUEUED and conn.llen("rq:queue:bulk") == 1
        waiting = clerk.get(response.headers["Location"]).get_data(as_text=True)
        assert "Waiting for its turn" in waiting and "Look again" in waiting
        SimpleWorker(list(QUEUES), connection=conn).work(burst=True)
        done = clerk.get(response.headers["Location"]).get_data(as_text=True)
        assert "Download the file (XLSX)" in done and "Look again" not in done
        assert clerk.get(f"/exports/runs/{run.id}/file").status_code == 200
    finally:
        app.config["REDIS_URL"] = None
        conn.flushdb()
        conn.close()


def test_the_api_asks_for_an_export_run_follows_it_and_downloads_the_file(
        app, world, api, small_limit):
    claims = _claims(world)
    clerk = api(world.clerk)
    at_once = clerk.get("/api/v1/exports/claims.csv")
    assert at_once.status_code == 409 and "export-runs" in at_once.get_json()["detail"]
    assert clerk.get("/api/v1/exports/claims.xlsx").status_code == 409
    asked = clerk.post("/api/v1/export-runs", json={"table": "claims", "format": "csv"})
    assert asked.status_code == 202, asked.get_data(as_text=True)
    run = clerk.get(asked.headers["Location"]).get_json()
    # Without Redis the job ran after the commit, in this process.
    assert run["state"] == "done" and run["rows"] == 3 and run["table"] == "claims"
    text = clerk.get(run["file"]).get_data(as_text=True)
    assert all(c.reference in text for c in claims)
    # A table the role may not see, and a malformed ask, change nothing.
    assert clerk.post("/api/v1/export-runs",
                      json={"table": "payments", "format": "csv"}).status_code == 403
    assert clerk.post("/api/v1/export-runs",
                      json={"table": "claims", "format": "pdf"}).status_code == 422
    assert db.session.scalar(select(func.count(ExportRun.id))) == 1
    # Another clerk does not follow it; an analyst may not have the table at all.
    colleague = world.user("clerk3@syunik.test", {Role.CLERK}, "AM", world.syunik.id)
    db.session.commit()
    assert api(colleague).get(asked.headers["Location"]).status_code == 404
    assert api(colleague).get(run["file"]).status_code == 404
    assert api(world.analyst).get(run["file"]).status_code == 404


def test_the_api_file_is_not_there_before_the_run_is_done(app, world, api):
    run = ExportRun(user_id=world.clerk.id, table="claims", format="csv", state=QUEUED,
                    rows=20_000)
    db.session.add(run)
    db.session.commit()
    clerk = api(world.clerk)
    assert clerk.get(f"/api/v1/export-runs/{run.id}").get_json()["file"] is None
    assert clerk.get(f"/api/v1/export-runs/{run.id}/file").status_code == 409
    page = clerk.get(f"/api/v1/export-runs/{run.id}").get_json()
    assert page["state"] == "queued" and page["rows"] == 20_000
