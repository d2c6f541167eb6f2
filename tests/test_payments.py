"""Payments: batches of approved claims, the payment file, paid at most once."""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conflict_app.auth.models import User
from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import State
from conflict_app.core import audit, clock
from conflict_app.core.errors import DomainError, InvalidInput, PermissionDenied
from conflict_app.extensions import db
from conflict_app.payments import operations as pay
from conflict_app.payments.models import BatchState, ItemState, PaymentItem, PaymentMethod
from tests import helpers
from tests.conftest import World


def approved_claim(world, name="Payee"):
    return helpers.approved(world, hh=helpers.household(world, name=name))


def test_batch_export_and_payment(world):
    first, second = approved_claim(world, "A"), approved_claim(world, "B")
    helpers.payout(first.household)
    helpers.payout(second.household)
    batch = pay.create_batch(world.finance, [first.id, second.id], PaymentMethod.MOBILE_MONEY)
    assert batch.reference.startswith("PAY-AM-") and batch.currency == "AMD"
    assert helpers.reload(first).state == State.PAYMENT_SCHEDULED
    with pytest.raises(InvalidInput, match="Export the payment file"):
        pay.record_paid(world.finance, batch.items[0].id, "TX-1")
    text = pay.export_batch(world.finance, batch.id)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["claim_reference"] for r in rows] == [first.reference, second.reference]
    assert rows[0]["amount"] == "135000.00" and rows[0]["method"] == "mobile_money"
    items = {i.claim_id: i.id for i in batch.items}
    pay.record_paid(world.finance, items[first.id], "TX-1")
    # The same confirmation twice changes nothing; a different one is refused.
    pay.record_paid(world.finance, items[first.id], "TX-1")
    with pytest.raises(InvalidInput, match="already paid"):
        pay.record_paid(world.finance, items[first.id], "TX-2")
    pay.record_failed(world.finance, items[second.id], "Wallet closed")
    db.session.expire_all()
    assert helpers.reload(first).state == State.PAID
    assert helpers.reload(second).state == State.APPROVED  # back in the queue
    assert db.session.get(type(batch), batch.id).state == BatchState.CLOSED
    again = pay.create_batch(world.finance, [second.id], PaymentMethod.CASH)
    assert again.items[0].state == ItemState.PENDING


def test_the_approver_may_not_pay_and_other_refusals(world):
    claim = approved_claim(world)
    world.approver.set_roles({*world.approver.roles, "finance"})
    db.session.flush()
    with pytest.raises(PermissionDenied, match="may not pay"):
        pay.create_batch(world.approver, [claim.id], PaymentMethod.CASH)
    reported, _ = helpers.report(world)
    with pytest.raises(InvalidInput, match="not approved"):
        pay.create_batch(world.finance, [reported.id], PaymentMethod.CASH)
    with pytest.raises(InvalidInput, match="at least one"):
        pay.create_batch(world.finance, [], PaymentMethod.CASH)
    assert helpers.reload(claim).state == State.APPROVED


def test_finance_pages_and_release_needs_fresh_authentication(world, browser_for):
    claim = approved_claim(world)
    helpers.payout(claim.household)
    finance = browser_for(world.finance)
    page = finance.get("/payments/").get_data(as_text=True)
    assert claim.reference in page
    response = finance.post("/payments/batches", data={"claim_ids": [str(claim.id)],
                                                       "method": "bank_transfer"})
    assert response.status_code == 302
    batch_url = response.headers["Location"]
    batch_id = int(batch_url.rstrip("/").split("/")[-1])
    exported = finance.post(f"/payments/batches/{batch_id}/export")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert claim.reference in exported.get_data(as_text=True)
    # Later, releasing again asks for the password first.
    clock.freeze(clock.now() + timedelta(minutes=10))
    later = finance.post(f"/payments/batches/{batch_id}/export")
    assert later.status_code == 302 and "/reauthenticate" in later.headers["Location"]
    assert browser_for(world.clerk).get("/payments/").status_code == 403
    assert browser_for(world.ge_clerk).get(f"/payments/batches/{batch_id}").status_code == 403


@pytest.mark.committed
@pytest.mark.postgres
def test_twenty_concurrent_payments_of_one_item_succeed_once(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    world = World()
    db.session.commit()
    claim = approved_claim(world)
    helpers.payout(claim.household)
    batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.BANK_TRANSFER)
    pay.export_batch(world.finance, batch.id)
    item_id, finance_id, claim_id = batch.items[0].id, world.finance.id, claim.id
    db.session.remove()
    results: list[str] = []
    start = threading.Barrier(20)

    def pay_once(n: int) -> None:
        start.wait()  # all at once; each then takes a connection from the pool
        with app.app_context():
            actor = db.session.get(User, finance_id)
            try:
                pay.record_paid(actor, item_id, f"TX-{n}")
                results.append("paid")
            except DomainError:
                results.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=pay_once, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("paid") == 1 and results.count("refused") == 19
    assert db.session.get(Claim, claim_id).state == State.PAID
    assert db.session.scalar(select(func.count(PaymentItem.id)).where(
        PaymentItem.claim_id == claim_id, PaymentItem.state == ItemState.PAID)) == 1
    assert db.session.scalar(select(func.count(audit.AuditEntry.id)).where(
        audit.AuditEntry.object_id == claim_id,
        audit.AuditEntry.action == "record_payment")) == 1
