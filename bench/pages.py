"""Queries per staff page, and a batch's vouchers at 100 against 1,000 payees.

    .venv/bin/python bench/pages.py postgresql://postgres@127.0.0.1:5432/pardus_pages \\
        [--payees 1000]

Builds (once; later runs reuse it) claims that went through the whole workflow (report,
visit, assessment, approval) with the project's own operations, and payment batches of 50,
100, 500 and 1,000 of them. Then it prints, per page, the statements one request sends and
how many of them repeat a statement already sent in the same request (same SQL, same
values: data the page had loaded already), for a small and a large case of the same page;
and the vouchers PDF of 100 against 1,000 payees (ms per voucher, memory the rendering adds).
A page whose queries grow with its rows loads them one row at a time.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (50, 100, 500, 1000)
SHOW_REPEATS = "--show-repeats" in sys.argv


def _app(url: str):  # noqa: ANN202
    from config import TestConfig
    from conflict_app import create_app

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        PIN_KEY = "bench-pin-key-" + "k" * 30
        VOUCHERS_IN_REQUEST = 10_000  # the pages are timed here, not the job's hand-over

    return create_app(Config)


def build(world, payees: int) -> dict[int, int]:
    """Batches of each size in SIZES up to ``payees``: {size: batch id}."""
    from sqlalchemy import select

    from conflict_app.extensions import db
    from conflict_app.payments import operations as pay
    from conflict_app.payments.models import PaymentBatch, PaymentMethod
    from conflict_app.schemes.models import Scheme
    from conflict_app.schemes.params import SchemeKind
    from tests import helpers, scheme_data

    sizes = [s for s in SIZES if s <= payees]
    have = {len(b.live_items()): b.id for b in db.session.scalars(select(PaymentBatch))}
    if all(s in have for s in sizes):
        return {s: have[s] for s in sizes}
    if db.session.scalar(select(Scheme.id)) is None:
        # The claims fall under a published compensation scheme (its page is measured too).
        scheme_data.scheme(world, "AM-COMP", SchemeKind.COMPENSATION, budget="9000000000")
        db.session.commit()
    villages = (world.shvanidzor, world.shikahogh)
    made = 0
    for size in sizes:
        ids = []
        for _ in range(size):
            hh = helpers.household(world, village=villages[made % 2], name=f"Payee {made}")
            claim = helpers.approved(world, hh=hh, days_ago=1 + made % 12)
            helpers.payout(claim.household)
            ids.append(claim.id)
            made += 1
            if made % 100 == 0:
                db.session.commit()
                print(f"  {made:,} claims approved", flush=True)
        batch = pay.create_batch(world.finance, ids, PaymentMethod.MOBILE_MONEY)
        db.session.commit()
        have[size] = batch.id
    return {s: have[s] for s in sizes}


def statements(client, url: str) -> tuple[int, int]:
    """(statements sent, statements repeating one sent before) by one GET of ``url``."""
    from sqlalchemy import event

    from conflict_app.extensions import db

    seen: list[tuple[str, str]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append((statement, repr(parameters)))

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code}")
    if SHOW_REPEATS:
        counts: dict = {}
        for item in seen:
            counts[item] = counts.get(item, 0) + 1
        for (sql, params), n in counts.items():
            if n > 1:
                print(f"  {url}: {n}x {' '.join(sql.split())[:150]} {params[:80]}")
    return len(seen), len(seen) - len(set(seen))


def measure_pages(app, world, batches: dict[int, int]) -> list[tuple[str, str, tuple, tuple]]:
    from sqlalchemy import func, select

    from conflict_app.claims.models import Claim, DuplicateFlag
    from conflict_app.extensions import db
    from conflict_app.schemes.models import Scheme
    from tests import scheme_data
    from tests.conftest import Browser, RequestClient

    # Each request in its own app context, as in production (not this script's).
    app.test_client_class = RequestClient

    def signed_in(user):  # noqa: ANN001, ANN202
        b = Browser(app.test_client())
        b.login(user)
        return b

    clerk, finance = signed_in(world.clerk), signed_in(world.finance)
    manager, analyst = signed_in(world.manager), signed_in(world.analyst)
    # The claims flagged against the fewest and the most others.
    flagged = db.session.execute(
        select(DuplicateFlag.claim_id, func.count()).group_by(DuplicateFlag.claim_id)
        .order_by(func.count())).all()
    few, many = flagged[0], flagged[-1]
    one = db.session.scalar(select(Claim.id).order_by(Claim.id))
    scheme = db.session.scalar(select(Scheme.id).order_by(Scheme.id))
    small, large = min(batches), max(batches)
    pages = [
        ("queue (clerk)", "/queue", "/queue?state=approved"),
        (f"claim, flagged against {few[1]} vs {many[1]}", f"/claims/{few[0]}",
         f"/claims/{many[0]}"),
        (f"batch page, {small} vs {large} items", f"/payments/batches/{batches[small]}",
         f"/payments/batches/{batches[large]}"),
        (f"batch list PDF, {small} vs {large}",
         f"/documents/payments/batches/{batches[small]}/list.pdf",
         f"/documents/payments/batches/{batches[large]}/list.pdf"),
        (f"release page, {small} vs {large}", f"/payments/batches/{batches[small]}/export",
         f"/payments/batches/{batches[large]}/export"),
        ("scheme page", f"/schemes/{scheme}", f"/schemes/{scheme}"),
        ("analytics overview, cold vs cached", "/analytics/", "/analytics/"),
        ("claim receipt PDF", f"/documents/claims/{one}/receipt.pdf",
         f"/documents/claims/{many[0]}/receipt.pdf"),
        ("API claim list, 10 vs 100 claims", "/api/v1/claims?limit=10",
         "/api/v1/claims?limit=100"),
    ]
    api = scheme_data.client(app, world.clerk)
    db.session.commit()  # the token
    users = {"queue": clerk, "claim": clerk, "batch": finance, "release": finance,
             "scheme": manager, "analytics": analyst, "API": api}
    out = []
    for name, first, second in pages:
        client = users.get(name.split()[0], clerk if "receipt" in name else finance)
        if not name.startswith("analytics"):
            # Not counted: a session's or token's first use is recorded once a minute.
            client.get(first)
        out.append((name, first, statements(client, first), statements(client, second)))
    return out


def measure_vouchers(batches: dict[int, int]) -> dict[int, tuple[float, float]]:
    """{size: (ms per voucher, MiB the rendering allocated at its peak)} at 100 and 1,000."""
    from conflict_app.documents import contents, vouchers
    from conflict_app.extensions import db
    from conflict_app.payments.models import PaymentBatch

    out = {}
    for size in (s for s in (100, 1000) if s in batches):
        batch = db.session.get(PaymentBatch, batches[size])
        vouchers.render_vouchers(contents.batch_data(batch), "en", io.BytesIO())  # warm
        start = time.perf_counter()
        vouchers.render_vouchers(contents.batch_data(batch), "en", io.BytesIO())
        elapsed = time.perf_counter() - start
        tracemalloc.start()  # apart: tracing slows the rendering two- to threefold
        vouchers.render_vouchers(contents.batch_data(batch), "en", io.BytesIO())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        out[size] = (elapsed * 1000 / size, peak / 2**20)
    return out


def measure_writes(world, n: int, tag: str) -> dict[str, tuple[float, float]]:
    """Make a batch of ``n`` newly approved claims, release it, and record a confirmation
    file of ``n`` lines: {step: (ms per claim or line, statements per claim or line)}."""
    from sqlalchemy import event

    from conflict_app.extensions import db
    from conflict_app.payments import operations as pay
    from conflict_app.payments.models import PaymentMethod
    from tests import helpers

    ids = []
    for k in range(n):
        hh = helpers.household(world, village=world.shikahogh, name=f"Writes {tag} {k}")
        claim = helpers.approved(world, hh=hh, days_ago=1 + k % 12)
        helpers.payout(claim.household)
        ids.append(claim.id)
    db.session.commit()
    sent = [0]

    def count(*_args) -> None:
        sent[0] += 1

    out = {}
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        start = time.perf_counter()
        batch = pay.create_batch(world.finance, ids, PaymentMethod.MOBILE_MONEY)
        out["make the batch"] = ((time.perf_counter() - start) * 1000 / n, sent[0] / n)
        pay.export_batch(world.finance, batch.id)
        text = "item,status,reference\n" + "".join(
            f"{i.id},paid,TX-{tag}-{i.id}\n" for i in batch.live_items())
        sent[0] = 0
        start = time.perf_counter()
        pay.import_confirmations(world.finance, batch.id, text)
        out["confirmation file"] = ((time.perf_counter() - start) * 1000 / n, sent[0] / n)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", help="database (built once, reused)")
    parser.add_argument("--payees", type=int, default=1000, choices=SIZES)
    parser.add_argument("--show-repeats", action="store_true",
                        help="print each statement a request sent more than once")
    parser.add_argument("--writes", type=int, default=0, metavar="N",
                        help="also make a batch of N new claims and record its confirmation "
                             "file, against the same for 10 (builds N + 10 claims each run)")
    args = parser.parse_args()

    import flask_migrate
    from sqlalchemy import func, select

    from conflict_app.auth.models import User
    from conflict_app.extensions import db
    from tests.conftest import World

    app = _app(args.url)
    with app.app_context():
        flask_migrate.upgrade()
        if db.session.scalar(select(func.count(User.id))) == 0:
            World()
            db.session.commit()
        world = _world()
        batches = build(world, args.payees)
        pages = measure_pages(app, world, batches)
        voucher_costs = measure_vouchers(batches)
        tag = str(int(time.time()))
        writes = ((measure_writes(world, 10, tag + "a"), measure_writes(world, args.writes, tag))
                  if args.writes else None)

    print("\n== statements per request (small case -> large case; repeated: the same "
          "SQL with the same values sent again in one request)")
    for name, _url, (n1, r1), (n2, r2) in pages:
        print(f"{name:<38} {n1:4d} -> {n2:4d}   x{n2 / n1:4.2f}   repeated {r1} / {r2}")
    if voucher_costs:
        print("\n== all vouchers of a batch as one PDF (in process)")
        for size, (ms, mib) in voucher_costs.items():
            print(f"{size:>5,} vouchers   {ms:6.2f} ms each   peak {mib:6.1f} MiB allocated")
        if len(voucher_costs) == 2:
            (ms1, m1), (ms2, m2) = voucher_costs[100], voucher_costs[1000]
            print(f"1,000 vs 100: x{ms2 / ms1:.2f} per voucher, memory {m2 - m1:+.1f} MiB")
    if writes:
        small, large = writes
        print(f"\n== writes in one request, 10 vs {args.writes:,} claims (per claim or line)")
        for step, (ms, sql) in large.items():
            ms0, sql0 = small[step]
            print(f"{step:<18} {ms0:6.2f} ms {sql0:5.1f} statements -> {ms:6.2f} ms "
                  f"{sql:5.1f} statements   x{ms / ms0:4.2f}")


def _world():
    """The fixture world already in the database, looked up by its users and places."""
    from sqlalchemy import select

    from conflict_app.auth.models import User
    from conflict_app.extensions import db
    from conflict_app.geo.models import AdminArea, Village

    class W:
        pass

    w = W()
    for attr, email in (("clerk", "clerk@am.test"), ("finance", "finance@am.test"),
                        ("manager", "manager@am.test"), ("analyst", "analyst@am.test"),
                        ("approver", "approver@am.test"), ("approver2", "approver2@am.test"),
                        ("verifier", "verifier@am.test"), ("supervisor", "supervisor@am.test"),
                        ("other_clerk", "clerk@vayots.test"), ("admin", "admin@pardus.test")):
        setattr(w, attr, db.session.scalars(select(User).where(User.email == email)).one())
    for attr, name in (("shvanidzor", "Shvanidzor"), ("shikahogh", "Shikahogh"),
                       ("gndevaz", "Gndevaz")):
        setattr(w, attr, db.session.scalars(select(Village).where(Village.name == name)).one())
    for attr, name in (("syunik", "Syunik"), ("vayots", "Vayots Dzor"), ("meghri", "Meghri"),
                       ("kapan", "Kapan")):
        setattr(w, attr, db.session.scalars(select(AdminArea).where(AdminArea.name == name))
                .one())
    return w


if __name__ == "__main__":
    main()
