"""A full period of each scheme kind, from configuration in the web pages to payout, with the
ledgers balancing to the cent; and the refusals a scheme manager meets on bad input."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from conflict_app.claims import operations as ops
from conflict_app.claims.workflow import State
from conflict_app.core import audit, clock
from conflict_app.core.errors import InvalidInput
from conflict_app.extensions import db
from conflict_app.mitigation.models import Measure, MeasureType
from conflict_app.payments import operations as pay
from conflict_app.payments import owed
from conflict_app.payments.models import ItemState, PaymentBatch, PaymentItem, PaymentMethod
from conflict_app.schemes import incentives, insurance, params
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import prices as scheme_prices
from conflict_app.schemes.models import (
    IncentivePayment,
    PoolEntry,
    RuleVersion,
    Scheme,
    Withholding,
)
from conflict_app.schemes.params import SchemeKind
from tests import helpers

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    clock.freeze(START)
    yield
    clock.freeze(None)


def _scheme_form(**kw):
    data = {"code": "AM-COMP", "name": "Syunik compensation", "kind": "compensation",
            "country": "AM", "admin1": "", "currency": "AMD", "valid_from": "2026-01-01",
            "valid_to": "", "budget": "1000000", "over_budget": "refuse",
            "review_share": "0", "review_above": "", "funders": "Example fund"}
    data.update(kw)
    return data


def _create(browser, **kw) -> Scheme:
    response = browser.post("/schemes/new", data=_scheme_form(**kw))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalars(select(Scheme).where(Scheme.code == kw.get("code", "AM-COMP"))
                              ).one()


def _version(browser, scheme, **values) -> RuleVersion:
    page = browser.get(f"/schemes/{scheme.id}/versions/new")
    assert page.status_code == 200
    data = {"valid_from": "2026-01-01", "note": "first version", "predators": "leopard",
            "species": list(params.SPECIES)}
    data.update(values)
    response = browser.post(f"/schemes/{scheme.id}/versions/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    version = db.session.scalars(select(RuleVersion).where(
        RuleVersion.scheme_id == scheme.id).order_by(RuleVersion.id.desc())).first()
    assert browser.post(f"/schemes/versions/{version.id}/publish").status_code == 302
    db.session.refresh(version)
    assert version.published_at is not None
    return version


def _confirm(world, batch):
    """Export the batch and import a confirmation file that pays every item."""
    pay.export_batch(world.finance, batch.id)
    lines = ["item,status,reference,reason"] + [
        f"{item.id},paid,TX-{item.id}," for item in batch.live_items()]
    assert pay.import_confirmations(world.finance, batch.id, "\n".join(lines))["paid"] == \
        len(batch.live_items())
    return batch


def _pay_all(world, claims):
    for household in {c.household for c in claims}:
        helpers.payout(household)
    batch = pay.create_batch(world.finance, [c.id for c in claims], PaymentMethod.BANK_TRANSFER)
    pay.export_batch(world.finance, batch.id)
    lines = ["item,status,reference,reason"] + [
        f"{item.id},paid,TX-{item.id}," for item in batch.live_items()]
    counts = pay.import_confirmations(world.finance, batch.id, "\n".join(lines))
    assert counts["paid"] == len(claims)
    # The same file again changes nothing.
    assert pay.import_confirmations(world.finance, batch.id, "\n".join(lines))["unchanged"] \
        == len(claims)
    return batch


def test_compensation_period_from_configuration_to_payout(world, browser_for, frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager, review_above="150000")
    _version(manager, scheme, share_of_value="0.75", rate_confirmed="1", rate_probable="0.75",
             rate_possible="0", injured_share="0.5", corral_modifier="0.5",
             cap_incident_heads="4", minimum_claim="1000", payment_within_days="60",
             late_interest="0")
    page = manager.get(f"/schemes/{scheme.id}").get_data(as_text=True)
    assert "AM-COMP" in page and "Example fund" in page

    small = helpers.approved(world, hh=helpers.household(world, name="A"), killed=2)
    large = helpers.assessed(world, hh=helpers.household(world, name="B"), killed=6)
    assert small.scheme_id == scheme.id and small.currency == "AMD"
    # The cap of 4 heads per incident is applied and explained on the claim page.
    clerk = browser_for(world.clerk)
    text = clerk.get(f"/claims/{large.id}").get_data(as_text=True)
    assert "Only 4 of 6 heads are paid" in text and "AM-COMP v1" in text
    assessment = ops.latest_assessment(large.id)
    assert assessment.total == Decimal("180000.00")  # 4 × 60000 × 0.75
    assert assessment.rule_version.scheme_id == scheme.id
    ops.approve(large.id, world.approver, None)
    large = helpers.reload(large)
    assert large.review_required  # above the review threshold
    with pytest.raises(InvalidInput, match="second review"):
        pay.create_batch(world.finance, [large.id], PaymentMethod.BANK_TRANSFER)
    reviewer = browser_for(world.supervisor)
    response = reviewer.post(f"/claims/{large.id}/second-review",
                             data={"second_review-version": str(large.version),
                                   "second_review-reason": "photos and census checked"})
    assert response.status_code == 302 and helpers.reload(large).reviewed_at is not None

    budget = scheme_ops.budget(scheme)
    assert budget.committed.amount == Decimal("270000.00")  # 90000 + 180000
    batch = _pay_all(world, [helpers.reload(small), helpers.reload(large)])
    assert batch.scheme_id == scheme.id
    budget = scheme_ops.budget(scheme)
    assert budget.committed.amount == 0
    assert budget.disbursed.amount == Decimal("270000.00")
    assert budget.remaining.amount == Decimal("730000.00")
    paid = db.session.scalar(select(func.sum(PaymentItem.amount)).where(
        PaymentItem.batch_id == batch.id, PaymentItem.state == ItemState.PAID))
    assert budget.allocated.amount == paid + budget.remaining.amount
    assert audit.verify_chain() == []


def test_over_budget_is_refused_or_queued_as_the_scheme_says(world, browser_for, frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager, budget="100000")
    _version(manager, scheme)
    first = helpers.approved(world, hh=helpers.household(world, name="A"), killed=2)  # 90000
    second = helpers.assessed(world, hh=helpers.household(world, name="B"), killed=1)
    with pytest.raises(InvalidInput, match="remaining budget"):
        ops.approve(second.id, world.approver, None)
    assert helpers.reload(second).state == State.ASSESSED
    response = manager.post(f"/schemes/{scheme.id}/edit", data={
        "budget": "100000", "over_budget": "queue", "review_share": "0"})
    assert response.status_code == 302
    ops.approve(second.id, world.approver, None)
    second = helpers.reload(second)
    assert second.state == State.APPROVED and second.budget_hold
    with pytest.raises(InvalidInput, match="waits for budget"):
        pay.create_batch(world.finance, [second.id], PaymentMethod.CASH)
    assert scheme_ops.budget(scheme).held.amount == Decimal("45000.00")
    manager.post(f"/schemes/{scheme.id}/edit", data={
        "budget": "200000", "over_budget": "queue", "review_share": "0"})
    assert not helpers.reload(second).budget_hold
    _pay_all(world, [helpers.reload(first), helpers.reload(second)])
    assert scheme_ops.budget(scheme).disbursed.amount == Decimal("135000.00")


def test_insurance_period_with_a_pool_too_small_pays_pro_rata(world, browser_for, frozen):
    manager = browser_for(world.manager)
    # A Syunik pool, so that Syunik's finance officer settles it.
    scheme = _create(manager, code="AM-INS", kind="insurance", name="Meghri insurance",
                     budget="0", admin1=str(world.syunik.id))
    _version(manager, scheme, payout_share="0.8", rate_confirmed="1", rate_probable="0.75",
             rate_possible="0", injured_share="0.5", premium_rate="0.02",
             herder_share="0.5", waiting_days="30")
    households = [helpers.household(world, name=n) for n in ("A", "B")]
    clerk = browser_for(world.clerk)
    for hh in households:
        response = clerk.post(f"/schemes/{scheme.id}/enrol", data={
            "household": str(hh.id), "starts_on": "2026-03-02", "ends_on": "2027-03-02",
            "heads_sheep": "50", "value_sheep": "60000", "agreement_signed": "y"})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    enrolments = insurance.enrolments(scheme.id)
    # 2 % of 50 × 60000 for a year, half paid by the herder, half matched.
    assert {(e.premium_herder, e.premium_matching) for e in enrolments} == {
        (Decimal("30000.00"), Decimal("30000.00"))}
    finance = browser_for(world.finance)
    for e in enrolments[:1]:
        assert finance.post(f"/schemes/enrolments/{e.id}/premium",
                            data={"on": "2026-03-02"}).status_code == 302
    db.session.expire_all()
    unpaid = [e for e in enrolments if e.premium_paid_on is None][0]

    clock.freeze(START + timedelta(days=40))
    paid_household = next(h for h in households if h.id != unpaid.household_id)
    claim_a = helpers.verified(world, hh=paid_household, killed=3)
    claim_b = helpers.verified(world, hh=db.session.get(type(paid_household),
                                                         unpaid.household_id), killed=1)
    assert claim_a.scheme_id == scheme.id
    # Enrolled but the premium unpaid: no cover on the day, so not the insurance's claim.
    assert claim_b.scheme_id != scheme.id
    ops.assess(claim_a.id, world.clerk, None)
    assert ops.latest_assessment(claim_a.id).total == Decimal("144000.00")  # 3×60000×0.8
    ops.approve(claim_a.id, world.approver, None)
    second = helpers.verified(world, hh=paid_household, killed=1, days_ago=2)
    ops.assess(second.id, world.clerk, None)
    ops.approve(second.id, world.approver, None)

    # The pool holds 60000 against 192000 approved: each claim gets its share.
    assert insurance.balance(scheme.id) == Decimal("60000.00")
    finance = browser_for(world.finance)  # 40 days on: the session has ended, sign in again
    response = finance.post(f"/schemes/{scheme.id}/settle",
                            data={"start": "2026-03-01", "end": "2026-12-31"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    settlement = insurance.settlements(scheme.id)[0]
    assert settlement.approved == Decimal("192000.00")
    assert settlement.payable == Decimal("60000.00")
    assert settlement.shortfall == Decimal("132000.00")
    assert sorted(i.payable for i in settlement.items) == [Decimal("15000.00"),
                                                           Decimal("45000.00")]
    page = finance.get(f"/schemes/{scheme.id}").get_data(as_text=True)
    assert "paid pro rata" in page
    _pay_all(world, [helpers.reload(claim_a), helpers.reload(second)])
    ledger = insurance.ledger(scheme.id)
    assert ledger.money_in == ledger.payouts + ledger.balance
    assert ledger.balance == 0
    paid = db.session.scalar(select(func.sum(PaymentItem.amount)).join(
        PaymentItem.claim).where(PaymentItem.state == ItemState.PAID))
    assert paid == ledger.payouts == Decimal("60000.00")
    entries = db.session.scalar(select(func.sum(PoolEntry.amount)).where(
        PoolEntry.scheme_id == scheme.id))
    assert entries == ledger.balance
    assert insurance.loss_ratio(scheme.id, date(2026, 1, 1), date(2026, 12, 31)) == 1


def test_insurance_refuses_enrolment_after_the_loss(world, browser_for, frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager, code="AM-INS", kind="insurance", budget="0")
    _version(manager, scheme)
    hh = helpers.household(world)
    response = browser_for(world.clerk).post(f"/schemes/{scheme.id}/enrol", data={
        "household": str(hh.id), "starts_on": "2026-02-01", "ends_on": "2027-02-01",
        "heads_sheep": "10", "value_sheep": "60000"})
    assert response.status_code == 400
    assert "Cover cannot start in the past" in response.get_data(as_text=True)
    assert insurance.enrolments(scheme.id) == []


def test_incentive_period_with_withholding_appeal_and_release(world, browser_for, frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager, code="AM-INC", kind="incentive", name="Presence payments",
                     currency="USD", budget="10000")
    _version(manager, scheme, presence_unit="100", weight_regular="2",
             weight_reproduction="20", withholding_days="60", adoption_corral="800",
             household_adoption_amount="1000")
    verifier = browser_for(world.verifier)
    for village, kind in ((world.shvanidzor, "reproduction"), (world.shvanidzor, "regular"),
                          (world.shikahogh, "occasional")):
        response = verifier.post(f"/schemes/{scheme.id}/presence", data={
            "village": str(village.id), "kind": kind, "observed_on": "2026-02-20",
            "evidence": "camera trap AM-17, female with two cubs"})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    # A retaliatory killing in Shikahogh: its payments are withheld for the cycle.
    assert manager.post(f"/schemes/{scheme.id}/withhold", data={
        "village": str(world.shikahogh.id), "noticed_on": "2026-03-01",
        "reason": "poisoned carcass found, leopard killed"}).status_code == 302
    assert manager.post(f"/schemes/{scheme.id}/performance",
                        data={"period": "2026"}).status_code == 302
    payments = {p.village_id: p for p in incentives.payments(scheme.id)}
    assert payments[world.shvanidzor.id].amount == Decimal("2200.00")  # (20 + 2) × 100
    assert payments[world.shvanidzor.id].state == "approved"
    assert payments[world.shikahogh.id].state == "withheld"
    db.session.commit()  # a refused operation rolls back to here, not before the requests
    with pytest.raises(InvalidInput, match="withheld"):
        pay.create_batch(world.finance, [], PaymentMethod.CASH,
                         [payments[world.shikahogh.id].id])
    item = db.session.scalars(select(Withholding)).one()
    assert manager.post(f"/schemes/withholdings/{item.id}/appeal",
                        data={"reason": "community disputes; killing confirmed"}
                        ).status_code == 302
    assert item.state == "active"  # appeal dismissed
    measure = Measure(household_id=helpers.household(world).id,
                      village_id=world.shvanidzor.id, country_code="AM",
                      admin1_id=world.syunik.id, admin2_id=world.meghri.id,
                      measure=MeasureType.CORRAL, installed_on=date(2026, 2, 1),
                      verified_on=date(2026, 2, 15))
    db.session.add(measure)
    db.session.flush()
    assert manager.post(f"/schemes/{scheme.id}/adoption",
                        data={"measure": str(measure.id)}).status_code == 302
    # Finance pays the approved ones through a batch, its file and its confirmations.
    finance = browser_for(world.finance)
    ready = [p.id for p in incentives.payments(scheme.id) if p.state == "approved"]
    created = finance.post("/payments/batches", data={
        "incentive_ids": [str(i) for i in ready], "method": "cash"})
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    batch = db.session.get(PaymentBatch, int(created.headers["Location"].rsplit("/", 1)[1]))
    _confirm(world, batch)
    # After the cycle the withholding ends by itself and the payment can be made.
    clock.freeze(START + timedelta(days=61))
    assert incentives.release_due() == 1
    held = db.session.get(IncentivePayment, payments[world.shikahogh.id].id)
    assert held.state == "approved"
    _confirm(world, pay.create_batch(world.finance, [], PaymentMethod.CASH, [held.id]))
    with pytest.raises(InvalidInput, match="not approved for payment"):
        pay.create_batch(world.finance, [], PaymentMethod.CASH, [held.id])
    budget = scheme_ops.budget(scheme)
    paid = db.session.scalar(select(func.sum(IncentivePayment.amount)).where(
        IncentivePayment.scheme_id == scheme.id, IncentivePayment.state == "paid"))
    assert budget.disbursed.amount == paid == Decimal("3100.00")  # 2200 + 100 + 800
    assert budget.remaining.amount == Decimal("6900.00") and budget.committed.amount == 0


def test_bad_rule_values_and_overlaps_are_refused(world, browser_for, frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager)
    response = manager.post(f"/schemes/{scheme.id}/versions/new", data={
        "valid_from": "2026-01-01", "share_of_value": "-0.5", "predators": "leopard",
        "species": "sheep"})
    assert response.status_code == 400
    assert "cannot be negative" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(RuleVersion.id))) == 0
    _version(manager, scheme)
    manager.post(f"/schemes/{scheme.id}/versions/new", data={
        "valid_from": "2026-01-01", "predators": "leopard", "species": "sheep"})
    draft = db.session.scalars(select(RuleVersion).where(
        RuleVersion.published_at.is_(None))).one()
    response = manager.post(f"/schemes/versions/{draft.id}/publish", follow_redirects=True)
    assert "may not overlap" in response.get_data(as_text=True)
    assert db.session.get(RuleVersion, draft.id).published_at is None
    bad = manager.post("/schemes/new", data=_scheme_form(code="X1", currency="XXX"))
    assert bad.status_code == 400 and db.session.scalar(
        select(func.count(Scheme.id)).where(Scheme.code == "X1")) == 0


def test_closed_scheme_refuses_valuation_and_dry_run_compares(world, browser_for, frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager)
    _version(manager, scheme)
    claim = helpers.assessed(world, killed=2)
    manager.post(f"/schemes/{scheme.id}/versions/new", data={
        "valid_from": "2026-04-01", "share_of_value": "1", "predators": "leopard",
        "species": list(params.SPECIES)})
    draft = db.session.scalars(select(RuleVersion).where(
        RuleVersion.published_at.is_(None))).one()
    page = manager.get(f"/schemes/versions/{draft.id}/dry-run?start=2026-01-01&end=2026-12-31")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and claim.reference in text
    assert "90,000" in text and "120,000" in text  # 2 × 60000 × 0.75 vs × 1
    manager.post(f"/schemes/{scheme.id}/edit", data={
        "budget": "1000000", "over_budget": "refuse", "review_share": "0", "closed": "y"})
    with pytest.raises(InvalidInput, match="closed"):
        ops.approve(claim.id, world.approver, None)


def test_exchange_rates_give_budgets_in_usd(world, browser_for, frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager)
    response = manager.post("/schemes/rates", data={"currency": "AMD", "per_usd": "400",
                                                    "valid_from": "2026-01-01",
                                                    "source": "central bank"})
    assert response.status_code == 302
    assert scheme_prices.to_usd(scheme_ops.budget(scheme).allocated, clock.today()).amount == \
        Decimal("2500.00")
    assert "2,500.00" in manager.get(f"/schemes/{scheme.id}").get_data(as_text=True)
    dup = manager.post("/schemes/rates", data={"currency": "AMD", "per_usd": "410",
                                               "valid_from": "2026-01-01"})
    assert dup.status_code == 400


def test_confirmation_file_is_all_or_nothing(world, browser_for, frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager)
    _version(manager, scheme)
    claims = [helpers.approved(world, hh=helpers.household(world, name=n), killed=1)
              for n in ("A", "B")]
    batch = pay.create_batch(world.finance, [c.id for c in claims], PaymentMethod.CASH)
    pay.export_batch(world.finance, batch.id)
    items = batch.live_items()
    text = f"item,status,reference,reason\n{items[0].id},paid,TX-1,\n{items[1].id},lost,,\n"
    with pytest.raises(InvalidInput, match="Line 3"):
        pay.import_confirmations(world.finance, batch.id, text)
    assert all(db.session.get(PaymentItem, i.id).state == ItemState.PENDING for i in items)
    with pytest.raises(InvalidInput, match="columns"):
        pay.import_confirmations(world.finance, batch.id, "a,b\n1,2\n")



def test_implementation_report_pdf(world, browser_for, frozen):
    from pypdf import PdfReader

    manager = browser_for(world.manager)
    scheme = _create(manager)
    _version(manager, scheme)
    helpers.approved(world, killed=2)
    response = manager.get(f"/documents/schemes/{scheme.id}/report.pdf"
                           "?start=2026-01-01&end=2026-12-31")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(
        io.BytesIO(response.data)).pages)
    assert "AM-COMP" in text and "Scheme implementation report" in text
    assert "Sheep" in text and "90,000" in text  # approved amount of the claim
    assert manager.get(f"/documents/schemes/{scheme.id}/report.pdf?start=x").status_code == 400
    assert browser_for(world.clerk).get(
        f"/documents/schemes/{scheme.id}/report.pdf").status_code == 403


def test_interim_payment_after_assessment_and_the_rest_on_decision(world, browser_for,
                                                                    frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager)
    _version(manager, scheme, interim_share="0.3")
    claim = helpers.assessed(world, killed=2)  # 90000, interim 27000
    assert ops.latest_assessment(claim.id).interim == Decimal("27000.00")
    page = browser_for(world.finance).get("/payments/").get_data(as_text=True)
    assert "interim payment" in page and claim.reference in page
    _pay_all(world, [helpers.reload(claim)])
    claim = helpers.reload(claim)
    assert claim.state == State.ASSESSED  # the interim does not decide the claim
    assert owed.interim_due(claim) is None  # paid once
    budget = scheme_ops.budget(scheme)
    assert budget.disbursed.amount == Decimal("27000.00") and budget.committed.amount == 0
    ops.approve(claim.id, world.approver, None)
    assert scheme_ops.budget(scheme).committed.amount == Decimal("63000.00")
    batch = _pay_all(world, [helpers.reload(claim)])
    assert batch.live_items()[0].amount == Decimal("63000.00")
    assert helpers.reload(claim).state == State.PAID
    budget = scheme_ops.budget(scheme)
    assert budget.disbursed.amount == Decimal("90000.00") and budget.committed.amount == 0
    assert budget.remaining.amount == Decimal("910000.00")


def test_confirmation_file_uploaded_on_the_batch_page(world, browser_for, frozen):
    claims = [helpers.approved(world, hh=helpers.household(world, name=n), killed=1)
              for n in ("A", "B")]
    batch = pay.create_batch(world.finance, [c.id for c in claims], PaymentMethod.CASH)
    pay.export_batch(world.finance, batch.id)
    items = batch.live_items()
    finance = browser_for(world.finance)
    good = (f"item,status,reference,reason\n{items[0].id},paid,TX-1,\n"
            f"{items[1].id},failed,,account closed\n").encode()
    response = finance.post(f"/payments/batches/{batch.id}/confirmations",
                            data={"file": (io.BytesIO(good), "results.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 302
    page = finance.get(f"/payments/batches/{batch.id}").get_data(as_text=True)
    assert "1 paid, 1 failed" in page
    assert helpers.reload(claims[0]).state == State.PAID
    assert helpers.reload(claims[1]).state == State.APPROVED  # back in the finance queue
    bad = finance.post(f"/payments/batches/{batch.id}/confirmations",
                       data={"file": (io.BytesIO(b"\xff\xfe\x00"), "x.csv")},
                       content_type="multipart/form-data")
    assert bad.status_code == 400 and "UTF-8" in bad.get_data(as_text=True)


@pytest.mark.committed
@pytest.mark.postgres
def test_concurrent_approvals_never_overspend_the_budget(app):
    """Ten approvers at once on ten claims of 45,000 under a budget of 200,000: the scheme
    row lock serialises them, exactly four are approved and the rest refused."""
    import threading

    from conflict_app.auth.models import User
    from conflict_app.core.errors import DomainError
    from tests.conftest import World

    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    world = World()
    db.session.commit()
    scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        "AM-RACE", "Race", SchemeKind.COMPENSATION, "AM", None, "AMD", None,
        Decimal(200_000), "refuse", date(2020, 1, 1), None, Decimal(0), None))
    version = scheme_ops.add_version(world.manager, scheme.id, date(2020, 1, 1),
                                     params.defaults(SchemeKind.COMPENSATION))
    scheme_ops.publish_version(world.manager, version.id)
    claims = [helpers.assessed(world, hh=helpers.household(world, name=f"H{n}"), killed=1).id
              for n in range(10)]
    approver_id, scheme_id = world.approver.id, scheme.id
    db.session.remove()
    results: list[str] = []
    start = threading.Barrier(len(claims))

    def approve(claim_id: int) -> None:
        start.wait()
        with app.app_context():
            try:
                ops.approve(claim_id, db.session.get(User, approver_id), None)
                results.append("approved")
            except DomainError:
                results.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(c,)) for c in claims]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("approved") == 4 and results.count("refused") == 6
    budget = scheme_ops.budget(db.session.get(Scheme, scheme_id))
    assert budget.committed.amount == Decimal("180000.00")
    assert budget.remaining.amount == Decimal("20000.00")


def test_scheme_page_shows_only_households_of_ones_own_area(world, browser_for, frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager, code="AM-INS", kind="insurance", budget="0")
    _version(manager, scheme)
    hh = helpers.household(world, name="Vardanush Ghazaryan")
    assert browser_for(world.clerk).post(f"/schemes/{scheme.id}/enrol", data={
        "household": str(hh.id), "starts_on": "2026-03-02", "ends_on": "2027-03-02",
        "heads_sheep": "10", "value_sheep": "60000"}).status_code == 302
    assert "Vardanush" in browser_for(world.clerk).get(
        f"/schemes/{scheme.id}").get_data(as_text=True)
    other = browser_for(world.other_clerk).get(f"/schemes/{scheme.id}")
    assert other.status_code == 200 and "Vardanush" not in other.get_data(as_text=True)
    assert browser_for(world.ge_clerk).get(f"/schemes/{scheme.id}").status_code == 404


def test_release_withholdings_command(app, world):
    result = app.test_cli_runner().invoke(args=["schemes", "release-withholdings"])
    assert result.exit_code == 0 and "released 0 withholding(s)" in result.output


def test_interim_payments_commit_budget_as_an_approval_does(world, browser_for, frozen):
    """Interim payments are refused (or wait) beyond the remaining budget, as approvals are:
    they never take a refusing scheme's remaining 9,375 AMD down to -37,500."""
    manager = browser_for(world.manager)
    scheme = _create(manager, budget="54375")
    _version(manager, scheme, interim_share="0.25")
    helpers.approved(world, hh=helpers.household(world, name="A"), killed=1)  # 45000
    assert scheme_ops.budget(scheme).remaining.amount == Decimal("9375.00")
    goats = dict(species=params.Species.GOAT)
    second = helpers.assessed(world, hh=helpers.household(world, name="B"), killed=2, **goats)
    third = helpers.assessed(world, hh=helpers.household(world, name="C"), killed=3, **goats)
    assert owed.interim_due(helpers.reload(second)).amount == Decimal("18750.00")
    assert owed.interim_due(helpers.reload(third)).amount == Decimal("28125.00")
    finance = browser_for(world.finance)
    for claim in (second, third):
        response = finance.post("/payments/batches", data={
            "claim_ids": [str(claim.id)], "method": "cash"})
        assert response.status_code == 400, response.status_code
        assert "remaining budget (9375.00 AMD) does not cover" in response.get_data(
            as_text=True)
    assert scheme_ops.budget(scheme).remaining.amount == Decimal("9375.00")
    assert db.session.scalar(select(func.count(PaymentItem.id)).where(
        PaymentItem.part == "interim")) == 0
    # A queuing scheme lets the interim payment wait until budget is added.
    manager.post(f"/schemes/{scheme.id}/edit", data={
        "budget": "54375", "over_budget": "queue", "review_share": "0"})
    with pytest.raises(InvalidInput, match="wait for budget"):
        pay.create_batch(world.finance, [second.id], PaymentMethod.CASH)
    manager.post(f"/schemes/{scheme.id}/edit", data={
        "budget": "63750", "over_budget": "queue", "review_share": "0"})
    pay.create_batch(world.finance, [second.id], PaymentMethod.CASH)
    assert scheme_ops.budget(scheme).remaining.amount == 0
    with pytest.raises(InvalidInput, match="wait for budget"):
        pay.create_batch(world.finance, [third.id], PaymentMethod.CASH)
