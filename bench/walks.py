"""Reads that walk the whole range: an API page of incidents, the regional aggregate download
(counted after a change, then kept), the verified-attacks export and the audit
reconciliation, on the small and the large database of ``scale.py``.

    .venv/bin/python bench/walks.py postgresql://postgres@127.0.0.1:5432/pardus_bench \\
        postgresql://postgres@127.0.0.1:5432/pardus_bench_small

The baseline is the small database in the same run: a page must cost the same at 500,000
claims as at 20,000 (x1), and a walk over every claim the same per claim (x1: it grows
linearly, not with the square of the table, as batches that re-read what came before do).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_app, median_s  # noqa: E402 - after the path is set


def measure(url: str) -> dict[str, tuple[float, int]]:
    """{figure: (seconds, rows)} on one database."""
    app = bench_app(url)
    with app.app_context():
        import flask_migrate
        from sqlalchemy import func, select

        from conflict_app.analytics import store
        from conflict_app.api import tokens
        from conflict_app.auth.models import User
        from conflict_app.claims.models import Claim, Incident
        from conflict_app.claims.reconcile import disagreements
        from conflict_app.extensions import db
        from conflict_app.interop.attacks import verified_attacks

        flask_migrate.upgrade()  # the databases may predate the latest migrations
        clerk = db.session.scalars(select(User).where(User.email == "clerk@am.test")).one()
        _token, secret = tokens.issue(clerk, "bench", tokens.allowed_scopes(clerk))
        db.session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        middle = db.session.scalar(select(func.max(Incident.id))) // 2

        def page(cursor: str = "") -> None:
            response = client.get(f"/api/v1/incidents?limit=50{cursor}", headers=headers)
            assert response.status_code == 200, response.get_json()

        out = {"incidents API, page 1": (median_s(page, 9), 50),
               "incidents API, deep page": (median_s(lambda: page(f"&cursor={middle}"), 9),
                                            50)}

        analyst = db.session.scalars(select(User).where(User.email == "analyst@am.test")).one()
        _token, analyst_secret = tokens.issue(analyst, "bench", tokens.allowed_scopes(analyst))
        db.session.commit()
        analyst_headers = {"Authorization": f"Bearer {analyst_secret}"}

        def aggregate(cold: bool) -> None:
            if cold:  # as after any change of the data
                store.clear()
            response = client.get("/api/v1/exports/aggregate.csv", headers=analyst_headers)
            assert response.status_code == 200, response.status_code

        out["regional aggregate, counted"] = (median_s(lambda: aggregate(True), 5), 1)
        out["regional aggregate, kept"] = (median_s(lambda: aggregate(False), 9), 1)
        for name, walk in (("verified attacks export", lambda: verified_attacks(exact=False)),
                           ("audit reconcile", disagreements)):
            started = time.perf_counter()
            rows = sum(1 for _ in walk())
            out[name] = (time.perf_counter() - started, rows)
            db.session.rollback()
        claims = db.session.scalar(select(func.count()).select_from(Claim))
        out["audit reconcile"] = (out["audit reconcile"][0], claims)  # it reads every claim
        return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", help="the large database of scale.py")
    parser.add_argument("small_url", help="the small database of scale.py")
    args = parser.parse_args()
    small, large = measure(args.small_url), measure(args.url)
    print("\n== pages (median ms) and walks over every claim (us per row), small -> large")
    for name, (seconds, rows) in large.items():
        before, before_rows = small[name]
        if name.startswith(("incidents API", "regional aggregate")):
            print(f"{name:<26} {before * 1000:9.2f} ms -> {seconds * 1000:9.2f} ms   "
                  f"x{seconds / before:5.2f}")
        else:
            each, each_before = seconds / rows * 1e6, before / before_rows * 1e6
            print(f"{name:<26} {each_before:9.1f} us -> {each:9.1f} us   "
                  f"x{each / each_before:5.2f}   ({before_rows:,} rows in {before:.1f} s -> "
                  f"{rows:,} in {seconds:.1f} s)")


if __name__ == "__main__":
    main()
