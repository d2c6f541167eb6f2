"""Does a work queue page stay as fast when the table grows? Keyset pagination and the
(state, due_at, id) index say it should: this prints the time of the first and of a deep
page at 1,000 and at 20,000 claims, and the ratio to the small table measured in the same run.

    .venv/bin/python bench/queue_scaling.py [DATABASE_URL]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    import flask_migrate
    from sqlalchemy import insert

    from config import TestConfig
    from conflict_app import create_app
    from conflict_app.claims import queries
    from conflict_app.claims.models import Claim, Incident
    from conflict_app.core.permissions import Role
    from conflict_app.extensions import db
    from tests.conftest import World

    url = sys.argv[1] if len(sys.argv) > 1 else \
        f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        flask_migrate.upgrade()
        world = World()
        db.session.commit()
        household_id = __import__("tests.helpers", fromlist=["x"]).household(world).id
        base = datetime(2026, 1, 1, tzinfo=UTC)

        def grow(total: int) -> None:
            have = db.session.query(Claim).count()
            rows = total - have
            incidents = [{"household_id": household_id, "occurred_on": base.date(),
                          "village_id": world.shvanidzor.id, "country_code": "AM",
                          "admin1_id": world.syunik.id, "admin2_id": world.meghri.id,
                          "setting": "pasture"} for _ in range(rows)]
            ids = db.session.execute(insert(Incident).returning(Incident.id),
                                     incidents).scalars().all()
            db.session.execute(insert(Claim), [{
                "incident_id": i, "household_id": household_id, "state": "reported",
                "version": 1, "country_code": "AM", "admin1_id": world.syunik.id,
                "admin2_id": world.meghri.id, "currency": "AMD", "channel": "office",
                "reported_at": base, "state_changed_at": base, "pin_hash": "x",
                "due_at": base + timedelta(minutes=n), "reference": f"B-{i}"}
                for n, i in enumerate(ids)])
            db.session.commit()

        def timed(after) -> float:  # noqa: ANN001
            samples = []
            for _ in range(15):
                start = time.perf_counter()
                queries.queue(world.clerk, Role.CLERK, after, 25)
                samples.append(time.perf_counter() - start)
            return statistics.median(samples)

        results = {}
        for size in (1_000, 20_000):
            grow(size)
            first = timed(None)
            deep = queries.queue(world.clerk, Role.CLERK, None, size)[-26]
            results[size] = (first, timed((deep.due_at, deep.id)))
        base_first, base_deep = results[1_000]
        for size, (first, deep) in results.items():
            print(f"{size:>6} claims: first page {first * 1000:6.2f} ms "
                  f"(x{first / base_first:4.2f}), last page {deep * 1000:6.2f} ms "
                  f"(x{deep / base_deep:4.2f})")


if __name__ == "__main__":
    main()
