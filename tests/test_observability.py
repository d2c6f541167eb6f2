"""Health, readiness, metrics and request ids, as an operator's tools would read them."""

from __future__ import annotations

import json
import logging

from tests import helpers


def test_healthz_and_readyz(app):
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"] == {"database": "ok"}


def test_readyz_says_which_dependency_is_down(app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        ready = app.test_client().get("/readyz")
    finally:
        app.config["REDIS_URL"] = None
    assert ready.status_code == 503
    assert ready.get_json()["checks"] == {"database": "ok", "redis": "unavailable"}


def test_metrics_show_latency_by_endpoint_and_sms_outcomes(app, world):
    client = app.test_client()
    client.get("/status")
    helpers.report(world)  # its receipt text is sent after the commit
    body = client.get("/metrics").get_data(as_text=True)
    assert 'pardus_request_seconds_count{endpoint="status.check",method="GET"}' in body
    assert 'pardus_sms_total{outcome="sent"}' in body
    assert 'pardus_jobs_total{job="sms.send"}' in body
    assert "+374" not in body  # no personal data in labels


def test_metrics_token_when_configured(app):
    app.config["METRICS_TOKEN"] = "scrape-token-123"
    try:
        client = app.test_client()
        assert client.get("/metrics").status_code == 404
        ok = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-123"})
        assert ok.status_code == 200
    finally:
        app.config["METRICS_TOKEN"] = None


def test_request_id_is_echoed_and_logged_as_json(app, capsys):
    from pythonjsonlogger.json import JsonFormatter

    from conflict_app.observability.logs import RequestId

    client = app.test_client()
    response = client.get("/healthz", headers={"X-Request-ID": "abc12345-req"})
    assert response.headers["X-Request-ID"] == "abc12345-req"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert len(generated.headers["X-Request-ID"]) == 32
    record = logging.LogRecord("pardus", logging.INFO, __file__, 1, "hello", (), None)
    with app.test_request_context("/", headers={"X-Request-ID": "abc12345-req"}):
        from flask import g

        g.request_id = "abc12345-req"
        RequestId().filter(record)
    line = JsonFormatter("%(levelname)s %(message)s %(request_id)s").format(record)
    assert json.loads(line) == {"levelname": "INFO", "message": "hello",
                                "request_id": "abc12345-req"}
