"""Hostile input anywhere: a NUL byte in a text field, API errors outside any view."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select

from conflict_app.claims.models import Claim, Incident
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.payments import operations as pay
from conflict_app.payments.models import ItemState, PaymentMethod
from tests import helpers
from tests.conftest import csrf_token
from tests.test_api import report_body
from tests.test_bundles import GOOD, counts, write
from tests.test_fieldforms import _fixture

NUL = "The input contains a character that is not allowed (a NUL byte)"


def db_count(model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_nul_byte_in_any_text_field_is_invalid_input_never_a_database_error(
        app, world, browser_for):
    # The anonymous status form.
    client = app.test_client()
    page = client.post("/status", data={"csrf_token": csrf_token(client, "/status"),
                                        "reference": "AM-2026-000001\x00", "pin": "123456"})
    assert page.status_code == 400
    assert "character that is not allowed" in page.get_data(as_text=True)
    # The same page in Russian says so in Russian.
    page = client.post("/status?lang=ru", data={
        "csrf_token": csrf_token(client, "/status?lang=ru"), "reference": "x\x00", "pin": "1"})
    assert page.status_code == 400 and "недопустимый символ" in page.get_data(as_text=True)
    # A query string on a staff page.
    clerk = browser_for(world.clerk)
    assert clerk.get("/herders/?q=Armen%00").status_code == 400
    # A JSON body of the API: a problem document.
    household = helpers.household(world)
    from conflict_app.api import tokens

    _token, secret = tokens.issue(world.clerk, "tests", ["read", "claims"])
    response = app.test_client().post(
        "/api/v1/claims", headers={"Authorization": f"Bearer {secret}"},
        json={"household_id": household.id, "occurred_on": "2026-01-01\u0000",
              "setting": "pasture", "lines": []})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "not allowed" in response.get_json()["title"]


def test_api_errors_outside_any_view_are_problem_documents(app, world, monkeypatch):
    client = app.test_client()
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert missing.get_json()["status"] == 404
    wrong = client.delete("/api/v1/claims")
    assert wrong.status_code == 405 and wrong.mimetype == "application/problem+json"
    huge = client.post("/api/v1/claims", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                       content_type="application/json")
    assert huge.status_code in (401, 413) and huge.mimetype == "application/problem+json"
    # An unexpected failure inside an API view: a problem document, not the HTML page.
    from conflict_app.api import tokens
    from conflict_app.api import views as api_views

    _token, secret = tokens.issue(world.clerk, "tests")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api_views.queries, "search", broken)
    failed = client.get("/api/v1/claims", headers={"Authorization": f"Bearer {secret}"})
    assert failed.status_code == 500 and failed.mimetype == "application/problem+json"
    assert "Nothing was changed" in failed.get_json()["title"]


def test_a_nul_byte_in_a_header_is_refused_before_the_database_sees_it(app, world):
    """An Idempotency-Key is looked up in the database: with a NUL it answered 503
    "database not available" on PostgreSQL."""
    from conflict_app.api import tokens

    _token, secret = tokens.issue(world.clerk, "tests", ["read", "claims"])
    household = helpers.household(world)
    response = app.test_client().post(
        "/api/v1/claims", json=report_body(household.id),
        headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": "retry\x001"})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "not allowed" in response.get_json()["title"]
    assert db_count(Claim) == 0


def test_a_nul_byte_inside_a_confirmation_file_is_a_clear_error(app, world, browser_for):
    """The bank's file is text read after the request's own check: a NUL in a reason was a
    503 on PostgreSQL (stored as is on SQLite)."""
    claim = helpers.approved(world, killed=1)
    batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.CASH)
    pay.export_batch(world.finance, batch.id)
    item = batch.live_items()[0]
    finance = browser_for(world.finance)
    body = f"item,status,reference,reason\n{item.id},failed,,account\x00 closed\n".encode()
    response = finance.post(f"/payments/batches/{batch.id}/confirmations",
                            data={"file": (io.BytesIO(body), "results.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Line 2:" in page and NUL in page
    db.session.refresh(item)
    assert item.state == ItemState.PENDING
    ru = finance.post(f"/payments/batches/{batch.id}/confirmations?lang=ru",
                      data={"file": (io.BytesIO(body), "results.csv")},
                      content_type="multipart/form-data")
    assert ru.status_code == 400 and "недопустимый символ" in ru.get_data(as_text=True)


def test_a_nul_byte_inside_a_bundle_is_one_located_error(app, world, tmp_path):
    households = GOOD["households.csv"].replace("Arsen Grigoryan", "Arsen\x00Grigoryan")
    before = counts()
    result = app.test_cli_runner().invoke(args=["import-bundle", str(
        write(tmp_path / "b", {**GOOD, "households.csv": households}))])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"households.csv:2:8: {NUL}" in result.output
    assert counts() == before


def test_a_nul_byte_inside_a_field_form_export_is_one_located_error(app, world, tmp_path):
    household = helpers.household(world)
    path = _fixture(tmp_path, "pardus_report.csv", phone=household.phone,
                    yesterday=(clock.today() - timedelta(days=1)).isoformat())
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace("A cow in", "A cow\x00 in", 1)
    path.write_text("".join(lines), encoding="utf-8")
    column = lines[2].split(",").index("A cow\x00 in the village") + 1
    result = app.test_cli_runner().invoke(args=["import-odk", str(path), "--user",
                                                world.clerk.email])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"pardus_report.csv:3:{column}: {NUL}" in result.output
    assert db_count(Incident) == 0
