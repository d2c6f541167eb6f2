"""Effectiveness analytics against a plain SQL GROUP BY of the same counts.

    createdb -h 127.0.0.1 -U postgres pardus_effect
    .venv/bin/python bench/effectiveness.py postgresql://postgres@127.0.0.1:5432/pardus_effect \\
        [--incidents 200000 | --million]

Builds (once; later runs reuse it and only grow it) a database of generated landscapes with
known effects (``flask analytics landscape``'s generator, in the synthetic province),
written as bundles and imported with the bundle importer, until it holds ``--incidents``
incidents (``--million``: one million). Then prints, each the median of ``--repeat`` runs
measured in the same process:

- the baseline: one SQL ``GROUP BY`` of leopard losses per household, month and setting with
  the same verification filter, plus the herd census per household and year, fetched;
- ``flask analytics effectiveness`` (the CLI and the JSON) cold, the results cache emptied:
  the counts and every fit of every design;
- the effectiveness page cold: the same plus the event study (effect by time since
  installation) it draws;
- the same answered from the cache (the data unchanged);
- the peak resident memory the first cold page added, and the panel's size (memory follows
  household-months, not incidents).

Ratios are the result: the machine is shared, so absolute times vary from run to run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import median_s  # noqa: E402 - after the path is set

BASELINE = """
SELECT i.household_id, EXTRACT(YEAR FROM i.occurred_on), EXTRACT(MONTH FROM i.occurred_on),
       i.setting, SUM(l.killed)
FROM incident i JOIN loss_line l ON l.incident_id = i.id
LEFT JOIN (SELECT c.incident_id, MAX(v.id) AS report_id FROM claim c
           JOIN verification_report v ON v.claim_id = c.id GROUP BY c.incident_id) latest
       ON latest.incident_id = i.id
LEFT JOIN verification_report vr ON vr.id = latest.report_id
WHERE COALESCE(vr.predator, i.recorded_predator) = 'leopard'
  AND COALESCE(vr.confidence, i.recorded_confidence) IN ('confirmed', 'probable')
  AND i.household_id IS NOT NULL
GROUP BY i.household_id, EXTRACT(YEAR FROM i.occurred_on), EXTRACT(MONTH FROM i.occurred_on),
         i.setting
"""
HERDS = "SELECT household_id, year, SUM(head_count) FROM herd_census GROUP BY household_id, year"


def grow(incidents: int) -> None:
    from sqlalchemy import func, select

    from conflict_app.analytics import synthetic
    from conflict_app.analytics.landscape import generate
    from conflict_app.bundles.importer import import_bundle
    from conflict_app.bundles.writer import write_rows
    from conflict_app.claims.models import Incident
    from conflict_app.extensions import db

    synthetic.ensure_area("AM")
    db.session.commit()
    seed = 0
    while (have := db.session.scalar(select(func.count(Incident.id)))) < incidents:
        seed += 1
        land = generate(10_000 + seed + have, villages=40, base_rate=8, design="random",
                        years=5, start_year=2020)
        with tempfile.TemporaryDirectory() as tmp:
            write_rows(Path(tmp), households=land.households, herds=land.herds,
                       measures=land.measures, incidents=land.incidents)
            import_bundle(Path(tmp))
        db.session.commit()
        print(f"  {have + len(land.incidents):,} incidents", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--incidents", type=int, default=200_000)
    parser.add_argument("--million", action="store_true", help="one million incidents")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--redis", help="also time the page with a job system (Redis), "
                        "e.g. redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    if args.million:
        args.incidents = 1_000_000

    import flask_migrate
    from flask import g
    from sqlalchemy import func, select, text

    from config import TestConfig
    from conflict_app import create_app
    from conflict_app.analytics import data, effectiveness, service, store
    from conflict_app.analytics.landscape import generate
    from conflict_app.analytics.panel import counts_from_rows, stratum_panel
    from conflict_app.auth.models import User
    from conflict_app.claims.models import Incident
    from conflict_app.cli import _RangeWide
    from conflict_app.extensions import db
    from tests.conftest import World

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = args.url
        BUNDLE_MAX_BYTES = 2 * 1024**3

    app = create_app(Config)
    with app.app_context(), app.test_request_context():
        flask_migrate.upgrade()
        if db.session.scalar(select(func.count(User.id))) == 0:
            World()
            db.session.commit()
        grow(args.incidents)
        n = db.session.scalar(select(func.count(Incident.id)))
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))

        def baseline() -> None:
            db.session.execute(text(BASELINE)).all()
            db.session.execute(text(HERDS)).all()

        def cold_table() -> None:
            store.clear()
            service.effectiveness_table(_RangeWide())

        def cold_page() -> None:
            store.clear()
            service.effectiveness_report(_RangeWide())

        # Load the libraries and compile their kernels on a small landscape first: a
        # server pays that once, not per analysis.
        small = generate(1, villages=3, design="random")
        effectiveness.analyse(counts_from_rows(small.households, small.herds, small.measures,
                                               small.incidents, service.PRIMARY))
        baseline()  # warm the database's buffers for both
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cold_page()
        added = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
        counts = data.effectiveness_counts(_RangeWide(), service.PRIMARY)
        months = len(stratum_panel(counts, None, []))
        del counts
        base = median_s(baseline, args.repeat)
        table_s = median_s(cold_table, args.repeat)
        page_s = median_s(cold_page, args.repeat)
        def warm() -> None:
            g.pop("analytics_fingerprint", None)  # a new request checks the data again
            service.effectiveness_report(_RangeWide())

        warm_s = median_s(warm, args.repeat)
        print(f"\n== effectiveness on {n:,} incidents ({db.engine.dialect.name}; "
              f"{months:,} household-months)")
        print(f"SQL GROUP BY of the same counts     {base:8.3f} s")
        print(f"CLI / JSON table, cold              {table_s:8.3f} s   x{table_s / base:6.2f}")
        print(f"page with the event study, cold     {page_s:8.3f} s   x{page_s / base:6.2f}")
        print(f"cached (data unchanged)             {warm_s:8.3f} s   x{warm_s / base:6.3f}")
        print(f"peak memory added by a cold page: {added:.0f} MiB "
              f"({added * 1024 / months:.2f} KiB per household-month, "
              f"{added * 1024 * 1024 / n:.0f} bytes per incident)")
        if args.redis:
            shared = measure_shared(args.redis, args.repeat)
            print("with a job system (Redis):")
            for name, seconds in shared.items():
                print(f"{name:<36}{seconds:8.3f} s   x{seconds / base:6.3f}")


def measure_shared(redis_url: str, repeat: int) -> dict[str, float]:
    """With a job system the page never computes: the ``analytics.refresh`` job does, and
    every worker reads its figures from Redis. Times the job, a view in a worker that has
    not seen the figures yet, and a view right after a change (the last figures, dated,
    while a job is queued)."""
    from flask import current_app, g

    from conflict_app.analytics import service, store
    from conflict_app.cli import _RangeWide
    from conflict_app.jobs import rq_backend

    scope = store.Scope.of(_RangeWide())
    key = service._key(scope, None, "confirmed_probable", "effectiveness")
    current_app.config["REDIS_URL"] = redis_url
    try:
        store.clear()
        started = time.perf_counter()
        service.refresh("effectiveness", *key[1:])
        out = {"refresh job (all fits, event study)": time.perf_counter() - started}

        def other_worker() -> None:
            store._LOCAL.clear()
            g.pop("analytics_fingerprint", None)
            service.effectiveness_report(_RangeWide())

        def after_change() -> None:
            kept = store.read(key)
            store.write(key, store.Entry(("before the change",), kept.computed_at,
                                         kept.value))
            store.refreshed(key)
            g.pop("analytics_fingerprint", None)
            service.effectiveness_report(_RangeWide())

        out["page, another worker"] = median_s(other_worker, repeat)
        out["page, right after a change"] = median_s(after_change, repeat)
        return out
    finally:
        rq_backend.queue("bulk").empty()
        store.clear()
        current_app.config["REDIS_URL"] = None


if __name__ == "__main__":
    main()
