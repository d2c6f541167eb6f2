"""Interim payments race for the budget like approvals do: on PostgreSQL, interim payments
scheduled at the same moment as approvals never take a scheme that refuses to overspend
below zero."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest

from conflict_app.auth.models import User
from conflict_app.claims import operations as ops
from conflict_app.core.errors import DomainError
from conflict_app.extensions import db
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import params
from conflict_app.schemes.models import Scheme
from conflict_app.schemes.params import SchemeKind
from tests import helpers
from tests.conftest import World


@pytest.mark.committed
@pytest.mark.postgres
def test_parallel_interim_payments_and_approvals_never_overspend(app, monkeypatch):
    """Budget 100,000 AMD. At once: eight interim payments of 11,250 (a quarter of
    45,000) and four approvals of 45,000 on other claims, 270,000 asked in all. Whatever
    the order, the scheme's row lock lets through only what fits: the budget never goes
    below zero, and each refusal was right when it was made."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    import conflict_app.jobs

    monkeypatch.setattr(conflict_app.jobs, "submit", lambda *args, **kw: None)  # no texts
    world = World()
    db.session.commit()
    scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        "AM-RACE", "Race", SchemeKind.COMPENSATION, "AM", None, "AMD", None,
        Decimal(100_000), "refuse", date(2020, 1, 1), None, Decimal(0), None))
    values = {**params.defaults(SchemeKind.COMPENSATION), "interim_share": "0.25"}
    version = scheme_ops.add_version(world.manager, scheme.id, date(2020, 1, 1), values)
    scheme_ops.publish_version(world.manager, version.id)
    interim = [helpers.assessed(world, hh=helpers.household(world, name=f"I{n}"), killed=1).id
               for n in range(8)]
    decide = [helpers.assessed(world, hh=helpers.household(world, name=f"D{n}"), killed=1).id
              for n in range(4)]
    finance_id, approver_id, scheme_id = world.finance.id, world.approver.id, scheme.id
    db.session.remove()
    accepted: list[Decimal] = []
    refused: list[Decimal] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(interim) + len(decide))

    def run(action, amount: Decimal) -> None:  # noqa: ANN001
        start.wait()
        with app.app_context():
            try:
                action()
                accepted.append(amount)
            except DomainError:
                refused.append(amount)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    jobs = [(lambda c=c: pay.create_batch(db.session.get(User, finance_id), [c],
                                          PaymentMethod.CASH), Decimal(11_250))
            for c in interim]
    jobs += [(lambda c=c: ops.approve(c, db.session.get(User, approver_id), None),
              Decimal(45_000)) for c in decide]
    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(accepted) + len(refused) == 12
    budget = scheme_ops.budget(db.session.get(Scheme, scheme_id))
    assert budget.committed.amount == sum(accepted)
    assert budget.remaining.amount >= 0
    # Nothing gives budget back here, so every refusal still does not fit at the end.
    assert all(budget.remaining.amount < amount for amount in refused)
    assert refused, "270,000 cannot fit in 100,000"
