"""Rate limits and sign-in lockouts hold across worker processes, and a proxy in front does
not make every herder share one limit.

Each "worker" is a separate Python process with its own app, as gunicorn runs them, on the
test database and (for rate limits) one Redis: counts kept in a process's memory would let
each worker allow the full limit again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

from config import Config
from conflict_app import ROOT, create_app, worker_count
from conflict_app.extensions import db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

WORKER = """
import json, os, sys
from config import TestConfig
from conflict_app import create_app

class Worker(TestConfig):
    SQLALCHEMY_DATABASE_URI = os.environ["WORKER_DATABASE_URL"]
    RATELIMIT_STORAGE_URI = os.environ["WORKER_LIMITS"]
    RATELIMIT_KEY_PREFIX = os.environ["WORKER_PREFIX"]
    TRUSTED_PROXIES = int(os.environ.get("WORKER_PROXIES", "0"))
    WTF_CSRF_ENABLED = False

client = create_app(Worker).test_client()
codes = []
for kind, value, address in json.loads(sys.argv[1]):
    headers = {"X-Forwarded-For": address} if address else {}
    if kind == "status":
        r = client.post("/status", data={"reference": value, "pin": "000000"}, headers=headers)
    else:
        r = client.post("/login", data={"email": value, "password": "wrong password 123"})
    codes.append(r.status_code)
print(json.dumps(codes))
"""


def redis_or_skip() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {REDIS_URL} (TEST_REDIS_URL)")
    finally:
        client.close()


def run_worker(app, actions, limits: str, prefix: str, proxies: int = 0) -> list[int]:
    env = dict(os.environ, WORKER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               WORKER_LIMITS=limits, WORKER_PREFIX=prefix, WORKER_PROXIES=str(proxies))
    done = subprocess.run([sys.executable, "-c", WORKER, json.dumps(actions)], cwd=ROOT,  # noqa: S603
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.committed
def test_two_workers_share_the_status_limit_and_the_sign_in_lockout(app):
    redis_or_skip()
    db.session.remove()
    prefix = f"pardus-test-{uuid.uuid4().hex}"
    status = [["status", "AM-2026-000001", None]] * 10
    # The status page allows 10 lookups a minute from one address, across both workers.
    first = run_worker(app, status + [["login", "someone@am.test", None]] * 3,
                       REDIS_URL, prefix)
    second = run_worker(app, status + [["login", "someone@am.test", None]] * 3,
                        REDIS_URL, prefix)
    assert first[:10] == [400] * 10
    assert second[:10] == [429] * 10
    # Five wrong passwords lock the address, wherever they were tried.
    assert first[10:] == [400, 400, 400]
    assert second[10:] == [400, 429, 429]


@pytest.mark.committed
def test_behind_a_trusted_proxy_each_herder_has_an_own_limit(app):
    redis_or_skip()
    db.session.remove()
    prefix = f"pardus-test-{uuid.uuid4().hex}"
    herders = [["status", "AM-2026-000001", f"203.0.113.{n}"] for n in (1, 2) for _ in range(8)]
    assert 429 not in run_worker(app, herders, REDIS_URL, prefix, proxies=1)
    # Without a trusted proxy the header is not believed: one address, one limit.
    codes = run_worker(app, herders, REDIS_URL, prefix + "-direct", proxies=0)
    assert codes.count(429) == 6


def production(tmp_path, **settings) -> type:
    class Production(Config):
        SECRET_KEY = "x" * 40
        AUDIT_KEY = "a" * 40
        PIN_KEY = "p" * 40
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'p.sqlite'}"

    for name, value in settings.items():
        setattr(Production, name, value)
    return Production


def test_memory_counters_are_refused_when_several_workers_run(tmp_path, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "2")
    with pytest.raises(RuntimeError, match="memory:// but 2 worker processes"):
        create_app(production(tmp_path, RATELIMIT_STORAGE_URI="memory://"))
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert create_app(production(tmp_path, RATELIMIT_STORAGE_URI="memory://"))


@pytest.mark.parametrize(("environ", "argv", "expected"), [
    ({}, ["/srv/.venv/bin/gunicorn", "-w", "4", "conflict_app:create_app()"], 4),
    ({}, ["/srv/.venv/bin/gunicorn", "--workers=3", "app"], 3),
    ({"GUNICORN_CMD_ARGS": "--bind 0.0.0.0:8000 -w2"}, ["gunicorn"], 2),
    ({"WEB_CONCURRENCY": "5"}, ["flask"], 5),
    ({}, ["flask", "-w", "9"], 1),
])
def test_worker_count_reads_gunicorn_settings(environ, argv, expected):
    assert worker_count(environ, argv) == expected


def test_gunicorn_with_the_shipped_settings_refuses_memory_counters(tmp_path):
    """``gunicorn -c gunicorn.conf.py`` runs 2 workers by default, with nothing on the
    command line or in WEB_CONCURRENCY to say so: the app must still see them and refuse
    per-process counters (it used to start, and each worker allowed the full limit)."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items()
           if k not in {"WEB_CONCURRENCY", "GUNICORN_CMD_ARGS", "FLASK_DEBUG"}}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite'}", SECRET_KEY="s" * 40,
               PIN_KEY="p" * 40, AUDIT_KEY="a" * 40, RATELIMIT_STORAGE_URI="memory://",
               BIND=f"127.0.0.1:{port}", PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        web = subprocess.Popen(  # noqa: S603 - our own interpreter and settings
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
             "conflict_app:create_app()"], cwd=ROOT, env=env, stdout=out, stderr=out)
    served = False
    try:
        deadline = time.monotonic() + 120
        while web.poll() is None and time.monotonic() < deadline and not served:
            try:
                with urllib.request.urlopen(  # noqa: S310 - our own test server
                        f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    served = response.status == 200
            except OSError:
                time.sleep(0.3)
    finally:
        running = web.poll() is None
        if running:
            web.terminate()
        web.wait(timeout=60)
    assert not served and not running, "gunicorn served with memory:// rate limits"
    assert "RATELIMIT_STORAGE_URI is memory:// but 2 worker processes" in log.read_text()
