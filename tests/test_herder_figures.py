"""Every amount a herder is told (texts, status page, decision letter) is the claim's settled
figure: the approved amount, the interim part, a pool's pro-rata share with its shortfall
explained, and interest on a late payment."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from conflict_app.claims import operations as ops
from conflict_app.core import clock
from conflict_app.documents import contents, render
from conflict_app.extensions import db
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod
from conflict_app.schemes import insurance
from conflict_app.status.models import SmsMessage
from tests import helpers
from tests.conftest import csrf_token
from tests.test_documents import Drawn, _clean
from tests.test_schemes import START, _create, _version


@pytest.fixture
def frozen():
    clock.freeze(START)
    yield
    clock.freeze(None)


def texts(claim) -> list[SmsMessage]:
    return list(db.session.scalars(select(SmsMessage).where(
        SmsMessage.claim_id == claim.id, SmsMessage.direction == "out")
        .order_by(SmsMessage.id)))


def by_kind(claim) -> dict[str, str]:
    return {t.kind: t.body for t in texts(claim)}


def english(world, hh):
    hh.language = "en"
    db.session.flush()
    return hh


def pay_claim(world, claim, reference: str):
    helpers.payout(claim.household)
    batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.MOBILE_MONEY)
    pay.export_batch(world.finance, batch.id)
    item = batch.live_items()[-1]
    pay.record_paid(world.finance, item.id, reference)
    return item


def letter_text(claim) -> str:
    import io

    out = io.BytesIO()
    data = contents.decision_data(helpers.reload(claim), url="https://pardus.example/status")
    render.render_decision(data, "en", out)
    return re.sub(r"\s+", " ", _clean(Drawn(out.getvalue()).text()))


def status_page(app, claim_id: int, pin: str) -> str:
    from conflict_app.claims.models import Claim

    client = app.test_client()
    claim = db.session.get(Claim, claim_id)
    page = client.post("/status?lang=en", data={
        "csrf_token": csrf_token(client, "/status?lang=en"), "reference": claim.reference,
        "pin": pin})
    assert page.status_code == 200
    return re.sub(r"\s+", " ", page.get_data(as_text=True))


def test_approval_text_says_the_approved_amount(world):
    hh = english(world, helpers.household(world))
    claim = helpers.approved(world, hh=hh, killed=3)  # 3 × 60000 × 0.75
    assert helpers.reload(claim).amount_approved == 135000
    assert "approved, AMD135,000.00" in by_kind(claim)["approved"]


def test_compensation_paid_late_names_the_interest(app, world, browser_for, frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager)
    _version(manager, scheme, payment_within_days="10", late_interest="0.365")
    hh = english(world, helpers.household(world))
    claim, pin = helpers.report(world, hh=hh, killed=2)
    claim = helpers.approved(world, claim=claim)  # 90000
    clock.freeze(START + timedelta(days=20))  # ten days late: 90000 × 0.365 × 10 / 365
    item = pay_claim(world, helpers.reload(claim), "MM-1")
    assert item.amount == 90900 and item.interest == 900
    body = by_kind(claim)["paid_interest"]
    assert "AMD90,900.00 paid, with AMD900.00 interest" in body
    letter = letter_text(claim)
    assert "AMD90,900.00 was paid" in letter and "AMD900.00 interest" in letter
    page = status_page(app, claim.id, pin)
    assert "AMD90,900.00" in page and "AMD900.00" in page


def test_interim_part_is_told_and_the_rest_is_paid(app, world, browser_for, frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager)
    _version(manager, scheme, interim_share="0.3")
    hh = english(world, helpers.household(world))
    claim, pin = helpers.report(world, hh=hh, killed=2)
    claim = helpers.verified(world, claim=claim)
    ops.assess(claim.id, world.clerk, None)  # 90000, interim 27000
    pay_claim(world, helpers.reload(claim), "INT-7")
    told = by_kind(claim)
    assert "first part paid, AMD27,000.00" in told["interim_paid"]
    ops.approve(claim.id, world.approver, None)
    told = by_kind(claim)
    assert ("approved, AMD90,000.00. After the first part already paid, AMD63,000.00 "
            "follows.") in told["approved_after_interim"]
    page = status_page(app, claim.id, pin)
    assert "AMD27,000.00" in page and "AMD63,000.00" in page
    letter = letter_text(claim)
    assert "AMD27,000.00" in letter and "AMD63,000.00" in letter
    pay_claim(world, helpers.reload(claim), "FIN-8")
    told = by_kind(claim)
    assert "the rest, AMD63,000.00, paid" in told["paid_rest"] and "FIN-8" in told["paid_rest"]
    assert "paid" not in told  # no text claims the whole amount was paid now
    page = status_page(app, claim.id, pin)
    assert "AMD90,000.00" in page  # in all


def test_pro_rata_settlement_pays_and_tells_the_share(app, world, browser_for, frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager, code="AM-INS", kind="insurance", name="Meghri insurance",
                     budget="0", admin1=str(world.syunik.id))
    _version(manager, scheme, payout_share="0.8", rate_confirmed="1", rate_probable="0.75",
             rate_possible="0", injured_share="0.5", premium_rate="0.02",
             herder_share="0.5", waiting_days="30")
    hh = english(world, helpers.household(world, name="A"))
    clerk = browser_for(world.clerk)
    assert clerk.post(f"/schemes/{scheme.id}/enrol", data={
        "household": str(hh.id), "starts_on": "2026-03-02", "ends_on": "2027-03-02",
        "heads_sheep": "50", "value_sheep": "60000", "agreement_signed": "y"}
    ).status_code == 302
    enrolment = insurance.enrolments(scheme.id)[0]
    finance = browser_for(world.finance)
    assert finance.post(f"/schemes/enrolments/{enrolment.id}/premium",
                        data={"on": "2026-03-02"}).status_code == 302  # pool: 60000
    db.session.refresh(enrolment)  # the request committed in its own session
    assert enrolment.premium_paid_on is not None
    clock.freeze(START + timedelta(days=40))
    claim, pin = helpers.report(world, hh=hh, killed=2)
    claim = helpers.verified(world, claim=claim)
    ops.assess(claim.id, world.clerk, None)  # 2 × 60000 × 0.8 = 96000
    ops.approve(claim.id, world.approver, None)
    other, _pin = helpers.report(world, hh=hh, killed=3, days_ago=2)
    other = helpers.verified(world, claim=other)
    ops.assess(other.id, world.clerk, None)  # 144000
    ops.approve(other.id, world.approver, None)
    assert "approved, AMD96,000.00" in by_kind(claim)["approved"]
    # 40 days on, the staff sessions have ended: they sign in again.
    finance, clerk = browser_for(world.finance), browser_for(world.clerk)
    assert finance.post(f"/schemes/{scheme.id}/settle",
                        data={"start": "2026-03-01", "end": "2026-12-31"}).status_code == 302
    # 60000 for 240000 approved: a quarter each.
    page = status_page(app, claim.id, pin)
    assert "AMD24,000.00" in page and "AMD72,000.00" in page
    staff = clerk.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "AMD24,000.00" in staff and "AMD72,000.00" in staff
    pay_claim(world, helpers.reload(claim), "POOL-1")
    body = by_kind(claim)["paid_shortfall"]
    assert "AMD24,000.00 paid of the AMD96,000.00 approved" in body
    assert "the insurance fund was short" in body
    assert "paid" not in by_kind(claim)
    letter = letter_text(claim)
    assert "AMD24,000.00" in letter and "AMD72,000.00" in letter
    assert "You will be paid AMD96,000.00" not in letter
