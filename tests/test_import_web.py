"""Bundles uploaded on the web: imported by a job (in-process without Redis), the page shows
the progress bar while it runs, then every problem (nothing stored) or what was created."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from conflict_app.bundles.models import BundleImport
from conflict_app.extensions import db
from conflict_app.herders.models import Household
from conflict_app.jobs.records import RUNNING
from tests.test_bundles import GOOD

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def _zip(files: dict[str, str]) -> io.BytesIO:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(f"bundle/{name}", text)
    data.seek(0)
    return data


def _upload(admin, files: dict[str, str], name: str = "history.zip"):
    return admin.post("/imports/", data={"bundle": (_zip(files), name)},
                      content_type="multipart/form-data")


def test_admin_uploads_a_bundle_and_sees_what_was_created(app, world, browser_for):
    db.session.commit()
    admin = browser_for(world.admin)
    response = _upload(admin, GOOD)
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Import of history.zip" in page and "Imported" in page
    assert 'value="100"' in page and 'http-equiv="refresh"' not in page
    assert db.session.scalar(select(func.count(Household.id)).where(
        Household.external_ref.in_(["H1", "H2"]))) == 2
    record = db.session.scalars(select(BundleImport)).one()
    assert record.created["incident"] == 2
    assert not __import__("pathlib").Path(record.path).exists()  # the upload is gone
    assert "history.zip" in admin.get("/imports/").get_data(as_text=True)


def test_a_bad_bundle_lists_every_problem_translated_and_stores_nothing(app, world,
                                                                         browser_for):
    db.session.commit()
    admin = browser_for(world.admin)
    bad = {**GOOD, "households.csv": GOOD["households.csv"] + "H3,AM,Atlantis,,X,,,,,\n",
           "incidents.csv": GOOD["incidents.csv"] + "I3,H2,2025-07-11,,,pasture,goat,"
                                                    "99999999999,0,wolf,\n"}
    response = _upload(admin, bad)
    page = admin.get(response.headers["Location"] + "?lang=ru").get_data(as_text=True)
    with force_locale("ru"):
        reason = gettext("must be at most %(limit)s", limit=2000)
    assert "households.csv:4:3" in page and "incidents.csv:5:8" in page
    assert "must be at most" not in reason and reason in page
    assert db.session.scalar(select(func.count(Household.id)).where(
        Household.external_ref.is_not(None))) == 0


def test_a_running_import_shows_a_progress_bar_and_reloads_itself(app, world, browser_for):
    record = BundleImport(user_id=world.admin.id, file_name="big.zip", path="/nonexistent",
                          state=RUNNING, done_bytes=30, total_bytes=120)
    db.session.add(record)
    db.session.commit()
    admin = browser_for(world.admin)
    page = admin.get(f"/imports/{record.id}").get_data(as_text=True)
    assert '<progress id="import-progress" max="100" value="25">' in page
    assert '<meta http-equiv="refresh" content="2">' in page


def test_only_admins_upload_and_only_the_uploader_sees_an_import(app, world, browser_for):
    record = BundleImport(user_id=world.admin.id, file_name="x.zip", path="/nonexistent",
                          state=RUNNING)
    db.session.add(record)
    db.session.commit()
    analyst = browser_for(world.analyst)
    assert analyst.get("/imports/").status_code == 403
    assert analyst.get(f"/imports/{record.id}").status_code == 403


def test_a_file_that_is_not_a_zip_is_refused_on_the_form(app, world, browser_for):
    admin = browser_for(world.admin)
    response = admin.post("/imports/", data={"bundle": (io.BytesIO(b"a,b\n"), "x.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Upload the bundle as a .zip" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(BundleImport.id))) == 0


@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL=redis://...")
def test_with_a_queue_the_upload_waits_for_a_worker_on_the_bulk_queue(app, world,
                                                                       browser_for):
    from rq import SimpleWorker

    from conflict_app.jobs import QUEUES
    from conflict_app.jobs.rq_backend import connection

    conn = connection(REDIS_URL)
    conn.flushdb()
    db.session.commit()
    admin = browser_for(world.admin)
    app.config["REDIS_URL"] = REDIS_URL
    try:
        response = _upload(admin, GOOD)
        assert db.session.scalar(select(func.count(Household.id)).where(
            Household.external_ref.is_not(None))) == 0  # nothing inside the request
        assert conn.llen("rq:queue:bulk") == 1
        waiting = admin.get(response.headers["Location"]).get_data(as_text=True)
        assert "Waiting for its turn" in waiting and 'http-equiv="refresh"' in waiting
        SimpleWorker(list(QUEUES), connection=conn).work(burst=True)
        done = admin.get(response.headers["Location"]).get_data(as_text=True)
        assert "Imported" in done and 'http-equiv="refresh"' not in done
        assert db.session.scalar(select(func.count(Household.id)).where(
            Household.external_ref.is_not(None))) == 2
    finally:
        app.config["REDIS_URL"] = None
        conn.flushdb()
        conn.close()
