"""Conservation agreements through the pages: signed with a household or a community,
milestones verified with evidence, the year's instalment payable once its milestones are met
and paid in a payment batch by someone else, withheld with the community's payments after a
retaliatory killing and released on appeal, renewed at the end of the term."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from conflict_app.core import audit, clock
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.payments.models import PaymentItem
from conflict_app.schemes.agreement_models import (
    AgreementMilestone,
    ConservationAgreement,
)
from conflict_app.schemes.models import Withholding
from tests import helpers
from tests.test_documents import _clean
from tests.test_schemes import _create, _version, frozen  # noqa: F401

PDFTOTEXT = shutil.which("pdftotext")


def _scheme(world, browser_for):
    manager = browser_for(world.manager)
    scheme = _create(manager, code="AM-AGR", kind="incentive", name="Syunik agreements",
                     currency="AMD", budget="100000", valid_from="2020-01-01")
    _version(manager, scheme, valid_from="2020-01-01")
    return manager, scheme


def _sign(browser, scheme, **data):
    form = {"household": "", "village": "", "signed_on": "2024-03-01", "term_years": "3",
            "amount": "1500", "milestones": ["corral", "no_killing"], "note": ""}
    form.update(data)
    return browser.post(f"/schemes/{scheme.id}/agreements", data=form)


def _agreement(response) -> ConservationAgreement:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    agreement_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    db.session.expire_all()
    return db.session.get(ConservationAgreement, agreement_id)


def _milestone(agreement, year, kind) -> AgreementMilestone:
    return next(m for m in agreement.milestones if m.year == year and m.kind == kind)


def _verify(browser, milestone, on, evidence="Seen on the field visit, photos on file"):
    return browser.post(f"/schemes/agreement-milestones/{milestone.id}/verify",
                        data={"verified_on": on, "evidence": evidence})


def _instalment(agreement_id, year):
    db.session.expire_all()
    agreement = db.session.get(ConservationAgreement, agreement_id)
    return next(i for i in agreement.instalments if i.year == year)


def _actions(object_type, object_id):
    return [e.action for e in db.session.scalars(select(audit.AuditEntry).where(
        audit.AuditEntry.object_type == object_type, audit.AuditEntry.object_id == object_id)
        .order_by(audit.AuditEntry.id))]


def test_an_agreement_from_signing_to_payment_withholding_and_renewal(world, browser_for,
                                                                      frozen):  # noqa: F811
    manager, scheme = _scheme(world, browser_for)
    household = helpers.household(world)
    agreement = _agreement(_sign(manager, scheme, household=str(household.id)))
    assert agreement.household_id == household.id and agreement.village_id == world.shvanidzor.id
    assert agreement.term_years == 3 and str(agreement.ends_on) == "2027-03-01"
    assert len(agreement.milestones) == 6 and len(agreement.instalments) == 3
    assert agreement.instalments[0].amount == Decimal("1500.00")
    assert "sign_agreement" in _actions("conservation_agreement", agreement.id)
    listing = manager.get(f"/schemes/{scheme.id}/agreements").get_data(as_text=True)
    assert agreement.reference in listing and "In force" in listing and "0 of 6" in listing

    verifier = browser_for(world.verifier)
    assert _verify(verifier, _milestone(agreement, 1, "corral"), "2024-06-01").status_code == 302
    assert _instalment(agreement.id, 1).state == "waiting"
    # A year without a killing is verified once it is over.
    early = _verify(verifier, _milestone(agreement, 1, "no_killing"), "2025-01-10")
    assert early.status_code == 400
    assert "once the year is over, from 2025-03-01" in early.get_data(as_text=True)
    assert _verify(verifier, _milestone(agreement, 1, "no_killing"),
                   "2025-03-05").status_code == 302
    first = _instalment(agreement.id, 1)
    assert first.state == "approved" and first.payment.kind == "instalment"
    assert first.payment.household_id == household.id
    assert first.payment.amount == Decimal("1500.00") and first.payment.currency == "AMD"
    assert "instalment_due" in _actions("incentive_payment", first.payment.id)
    again = _verify(verifier, _milestone(agreement, 1, "corral"), "2024-06-02")
    assert again.status_code == 400 and "already verified" in again.get_data(as_text=True)
    page = verifier.get(f"/schemes/agreements/{agreement.id}").get_data(as_text=True)
    assert "Seen on the field visit" in page and "To be paid" in page

    # Paid in a batch by finance, as claims are: file exported, payment recorded.
    helpers.payout(household)
    finance = browser_for(world.finance)
    payments = finance.get("/payments/").get_data(as_text=True)
    assert first.payment.reference in payments and "Agreement instalment" in payments
    created = finance.post("/payments/batches", data={
        "incentive_ids": [str(first.payment_id)], "method": "cash"})
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    batch_id = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert _instalment(agreement.id, 1).state == "scheduled"
    exported = finance.post(f"/payments/batches/{batch_id}/export")
    assert exported.status_code == 200 and first.payment.reference in exported.get_data(
        as_text=True)
    item_id = db.session.scalar(select(PaymentItem.id).where(
        PaymentItem.incentive_payment_id == first.payment_id))
    assert finance.post(f"/payments/batches/{batch_id}/items/{item_id}/paid",
                        data={"reference": "CASH-0042"}).status_code == 302
    paid = _instalment(agreement.id, 1)
    assert paid.state == "paid" and paid.payment.payment_reference == "CASH-0042"
    page = manager.get(f"/schemes/agreements/{agreement.id}").get_data(as_text=True)
    assert "CASH-0042" in page and "1 of 3" in manager.get(
        f"/schemes/{scheme.id}/agreements").get_data(as_text=True)

    # Year two met; then a retaliatory killing withholds the community's instalments.
    assert _verify(verifier, _milestone(agreement, 2, "corral"), "2025-04-01").status_code == 302
    assert _verify(verifier, _milestone(agreement, 2, "no_killing"),
                   "2026-03-01").status_code == 302
    second = _instalment(agreement.id, 2)
    assert second.state == "approved"
    held = manager.post(f"/schemes/{scheme.id}/withhold", data={
        "village": str(world.shvanidzor.id), "noticed_on": "2026-03-02",
        "reason": "a leopard was found poisoned above the village"})
    assert held.status_code == 302
    assert _instalment(agreement.id, 2).state == "withheld"
    page = manager.get(f"/schemes/agreements/{agreement.id}").get_data(as_text=True)
    assert "In force, payments withheld" in page and "found poisoned" in page
    refused = finance.post("/payments/batches", data={
        "incentive_ids": [str(second.payment_id)], "method": "cash"})
    assert refused.status_code == 400 and "is withheld" in refused.get_data(as_text=True)
    community = manager.get(f"/schemes/villages/{world.shvanidzor.id}/agreements")
    assert community.status_code == 200
    assert agreement.reference in community.get_data(as_text=True)
    # The appeal is upheld: the instalment is payable again, and the release is audited.
    withholding_id = db.session.scalar(select(func.max(Withholding.id)))
    assert manager.post(f"/schemes/withholdings/{withholding_id}/appeal", data={
        "reason": "the carcass was found outside the village's pastures",
        "upheld": "y"}).status_code == 302
    assert _instalment(agreement.id, 2).state == "approved"
    assert "lifted" in _actions("withholding", withholding_id)

    # Renewal: not before the end of the term is near, then a new agreement linked to it.
    early = manager.post(f"/schemes/agreements/{agreement.id}/renew", data={
        "term_years": "2", "amount": "2000", "milestones": ["presence"]})
    assert early.status_code == 400 and "can be renewed from" in early.get_data(as_text=True)
    clock.freeze(datetime(2027, 1, 15, 9, 0, tzinfo=UTC))
    manager = browser_for(world.manager)
    renewed = _agreement(manager.post(f"/schemes/agreements/{agreement.id}/renew", data={
        "term_years": "2", "amount": "2000", "milestones": ["presence"]}))
    assert renewed.renews_id == agreement.id and str(renewed.signed_on) == "2027-03-01"
    assert renewed.household_id == household.id and len(renewed.instalments) == 2
    assert db.session.get(ConservationAgreement, agreement.id).state == "renewed"
    assert "renew_agreement" in _actions("conservation_agreement", agreement.id)
    page = manager.get(f"/schemes/agreements/{renewed.id}").get_data(as_text=True)
    assert agreement.reference in page and "Signed, not yet started" in page
    twice = manager.post(f"/schemes/agreements/{agreement.id}/renew", data={
        "term_years": "2", "amount": "2000", "milestones": ["presence"]})
    assert twice.status_code == 400 and "already renewed" in twice.get_data(as_text=True)
    # The household page shows both.
    clerk = browser_for(world.clerk)
    page = clerk.get(f"/households/{household.id}").get_data(as_text=True)
    assert agreement.reference in page and renewed.reference in page and "Renewed" in page


def test_a_community_agreement_needs_presence_records_and_its_payee_is_the_village(
        world, browser_for, frozen):  # noqa: F811
    manager, scheme = _scheme(world, browser_for)
    helpers.household(world)
    # Nothing is chosen for the manager: a community's agreement is not signed with the
    # first household of the list by accident.
    form = manager.get(f"/schemes/{scheme.id}/agreements").get_data(as_text=True)
    assert '<select id="household" name="household"><option selected value="">' in form
    assert '<select id="agreement-village" name="village"><option selected value="">' in form
    agreement = _agreement(_sign(manager, scheme, village=str(world.shikahogh.id),
                                 term_years="1", milestones=["presence"],
                                 signed_on="2025-01-01"))
    assert agreement.household_id is None and agreement.village_id == world.shikahogh.id
    verifier = browser_for(world.verifier)
    milestone = _milestone(agreement, 1, "presence")
    missing = _verify(verifier, milestone, "2025-06-01")
    assert missing.status_code == 400
    assert "No verified presence record" in missing.get_data(as_text=True)
    assert verifier.post(f"/schemes/{scheme.id}/presence", data={
        "village": str(world.shikahogh.id), "kind": "regular", "observed_on": "2025-05-20",
        "evidence": "camera trap 7"}).status_code == 302
    assert _verify(verifier, milestone, "2025-06-01").status_code == 302
    instalment = _instalment(agreement.id, 1)
    assert instalment.state == "approved" and instalment.payment.household_id is None
    assert instalment.payment.village_id == world.shikahogh.id
    page = manager.get(f"/schemes/villages/{world.shikahogh.id}/agreements").get_data(
        as_text=True)
    assert agreement.reference in page and "the community" in page
    # A second agreement with the same community while the first is in force is refused.
    same = _sign(manager, scheme, village=str(world.shikahogh.id), signed_on="2025-02-01")
    assert same.status_code == 400 and "already in force" in same.get_data(as_text=True)


def test_those_without_the_role_are_refused_and_nothing_changes(world, browser_for,
                                                                frozen):  # noqa: F811
    manager, scheme = _scheme(world, browser_for)
    household = helpers.household(world)
    agreement = _agreement(_sign(manager, scheme, household=str(household.id)))
    clerk = browser_for(world.clerk)
    assert _sign(clerk, scheme, household=str(household.id)).status_code == 403
    milestone = _milestone(agreement, 1, "corral")
    assert _verify(clerk, milestone, "2024-06-01").status_code == 403
    assert browser_for(world.verifier).post(f"/schemes/agreements/{agreement.id}/renew", data={
        "term_years": "2", "amount": "10", "milestones": ["corral"]}).status_code == 403
    assert browser_for(world.analyst).get(f"/schemes/{scheme.id}/agreements").status_code == 403
    # Outside the jurisdiction the agreement does not exist.
    other = browser_for(world.other_clerk)
    assert other.get(f"/schemes/agreements/{agreement.id}").status_code == 404
    assert other.get(f"/schemes/villages/{world.shvanidzor.id}/agreements").status_code == 404
    # A verifier who is also finance may not pay the instalment their verification made due.
    both = world.user("verifier-finance@am.test", {Role.VERIFIER, Role.FINANCE}, "AM",
                      world.syunik.id)
    browser = browser_for(both)
    _verify(browser, milestone, "2024-06-01")
    assert _verify(browser, _milestone(agreement, 1, "no_killing"),
                   "2025-03-05").status_code == 302
    payment_id = _instalment(agreement.id, 1).payment_id
    refused = browser.post("/payments/batches", data={"incentive_ids": [str(payment_id)],
                                                      "method": "cash"})
    assert refused.status_code in (400, 403)
    assert "you may not pay it" in refused.get_data(as_text=True)
    assert _instalment(agreement.id, 1).state == "approved"
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ConservationAgreement.id))) == 1


def test_numbers_in_any_digits_and_the_locale_decimal_comma(world, browser_for,
                                                            frozen):  # noqa: F811
    manager, scheme = _scheme(world, browser_for)
    world.manager.locale = "ru"
    db.session.flush()
    manager = browser_for(world.manager)
    household = helpers.household(world)
    # Persian digits for the term, a Russian decimal comma for the amount.
    agreement = _agreement(_sign(manager, scheme, household=str(household.id),
                                 term_years="۲", amount="1500,5"))
    assert agreement.term_years == 2 and agreement.instalments[0].amount == Decimal("1500.50")
    count = db.session.scalar(select(func.count(ConservationAgreement.id)))
    bad = [
        _sign(manager, scheme, village=str(world.shikahogh.id), amount="12abc"),
        _sign(manager, scheme, village=str(world.shikahogh.id), term_years="11"),
        _sign(manager, scheme, village=str(world.shikahogh.id), milestones=[]),
        _sign(manager, scheme, village=str(world.shikahogh.id), milestones=["bribe"]),
        _sign(manager, scheme, village=str(world.shikahogh.id), signed_on="2026-03-09"),
        _sign(manager, scheme, village=str(world.shikahogh.id), amount="0,001"),
        _sign(manager, scheme, village=str(world.samreklo.id)),
        _sign(manager, scheme),
    ]
    assert [r.status_code for r in bad] == [400] * len(bad)
    assert all('class="error' in r.get_data(as_text=True) for r in bad)
    assert "Введите" in bad[0].get_data(as_text=True)  # the error is in the user's language
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ConservationAgreement.id))) == count
    verifier = browser_for(world.verifier)
    milestone = _milestone(agreement, 1, "corral")
    assert _verify(verifier, milestone, "2024-06-01", evidence="  ").status_code == 400
    assert _verify(verifier, milestone, "2030-01-01").status_code == 400
    assert _verify(verifier, milestone, "2024-02-01").status_code == 400  # before the term
    assert _verify(verifier, milestone, "not a date").status_code == 400
    assert _verify(verifier, milestone, "۲۰۲۴-۰۶-۰۱").status_code == 302
    db.session.expire_all()
    assert _milestone(db.session.get(ConservationAgreement, agreement.id), 1,
                      "corral").verified_on.isoformat() == "2024-06-01"


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils (pdftotext) is not installed")
def test_the_scheme_report_counts_agreements_and_their_instalments(world, browser_for,
                                                                  frozen):  # noqa: F811
    manager, scheme = _scheme(world, browser_for)
    household = helpers.household(world)
    agreement = _agreement(_sign(manager, scheme, household=str(household.id)))
    verifier = browser_for(world.verifier)
    _verify(verifier, _milestone(agreement, 1, "corral"), "2024-06-01")
    _verify(verifier, _milestone(agreement, 1, "no_killing"), "2025-03-05")
    response = manager.get(f"/documents/schemes/{scheme.id}/report.pdf"
                           "?start=2024-01-01&end=2026-03-01")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _clean(subprocess.run([PDFTOTEXT, "-layout", "-", "-"], input=response.data,  # noqa: S603
                                 capture_output=True, check=True).stdout.decode())
    assert "Conservation agreements in force" in text
    assert "Agreement milestones verified" in text
    assert "Payments: Agreement instalment" in text


def test_an_instalment_beyond_the_remaining_budget_is_refused_and_nothing_changes(
        world, browser_for, frozen):  # noqa: F811
    manager, scheme = _scheme(world, browser_for)
    agreement = _agreement(_sign(manager, scheme, village=str(world.shikahogh.id),
                                 amount="150000", milestones=["corral"]))
    verifier = browser_for(world.verifier)
    refused = _verify(verifier, _milestone(agreement, 1, "corral"), "2024-06-01")
    assert refused.status_code == 400
    assert "remaining budget" in refused.get_data(as_text=True)
    db.session.expire_all()
    again = db.session.get(ConservationAgreement, agreement.id)
    assert _milestone(again, 1, "corral").verified_on is None
    assert _instalment(agreement.id, 1).state == "waiting"


def test_an_agreement_ends_at_midnight_in_its_village(world, browser_for, frozen):  # noqa: F811
    """Its term ends on 1 March 2027: at 01:30 that day in Shvanidzor (still 28 February in
    UTC) the lists and the API say the term has ended, as the renewal rules already did."""
    manager, scheme = _scheme(world, browser_for)
    household = helpers.household(world)
    agreement = _agreement(_sign(manager, scheme, household=str(household.id)))
    assert str(agreement.ends_on) == "2027-03-01"
    clock.freeze(datetime(2027, 2, 28, 21, 30, tzinfo=UTC))
    manager = browser_for(world.manager)  # signed in again a year later
    page = manager.get(f"/schemes/agreements/{agreement.id}").get_data(as_text=True)
    assert "Term ended" in page and "In force" not in page
    listing = manager.get(f"/schemes/{scheme.id}/agreements").get_data(as_text=True)
    assert "Term ended" in listing
