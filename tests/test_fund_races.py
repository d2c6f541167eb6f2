"""Allocations race for a fund's income: on PostgreSQL, parallel allocations never spend more
than the endowment earned, and the scheme's budget grows by exactly what was accepted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from conflict_app.auth.models import User
from conflict_app.core.errors import DomainError
from conflict_app.extensions import db
from conflict_app.schemes import funds
from conflict_app.schemes.fund_models import EntryKind, Fund
from conflict_app.schemes.models import Scheme
from tests import helpers
from tests.conftest import World
from tests.test_funds import _fund, _scheme


@pytest.mark.committed
@pytest.mark.postgres
def test_parallel_allocations_never_spend_the_principal(app):
    """Income 10,000 AMD on a principal of 1,000,000. Eight allocations of 3,000 at once:
    the fund's row lock lets exactly three through; the principal stays whole."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    world = World()
    db.session.commit()
    scheme = _scheme(world, "AM-RACE")
    fund = _fund(world)
    funds.record_entry(world.manager, fund.id, funds.EntryInput(
        EntryKind.CONTRIBUTION, Decimal(1_000_000), date(2026, 1, 2), donor="Trust"))
    funds.record_entry(world.manager, fund.id, funds.EntryInput(
        EntryKind.INCOME, Decimal(10_000), date(2026, 1, 3), period_from=date(2025, 1, 1),
        period_to=date(2025, 12, 31)))
    manager_id, fund_id, scheme_id = world.manager.id, fund.id, scheme.id
    db.session.remove()
    accepted, raised = helpers.at_once(app, 8, lambda: funds.record_entry(
        db.session.get(User, manager_id), fund_id, funds.EntryInput(
            EntryKind.ALLOCATION, Decimal(3000), date(2026, 1, 4), scheme_id=scheme_id)))
    errors = [e for e in raised if not isinstance(e, DomainError)]
    refused = [e for e in raised if isinstance(e, DomainError)]
    assert errors == []
    assert (len(accepted), len(refused)) == (3, 5)
    totals = funds.totals(db.session.get(Fund, fund_id))
    assert totals.available.amount == Decimal(1000)
    assert totals.principal.amount == Decimal(1_000_000)
    assert db.session.get(Scheme, scheme_id).budget == Decimal(9000)
