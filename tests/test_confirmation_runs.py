"""A long confirmation file is recorded by a job, never inside the upload request: the
upload answers at once with a page that follows the job, then says what was recorded, or
which line stopped the file (nothing recorded), in the uploader's language."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from conflict_app.claims.workflow import State
from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.payments import confirmation_runs
from conflict_app.payments import operations as pay
from conflict_app.payments.models import ConfirmationRun, PaymentMethod
from tests import helpers
from tests.test_page_queries import _paid_claims

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def short_limit(app):
    """Three lines count as a long file here (the default is 100)."""
    before = app.config["CONFIRMATIONS_IN_REQUEST"]
    app.config["CONFIRMATIONS_IN_REQUEST"] = 2
    yield
    app.config["CONFIRMATIONS_IN_REQUEST"] = before


def _released(world, n: int = 3):
    claims = _paid_claims(world, n, 0)
    batch = pay.create_batch(world.finance, [c.id for c in claims], PaymentMethod.CASH)
    pay.export_batch(world.finance, batch.id)
    db.session.commit()
    return batch, claims


def _upload(finance, batch, lines: list[str], lang: str = "en"):
    text = "item,status,reference,reason\n" + "".join(f"{line}\n" for line in lines)
    return finance.post(f"/payments/batches/{batch.id}/confirmations?lang={lang}",
                        data={"file": (io.BytesIO(text.encode()), "results.csv")},
                        content_type="multipart/form-data")


def test_a_long_file_is_recorded_by_a_job_and_its_page_says_what(world, browser_for,
                                                                 short_limit):
    batch, claims = _released(world)
    finance = browser_for(world.finance)
    items = batch.live_items()
    response = _upload(finance, batch, [f"{items[0].id},paid,TX-1,",
                                        f"{items[1].id},paid,TX-2,",
                                        f"{items[2].id},failed,,account closed"])
    assert response.status_code == 303
    # Without Redis the job ran in this process after the commit.
    page = finance.get(response.headers["Location"]).get_data(as_text=True)
    assert "Recorded" in page and "2 paid, 1 failed" in page and "Look again" not in page
    assert [helpers.reload(c).state for c in claims] == [State.PAID, State.PAID,
                                                         State.APPROVED]
    run = db.session.scalars(select(ConfirmationRun)).one()
    assert run.text is None  # the file is not kept once read


def test_a_bad_line_stops_the_file_and_is_named_in_the_uploaders_language(
        world, browser_for, short_limit):
    batch, claims = _released(world)
    finance = browser_for(world.finance)
    items = batch.live_items()
    response = _upload(finance, batch, [f"{items[0].id},paid,TX-1,",
                                        f"{items[1].id},paid,TX-2,",
                                        f"{items[2].id},lost,,"], lang="ru")
    page = finance.get(response.headers["Location"]).get_data(as_text=True)
    with force_locale("ru"):
        problem = gettext("The status must be paid or failed.")
        nothing = gettext("Nothing was recorded")
    assert problem != "The status must be paid or failed." and problem in page
    assert nothing in page
    assert all(helpers.reload(c).state == State.PAYMENT_SCHEDULED for c in claims)


def test_a_short_file_is_still_recorded_at_once(world, browser_for):
    batch, claims = _released(world, 2)
    finance = browser_for(world.finance)
    items = batch.live_items()
    response = _upload(finance, batch, [f"{i.id},paid,TX-{i.id}," for i in items])
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/payments/batches/{batch.id}")
    assert db.session.scalar(select(func.count(ConfirmationRun.id))) == 0


def test_only_the_uploader_follows_the_run(world, browser_for, short_limit):
    batch, _claims = _released(world)
    finance = browser_for(world.finance)
    items = batch.live_items()
    response = _upload(finance, batch, [f"{i.id},paid,TX-{i.id}," for i in items])
    url = response.headers["Location"]
    colleague = world.user("finance4@syunik.test", {Role.FINANCE}, "AM", world.syunik.id)
    db.session.commit()
    assert browser_for(colleague).get(url).status_code == 404
    assert browser_for(world.clerk).get(url).status_code == 403
    assert confirmation_runs.purge_runs() == 0
    run = db.session.scalars(select(ConfirmationRun)).one()
    run.created_at = clock.now() - timedelta(days=1, minutes=1)
    db.session.commit()
    assert confirmation_runs.purge_runs() == 1


@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL=redis://...")
def test_with_a_queue_the_file_waits_for_a_worker(app, world, browser_for, short_limit):
    from rq import SimpleWorker

    from conflict_app.jobs import QUEUES
    from conflict_app.jobs.rq_backend import connection

    conn = connection(REDIS_URL)
    conn.flushdb()
    batch, claims = _released(world)
    finance = browser_for(world.finance)
    app.config["REDIS_URL"] = REDIS_URL
    try:
        response = _upload(finance, batch, [f"{i.id},paid,TX-{i.id},"
                                            for i in batch.live_items()])
        assert conn.llen("rq:queue:bulk") == 1
        assert all(helpers.reload(c).state == State.PAYMENT_SCHEDULED for c in claims)
        waiting = finance.get(response.headers["Location"]).get_data(as_text=True)
        assert "Waiting for its turn" in waiting and "Look again" in waiting
        SimpleWorker(list(QUEUES), connection=conn).work(burst=True)
        done = finance.get(response.headers["Location"]).get_data(as_text=True)
        assert "3 paid" in done
        assert all(helpers.reload(c).state == State.PAID for c in claims)
    finally:
        app.config["REDIS_URL"] = None
        conn.flushdb()
        conn.close()


def test_the_api_answers_202_for_a_long_file_and_the_run_says_what_was_recorded(
        world, api, short_limit):
    batch, claims = _released(world)
    items = batch.live_items()
    finance = api(world.finance)
    csv = "item,status,reference,reason\n" + "".join(
        f"{i.id},paid,TX-{i.id},\n" for i in items)
    asked = finance.post(f"/api/v1/payment-batches/{batch.id}/confirmations",
                         json={"csv": csv})
    assert asked.status_code == 202, asked.get_data(as_text=True)
    run = finance.get(asked.headers["Location"]).get_json()
    assert (run["state"], run["paid"], run["failed"]) == ("done", 3, 0)
    assert all(helpers.reload(c).state == State.PAID for c in claims)
    colleague = world.user("finance5@syunik.test", {Role.FINANCE}, "AM", world.syunik.id)
    db.session.commit()
    assert api(colleague).get(asked.headers["Location"]).status_code == 404


def test_a_long_file_with_a_nul_is_refused_on_the_form_and_nothing_is_kept(
        world, browser_for, api, short_limit):
    """PostgreSQL cannot store a NUL character: the file is refused before it is kept."""
    batch, claims = _released(world)
    items = batch.live_items()
    lines = [f"{items[0].id},paid,TX-1,", f"{items[1].id},paid,TX\x00-2,",
             f"{items[2].id},paid,TX-3,"]
    response = _upload(browser_for(world.finance), batch, lines)
    assert response.status_code == 400 and "Line 3" in response.get_data(as_text=True)
    csv = "item,status,reference,reason\n" + "".join(f"{line}\n" for line in lines)
    answer = api(world.finance).post(f"/api/v1/payment-batches/{batch.id}/confirmations",
                                     json={"csv": csv})
    assert answer.status_code in (400, 422), answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ConfirmationRun.id))) == 0
    assert all(helpers.reload(c).state == State.PAYMENT_SCHEDULED for c in claims)
