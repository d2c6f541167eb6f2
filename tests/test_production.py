"""The production shape, for real: gunicorn with two web workers and one job worker against
PostgreSQL and Redis. Jobs queued by either web worker are run by the job worker (nothing is
sent inside a request), sessions and rate limits hold across workers."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from conflict_app.core import clock
from conflict_app.extensions import db
from tests.conftest import PASSWORD, World

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL")
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Visitor:
    """A browser: its own cookies, forms with their CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def open(self, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(), dict(err.headers)

    def form(self, path: str, data: dict) -> tuple[int, str, dict]:
        _, page, _ = self.open(path)
        token = _TOKEN.search(page)
        assert token, page[:500]
        return self.open(path, {**data, "csrf_token": token.group(1)})


@pytest.mark.committed
@pytest.mark.postgres
def test_two_web_workers_and_a_job_worker_share_jobs_limits_and_sessions(app, tmp_path):
    if db.engine.dialect.name != "postgresql" or not REDIS_URL:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL) and Redis (TEST_REDIS_URL)")
    from redis import Redis

    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    world = World()
    db.session.commit()
    village_id, clerk = world.shvanidzor.id, world.clerk
    port = _free_port()
    outbox = tmp_path / "outbox.jsonl"
    env = {**os.environ,
           "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
           "SECRET_KEY": "production-test-secret-" + "x" * 20,
           "PIN_KEY": "production-test-pin-key-" + "y" * 20, "AUDIT_KEY": "a1" * 32,
           "REDIS_URL": REDIS_URL, "RATELIMIT_STORAGE_URI": REDIS_URL,
           "STATUS_LOOKUP_LIMIT": "4 per minute", "SESSION_COOKIE_SECURE": "false",
           "SMS_OUTBOX_FILE": str(outbox), "BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": "2", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
           "LOG_FORMAT": "json"}
    env.pop("FLASK_DEBUG", None)
    log = tmp_path / "web.log"
    with log.open("wb") as log_file:
        web = subprocess.Popen(  # noqa: S603 - our own interpreter and config
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
             "conflict_app:create_app()"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, web, log)
        day = (clock.today() - timedelta(days=1)).isoformat()
        for n in range(6):
            status, _, _ = Visitor(base).form("/report?country=AM&lang=en", {
                "country": "AM", "name": f"Herder {n}", "phone": f"+37494{n:06d}",
                "village_id": str(village_id), "setting": "pasture", "occurred_on": day,
                "part_of_day": "evening", "species": "goat", "age_class": "adult_female",
                "killed": "2", "protection": "none"})
            assert status == 200  # followed the redirect to the receipt
        # No request sent anything: six texts wait in Redis for the job worker.
        assert not outbox.exists() or outbox.read_text() == ""
        assert redis.llen("rq:queue:sms") == 6
        worker = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "flask", "--app", "conflict_app", "jobs", "worker",
             "--burst"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
            check=False)
        assert worker.returncode == 0, worker.stderr[-2000:]
        texts = [json.loads(line) for line in outbox.read_text().splitlines()]
        assert sorted(t["to"] for t in texts) == sorted(f"+37494{n:06d}" for n in range(6))

        # Rate limits are counted in Redis: exactly four look-ups a minute, whichever
        # worker answers.
        codes = [Visitor(base).form("/status", {"reference": "AM-2026-999999",
                                                "pin": "123456"})[0] for _ in range(8)]
        assert codes.count(429) == 4, codes

        # A signed-in session is honoured by every worker.
        staff = Visitor(base)
        status, _, _ = staff.form("/login", {"email": clerk.email, "password": PASSWORD})
        assert status == 200
        assert all(staff.open("/queue")[0] == 200 for _ in range(6))

        ready = json.loads(Visitor(base).open("/readyz")[1])
        assert ready == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}
        metrics = Visitor(base).open("/metrics")[1]
        assert re.search(
            r'pardus_request_seconds_count\{endpoint="status.report",method="POST"\} 6', metrics)
        assert 'pardus_queue_length{queue="sms"} 0.0' in metrics
    finally:
        web.terminate()
        web.wait(timeout=30)
        redis.flushdb()
        redis.close()


def _wait_ready(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(log.read_text()[-3000:])
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("gunicorn did not start")


def test_the_web_master_sets_its_built_app_aside_from_the_collector_before_forking(
        app, monkeypatch, tmp_path):
    """What the master built (app, catalogues, fonts) is frozen before the workers fork, so
    a worker's full collections no longer walk it on the herders' busiest pages."""
    import gc
    import runpy
    from types import SimpleNamespace

    # The settings file writes these into the environment: given back after the test.
    monkeypatch.setenv("PARDUS_WEB_WORKERS", "1")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))
    before = gc.get_freeze_count()
    try:
        settings["when_ready"](server)
        assert gc.get_freeze_count() > before + 100_000
    finally:
        gc.unfreeze()
