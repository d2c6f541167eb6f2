"""A large batch's vouchers are rendered by a job, never inside the web request: the batch
page offers to prepare them, a page follows the job, and the file is for who asked only."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.documents.jobs import purge_runs
from conflict_app.documents.models import VoucherRun
from conflict_app.extensions import db
from conflict_app.jobs.records import QUEUED, RUNNING
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod
from tests.test_documents import Drawn, _clean
from tests.test_page_queries import _paid_claims

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def small_limit(app):
    """Three payees count as a large batch here (the default is 60)."""
    before = app.config["VOUCHERS_IN_REQUEST"]
    app.config["VOUCHERS_IN_REQUEST"] = 2
    yield
    app.config["VOUCHERS_IN_REQUEST"] = before


def _batch(world, n: int = 3):
    claims = _paid_claims(world, n, 0)
    batch = pay.create_batch(world.finance, [c.id for c in claims], PaymentMethod.CASH)
    db.session.commit()
    return batch, claims


def test_a_large_batch_has_its_vouchers_prepared_then_downloaded(app, world, browser_for,
                                                                 small_limit):
    batch, claims = _batch(world)
    finance = browser_for(world.finance)
    at_once = finance.get(f"/documents/payments/batches/{batch.id}/vouchers.pdf")
    assert at_once.status_code == 303  # not rendered inside the request
    page = finance.get(at_once.headers["Location"]).get_data(as_text=True)
    assert "This batch has 3 vouchers" in page and "Prepare all vouchers (PDF)" in page
    response = finance.post(f"/documents/payments/batches/{batch.id}/vouchers?lang=ru")
    assert response.status_code == 303
    # Without Redis the job ran in this process after the commit: the file is ready.
    run_page = finance.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="100"' in run_page and "Look again" not in run_page
    run = db.session.scalars(select(VoucherRun)).one()
    assert run.locale == "ru" and run.items == 3 and run.done == 3
    download = finance.get(f"/documents/vouchers/{run.id}/vouchers.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Cache-Control"] == "no-store"
    text = _clean(Drawn(download.get_data()).text())
    assert all(c.reference in text for c in claims)
    with force_locale("ru"):
        title = gettext("Payment vouchers")
    assert title != "Payment vouchers" and title in text  # in the language of who asked


def test_a_running_job_shows_its_progress_and_offers_to_look_again(app, world, browser_for):
    batch, _claims = _batch(world, 1)
    run = VoucherRun(batch_id=batch.id, user_id=world.finance.id, locale="en", zone="UTC",
                     state=RUNNING, items=200, done=50)
    db.session.add(run)
    db.session.commit()
    page = browser_for(world.finance).get(f"/documents/vouchers/{run.id}").get_data(
        as_text=True)
    assert '<progress id="voucher-progress" max="100" value="25">' in page
    assert "Look again" in page and 'http-equiv="refresh"' not in page  # no timed reload
    assert browser_for(world.finance).get(
        f"/documents/vouchers/{run.id}/vouchers.pdf").status_code == 404  # not yet


def test_only_who_asked_gets_the_vouchers(app, world, browser_for, small_limit):
    batch, _claims = _batch(world)
    finance = browser_for(world.finance)
    finance.post(f"/documents/payments/batches/{batch.id}/vouchers")
    run = db.session.scalars(select(VoucherRun)).one()
    colleague = world.user("finance2@syunik.test", {Role.FINANCE}, "AM", world.syunik.id)
    db.session.commit()
    other = browser_for(colleague)
    assert other.get(f"/documents/vouchers/{run.id}").status_code == 404
    assert other.get(f"/documents/vouchers/{run.id}/vouchers.pdf").status_code == 404
    clerk = browser_for(world.clerk)
    assert clerk.post(f"/documents/payments/batches/{batch.id}/vouchers").status_code == 403
    assert clerk.get(f"/documents/vouchers/{run.id}/vouchers.pdf").status_code == 403


def test_a_small_batch_still_downloads_at_once(app, world, browser_for):
    batch, claims = _batch(world, 2)
    finance = browser_for(world.finance)
    page = finance.get(f"/payments/batches/{batch.id}").get_data(as_text=True)
    assert "All vouchers (PDF)" in page and "Prepare all vouchers" not in page
    response = finance.get(f"/documents/payments/batches/{batch.id}/vouchers.pdf")
    assert response.status_code == 200
    assert claims[1].reference in _clean(Drawn(response.get_data()).text())


def test_rendered_vouchers_are_removed_after_a_day(app, world, small_limit, browser_for):
    batch, _claims = _batch(world)
    browser_for(world.finance).post(f"/documents/payments/batches/{batch.id}/vouchers")
    run = db.session.scalars(select(VoucherRun)).one()
    assert purge_runs() == 0
    run.created_at = clock.now() - timedelta(days=1, minutes=1)
    db.session.commit()
    assert purge_runs() == 1
    assert db.session.scalar(select(func.count(VoucherRun.id))) == 0


@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL=redis://...")
def test_with_a_queue_the_vouchers_wait_for_a_worker(app, world, browser_for, small_limit):
    from rq import SimpleWorker

    from conflict_app.jobs import QUEUES
    from conflict_app.jobs.rq_backend import connection

    conn = connection(REDIS_URL)
    conn.flushdb()
    batch, _claims = _batch(world)
    finance = browser_for(world.finance)
    app.config["REDIS_URL"] = REDIS_URL
    try:
        response = finance.post(f"/documents/payments/batches/{batch.id}/vouchers")
        run = db.session.scalars(select(VoucherRun)).one()
        assert run.state == QUEUED and conn.llen("rq:queue:bulk") == 1
        waiting = finance.get(response.headers["Location"]).get_data(as_text=True)
        assert "Waiting for its turn" in waiting and "Look again" in waiting
        SimpleWorker(list(QUEUES), connection=conn).work(burst=True)
        done = finance.get(response.headers["Location"]).get_data(as_text=True)
        assert "Download the vouchers (PDF)" in done and "Look again" not in done
        assert finance.get(f"/documents/vouchers/{run.id}/vouchers.pdf").status_code == 200
    finally:
        app.config["REDIS_URL"] = None
        conn.flushdb()
        conn.close()


def test_the_api_asks_for_a_run_follows_it_and_downloads_the_file(app, world, api,
                                                                 small_limit):
    batch, claims = _batch(world)
    finance = api(world.finance)
    at_once = finance.get(f"/api/v1/payment-batches/{batch.id}/vouchers.pdf")
    assert at_once.status_code == 409 and "voucher-runs" in at_once.get_json()["detail"]
    asked = finance.post(f"/api/v1/payment-batches/{batch.id}/voucher-runs?lang=ru")
    assert asked.status_code == 202, asked.get_data(as_text=True)
    run = finance.get(asked.headers["Location"]).get_json()
    # Without Redis the job ran after the commit, in this process.
    assert run["state"] == "done" and run["vouchers"] == 3 and run["language"] == "ru"
    pdf = finance.get(run["file"])
    assert pdf.status_code == 200 and pdf.headers["Content-Language"] == "ru"
    assert all(c.reference in _clean(Drawn(pdf.data).text()) for c in claims)
    # Another finance officer, and a clerk, do not follow it.
    colleague = world.user("finance3@syunik.test", {Role.FINANCE}, "AM", world.syunik.id)
    db.session.commit()
    assert api(colleague).get(asked.headers["Location"]).status_code == 404
    assert api(world.clerk).get(run["file"]).status_code == 403


def test_the_api_file_is_not_there_before_the_run_is_done(app, world, api):
    batch, _claims = _batch(world, 1)
    run = VoucherRun(batch_id=batch.id, user_id=world.finance.id, locale="en", zone="UTC",
                     state=RUNNING, items=1)
    db.session.add(run)
    db.session.commit()
    finance = api(world.finance)
    assert finance.get(f"/api/v1/voucher-runs/{run.id}").get_json()["file"] is None
    assert finance.get(f"/api/v1/voucher-runs/{run.id}/vouchers.pdf").status_code == 409
