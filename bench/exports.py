"""The claims export of a province at range-wide scale, against reading the same rows.

    .venv/bin/python bench/exports.py postgresql://postgres@127.0.0.1:5432/pardus_bench \\
        [--rows 100000]

Runs against the large database ``scale.py`` builds (500,000 claims in one province). It
prints, for the first ``--rows`` claims of the clerk's province: the baseline (the export's
own SELECT, fetched as plain rows), the CSV and the XLSX as they are written (in a request or
by the ``exports.file`` job), rows per second and the ratio to the baseline; then the whole
province through the job (CSV, gzip-compressed into the run) with the peak memory it adds.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_app  # noqa: E402 - after the path is set


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", help="the large database of scale.py")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-job", action="store_true", help="no whole-province job run")
    args = parser.parse_args()

    app = bench_app(args.url)
    with app.app_context():
        import flask_migrate
        from sqlalchemy import select

        flask_migrate.upgrade()  # the database may predate the export runs

        from conflict_app.auth.models import User
        from conflict_app.exports import jobs, tables
        from conflict_app.exports.models import ExportRun
        from conflict_app.extensions import db

        clerk = db.session.scalars(select(User).where(User.email == "clerk@am.test")).one()
        n = args.rows
        total = jobs.row_count(clerk, "claims")
        print(f"== claims export of a province ({total:,} claims; first {n:,} timed)")
        captured = []

        def capture(rows):  # noqa: ANN001, ANN202 - the export's own SELECT, run plain
            from sqlalchemy import event

            def keep(conn, cursor, statement, parameters, *_rest) -> None:  # noqa: ANN001
                captured.append((statement, parameters))

            event.listen(db.engine, "before_cursor_execute", keep)
            try:
                next(iter(rows))
            finally:
                event.remove(db.engine, "before_cursor_execute", keep)

        capture(tables.claim_rows(clerk))
        db.session.rollback()
        statement, parameters = captured[-1]

        def baseline() -> None:
            raw = db.engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute(statement + f" LIMIT {n}", parameters)
                while cursor.fetchmany(2000):
                    pass
            finally:
                raw.close()

        def csv() -> None:
            for _chunk in tables.as_csv(tables.CLAIM_COLUMNS,
                                        itertools.islice(tables.claim_rows(clerk), n)):
                pass
            db.session.rollback()

        def xlsx() -> None:
            tables.as_xlsx(tables.CLAIM_COLUMNS, itertools.islice(tables.claim_rows(clerk), n),
                           "claims")
            db.session.rollback()

        times = {}
        for name, fn in (("plain SELECT of the same rows", baseline), ("CSV", csv),
                         ("XLSX", xlsx)):
            start = time.perf_counter()
            fn()
            times[name] = time.perf_counter() - start
        base = times["plain SELECT of the same rows"]
        for name, seconds in times.items():
            print(f"{name:<32} {seconds:7.2f} s  {n / seconds:9,.0f} rows/s   "
                  f"x{seconds / base:5.2f}")
        limit = app.config["EXPORT_ROWS_IN_REQUEST"]
        print(f"in one request up to {limit:,} rows: CSV {limit / (n / times['CSV']):.2f} s, "
              f"XLSX {limit / (n / times['XLSX']):.2f} s; the whole province: CSV "
              f"{total / (n / times['CSV']):.0f} s, XLSX {total / (n / times['XLSX']):.0f} s")
        if args.skip_job:
            return
        run = ExportRun(user_id=clerk.id, table="claims", format="csv", rows=total)
        db.session.add(run)
        db.session.commit()
        run_id = run.id
        start = time.perf_counter()
        jobs.write_run(run_id)
        seconds = time.perf_counter() - start
        run = db.session.get(ExportRun, run_id)
        size = len(run.data)
        print(f"job, whole province as CSV: {run.rows:,} rows in {seconds:.1f} s "
              f"({run.rows / seconds:,.0f} rows/s), kept {size / 2**20:.1f} MiB compressed")
        # Memory, in a second run: tracing slows the writing several-fold.
        run.state, run.data = "queued", None
        db.session.commit()
        tracemalloc.start()
        jobs.write_run(run_id)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"peak memory the job allocates: {peak / 2**20:.1f} MiB "
              f"({peak / run.rows:.0f} bytes a row; the compressed file is most of it)")
        run = db.session.get(ExportRun, run_id)
        db.session.delete(run)
        db.session.commit()


if __name__ == "__main__":
    main()
