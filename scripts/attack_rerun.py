"""Re-run the attacks of the second security review against the production shape and print
what they achieve now: gunicorn with 2 workers, PostgreSQL, Redis for the rate limits.

    .venv/bin/python scripts/attack_rerun.py postgresql://postgres@127.0.0.1:5432/scratch \
        redis://127.0.0.1:6379/5

The database named is emptied and rebuilt by the migrations (use a scratch one); the Redis
database is flushed. Nothing is asserted: the figures are for the record (SECURITY.md).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_TOKEN = re.compile(r'<input[^>]*name="([\w-]*csrf_token)"[^>]*value="([^"]+)"')


class Visitor:
    """A browser: its own cookies, forms sent with their CSRF token."""

    def __init__(self, base: str, address: str | None = None) -> None:
        self.base, self.address = base, address
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, path: str, data: dict | None = None, headers: dict | None = None,
             body: bytes | None = None, follow: bool = True) -> tuple[int, str, dict]:
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(  # noqa: S310 - our own http:// server
            self.base + path, body, headers=dict(headers or {}))
        if self.address:
            request.add_header("X-Forwarded-For", self.address)
        opener = self.opener if follow else urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        try:
            with opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(), dict(err.headers)

    def token(self, path: str) -> dict[str, str]:
        _, page, _ = self.open(path)
        return dict(_TOKEN.findall(page))

    def form(self, path: str, data: dict, page: str | None = None,
             follow: bool = True) -> tuple[int, str, dict]:
        return self.open(path, {**data, **self.token(page or path)}, follow=follow)

    def upload(self, path: str, data: dict, name: str, content: bytes) -> int:
        """The form at ``path`` sent as multipart/form-data with one photo."""
        fields = {**data, **self.token(path)}
        boundary = "pardus-rerun-boundary"
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                 f"{value}\r\n".encode() for key, value in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; '
                     f'filename="{name}"\r\nContent-Type: image/png\r\n\r\n'.encode()
                     + content + f"\r\n--{boundary}--\r\n".encode())
        return self.open(path, body=b"".join(parts), follow=False, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}"})[0]

    def cookie(self) -> str:
        return next(c.value for c in self.jar if c.name == "session")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _parallel(jobs: list) -> list:
    """Run the callables at once (a barrier releases them together); their results."""
    start = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(n: int) -> None:
        start.wait()
        try:
            results[n] = jobs[n]()
        except Exception as exc:  # noqa: BLE001 - a failed attack is a figure too
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _workers(master: int) -> list[int]:
    """The process ids whose parent is ``master`` (gunicorn's workers), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.append(int(stat.parent.name))
    return found


def _peak_mib(pid: int) -> float:
    """The peak resident memory of a process so far (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _png(side: int) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("1" if side > 4000 else "RGB", (side, side)).save(out, format="PNG")
    return out.getvalue()


def prepare(database: str, env: dict) -> dict:
    """An empty schema, migrated, with a small world of places and staff, 20 reported
    claims and an API token for the clerk."""
    import flask_migrate
    from sqlalchemy import text

    from config import Config
    from conflict_app import create_app
    from conflict_app.api import tokens
    from conflict_app.extensions import db
    from tests import helpers
    from tests.conftest import World

    class Rerun(Config):
        SQLALCHEMY_DATABASE_URI = database
        SECRET_KEY, PIN_KEY, AUDIT_KEY = env["SECRET_KEY"], env["PIN_KEY"], env["AUDIT_KEY"]
        RATELIMIT_STORAGE_URI = env["RATELIMIT_STORAGE_URI"]
        # Fast to build; staff sign in all the same.
        PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105 - a method, not a password

    app = create_app(Rerun)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()
        world = World()
        claims = [helpers.report(world, hh=helpers.household(world, name=f"Herder {n}"))[0]
                  for n in range(20)]
        household = helpers.household(world, name="API household")
        _token, secret = tokens.issue(world.clerk, "rerun", tokens.allowed_scopes(world.clerk))
        db.session.commit()
        facts = {"claims": [(c.id, c.version) for c in claims], "household": household.id,
                 "token": secret, "clerk": world.clerk.email, "village": world.shvanidzor.id}
        db.session.remove()
        db.engine.dispose()
    return facts


def _read(database: str, env: dict, query):  # noqa: ANN001, ANN202
    """``query()`` inside an app context on the database (a process of its own)."""
    from config import Config
    from conflict_app import create_app
    from conflict_app.extensions import db

    class Rerun(Config):
        SQLALCHEMY_DATABASE_URI = database
        SECRET_KEY, PIN_KEY, AUDIT_KEY = env["SECRET_KEY"], env["PIN_KEY"], env["AUDIT_KEY"]
        RATELIMIT_STORAGE_URI = env["RATELIMIT_STORAGE_URI"]

    app = create_app(Rerun)
    with app.app_context():
        try:
            return query()
        finally:
            db.session.remove()
            db.engine.dispose()


def claim_count(database: str, env: dict) -> int:
    from sqlalchemy import func, select

    from conflict_app.claims.models import Claim
    from conflict_app.extensions import db

    return _read(database, env, lambda: db.session.scalar(select(func.count(Claim.id))))


def audit_figures(database: str, env: dict) -> dict:
    return _read(database, env, _audit_figures)


def _audit_figures() -> dict:
    from sqlalchemy import func, select

    from conflict_app.core import audit
    from conflict_app.extensions import db

    entries = db.session.scalar(select(func.count(audit.AuditEntry.id)))
    prevs = db.session.scalar(select(func.count(audit.AuditEntry.prev_hash.distinct())))
    top = db.session.scalar(select(func.max(audit.AuditEntry.seq)))
    problems = audit.verify_chain()
    return {"entries": entries, "forks": entries - prevs, "gaps": (top or 0) - entries,
            "verify": "passes" if not problems else f"{len(problems)} problems"}


def main() -> None:  # noqa: PLR0915
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", help="postgresql://... of a scratch database (emptied)")
    parser.add_argument("redis", help="redis://host:6379/N (flushed)")
    args = parser.parse_args()
    database = args.database.replace("postgresql://", "postgresql+psycopg://", 1)
    from redis import Redis

    Redis.from_url(args.redis).flushdb()
    port = _free_port()
    metrics = tempfile.mkdtemp(prefix="pardus-rerun-")
    env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": "rerun-secret-" + "s" * 32,
           "PIN_KEY": "rerun-pin-key-" + "p" * 32, "AUDIT_KEY": "rerun-audit-key-" + "a" * 32,
           "REDIS_URL": args.redis, "RATELIMIT_STORAGE_URI": args.redis,
           "SESSION_COOKIE_SECURE": "false", "TRUSTED_PROXIES": "1", "WEB_CONCURRENCY": "2",
           "BIND": f"127.0.0.1:{port}", "PROMETHEUS_MULTIPROC_DIR": metrics,
           "SMS_OUTBOX_FILE": str(Path(metrics) / "outbox.jsonl")}
    env.pop("FLASK_DEBUG", None)
    facts = prepare(database, env)
    web = subprocess.Popen(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "conflict_app:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if urllib.request.urlopen(base + "/healthz", timeout=2).status == 200:  # noqa: S310
                    break
            except OSError:
                time.sleep(0.5)
        rows = []

        # 1. Fifty operations of three kinds at once: screenings by a clerk, reports from
        # the public form, claims through the API.
        clerk = Visitor(base, "198.51.100.1")
        clerk.form("/login", {"email": facts["clerk"], "password": "correct horse battery staple"})
        status, page, _ = clerk.open("/queue")
        token = dict(_TOKEN.findall(page)).get("csrf_token")
        if not token:
            raise SystemExit(f"the clerk could not sign in ({status})")
        from conflict_app.core import clock

        day = (clock.today() - timedelta(days=1)).isoformat()

        def screen(claim_id: int, version: int):  # noqa: ANN202
            return lambda: clerk.open(f"/claims/{claim_id}/actions/screen", {
                "screen-version": str(version), "screen-csrf_token": token})[0]

        def public(n: int):  # noqa: ANN202
            herder = Visitor(base, f"203.0.113.{n + 1}")
            return lambda: herder.form("/report?country=AM&lang=en", {
                "country": "AM", "name": f"Public {n}", "phone": f"+37494{n:06d}",
                "village_id": str(facts["village"]), "setting": "pasture",
                "occurred_on": day, "part_of_day": "evening", "species": "goat",
                "age_class": "adult_female", "killed": "2", "protection": "shepherd"})[0]

        api_body = {"household_id": facts["household"], "occurred_on": day,
                    "setting": "pasture", "part_of_day": "night",
                    "lines": [{"species": "sheep", "age_class": "adult_female", "killed": 1,
                               "injured": 0}]}

        def api(key: str):  # noqa: ANN202
            return lambda: Visitor(base).open(
                "/api/v1/claims", body=json.dumps(api_body).encode(),
                headers={"Authorization": f"Bearer {facts['token']}",
                         "Content-Type": "application/json", "Idempotency-Key": key})[0]

        jobs = ([screen(c, v) for c, v in facts["claims"]] + [public(n) for n in range(20)]
                + [api(f"mixed-{n}") for n in range(10)])
        codes = Counter(str(r) for r in _parallel(jobs))
        figures = audit_figures(database, env)
        rows.append(("50 parallel operations of 3 kinds (screen, public report, API report)",
                     f"answers {dict(codes)}; audit entries {figures['entries']}, forks "
                     f"{figures['forks']}, gaps {figures['gaps']}, verify {figures['verify']}"))

        # 2. Twenty retries with one Idempotency-Key.
        before = claim_count(database, env)
        codes = Counter(_parallel([api("retry-storm") for _ in range(20)]))
        rows.append(("20 parallel API requests, one Idempotency-Key",
                     f"answers {dict(codes)}; claims created "
                     f"{claim_count(database, env) - before}"))

        # 3. A session cookie copied, then the owner signs out; the copy is replayed.
        owner = Visitor(base, "198.51.100.2")
        owner.form("/login", {"email": facts["clerk"], "password": "correct horse battery staple"})
        copied = owner.cookie()
        owner.form("/logout", {}, page="/queue", follow=False)
        thief = Visitor(base, "198.51.100.3")
        status, _, headers = thief.open("/queue", headers={"Cookie": f"session={copied}"},
                                        follow=False)
        rows.append(("cookie replayed after sign-out, GET /queue",
                     f"{status} to {headers.get('Location', '-')}"))

        # 4. Status look-ups from one address within a minute, both workers answering.
        looker = Visitor(base, "192.0.2.77")
        codes = Counter(looker.form("/status", {"reference": "AM-2026-999999",
                                                "pin": "123456"})[0] for _ in range(30))
        rows.append(("30 /status look-ups from one address in a minute (2 workers)",
                     f"accepted {sum(n for c, n in codes.items() if c != 429)}, "
                     f"refused (429) {codes.get(429, 0)}"))

        # 5. Wrong passwords for one account from one address until the lock.
        guesser = Visitor(base, "192.0.2.78")
        statuses = [guesser.form("/login", {"email": facts["clerk"],
                                            "password": f"wrong guess {n}"})[0]
                    for n in range(10)]
        # Each wrong one is answered 400; the one that reaches the limit is answered 429
        # (it was checked, and locked the account), and so is every later one.
        checked = next((n + 1 for n, s in enumerate(statuses) if s == 429), len(statuses))
        rows.append(("wrong passwords checked until the lock (2 workers)",
                     f"{checked} (answers {statuses})"))

        # 6. NUL bytes, anonymous and through the API.
        refused = "character that is not allowed"
        status, body, _ = Visitor(base).open("/api/v1/claims", body=json.dumps(
            {**api_body, "occurred_on": day + "\u0000"}).encode(), headers={
            "Authorization": f"Bearer {facts['token']}", "Content-Type": "application/json"})
        rows.append(("NUL byte in an API JSON body",
                     f"{status}, {'refused as not allowed' if refused in body else body[:80]}"))
        status, body, _ = Visitor(base, "203.0.113.200").form("/report?country=AM&lang=en", {
            "country": "AM", "name": "Nul\x00name", "phone": "+37494999999",
            "village_id": str(facts["village"]), "setting": "pasture", "occurred_on": day,
            "part_of_day": "evening", "killed": "1", "species": "goat",
            "age_class": "adult_female", "protection": "shepherd"})
        rows.append(("NUL byte in the public report form's name",
                     f"{status}, {'refused as not allowed' if refused in body else 'other'}"))
        # 7. Eight anonymous reports at once, each with a PNG just under the old pixel cap
        # (6300 x 6300), then with the largest PNG the public form accepts (2000 x 2000).
        for side in (6300, 2000):
            content = _png(side)
            workers = _workers(web.pid)
            before = {pid: _peak_mib(pid) for pid in workers}
            started = time.monotonic()

            def send(n: int, side: int = side, content: bytes = content):  # noqa: ANN202
                herder = Visitor(base, f"203.0.{side % 250}.{n + 10}")
                return lambda: herder.upload("/report?country=AM&lang=en", {
                    "country": "AM", "name": f"Photo {n}", "phone": f"+37495{n:06d}",
                    "village_id": str(facts["village"]), "setting": "pasture",
                    "occurred_on": day, "part_of_day": "evening", "species": "goat",
                    "age_class": "adult_female", "killed": "1", "protection": "shepherd"},
                    f"cow{n}.png", content)

            codes = Counter(_parallel([send(n) for n in range(8)]))
            seconds = time.monotonic() - started
            grew = [round(_peak_mib(pid) - before[pid]) for pid in workers if pid in before]
            rows.append((f"8 parallel public reports with a {side}x{side} PNG "
                         f"({len(content) // 1024} kB)",
                         f"answers {dict(codes)} in {seconds:.1f} s; peak memory of the 2 "
                         f"workers grew by {grew} MiB"))

        width = max(len(name) for name, _ in rows)
        for name, value in rows:
            print(f"{name:<{width}}  {value}")
    finally:
        web.terminate()
        web.wait(timeout=30)
        Redis.from_url(args.redis).flushdb()


if __name__ == "__main__":
    main()
