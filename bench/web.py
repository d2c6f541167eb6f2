"""The gunicorn part of ``scale.py``: requests per second of the herders' status pages
against a bare Flask endpoint (and the same bare app reading one row) served side by side
under the project's own ``gunicorn.conf.py`` with 2 workers and 4 clients."""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
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


def _fetch(port: int, request: bytes) -> bytes:
    """One request on its own connection (gunicorn's sync workers close each one)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _request(method: str, path: str, cookie: str = "", body: bytes = b"") -> bytes:
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if cookie:
        head.append(f"Cookie: {cookie}")
    if method == "POST":
        head += ["Content-Type: application/x-www-form-urlencoded",
                 f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def _client(port: int, path: str, data: dict | None, until: float, k: int, base: int,
            out: multiprocessing.Queue) -> None:
    """One client process: a visitor with a session cookie (and the form's CSRF token, for
    posts), asking again and again until ``until``; counts 200 answers and the others."""
    first = _fetch(port, _request("GET", path))
    head, _, page = first.partition(b"\r\n\r\n")
    cookie = "; ".join(line.split(b":", 1)[1].split(b";")[0].strip().decode()
                       for line in head.split(b"\r\n")
                       if line.lower().startswith(b"set-cookie:"))
    found = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = {"csrf_token": found.group(1).decode()} if found else {}
    done = errors = n = 0
    get = _request("GET", path, cookie)
    while time.monotonic() < until:
        if data is None:
            request = get
        else:
            # A different claim each time: the per-reference limit is not what is timed.
            refs = data["references"]
            fields = {"reference": refs[(base + k * 7919 + n) % len(refs)], "pin": data["pin"],
                      **token}
            request = _request("POST", path, cookie, urllib.parse.urlencode(fields).encode())
        n += 1
        if _fetch(port, request)[9:12] == b"200":
            done += 1
        else:
            errors += 1
    out.put((done, errors))


def throughput(url: str, seconds: float, clients: int, data: dict | None = None) -> float:
    """Requests per second answered 200 by ``clients`` client processes.

    Each client is a process of its own sending prepared requests on plain sockets: a
    client of threads in one process (urllib, as before) spent more CPU per request than
    the bare endpoint and could not ask faster than about 2,200 a second, so it measured
    itself rather than the servers.
    """
    target = url.replace("POST:", "")
    parsed = urllib.parse.urlsplit(target)
    # Where this run starts in the references: repeated slices and runs spread over them
    # instead of coming back to the same claims (20 checks per reference an hour).
    base = random.randrange(1 << 30)
    out: multiprocessing.Queue = multiprocessing.Queue()
    until = time.monotonic() + seconds
    started = time.monotonic()
    processes = [multiprocessing.Process(target=_client, args=(
        parsed.port, parsed.path, data, until, k, base, out)) for k in range(clients)]
    for process in processes:
        process.start()
    results = [out.get() for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.monotonic() - started
    errors = sum(e for _, e in results)
    if errors:
        print(f"  {url}: {errors} answers other than 200 (not counted)")
    return sum(d for d, _ in results) / elapsed


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
