"""Range-wide scale: the ratios of the scale issue, each against a baseline measured in the
same run (the machine is shared: read the ratios, not the times).

    .venv/bin/python bench/scale.py postgresql://postgres@127.0.0.1:5432/pardus_bench \\
        postgresql://postgres@127.0.0.1:5432/pardus_bench_small [--claims 500000] [--small 20000] \\
        [--redis redis://127.0.0.1:6379/0]

The data is built once into those databases (claims across states, provinces and time, one
incident and loss line each, 40,000 households with realistic names) and reused by later
runs. It is written with bulk inserts (executemany in batches), not through the web forms.
Prints, for the small and the large table: queue page 1 and a deep keyset page, search by
reference, by full name and with no match; then, under gunicorn with 2 workers
(``bench/web.py``), the status form (GET) and a status check (POST reference + PIN) against
a bare Flask endpoint; and the analytics overview page (every grouping, the map, outcomes,
processing times) for a range-wide analyst against one plain SQL GROUP BY of the losses per
month, with the number of queries the page ran.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import history  # noqa: E402 - after the path is set
from bench.web import PIN, measure_web, print_web  # noqa: E402

FIRST = ["Armen", "Karen", "Gevorg", "Hovhannes", "Tigran", "Vardan", "Samvel", "Ashot",
         "Aram", "Levon", "Narek", "Davit", "Hayk", "Mher", "Ruben", "Artur", "Gagik", "Suren",
         "Anna", "Mariam", "Lilit", "Gayane", "Nune", "Ani", "Siranush", "Hasmik", "Karine",
         "Arpi", "Shushan", "Anahit", "Ruzanna", "Tatev", "Zaruhi", "Astghik", "Lusine", "Nairi"]
LAST = ["Petrosyan", "Sargsyan", "Harutyunyan", "Hakobyan", "Grigoryan", "Vardanyan",
        "Karapetyan", "Avetisyan", "Martirosyan", "Hovhannisyan", "Mkrtchyan", "Ghazaryan",
        "Stepanyan", "Abrahamyan", "Davtyan", "Manukyan", "Poghosyan", "Gasparyan", "Khachatryan",
        "Arakelyan", "Galstyan", "Zakaryan", "Baghdasaryan", "Melkonyan", "Simonyan",
        "Torosyan", "Movsisyan", "Asatryan", "Badalyan", "Yeghiazaryan"]
STATES = (["closed"] * 55 + ["paid"] * 15 + ["rejected"] * 8 + ["reported"] * 4
          + ["screened"] * 3 + ["verification_scheduled"] * 3 + ["verified"] * 2
          + ["assessed"] * 3 + ["approved"] * 3 + ["payment_scheduled"] * 2
          + ["more_evidence_requested"] + ["appealed"])
AMOUNT = 120_000
HOUSEHOLDS = 40_000
# Recorded attribution of the incidents (the analytics overview counts leopard losses).
CONFIDENCE = ["confirmed"] * 5 + ["probable"] * 3 + ["possible", "unverified"]
BASE = datetime(2020, 1, 1, tzinfo=UTC)


def build(app, world, total: int, batch: int = 20_000) -> None:
    """Grow the claim table to ``total`` rows (households first, once)."""
    from sqlalchemy import func, insert, select

    from conflict_app.claims import pins
    from conflict_app.claims.models import Claim, Incident, LossLine
    from conflict_app.claims.workflow import DECIDED
    from conflict_app.extensions import db
    from conflict_app.herders.models import Household

    rng = random.Random(total)
    have_households = db.session.scalar(select(func.count(Household.id)))
    villages = [(world.shvanidzor, world.meghri), (world.shikahogh, world.kapan),
                (world.gndevaz, None)]
    if have_households < HOUSEHOLDS:
        for start in range(have_households, HOUSEHOLDS, batch):
            rows = []
            for n in range(start, min(start + batch, HOUSEHOLDS)):
                village, district = villages[n % len(villages)]
                rows.append({"head_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                             "phone": f"+3749{n:07d}", "village_id": village.id,
                             "country_code": "AM", "admin1_id": village.admin1_id,
                             "admin2_id": district.id if district else None,
                             "language": "hy"})
            db.session.execute(insert(Household), rows)
        db.session.commit()
    households = db.session.execute(
        select(Household.id, Household.village_id, Household.admin1_id, Household.admin2_id)
        .order_by(Household.id)).all()
    have = db.session.scalar(select(func.count(Claim.id)))
    pin_hash = pins.hash_pin(PIN)
    village_of = {v.id: v for v, _ in villages}
    while have < total:
        size = min(batch, total - have)
        picks = [households[rng.randrange(len(households))] for _ in range(size)]
        day = [BASE + timedelta(minutes=rng.randrange(0, 6 * 365 * 24 * 60)) for _ in picks]
        incident_ids = db.session.execute(insert(Incident).returning(Incident.id), [{
            "household_id": h.id, "occurred_on": d.date(), "village_id": h.village_id,
            "country_code": "AM", "admin1_id": h.admin1_id, "admin2_id": h.admin2_id,
            "setting": "pasture", "recorded_predator": "leopard",
            "recorded_confidence": CONFIDENCE[n % len(CONFIDENCE)]}
            for n, (h, d) in enumerate(zip(picks, day, strict=True))]).scalars().all()
        db.session.execute(insert(LossLine), [{
            "incident_id": i, "species": "sheep", "age_class": "adult_female", "killed": 2,
            "injured": 0} for i in incident_ids])
        states = [rng.choice(STATES) for _ in picks]
        db.session.execute(insert(Claim), [{
            "incident_id": i, "household_id": h.id, "state": state, "version": 1,
            "country_code": "AM", "admin1_id": h.admin1_id, "admin2_id": h.admin2_id,
            "currency": "AMD", "channel": "office", "reported_at": d, "state_changed_at": d,
            "pin_hash": pin_hash, "due_at": d + timedelta(days=rng.randrange(1, 60)),
            # Two ewes at the reference price, as the approval would have written it.
            "amount_approved": AMOUNT if state in DECIDED else None,
            "reference": f"AM-{d.year}-{have + n + 1:06d}"}
            for n, (i, h, d, state) in enumerate(zip(incident_ids, picks, day, states,
                                                     strict=True))])
        db.session.commit()
        have += size
        print(f"  built {have:,} claims", flush=True)
    del village_of


def median_ms(fn, repeat: int = 15) -> float:  # noqa: ANN001
    fn()  # warm
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def measure_queries(world) -> dict[str, float]:
    from sqlalchemy import func, select

    from conflict_app.claims import queries
    from conflict_app.claims.models import Claim
    from conflict_app.core.permissions import Role, scope
    from conflict_app.extensions import db

    clerk = world.clerk
    last = db.session.scalar(select(func.max(Claim.id)))
    # A claim the clerk may see, in the middle of the table (one outside their province is
    # not found, and not finding it skipped loading its household: not the same work).
    reference = db.session.scalar(
        scope(select(Claim.reference), Claim, clerk).where(Claim.id >= last // 2)
        .order_by(Claim.id).limit(1))
    rows = queries.queue(clerk, Role.CLERK, None, 2000)
    deep = rows[-1]
    out = {
        "queue page 1": median_ms(lambda: (queries.queue(clerk, Role.CLERK, None, 26),
                                           queries.queue_count(clerk, Role.CLERK))),
        "queue deep page": median_ms(lambda: queries.queue(
            clerk, Role.CLERK, (deep.due_at, deep.id), 26)),
        "search reference": median_ms(lambda: queries.search(clerk, reference, None, None, 26)),
        "search full name": median_ms(lambda: queries.search(
            clerk, "Vardan Zakaryan", None, None, 26)),
        "search no match": median_ms(lambda: queries.search(clerk, "Qwzyx", None, None, 26)),
    }
    db.session.rollback()
    out.update(measure_overview())
    return out


OVERVIEW_BASELINE = """
SELECT EXTRACT(MONTH FROM i.occurred_on), SUM(l.killed)
FROM incident i JOIN loss_line l ON l.incident_id = i.id GROUP BY 1
"""


def measure_overview(redis_url: str | None = None) -> dict[str, float]:
    """The analytics overview page, rendered for a range-wide analyst, against a plain
    GROUP BY of the same loss lines; also the queries it ran."""
    from flask import current_app, g
    from flask_login import login_user
    from sqlalchemy import event, select, text

    from conflict_app.analytics import views
    from conflict_app.auth.models import User
    from conflict_app.extensions import db

    analyst = db.session.scalars(select(User).where(User.email == "analyst@am.test")).one()
    statements = []

    def count(*_args) -> None:  # noqa: ANN002
        statements.append(1)

    def page() -> None:
        with current_app.test_request_context("/analytics/"):
            # ``g`` lives as long as the app context this runs in: without this every view
            # after the first would skip the data check a real request makes.
            g.pop("analytics_fingerprint", None)
            login_user(analyst)
            views.overview()

    from conflict_app.analytics import store

    def cold() -> None:
        store.clear()
        page()

    out = {"overview page": median_ms(cold, repeat=5),
           "overview warm": median_ms(page, repeat=5),
           "overview baseline": median_ms(
               lambda: db.session.execute(text(OVERVIEW_BASELINE)).all(), repeat=5)}
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    out["overview queries"] = float(len(statements))  # warm: the cache's check only
    statements.clear()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        cold()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    out["overview cold queries"] = float(len(statements))
    db.session.rollback()
    if redis_url:
        out.update(measure_shared(analyst, page, redis_url))
    return out


def measure_shared(analyst, page, redis_url: str) -> dict[str, float]:  # noqa: ANN001
    """With a job system (Redis): the refresh job's time, a view in a worker that has not
    seen the figures (read from Redis), and a view after a change (the last figures shown
    while a job is queued to refresh them)."""
    from flask import current_app

    from conflict_app.analytics import service, store
    from conflict_app.analytics.store import Scope
    from conflict_app.jobs import rq_backend

    scope = Scope.of(analyst)
    country = analyst.jurisdiction_country  # what the page shows a user of one country
    figures = (("overview", "confirmed_probable"), ("grid", ""))
    current_app.config["REDIS_URL"] = redis_url
    try:
        store.clear()
        started = time.perf_counter()
        for kind, verification in figures:
            service.refresh(kind, *service._key(scope, country, verification, kind)[1:])
        out = {"refresh job": (time.perf_counter() - started) * 1000}

        def other_worker() -> None:
            store._LOCAL.clear()
            page()

        def after_change() -> None:
            for kind, verification in figures:
                key = service._key(scope, country, verification, kind)
                kept = store.read(key)
                store.write(key, store.Entry(("before the change",), kept.computed_at,
                                             kept.value))
                store.refreshed(key)
            page()

        out["overview other worker"] = median_ms(other_worker, repeat=5)
        out["overview after change"] = median_ms(after_change, repeat=5)
        return out
    finally:
        rq_backend.queue("bulk").empty()
        store.clear()
        current_app.config["REDIS_URL"] = None


def prepare(url: str, total: int, overview_only: bool = False,
            redis_url: str | None = None) -> tuple[dict[str, float], list[str]]:
    """Build (or reuse) a database of ``total`` claims and time its queries."""
    import flask_migrate
    from sqlalchemy import func, select, text

    from config import TestConfig
    from conflict_app import create_app
    from conflict_app.auth.models import User
    from conflict_app.claims.models import Claim
    from conflict_app.extensions import db
    from tests.conftest import World

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        PIN_KEY = "bench-pin-key-" + "k" * 30

    app = create_app(Config)
    with app.app_context():
        flask_migrate.upgrade()
        if db.session.scalar(select(func.count(User.id))) == 0:
            World()
            db.session.commit()
        world = _world()
        have = db.session.scalar(select(func.count(Claim.id)))
        if have > total * 1.05:
            raise SystemExit(f"{url} holds {have:,} claims, more than {total:,}")
        grown = have < total
        if grown:
            print(f"building {total:,} claims in {url.rsplit('/', 1)[-1]}", flush=True)
            build(app, world, total)
        if db.engine.dialect.name == "postgresql":
            if history.add_history():
                print("  added verification reports, audit entries, herd census", flush=True)
                grown = True
            if grown:
                with db.engine.connect().execution_options(
                        isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE"))
        timings = measure_overview(redis_url) if overview_only else measure_queries(world)
        references = list(db.session.scalars(
            select(Claim.reference).order_by(Claim.id).limit(20_000)))
        db.session.remove()
        db.engine.dispose()
    return timings, references


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", help="database for the large table (built once, reused)")
    parser.add_argument("small_url", help="database for the small table (built once)")
    parser.add_argument("--claims", type=int, default=500_000)
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0",
                        help="rate limits and jobs of the gunicorn part")
    parser.add_argument("--overview-only", action="store_true",
                        help="only the analytics overview page (no queues, search, web)")
    parser.add_argument("--web-only", action="store_true",
                        help="only the gunicorn part, against the small database")
    args = parser.parse_args()

    if args.web_only:
        _, references = prepare(args.small_url, args.small, False, args.redis)
        print_web(measure_web(args.small_url, references, args.seconds, args.redis))
        return

    small, _ = prepare(args.small_url, args.small, args.overview_only, args.redis)
    large, references = prepare(args.url, args.claims, args.overview_only, args.redis)
    if args.overview_only:
        _print_overview(args, small, large)
        return
    web = measure_web(args.url, references, args.seconds, args.redis)

    print(f"\n== queries ({args.small:,} vs {args.claims:,} claims, median ms)")
    for name, ms in large.items():
        if name.startswith("overview"):  # printed below
            continue
        print(f"{name:<18} {small[name]:8.2f} ms -> {ms:8.2f} ms   x{ms / small[name]:5.2f}")
    print(f"queue deep page vs page 1 at {args.claims:,}: "
          f"x{large['queue deep page'] / large['queue page 1']:.2f}")
    _print_overview(args, small, large)
    print_web(web)


def _print_overview(args, small: dict, large: dict) -> None:  # noqa: ANN001
    print(f"\n== analytics overview page at {args.claims:,} claims (median ms)")
    print(f"plain SQL GROUP BY of the losses by month {large['overview baseline']:9.1f} ms")
    print(f"overview page, cold (data changed)        {large['overview page']:9.1f} ms   "
          f"x{large['overview page'] / large['overview baseline']:5.2f}   "
          f"({large['overview cold queries']:.0f} queries; at {args.small:,} claims "
          f"{small['overview page']:.1f} ms)")
    print(f"overview page, cached (data unchanged)   {large['overview warm']:9.1f} ms   "
          f"x{large['overview warm'] / large['overview baseline']:5.2f}   "
          f"({large['overview queries']:.0f} queries; at {args.small:,} claims "
          f"{small['overview warm']:.1f} ms)")
    if "refresh job" in large:
        print("with a job system (Redis):")
        for name, what in (("refresh job", "refresh job (overview and map)  "),
                           ("overview other worker", "overview page, another worker    "),
                           ("overview after change", "overview page, after a change   ")):
            print(f"{what}         {large[name]:9.1f} ms   "
                  f"x{large[name] / large['overview baseline']:5.2f}   "
                  f"(at {args.small:,} claims {small[name]:.1f} ms)")


def _world():
    """The fixture world already in the database, looked up by its users and places."""
    from sqlalchemy import select

    from conflict_app.auth.models import User
    from conflict_app.extensions import db
    from conflict_app.geo.models import AdminArea, Village

    class W:
        pass

    w = W()
    w.clerk = db.session.scalars(select(User).where(User.email == "clerk@am.test")).one()
    for attr, name in (("shvanidzor", "Shvanidzor"), ("shikahogh", "Shikahogh"),
                       ("gndevaz", "Gndevaz")):
        setattr(w, attr, db.session.scalars(select(Village).where(Village.name == name)).one())
    for attr, name in (("meghri", "Meghri"), ("kapan", "Kapan")):
        setattr(w, attr, db.session.scalars(select(AdminArea).where(AdminArea.name == name))
                .one())
    return w


if __name__ == "__main__":
    main()
