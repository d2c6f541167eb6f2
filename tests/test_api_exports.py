"""The export pages' downloads and the analytics overview through the API: personal data only
for the roles the pages allow and only with the ``exports`` scope, de-identified downloads for
analysts, figures from the shared store (503 with Retry-After while being computed)."""

from __future__ import annotations

import csv
import io
import os

import pytest
from openpyxl import load_workbook

from conflict_app.analytics import store

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=pardus-")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_personal_tables_need_the_role_and_the_exports_scope(world, built, api):
    claims = _csv(api(world.clerk).get("/api/v1/exports/claims.csv"))
    assert {r["household"] for r in claims} == {"Compensated", "Insured Household"}
    assert all(r["phone"] for r in claims)
    book = api(world.clerk).get("/api/v1/exports/claims.xlsx")
    assert book.status_code == 200
    rows = list(load_workbook(io.BytesIO(book.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "reference" and len(rows) == 3
    payments = _csv(api(world.finance).get("/api/v1/exports/payments.csv"))
    assert {r["claim_reference"] for r in payments} >= {built.performance.reference,
                                                        built.instalment.reference}
    assert api(world.manager).get("/api/v1/exports/payments.xlsx").status_code == 200
    # A token made to read, without the exports scope, carries no register away.
    for user in (world.clerk, world.finance):
        response = api(user, ["read"]).get("/api/v1/exports/claims.csv")
        assert response.status_code == 403
        assert "exports" in response.get_json()["detail"]
    # Roles the pages refuse: analysts never get personal data, clerks no payments.
    for user, url in ((world.analyst, "claims.csv"), (world.analyst, "payments.csv"),
                      (world.analyst, "claims.xlsx"), (world.clerk, "payments.csv"),
                      (world.verifier, "claims.csv")):
        response = api(user).get(f"/api/v1/exports/{url}")
        assert response.status_code == 403, (user.email, url)
        assert response.mimetype == "application/problem+json"
    # Another province's clerk gets the header and nothing of Syunik.
    assert _csv(api(world.other_clerk).get("/api/v1/exports/claims.csv")) == []


def test_deidentified_downloads_for_analysts(world, built, api):
    analyst = api(world.analyst, ["read"])
    rows = _csv(analyst.get("/api/v1/exports/aggregate.csv"))
    assert rows and set(rows[0]) >= {"country", "region", "year", "species", "suppressed"}
    text = analyst.get("/api/v1/exports/aggregate.csv").get_data(as_text=True)
    assert "Compensated" not in text and "+374" not in text
    grid = analyst.get("/api/v1/exports/incidents.geojson")
    assert grid.status_code == 200 and grid.mimetype == "application/geo+json"
    collection = grid.get_json()
    assert collection["type"] == "FeatureCollection"
    assert all(f["geometry"]["type"] == "Polygon" for f in collection["features"])
    assert api(world.clerk).get("/api/v1/exports/aggregate.csv").status_code == 403


def test_analytics_overview_as_json(world, built, api):
    store.clear()
    analyst = api(world.analyst)
    response = analyst.get("/api/v1/analytics/overview")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["country"] == "AM" and body["verification_filter"] == "confirmed_probable"
    assert set(body["rates"]) == {"species", "region", "season", "month", "setting",
                                  "time_of_day"}
    # Two households only: every group with losses is suppressed, never shown.
    sheep = next(r for r in body["rates"]["species"] if r["group"] == "sheep")
    assert sheep["suppressed"] is True and sheep["losses"] is None
    assert {t["step"] for t in body["times"]} >= {"incident_to_report"}
    assert all(c["incidents"] is None for c in body["grid"]["cells"] if c["suppressed"])
    assert "Compensated" not in response.get_data(as_text=True)
    assert analyst.get("/api/v1/analytics/overview?filter=confirmed").status_code == 200
    for bad in ("filter=all", ):
        assert analyst.get(f"/api/v1/analytics/overview?{bad}").status_code == 400
    admin = api(world.admin)
    assert admin.get("/api/v1/analytics/overview?country=ZZ").status_code == 400
    assert admin.get("/api/v1/analytics/overview?country=am").get_json()["country"] == "AM"
    refused = api(world.clerk).get("/api/v1/analytics/overview")
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL=redis://...")
def test_overview_is_503_until_the_shared_store_is_filled(app, world, api):
    from rq import SimpleWorker

    from conflict_app.jobs import QUEUES
    from conflict_app.jobs.rq_backend import connection

    conn = connection(REDIS_URL)
    conn.flushdb()
    store.clear()
    app.config["REDIS_URL"] = REDIS_URL
    try:
        analyst = api(world.analyst)
        first = analyst.get("/api/v1/analytics/overview")
        assert first.status_code == 503
        assert first.mimetype == "application/problem+json"
        assert first.headers["Retry-After"] == "10"
        assert first.get_json()["status"] == 503
        assert conn.llen("rq:queue:bulk") == 2  # the figures and the map, queued at once
        SimpleWorker(list(QUEUES), connection=conn).work(burst=True)
        second = analyst.get("/api/v1/analytics/overview")
        assert second.status_code == 200, second.get_json()
        assert set(second.get_json()["rates"]) >= {"species", "month"}
    finally:
        app.config["REDIS_URL"] = None
        store.clear()
        conn.flushdb()
        conn.close()
