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


_post_action = helpers.post_action


def _row(page: str, reference: str) -> str:
    """The table row of a page that names ``reference``."""
    import re

    rows = [r for r in re.findall(r"<tr[^>]*>.*?</tr>", page, re.S) if reference in r]
    assert len(rows) == 1, rows
    return re.sub(r"\s+", " ", rows[0])


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


# --- item 2: an appeal after payment -----------------------------------------------------
def _approve_on_page(browser_for, world, claim):
    for who in (world.approver, world.approver2):
        response = _post_action(browser_for(who), claim, "approve")
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        if helpers.reload(claim).state == State.APPROVED:
            return
    raise AssertionError("not approved")


def _pay_claim(world, claim):
    batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.CASH)
    pay.export_batch(world.finance, batch.id)
    pay.record_paid(world.finance, batch.live_items()[0].id, f"TX-{batch.id}")
    return batch.live_items()[0]


def _paid_claim(world, confidence):
    claim = helpers.approved(world, confidence=confidence)
    _pay_claim(world, helpers.reload(claim))
    return helpers.reload(claim)


def test_appeal_after_payment_leads_to_a_top_up_not_a_second_payment(world, browser_for):
    from conflict_app.verification import operations as verification_ops
    from conflict_app.verification.checklist import Confidence, Predator

    claim = _paid_claim(world, Confidence.PROBABLE)  # 3 sheep at 75 %: 101,250
    assert claim.state == State.PAID and claim.amount_approved == Decimal("101250.00")
    clerk = browser_for(world.clerk)
    page = clerk.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Record appeal" in page and "The herder may appeal until" in page
    assert _post_action(clerk, claim, "appeal",
                        reason="The cubs' tracks were seen: confirmed").status_code == 302
    assert helpers.reload(claim).state == State.APPEALED
    response = _post_action(browser_for(world.supervisor), claim, "appeal_to_verification",
                            verifier_id=str(world.verifier.id), reason="Visit again")
    assert response.status_code == 302
    claim = helpers.reload(claim)
    verification_ops.file_verification(claim.id, world.verifier, claim.version,
                                       verification_ops.VerificationInput(
                                           visited_on=clock.today(), signs=helpers.signs(),
                                           predator=Predator.LEOPARD,
                                           confidence=Confidence.CONFIRMED,
                                           confirmed={ln.id: (ln.killed, ln.injured)
                                                      for ln in claim.incident.lines}))
    assert _post_action(clerk, claim, "assess").status_code == 302
    _approve_on_page(browser_for, world, claim)
    finance = browser_for(world.finance)
    # The payments page offers the difference, marked as a top-up, not the whole amount
    # again (found in a browser: finance saw 135,000 where a batch would pay 33,750).
    row = _row(finance.get("/payments/").get_data(as_text=True), claim.reference)
    assert "AMD33,750.00" in row and "135,000" not in row and "top-up" in row
    response = finance.post("/payments/batches", data={"method": "cash",
                                                       "claim_ids": [str(claim.id)]})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    items = pay.db.session.scalars(select(PaymentItem).where(
        PaymentItem.claim_id == claim.id).order_by(PaymentItem.id)).all()
    assert [(i.part, i.amount) for i in items] == [("final", Decimal("101250.00")),
                                                    ("topup", Decimal("33750.00"))]
    page = finance.get(f"/payments/batches/{items[1].batch_id}").get_data(as_text=True)
    assert "top-up" in page
    pay.export_batch(world.finance, items[1].batch_id)
    pay.record_paid(world.finance, items[1].id, "TX-TOP")
    claim = helpers.reload(claim)
    assert claim.state == State.PAID
    total = sum(i.amount for i in pay.db.session.scalars(select(PaymentItem).where(
        PaymentItem.claim_id == claim.id, PaymentItem.state == ItemState.PAID)))
    assert total == claim.amount_approved == Decimal("135000.00")


def test_an_appeal_after_payment_that_changes_nothing_keeps_the_payment(world, browser_for):
    from conflict_app.verification.checklist import Confidence

    claim = _paid_claim(world, Confidence.CONFIRMED)
    clerk = browser_for(world.clerk)
    assert _post_action(clerk, claim, "appeal", reason="Too little").status_code == 302
    assert _post_action(browser_for(world.supervisor), claim,
                        "appeal_to_assessment").status_code == 302
    assert _post_action(clerk, claim, "assess").status_code == 302
    # The same amount again: approving would pay nothing more, so it is refused with advice.
    response = _post_action(browser_for(world.approver), claim, "approve")
    assert response.status_code == 400
    assert "not more than was already paid" in response.get_data(as_text=True)
    # Back to appealed via send back is not needed: the approver dismisses the appeal.
    claim = helpers.reload(claim)
    assert claim.state == State.ASSESSED
    response = _post_action(browser_for(world.approver), claim, "reject",
                            reason="The amount was right")
    assert response.status_code == 400  # a paid claim is never turned into a rejection
    assert helpers.reload(claim).state == State.ASSESSED
    page = browser_for(world.approver).get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Dismiss appeal: the payment stands" in page
    response = _post_action(browser_for(world.approver), claim, "uphold_payment",
                            reason="The amount was right")
    assert response.status_code == 302
    claim = helpers.reload(claim)
    assert claim.state == State.PAID and claim.amount_approved == Decimal("135000.00")


def test_appeal_dismissed_after_payment_returns_to_paid(world, browser_for):
    from conflict_app.verification.checklist import Confidence

    claim = _paid_claim(world, Confidence.CONFIRMED)
    assert _post_action(browser_for(world.clerk), claim, "appeal",
                        reason="Too little").status_code == 302
    response = _post_action(browser_for(world.approver), claim, "dismiss_appeal",
                            reason="The market price is the published one")
    assert response.status_code == 302
    claim = helpers.reload(claim)
    assert claim.state == State.PAID and claim.amount_approved == Decimal("135000.00")
    assert len(pay.db.session.scalars(select(PaymentItem).where(
        PaymentItem.claim_id == claim.id)).all()) == 1


def test_no_appeal_after_the_period_even_when_paid(world, browser_for):
    from datetime import timedelta

    from conflict_app.verification.checklist import Confidence

    claim = _paid_claim(world, Confidence.CONFIRMED)
    clock.freeze(clock.now() + timedelta(days=31))
    response = _post_action(browser_for(world.clerk), claim, "appeal", reason="Late")
    assert response.status_code == 400
    assert "The appeal period ended" in response.get_data(as_text=True)
    assert helpers.reload(claim).state == State.PAID


# --- item 3: insurance or compensation, by the cover on the day of the loss ---------------
def _two_schemes(world, browser_for):
    manager = browser_for(world.manager)
    comp = _create(manager)
    _version(manager, comp)
    ins = _create(manager, code="AM-INS", kind="insurance", name="Insurance", budget="0")
    _version(manager, ins, waiting_days="30")
    hh = helpers.household(world)
    response = browser_for(world.clerk).post(f"/schemes/{ins.id}/enrol", data={
        "household": str(hh.id), "starts_on": "2026-03-02", "ends_on": "2027-03-02",
        "heads_sheep": "50", "value_sheep": "60000", "agreement_signed": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return comp, ins, hh


def test_enrolled_without_cover_on_the_day_goes_to_compensation(world, browser_for, frozen):
    from datetime import timedelta

    comp, ins, hh = _two_schemes(world, browser_for)
    clock.freeze(START + timedelta(days=40))  # enrolled, but the premium was never paid
    claim = helpers.verified(world, hh=hh)
    assert claim.scheme_id == comp.id
    assert _post_action(browser_for(world.clerk), claim, "assess").status_code == 302
    assert helpers.reload(claim).state == State.ASSESSED


def test_a_claim_the_insurance_cannot_take_moves_back_to_compensation(world, browser_for,
                                                                        frozen):
    from datetime import timedelta

    from conflict_app.schemes import insurance

    comp, ins, hh = _two_schemes(world, browser_for)
    enrolment = insurance.enrolments(ins.id)[0]
    assert browser_for(world.finance).post(f"/schemes/enrolments/{enrolment.id}/premium",
                                           data={"on": "2026-03-02"}).status_code == 302
    pay.db.session.expire_all()  # the premium was recorded by another request
    clock.freeze(START + timedelta(days=40))
    claim = helpers.verified(world, hh=hh)
    assert claim.scheme_id == ins.id  # covered on the day of the loss
    # Later a breach of the agreement is found that predates the loss: no cover after all.
    insurance.exclude(world.supervisor, enrolment.id, clock.today() - timedelta(days=5),
                      "Poached a leopard")
    clerk = browser_for(world.clerk)
    response = _post_action(clerk, claim, "assess")
    assert response.status_code == 400 and "excluded" in response.get_data(as_text=True)
    page = clerk.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Move to compensation" in page
    response = clerk.post(f"/claims/{claim.id}/reroute",
                          data={"version": str(helpers.reload(claim).version)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    claim = helpers.reload(claim)
    assert claim.scheme_id == comp.id and claim.state == State.VERIFIED
    assert any(e.action == "reroute" for e in audit.history("claim", claim.id))
    assert _post_action(clerk, claim, "assess").status_code == 302
    # Nothing to move when the scheme already fits.
    response = clerk.post(f"/claims/{claim.id}/reroute",
                          data={"version": str(helpers.reload(claim).version)})
    assert response.status_code in (400, 409)


# --- item 5: performance payments count events, not records --------------------------------
def test_the_same_litter_recorded_twice_is_paid_once(world, browser_for, frozen):
    from conflict_app.schemes.models import IncentivePayment

    manager = browser_for(world.manager)
    scheme = _create(manager, code="AM-INC", kind="incentive", currency="USD", budget="10000")
    _version(manager, scheme, presence_unit="100", weight_regular="2",
             weight_reproduction="20", withholding_days="60")
    verifier = browser_for(world.verifier)
    village = str(world.shvanidzor.id)
    for kind, day, evidence in (
            ("reproduction", "2026-02-10", "camera trap AM-17, female with two cubs"),
            ("reproduction", "2026-02-24", "tracks of a female and two cubs at the gorge"),
            ("regular", "2026-01-05", "scats along the ridge"),
            ("regular", "2026-02-01", "camera trap AM-12")):
        response = verifier.post(f"/schemes/{scheme.id}/presence", data={
            "village": village, "kind": kind, "observed_on": day, "evidence": evidence})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    # The very same record entered twice is refused.
    response = verifier.post(f"/schemes/{scheme.id}/presence", data={
        "village": village, "kind": "reproduction", "observed_on": "2026-02-10",
        "evidence": "camera trap AM-17 again"})
    assert response.status_code == 400
    assert "already recorded" in response.get_data(as_text=True)
    assert manager.post(f"/schemes/{scheme.id}/performance",
                        data={"period": "2026"}).status_code == 302
    payment = pay.db.session.scalars(select(IncentivePayment)).one()
    # One family group (20 units) and regular presence for the year (2 units): 2,200 USD.
    assert payment.amount == Decimal("2200.00")
