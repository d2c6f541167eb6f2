"""A scheme's implementation report at range-wide scale, against one plain SQL aggregate of
the same claims and loss lines.

    .venv/bin/python bench/reports.py postgresql://postgres@127.0.0.1:5432/pardus_bench

Runs against the large database ``scale.py`` builds (500,000 claims). The first run makes a
compensation scheme for Armenia and puts every claim under it (the scale data are built
without schemes). It then prints, for one year of losses and for all six: the baseline (a
``GROUP BY`` of the same claims and loss lines), the report's figures (``report_data``)
with the statements they send, the whole PDF as the page sends it, and the peak memory the
figures allocate.
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_app, median_s  # noqa: E402 - after the path is set

BASELINE = """
SELECT count(DISTINCT c.id), count(DISTINCT c.household_id), sum(l.killed), sum(l.injured)
FROM claim c JOIN incident i ON i.id = c.incident_id JOIN loss_line l ON l.incident_id = i.id
WHERE c.scheme_id = :scheme AND i.occurred_on BETWEEN :start AND :end
"""


def _scheme():  # noqa: ANN202
    """The bench's scheme, made (and given every claim) on the first run."""
    from sqlalchemy import select, text, update

    from conflict_app.auth.models import User
    from conflict_app.claims.models import Claim
    from conflict_app.extensions import db
    from conflict_app.schemes import operations as scheme_ops
    from conflict_app.schemes import params
    from conflict_app.schemes.models import Scheme
    from conflict_app.schemes.params import SchemeKind

    scheme = db.session.scalars(select(Scheme).where(Scheme.code == "AM-BENCH")).first()
    if scheme is None:
        manager = db.session.scalars(select(User).where(User.email == "manager@am.test")).one()
        scheme = scheme_ops.create_scheme(manager, scheme_ops.SchemeInput(
            "AM-BENCH", "Range-wide bench scheme", SchemeKind.COMPENSATION, "AM", None, "AMD",
            None, Decimal(10) ** 12, "refuse", date(2019, 1, 1), None, Decimal(0), None))
        version = scheme_ops.add_version(manager, scheme.id, date(2019, 1, 1),
                                         params.defaults(SchemeKind.COMPENSATION))
        scheme_ops.publish_version(manager, version.id)
        db.session.commit()
    if db.session.scalar(select(Claim.id).where(Claim.scheme_id.is_(None)).limit(1)):
        print("putting every claim under the bench scheme (once)", flush=True)
        db.session.execute(update(Claim).values(scheme_id=scheme.id)
                           .execution_options(synchronize_session=False))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE claim"))
    return scheme


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", help="the large database of scale.py")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    app = bench_app(args.url)
    with app.app_context():
        import flask_migrate
        from sqlalchemy import event, text

        flask_migrate.upgrade()
        from conflict_app.documents import report
        from conflict_app.extensions import db

        scheme = _scheme()
        for label, start, end in (("one year (2024)", date(2024, 1, 1), date(2024, 12, 31)),
                                  ("six years", date(2020, 1, 1), date(2025, 12, 31))):
            claims, households, killed, _injured = db.session.execute(text(BASELINE), {
                "scheme": scheme.id, "start": start, "end": end}).one()
            print(f"== scheme report, {label}: {claims:,} claims of {households:,} households")
            base = median_s(lambda s=start, e=end: db.session.execute(text(BASELINE), {
                "scheme": scheme.id, "start": s, "end": e}).one(), args.repeat)
            statements = []

            def count(*_args, seen=statements) -> None:  # noqa: ANN002
                seen.append(1)

            def figures(s=start, e=end) -> object:  # noqa: ANN001
                data = report.report_data(scheme, s, e)
                db.session.rollback()
                return data

            event.listen(db.engine, "before_cursor_execute", count)
            try:
                data = figures()
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            assert sum(r[2] for r in data.by_species) == killed  # the same heads counted
            took = median_s(figures, args.repeat)

            def pdf(d=data) -> None:  # noqa: ANN001
                import io

                with app.test_request_context("/"):
                    report.render_scheme_report(d, "en", io.BytesIO())

            rendered = median_s(pdf, args.repeat)
            tracemalloc.start()
            figures()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"plain SQL GROUP BY of the same rows   {base * 1000:9.1f} ms")
            print(f"report figures (report_data)         {took * 1000:9.1f} ms   "
                  f"x{took / base:6.2f}   ({len(statements)} statements)")
            print(f"PDF drawn from the figures           {rendered * 1000:9.1f} ms")
            print(f"peak memory the figures allocate     {peak / 2**20:9.1f} MiB "
                  f"({peak / max(claims, 1):.0f} bytes a claim)")


if __name__ == "__main__":
    main()
