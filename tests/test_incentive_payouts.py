"""Incentive payments paid like claims (batches, files, confirmations), the adoption caps as
a count and an amount, cancelling a wrong payment, and households' payout details."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import flask_migrate
import pytest
from sqlalchemy import select, text

from conflict_app.core import audit
from conflict_app.core.errors import InvalidInput
from conflict_app.extensions import db
from conflict_app.herders import operations as household_ops
from conflict_app.herders.models import PayoutDetails
from conflict_app.mitigation.models import Measure, MeasureType
from conflict_app.payments import operations as pay
from conflict_app.payments.models import ItemState, PaymentBatch, PaymentMethod
from conflict_app.schemes import incentives
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes.models import IncentivePayment
from tests import helpers
from tests.test_schemes import _confirm, _create, _version, frozen  # noqa: F401

GE_IBAN = "GE29 NB00 0000 0101 9049 17"


def _measure(world, household, kind=MeasureType.CORRAL) -> Measure:
    measure = Measure(household_id=household.id, village_id=household.village_id,
                      country_code="AM", admin1_id=world.syunik.id,
                      admin2_id=household.admin2_id, measure=kind,
                      installed_on=date(2026, 2, 1), verified_on=date(2026, 2, 15))
    db.session.add(measure)
    db.session.flush()
    return measure


def _adoption_scheme(world, browser_for, **values):
    manager = browser_for(world.manager)
    scheme = _create(manager, code="AM-INC", kind="incentive", name="Corrals",
                     currency="AMD", budget="10000")
    _version(manager, scheme, adoption_corral="600", adoption_guard_dog="250", **values)
    return manager, scheme


def _adopt(manager, scheme, measure):
    return manager.post(f"/schemes/{scheme.id}/adoption", data={"measure": str(measure.id)})


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "1 adoption payment, the most"), ("ru", "1 выплату"), ("ar", "دفعة واحدة"),
])
def test_the_most_adoption_payments_are_counted_in_the_readers_language(
        world, browser_for, frozen, lang, words):  # noqa: F811
    manager, scheme = _adoption_scheme(world, browser_for, household_adoption_count="1")
    household = helpers.household(world)
    first, second = (_measure(world, household, k) for k in (
        MeasureType.CORRAL, MeasureType.GUARD_DOG))
    assert _adopt(manager, scheme, first).status_code == 302
    manager.get(f"/schemes/{scheme.id}?lang={lang}")
    refused = _adopt(manager, scheme, second)
    assert refused.status_code == 400
    assert words in refused.get_data(as_text=True)


def test_most_adoption_payments_is_a_count_and_a_wrong_one_can_be_cancelled(
        world, browser_for, frozen):  # noqa: F811
    # Typed in Persian digits, as a Dari-speaking manager might: two payments, not AMD 2.
    manager, scheme = _adoption_scheme(world, browser_for, household_adoption_count="۲")
    household = helpers.household(world)
    first, second, third = (_measure(world, household, k) for k in (
        MeasureType.CORRAL, MeasureType.GUARD_DOG, MeasureType.CORRAL))
    assert _adopt(manager, scheme, first).status_code == 302
    assert _adopt(manager, scheme, second).status_code == 302
    made = {p.measure_id: p for p in incentives.payments(scheme.id)}
    assert made[first.id].amount == Decimal("600.00")
    assert made[second.id].amount == Decimal("250.00")
    refused = _adopt(manager, scheme, third)
    assert refused.status_code == 400
    assert "2 adoption payments, the most the scheme pays" in refused.get_data(as_text=True)
    assert scheme_ops.budget(scheme).committed.amount == Decimal("850.00")

    # The guard dog was a mistake: cancelled with a reason, audited, its budget released.
    wrong = made[second.id]
    assert manager.post(f"/schemes/incentive-payments/{wrong.id}/cancel",
                        data={"reason": ""}).status_code == 302  # no reason: nothing done
    assert db.session.get(IncentivePayment, wrong.id).state == "approved"
    response = manager.post(f"/schemes/incentive-payments/{wrong.id}/cancel",
                            data={"reason": "no dog was given, wrong measure chosen"})
    assert response.status_code == 302
    db.session.expire_all()
    wrong = db.session.get(IncentivePayment, wrong.id)
    assert wrong.state == "cancelled" and wrong.cancel_reason.startswith("no dog")
    entry = db.session.scalars(select(audit.AuditEntry).where(
        audit.AuditEntry.object_type == "incentive_payment",
        audit.AuditEntry.object_id == wrong.id, audit.AuditEntry.action == "cancel")).one()
    assert entry.to_state == "cancelled" and entry.actor_id == world.manager.id
    budget = scheme_ops.budget(scheme)
    assert budget.committed.amount == Decimal("600.00")
    assert budget.remaining.amount == Decimal("9400.00")
    page = manager.get(f"/schemes/{scheme.id}").get_data(as_text=True)
    assert "Cancelled" in page and "no dog was given" in page
    # The cancelled one no longer counts: the third measure may now be paid.
    assert _adopt(manager, scheme, third).status_code == 302
    # A paid payment cannot be cancelled.
    finance = world.finance
    batch = pay.create_batch(finance, [], PaymentMethod.CASH, [made[first.id].id])
    _confirm(world, batch)
    with pytest.raises(InvalidInput, match="already paid"):
        incentives.cancel(world.manager, made[first.id].id, "late change of mind")


def test_the_version_form_labels_the_count_and_the_amount(world, browser_for, frozen):  # noqa: F811
    manager, scheme = _adoption_scheme(world, browser_for)
    page = manager.get(f"/schemes/{scheme.id}/versions/new").get_data(as_text=True)
    assert "Most adoption payments per household" in page
    assert "Most paid in adoption payments per household (amount)" in page
    bad = manager.post(f"/schemes/{scheme.id}/versions/new", data={
        "valid_from": "2026-06-01", "household_adoption_count": "2.5"})
    assert bad.status_code == 400 and "Enter a whole number." in bad.get_data(as_text=True)


def test_incentive_payments_follow_batches_withholding_and_failures(world, browser_for,
                                                                    frozen):  # noqa: F811
    manager, scheme = _adoption_scheme(world, browser_for)
    household = helpers.household(world)
    helpers.payout(household)
    _adopt(manager, scheme, _measure(world, household))
    payment = incentives.payments(scheme.id)[0]
    finance = browser_for(world.finance)
    page = finance.get("/payments/").get_data(as_text=True)
    assert payment.reference in page and "Adoption" in page
    created = finance.post("/payments/batches", data={
        "incentive_ids": [str(payment.id)], "method": "bank_transfer"})
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    batch_id = int(created.headers["Location"].rsplit("/", 1)[1])
    db.session.expire_all()
    assert db.session.get(IncentivePayment, payment.id).state == "scheduled"
    assert scheme_ops.budget(scheme).committed.amount == Decimal("600.00")
    # A withholding pulls it out of a batch not yet exported.
    incentives.withhold(world.manager, scheme.id, world.shvanidzor.id, "poisoned carcass",
                        date(2026, 3, 1))
    db.session.expire_all()
    assert db.session.get(IncentivePayment, payment.id).state == "withheld"
    batch = db.session.get(PaymentBatch, batch_id)
    assert batch.items[0].state == ItemState.REMOVED
    item = db.session.scalars(select(audit.AuditEntry).where(
        audit.AuditEntry.action == "remove_incentive_payment")).one()
    assert item.object_id == batch_id
    withholding = incentives.withholdings(scheme.id)[0]
    incentives.appeal(world.manager, withholding.id, "the killing was not in the village",
                      upheld=True)
    # Paid by bank transfer: the file carries the account, the failure returns it.
    batch = pay.create_batch(world.finance, [], PaymentMethod.BANK_TRANSFER, [payment.id])
    rows = list(csv.DictReader(io.StringIO(pay.export_batch(world.finance, batch.id))))
    assert rows[0]["claim_reference"] == payment.reference
    assert rows[0]["account_number"] == "1570012345678900" and rows[0]["amount"] == "600.00"
    with pytest.raises(InvalidInput, match="already sent"):
        incentives.cancel(world.manager, payment.id, "too late")
    db.session.rollback()
    pay.record_failed(world.finance, batch.live_items()[0].id, "account closed")
    assert db.session.get(IncentivePayment, payment.id).state == "approved"
    batch = pay.create_batch(world.finance, [], PaymentMethod.CASH, [payment.id])
    voucher = finance.get(f"/documents/payments/items/{batch.items[0].id}/voucher.pdf")
    assert voucher.status_code == 200 and voucher.mimetype == "application/pdf"
    _confirm(world, batch)
    paid = db.session.get(IncentivePayment, payment.id)
    assert paid.state == "paid" and paid.payment_reference.startswith("TX-")
    budget = scheme_ops.budget(scheme)
    assert budget.disbursed.amount == Decimal("600.00") and budget.committed.amount == 0
    export = finance.get("/exports/payments.csv").get_data(as_text=True)
    assert payment.reference in export


def test_performance_payments_to_a_community_are_paid_in_cash(world, browser_for, frozen):  # noqa: F811
    manager, scheme = _adoption_scheme(world, browser_for)
    incentives.record_presence(world.verifier, scheme.id, world.shikahogh.id, "occasional",
                               date(2026, 2, 1), "camera trap")
    incentives.compute_performance(world.manager, scheme.id, 2026)
    payment = incentives.payments(scheme.id)[0]
    with pytest.raises(InvalidInput, match="no bank account on file"):
        pay.create_batch(world.finance, [], PaymentMethod.BANK_TRANSFER, [payment.id])
    db.session.rollback()
    batch = pay.create_batch(world.finance, [], PaymentMethod.CASH, [payment.id])
    rows = list(csv.DictReader(io.StringIO(pay.export_batch(world.finance, batch.id))))
    assert rows[0]["payee_name"] == "Shikahogh" and "signature" in rows[0]


def test_payout_details_are_checked_and_kept_from_those_who_may_not_see_them(
        world, browser_for, frozen):  # noqa: F811
    ge = household_ops.register_household(world.ge_clerk, household_ops.HouseholdInput(
        head_name="Nino Beridze", village_id=world.samreklo.id, language="ka",
        phone="+995 599 12 34 56"))
    clerk = browser_for(world.ge_clerk)
    url = f"/households/{ge.id}/payout"
    form = clerk.get(url).get_data(as_text=True)
    assert 'name="iban"' in form and 'name="bank_account"' not in form
    bad = clerk.post(url, data={"iban": "GE29 NB00 0000 0101 9049 18"})
    assert bad.status_code == 400 and "check digits do not match" in bad.get_data(as_text=True)
    armenian_wallet = clerk.post(url, data={"iban": GE_IBAN, "wallet_number": "+374 77 123456",
                                            "wallet_provider": "Idram"})
    assert armenian_wallet.status_code == 400
    assert "wallet&#39;s mobile number in Georgia" in armenian_wallet.get_data(as_text=True)
    ok = clerk.post(url, data={"iban": GE_IBAN, "wallet_number": "599 12 34 56",
                               "wallet_provider": "Beeline"})
    assert ok.status_code == 302
    saved = db.session.scalars(select(PayoutDetails)).one()
    assert saved.iban == "GE29NB0000000101904917" and saved.wallet_number == "+995599123456"
    # Georgian wording and errors: the form is translated.
    ka = clerk.post(url + "?lang=ka", data={"iban": "GE00"})
    assert ka.status_code == 400 and "IBAN" in ka.get_data(as_text=True)
    # An Armenian household: no IBAN in Armenia, an account number instead.
    am = helpers.household(world)
    am_clerk = browser_for(world.clerk)
    am_form = am_clerk.get(f"/households/{am.id}/payout").get_data(as_text=True)
    assert 'name="bank_account"' in am_form and 'name="iban"' not in am_form
    assert am_clerk.post(f"/households/{am.id}/payout",
                         data={"bank_account": "1570 0123 4567 8900"}).status_code == 302
    # Nobody else's clerk reaches it; analysts and exports never carry the numbers.
    assert am_clerk.get(url).status_code == 404
    claim = helpers.approved(world, hh=am)
    helpers.payout(am)
    batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.BANK_TRANSFER)
    for user, path in ((world.manager, "/exports/payments.csv"),
                       (world.finance, "/exports/payments.csv"),
                       (world.clerk, "/exports/claims.csv"),
                       (world.analyst, "/exports/aggregate.csv"),
                       (world.analyst, "/analytics/")):
        body = browser_for(user).get(path).get_data(as_text=True)
        assert "15700123456789" not in body and "NB0000000101904917" not in body, path
    finance = browser_for(world.finance)
    batch_page = finance.get(f"/payments/batches/{batch.id}").get_data(as_text=True)
    assert "•••• 8900" in batch_page and "1570012345678900" not in batch_page
    exported = json.dumps(browser_for(world.clerk).get(
        f"/households/{am.id}/personal-data.json").get_json())
    assert "1570012345678900" in exported  # the herder's own data export has it


def test_migration_splits_the_old_adoption_cap(scratch_app):
    with scratch_app.app_context():
        flask_migrate.upgrade(revision="0013_household_provisional")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO country (code, name, currency, default_locale) "
                              "VALUES ('AM', 'Armenia', 'AMD', 'hy')"))
            conn.execute(text(
                "INSERT INTO scheme (id, code, name, kind, country_code, currency, budget, "
                "over_budget, valid_from, closed, example, review_share, created_at) VALUES "
                "(1, 'S', 'S', 'incentive', 'AM', 'AMD', 1000, 'refuse', '2026-01-01', "
                ":f, :f, 0, CURRENT_TIMESTAMP)"), {"f": False})
            for number, cap in ((1, "2"), (2, "800")):
                conn.execute(text(
                    "INSERT INTO rule_version (id, scheme_id, number, valid_from, \"values\", "
                    "created_at) VALUES (:id, 1, :id, '2026-01-01', :values, "
                    "CURRENT_TIMESTAMP)"),
                    {"id": number, "values": json.dumps({"adoption_cap_household": cap})})
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            stored = [json.loads(v) if isinstance(v, str) else v for v in conn.execute(
                text("SELECT \"values\" FROM rule_version ORDER BY id")).scalars()]
        assert stored == [{"household_adoption_count": "2"},
                          {"household_adoption_amount": "800"}]
