"""The gunicorn part of ``scale.py``: requests per second of the herders' status pages
against a bare Flask endpoint (and the same bare app reading one row) served side by side
under the project's own ``gunicorn.conf.py`` with 2 workers and 4 clients."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = "482913"  # every benchmark claim's status PIN


BARE_APP = '''
import os
from flask import Flask, request
from sqlalchemy import create_engine, text
app = Flask(__name__)
# The floor for any page that reads the database: one indexed row, no ORM, no template.
engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
@app.get("/bare")
def bare():
    return "ok"
@app.route("/query", methods=["GET", "POST"])
def query():
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id FROM claim WHERE reference = :r"),
                           {"r": request.form.get("reference", "")}).first()
    return "found" if row else "none"
'''


def throughput(url: str, seconds: float, threads: int, data: dict | None = None,
               get_token: bool = False) -> float:
    """Requests per second with ``threads`` clients, each on its own connection."""
    import http.cookiejar
    import re

    done = [0] * threads
    errors = [0] * threads
    stop = time.monotonic() + seconds
    # Where this run starts in the references: repeated slices and runs spread over them
    # instead of coming back to the same claims (20 checks per reference an hour).
    base = random.randrange(1 << 30)

    def client(k: int) -> None:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        target = url.replace("POST:", "")
        token = None
        if data is not None:
            page = opener.open(target, timeout=30).read().decode()
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        n = 0
        while time.monotonic() < stop:
            body = None
            if data is not None:
                # A different claim each time: the per-reference limit is not what is timed.
                fields = {**data, "reference": data["references"][(base + k * 7919 + n) % len(
                    data["references"])]}
                if token:
                    fields["csrf_token"] = token.group(1)
                fields.pop("references")
                body = urllib.parse.urlencode(fields).encode()
            n += 1
            try:
                with opener.open(target, body, timeout=30) as response:
                    response.read()
            except urllib.error.HTTPError as err:
                err.read()
                errors[k] += 1
                continue
            done[k] += 1

    workers = [threading.Thread(target=client, args=(k,)) for k in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if sum(errors):
        print(f"  {url}: {sum(errors)} error responses (not counted)")
    return sum(done) / (time.monotonic() - started)


def gunicorn(app_spec: str, env: dict, port: int, cwd: Path) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app_spec],
        cwd=cwd, env={**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)  # noqa: S310
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.5)
    return process


def measure_web(url: str, references: list[str], seconds: float,
                redis_url: str) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp())
    (tmp / "bare_app.py").write_text(BARE_APP)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-secret-" + "s" * 30,
           "PIN_KEY": "bench-pin-key-" + "k" * 30, "AUDIT_KEY": "b2" * 32,
           "SESSION_COOKIE_SECURE": "false",
           "PYTHONPATH": f"{tmp}:{ROOT}", "STATUS_LOOKUP_LIMIT": "1000000 per minute",
           "RATELIMIT_STORAGE_URI": redis_url, "REDIS_URL": redis_url,
           "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(), "LOG_LEVEL": "WARNING"}
    env.pop("FLASK_DEBUG", None)
    bare = gunicorn("bare_app:app", env, 18431, tmp)
    app = gunicorn("conflict_app:create_app()", env, 18432, ROOT)
    posted = {"references": references, "pin": PIN}
    targets = {
        "bare GET": ("http://127.0.0.1:18431/bare", None),
        "bare + 1 SELECT POST": ("POST:http://127.0.0.1:18431/query", posted),
        "status form GET": ("http://127.0.0.1:18432/status", None),
        "status check POST": ("POST:http://127.0.0.1:18432/status", posted),
    }
    # Both servers run side by side and the four figures take turns in short slices: the
    # machine is shared, and its load drifting between one figure's run and the next's moved
    # single ratios by half. Each rate is the requests of all its slices over their time.
    rounds = 4
    done = dict.fromkeys(targets, 0.0)
    try:
        for _ in range(rounds):
            for name, (target, data) in targets.items():
                done[name] += throughput(target, seconds / rounds, 4, data=data)
    finally:
        for server in (bare, app):
            server.terminate()
            server.wait()
    results = {name: total / rounds for name, total in done.items()}
    return results


def print_web(web: dict[str, float]) -> None:
    print("\n== web (gunicorn, 2 workers, 4 clients, requests/s)")
    for name, rate in web.items():
        print(f"{name:<20} {rate:8.1f} req/s   x{rate / web['bare GET']:.3f} of bare")
    print("(bare + 1 SELECT: the same bare app reading one claim by its reference, no ORM,\n"
          " no template: the floor for any page that reads the database)")
