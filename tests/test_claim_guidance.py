"""Staff are told what happens next and by whom, see an assessment before it is saved and
how many approvals are given, paid claims close by themselves after the appeal period, and
new reports, flags and overdue claims reach the people responsible."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from conflict_app.claims import operations as ops
from conflict_app.claims.workflow import State
from conflict_app.core import audit, clock
from conflict_app.extensions import db
from conflict_app.jobs import TASKS, run_now
from conflict_app.jobs.rq_backend import SCHEDULE
from conflict_app.notices import digest
from conflict_app.notices.models import Notice
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod
from conflict_app.status.models import SmsMessage
from tests import helpers


def _next(browser, claim) -> str:
    page = browser.get(f"/claims/{claim.id}").get_data(as_text=True)
    start = page.index('id="next-h"')
    return page[start:page.index("</section>", start)]


def test_every_claim_says_what_happens_next_and_who_does_it(world, browser_for):
    clerk, approver = browser_for(world.clerk), browser_for(world.approver)
    claim = helpers.verified(world)
    text = _next(clerk, claim)
    assert "A clerk or supervisor assesses the amount" in text
    assert "Clerk or Supervisor" in text and "you can do this now" in text
    assert "you can do this now" not in _next(approver, claim)
    # In Persian the same guidance, translated.
    fa = clerk.get(f"/claims/{claim.id}?lang=fa").get_data(as_text=True)
    assert "A clerk or supervisor assesses" not in fa and 'id="next-h"' in fa


def test_assess_shows_a_preview_and_saves_only_when_confirmed(world, browser_for):
    claim = helpers.verified(world, killed=2)
    clerk = browser_for(world.clerk)
    data = {"assess-version": str(helpers.reload(claim).version)}
    preview = clerk.post(f"/claims/{claim.id}/actions/assess", data=data)
    assert preview.status_code == 200
    body = preview.get_data(as_text=True)
    assert "Check the assessment before it is saved" in body
    assert "90,000.00" in body  # 2 × 60000 × 75 %
    assert helpers.reload(claim).state == State.VERIFIED
    assert ops.latest_assessment(claim.id) is None
    data["assess-confirmed"] = "1"
    assert clerk.post(f"/claims/{claim.id}/actions/assess", data=data).status_code == 302
    assert helpers.reload(claim).state == State.ASSESSED
    assert ops.latest_assessment(claim.id).total == 90000
    # A stale preview (someone else assessed meanwhile) is refused, not saved twice.
    again = clerk.post(f"/claims/{claim.id}/actions/assess", data=data)
    assert again.status_code == 409


def test_after_the_first_of_two_approvals_the_page_says_so(world, browser_for):
    claim = helpers.assessed(world, killed=5)  # 225000 AMD: two approvers
    helpers.post_action(browser_for(world.approver), claim, "approve")
    assert helpers.reload(claim).state == State.ASSESSED
    text = _next(browser_for(world.approver2), claim)
    assert "1 of 2 approvals: a second, different approver decides" in text


def test_paid_claims_close_by_themselves_after_the_appeal_period(world, browser_for, app):
    claim = helpers.approved(world)
    batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.CASH)
    pay.export_batch(world.finance, batch.id)
    pay.record_paid(world.finance, batch.items[0].id, "TX-1")
    clerk = browser_for(world.clerk)
    assert "closes by itself on" in _next(clerk, claim)
    assert "claims.close_paid" in TASKS
    assert any(name == "claims.close_paid" and cron for name, _q, cron, _i in SCHEDULE)
    from conflict_app.claims.automation import close_paid

    assert close_paid() == 0  # the herder may still appeal
    clock.freeze(clock.now() + timedelta(days=31))
    try:
        assert close_paid() == 1
        assert helpers.reload(claim).state == State.CLOSED
        entry = db.session.scalars(select(audit.AuditEntry).where(
            audit.AuditEntry.object_id == claim.id, audit.AuditEntry.action == "close")).one()
        assert entry.actor_id is None and entry.from_state == "paid"
        assert close_paid() == 0
        # Configurable: with no automatic closing, paid claims wait for a clerk.
        other = helpers.approved(world, hh=helpers.household(world, name="B"))
        batch = pay.create_batch(world.finance, [other.id], PaymentMethod.CASH)
        pay.export_batch(world.finance, batch.id)
        pay.record_paid(world.finance, batch.items[0].id, "TX-2")
        app.config["CLOSE_PAID_AFTER_APPEAL_DAYS"] = None
        clock.freeze(clock.now() + timedelta(days=40))
        assert close_paid() == 0 and helpers.reload(other).state == State.PAID
        # (signed in again: a session does not outlive 40 days)
        assert "A clerk closes the claim" in _next(browser_for(world.clerk), other)
    finally:
        app.config["CLOSE_PAID_AFTER_APPEAL_DAYS"] = 0
        clock.freeze(None)


def test_new_reports_flags_and_overdue_claims_notify_the_responsible_staff(
        world, browser_for, app):
    claim, _pin = helpers.report(world)
    again, _pin = helpers.report(world, hh=claim.household)  # same household, same day
    db.session.flush()
    told = Counter((n.user_id, n.kind) for n in db.session.scalars(select(Notice)))
    for person in (world.clerk, world.supervisor):
        assert told[(person.id, "new_report")] == 2 and told[(person.id, "flag")] == 1
    # Nobody outside the area, and no other role, is told.
    assert not told[(world.other_clerk.id, "new_report")]
    assert not told[(world.approver.id, "new_report")]
    clerk = browser_for(world.clerk)
    page = clerk.get("/notices/").get_data(as_text=True)
    assert "New report" in page and again.reference in page and "Flag to check" in page
    assert '<span class="badge">3</span>' in clerk.get("/queue").get_data(as_text=True)
    # A claim past its due time: its owners are told, once however often the scan runs.
    clock.freeze(clock.now() + timedelta(days=3))
    try:
        assert run_now("notices.overdue", ()) >= 2
        assert run_now("notices.overdue", ()) == 0
    finally:
        clock.freeze(None)
    overdue = db.session.scalars(select(Notice).where(
        Notice.kind == "overdue", Notice.user_id == world.clerk.id)).all()
    assert {n.claim_id for n in overdue} == {claim.id, again.id}
    # The SMS digest, in the person's language, once per notice.
    assert clerk.post("/notices/digest", data={"digest": "sms", "phone": ""}).status_code == 400
    assert clerk.post("/notices/digest", data={"digest": "sms",
                                               "phone": "077 12 34 56"}).status_code == 302
    db.session.expire_all()
    world.clerk.locale = "ru"
    db.session.flush()
    assert digest.send_digests() == 1
    sms = db.session.scalars(select(SmsMessage).where(
        SmsMessage.kind == "staff_digest")).one()
    assert sms.phone == "+37477123456" and "Pardus" in sms.body and "5" in sms.body
    assert digest.send_digests() == 0
    assert clerk.post("/notices/read").status_code == 302
    assert '<span class="badge">' not in clerk.get("/notices/").get_data(as_text=True)


@pytest.fixture
def midday():
    """Noon UTC: the cover starts on the herder's today and the loss happens on UTC's today;
    in the evening those are different days in Armenia (the cover would start after it)."""
    from datetime import UTC, datetime

    clock.freeze(datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0))
    yield
    clock.freeze(None)


def test_an_approved_insurance_claim_says_its_period_is_settled_first(world, browser_for,
                                                                        midday):
    """Found in a browser: the page told finance to batch an insurance claim whose period
    was not settled, and the batch then refused it."""
    from datetime import date
    from decimal import Decimal

    from conflict_app.schemes import insurance, params
    from conflict_app.schemes import operations as scheme_ops

    scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        "AM-INS", "Insurance", params.SchemeKind.INSURANCE, "AM", world.syunik.id, "AMD",
        None, Decimal(0), "refuse", date(2025, 1, 1), None, Decimal(0), None))
    version = scheme_ops.add_version(world.manager, scheme.id, date(2025, 1, 1),
                                     params.defaults(params.SchemeKind.INSURANCE)
                                     | {"waiting_days": "0"})
    scheme_ops.publish_version(world.manager, version.id)
    hh = helpers.household(world)
    today = clock.today()
    enrolment = insurance.enrol(world.clerk, scheme.id, hh.id, today,
                                today + timedelta(days=364),
                                [insurance.InsuredLine(helpers.Species.SHEEP, 50,
                                                       Decimal(60000))], True)
    insurance.record_premium(world.finance, enrolment.id, today)
    claim = helpers.approved(world, hh=hh, killed=1, days_ago=0)
    assert claim.scheme_id == scheme.id and claim.state == State.APPROVED
    finance = browser_for(world.finance)
    text = _next(finance, claim)
    assert "settles the insurance period" in text and "you can do this now" in text
    assert "Finance puts it in a payment batch" not in text
    # The payments page says why it cannot be paid yet, and offers nothing to tick.
    box = f'name="claim_ids" value="{claim.id}"'
    page = finance.get("/payments/").get_data(as_text=True)
    assert "waits for the settlement" in page and box not in page
    insurance.settle(world.finance, scheme.id, today, today)
    assert "Finance puts it in a payment batch" in _next(finance, claim)
    assert box in finance.get("/payments/").get_data(as_text=True)
