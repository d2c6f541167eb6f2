"""Staff journeys where money moves: interim payments of claims that end without a decision
in their favour, appeals after payment, insurance routing, incentive counts and caps. Each
case is driven through the pages a claims officer uses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from conflict_app.claims.workflow import State
from conflict_app.core import audit, clock
from conflict_app.payments import operations as pay
from conflict_app.payments import recoveries
from conflict_app.payments.models import ItemState, PaymentItem, PaymentMethod
from conflict_app.schemes import operations as scheme_ops
from tests import helpers
from tests.test_schemes import START, _create, _pay_all, _version


@pytest.fixture
def frozen():
    clock.freeze(START)
    yield
    clock.freeze(None)


def _post_action(browser, claim, action, **data):
    claim = helpers.reload(claim)
    payload = {f"{action}-version": str(claim.version)}
    payload.update({f"{action}-{k}": v for k, v in data.items()})
    return browser.post(f"/claims/{claim.id}/actions/{action}", data=payload)


def _interim_scheme(world, browser_for):
    manager = browser_for(world.manager)
    scheme = _create(manager)
    _version(manager, scheme, interim_share="0.3")
    return scheme


@pytest.mark.parametrize("ending", ["reject", "withdraw", "mark_duplicate"])
def test_pending_interim_is_cancelled_when_the_claim_ends(world, browser_for, frozen, ending):
    scheme = _interim_scheme(world, browser_for)
    original = helpers.report(world, hh=helpers.household(world, name="Orig"))[0]
    claim = helpers.assessed(world, killed=2)  # 90000, interim 27000
    batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.CASH)
    assert scheme_ops.budget(scheme).committed.amount == Decimal("27000.00")
    who = world.approver if ending == "reject" else world.clerk
    extra = {"original_reference": original.reference} if ending == "mark_duplicate" else {}
    response = _post_action(browser_for(who), claim, ending, reason="Not a leopard", **extra)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    item = pay.db.session.get(PaymentItem, batch.items[0].id)
    assert item.state == ItemState.REMOVED  # nobody can record it paid any more
    assert scheme_ops.budget(scheme).committed.amount == 0
    finance = browser_for(world.finance)
    page = finance.get(f"/payments/batches/{batch.id}").get_data(as_text=True)
    assert "Cancelled: the claim was" in page
    assert any(e.action == "cancel_interim_payment" for e in audit.history("claim", claim.id))


@pytest.mark.parametrize("ending", ["reject", "withdraw", "mark_duplicate"])
def test_paid_interim_becomes_a_recovery_item_on_claim_and_budget(world, browser_for, frozen,
                                                                  ending):
    scheme = _interim_scheme(world, browser_for)
    original = helpers.report(world, hh=helpers.household(world, name="Orig"))[0]
    claim = helpers.assessed(world, killed=2)
    _pay_all(world, [helpers.reload(claim)])
    who = world.approver if ending == "reject" else world.clerk
    extra = {"original_reference": original.reference} if ending == "mark_duplicate" else {}
    assert _post_action(browser_for(who), claim, ending, reason="Wrong household",
                        **extra).status_code == 302
    assert helpers.reload(claim).state != State.ASSESSED
    page = browser_for(world.clerk).get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "To be recovered" in page and "27,000" in page
    manager_page = browser_for(world.manager).get(f"/schemes/{scheme.id}").get_data(
        as_text=True)
    assert "Interim payments to recover" in manager_page
    budget = scheme_ops.budget(scheme)
    assert budget.disbursed.amount == Decimal("27000.00") and budget.committed.amount == 0
    # Finance records the money returned: the scheme's disbursement goes down by it.
    finance = browser_for(world.finance)
    recovery = recoveries.recoveries_of(claim.id)[0]
    response = finance.post(f"/payments/recoveries/{recovery.id}",
                            data={"outcome": "recovered", "note": "Cash returned, receipt 17"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert scheme_ops.budget(scheme).disbursed.amount == 0
    page = browser_for(world.clerk).get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Recovered" in page
    # Nothing to record twice.
    again = finance.post(f"/payments/recoveries/{recovery.id}",
                         data={"outcome": "waived", "note": "x"})
    assert again.status_code == 409
    assert db_count_recoveries(claim.id) == 1


def db_count_recoveries(claim_id):
    return len(recoveries.recoveries_of(claim_id))


def test_no_interim_paid_no_recovery(world, browser_for, frozen):
    _interim_scheme(world, browser_for)
    claim = helpers.assessed(world, killed=2)
    assert _post_action(browser_for(world.approver), claim, "reject",
                        reason="Dogs").status_code == 302
    assert recoveries.recoveries_of(claim.id) == []
    assert pay.db.session.scalars(select(PaymentItem)).all() == []
