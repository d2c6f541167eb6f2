"""A flag cleared and appeals in a real browser at phone width, in English and Persian: the
clerk clears a possible-duplicate flag after checking it; an appeal against a paid claim goes
back to a new visit, is decided again and its difference is paid as a top-up through a
batch (never a second full payment); an appeal against a rejection is recorded and
dismissed. Every page: no sideways overflow, axe-core clean, Nu HTML checker clean."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from conflict_app.claims import operations as claim_ops
from conflict_app.claims.models import DuplicateFlag
from conflict_app.extensions import db
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentItem, PaymentMethod
from tests import browser_steps as steps
from tests import browser_support as bs
from tests import helpers

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def _claims(world) -> SimpleNamespace:
    """Committed for the server: a claim paid for 2 of the 3 sheep reported, a later report
    of the same household (flagged as a possible duplicate), and a rejected claim."""
    w = world.world
    hh = helpers.household(w)
    paid = helpers.approved(w, hh=hh, killed=3, confirmed=2, days_ago=3)
    batch = pay.create_batch(w.finance, [paid.id], PaymentMethod.CASH)
    pay.export_batch(w.finance, batch.id)
    pay.record_paid(w.finance, batch.items[0].id, "TX-2026-0007")
    flagged, _ = helpers.report(w, hh=hh, killed=1, days_ago=2)
    assert db.session.scalars(select(DuplicateFlag.kind).where(
        DuplicateFlag.claim_id == flagged.id)).all() == ["same_household_nearby"]
    rejected = helpers.assessed(w, hh=helpers.household(w, w.shikahogh, "Lusine Avagyan"))
    claim_ops.reject(rejected.id, w.approver, rejected.version, "Killed by dogs, not a leopard")
    db.session.commit()
    ids = SimpleNamespace(paid=paid.id, paid_amount=paid.amount_approved, flagged=flagged.id,
                          original=paid.reference, rejected=rejected.id)
    db.session.remove()
    return ids


def _items(claim_id: int) -> list[tuple[str, Decimal, str]]:
    rows = db.session.execute(select(PaymentItem.part, PaymentItem.amount, PaymentItem.state)
                              .where(PaymentItem.claim_id == claim_id)
                              .order_by(PaymentItem.id)).all()
    db.session.remove()
    return [(part, amount, str(getattr(st, "value", st))) for part, amount, st in rows]


@pytest.mark.parametrize("locale", ["en", "fa"])
def test_a_flag_cleared_and_appeals_decided_with_a_top_up_paid(live, chromium_browser,
                                                               world_committed, visit, locale):
    world = world_committed
    ids = _claims(world)

    def person(user):
        s = bs.Session(chromium_browser, live, visit, locale)
        s.login(user)
        return s

    clerk = person(world.clerk)
    # Checking a possible duplicate: the household's claims, found by its name.
    clerk.goto("/households/")
    clerk.page.fill("input[name=q]", "Petrosyan")
    clerk.submit("form[role=search] button[type=submit]")
    clerk.check("households found")
    clerk.submit("main table a[href*='/households/']")
    clerk.check("the household")
    clerk.goto(f"/claims/{ids.flagged}")
    flags = clerk.page.locator("#flags-h + ul li")
    assert flags.count() == 1 and ids.original in flags.inner_text()
    clerk.submit("#flags-h + ul form button[type=submit]")
    clerk.check("flag cleared")
    assert clerk.page.locator("#flags-h").count() == 0

    # The herder appeals the amount of the paid claim: a second visit finds all 3 sheep.
    steps.act(clerk, ids.paid, "appeal", {"reason": "Three sheep were killed, not two"})
    clerk.check("appeal recorded")
    assert steps.state(ids.paid) == "appealed"
    supervisor = person(world.supervisor)
    steps.act(supervisor, ids.paid, "appeal_to_verification",
              {"verifier_id": str(world.verifier.id)})
    assert steps.state(ids.paid) == "verification_scheduled"
    verifier = person(world.verifier)
    steps.verify(verifier, ids.paid, killed=3)
    assert steps.state(ids.paid) == "verified"
    steps.act(clerk, ids.paid, "assess")
    steps.confirm(clerk, "assessed again")
    approver = person(world.approver)
    steps.act(approver, ids.paid, "approve")
    steps.confirm(approver, "approved on appeal")
    assert steps.state(ids.paid) == "approved"

    # Finance sees, and pays, only the difference.
    top_up = ids.paid_amount / 2
    finance = person(world.finance)
    finance.goto("/payments")
    row = finance.page.locator(f"tr:has(input[name=claim_ids][value='{ids.paid}'])")
    assert steps.money_shown(row.locator("td.num").inner_text(), locale) == top_up
    exported = steps.pay(finance, [f"input[name=claim_ids][value='{ids.paid}']"])
    assert steps.state(ids.paid) == "paid"
    assert _items(ids.paid) == [("final", ids.paid_amount, "paid"),
                                ("topup", top_up, "paid")]
    assert f"{top_up:.2f}" in exported and f"{ids.paid_amount + top_up:.2f}" not in exported
    clerk.goto(f"/claims/{ids.paid}")
    assert clerk.page.locator("#payments-h + table tbody tr").count() == 2

    # An appeal against a rejection, recorded and dismissed.
    steps.act(clerk, ids.rejected, "appeal", {"reason": "The herder saw the leopard"})
    assert steps.state(ids.rejected) == "appealed"
    steps.act(approver, ids.rejected, "dismiss_appeal",
              {"reason": "The bite marks are those of dogs"})
    approver.check("appeal dismissed")
    assert steps.state(ids.rejected) == "rejected"
    for s in (clerk, supervisor, verifier, approver, finance):
        s.close()
    bs.assert_clean(visit)
