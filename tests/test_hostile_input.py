"""Hostile input anywhere: a NUL byte in a text field, API errors outside any view."""

from __future__ import annotations

from tests import helpers
from tests.conftest import csrf_token


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
