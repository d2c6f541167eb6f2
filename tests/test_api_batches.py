"""Payment batch writes through the API, as the payments pages make them: incentive payments
into a batch, an item taken out, the payment file released only with the items that were
read (If-Match), results from the provider's confirmation file; finance only, problem
documents, nothing changed by a refused request."""

from __future__ import annotations

from sqlalchemy import func, select

from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db
from conflict_app.payments.models import PaymentBatch
from conflict_app.schemes.models import IncentivePayment


def _state(payment):
    db.session.expire_all()
    return db.session.get(IncentivePayment, payment.id).state


def _batches():
    return db.session.scalar(select(func.count(PaymentBatch.id)))


def _item_of(finance, batch, reference):
    items = finance.get(f"/api/v1/payment-batches/{batch.id}").get_json()["items"]
    return next(i for i in items if i["claim_reference"] == reference)


def test_an_incentive_payment_moves_to_another_batch(world, built, api):
    finance = api(world.finance)
    item = _item_of(finance, built.incentive_batch, built.performance.reference)
    removed = finance.post(f"/api/v1/payment-items/{item['id']}/removal",
                           {"reason": "pay it by mobile money"})
    assert removed.status_code == 200, removed.get_json()
    assert removed.get_json()["state"] == "removed"
    assert _state(built.performance) == "approved"
    # Back in the queue: a new batch takes it by its reference.
    created = finance.post("/api/v1/payment-batches", {
        "incentive_payments": [built.performance.reference.lower()], "method": "cash"},
        headers={"Idempotency-Key": "incentive-batch-1"})
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert [i["claim_reference"] for i in data["items"]] == [built.performance.reference]
    assert created.headers["ETag"] == f'"{data["etag"]}"'
    assert _state(built.performance) == "scheduled"
    actions = [e.action for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "incentive_payment",
        AuditEntry.object_id == built.performance.id).order_by(AuditEntry.id))]
    assert actions[-2:] == ["remove_from_batch", "schedule_payment"]


def test_batch_writes_are_for_the_finance_office(world, built, api):
    item = _item_of(api(world.finance), built.incentive_batch, built.performance.reference)
    before = _batches()
    for user in (world.manager, world.approver, world.clerk):
        client = api(user)
        for url, body in (
                ("/api/v1/payment-batches", {"claims": [built.claim.reference],
                                             "method": "cash"}),
                (f"/api/v1/payment-items/{item['id']}/removal", {"reason": "x"}),
                (f"/api/v1/payment-batches/{built.incentive_batch.id}/confirmations",
                 {"csv": "item,status,reference,reason\n"})):
            response = client.post(url, body)
            assert response.status_code == 403, (user.email, url)
            assert response.content_type == "application/problem+json"
    assert _batches() == before and _state(built.performance) == "scheduled"


def test_bad_batch_requests_change_nothing(world, built, api):
    finance = api(world.finance)
    before = _batches()
    nothing = finance.post("/api/v1/payment-batches", {"method": "cash"})
    assert nothing.status_code == 400
    assert nothing.content_type == "application/problem+json"
    unknown = finance.post("/api/v1/payment-batches", {"incentive_payments": ["INC-999999"],
                                                       "method": "cash"})
    assert unknown.status_code == 404 and "INC-999999" in unknown.get_json()["detail"]
    digits = "INC-" + "".join(chr(0x660 + int(c)) for c in str(built.performance.id))
    assert finance.post("/api/v1/payment-batches", {"incentive_payments": [digits],
                                                    "method": "cash"}).status_code == 404
    # Scheduled already: the operation's own refusal.
    twice = finance.post("/api/v1/payment-batches", {
        "incentive_payments": [built.performance.reference], "method": "cash"})
    assert twice.status_code == 400
    assert built.performance.reference in twice.get_json()["title"]
    for bad in ({"incentive_payments": "INC-000001", "method": "cash"},
                {"claims": [], "method": "cheque"}, {"method": "cash", "batch": 1}):
        assert finance.post("/api/v1/payment-batches", bad).status_code == 422, bad
    assert _batches() == before
    item = _item_of(finance, built.incentive_batch, built.performance.reference)
    blank = finance.post(f"/api/v1/payment-items/{item['id']}/removal", {"reason": ""})
    assert blank.status_code == 422
    broken = finance.post(f"/api/v1/payment-batches/{built.incentive_batch.id}/confirmations",
                          {"csv": f"item,status,reference,reason\n{item['id']},paid,,\n"})
    assert broken.status_code == 400 and broken.get_json()["errors"][0]["field"] == "file"
    assert _state(built.performance) == "scheduled"


def test_the_file_is_released_only_with_the_items_that_were_read(world, built, api):
    finance = api(world.finance)
    url = f"/api/v1/payment-batches/{built.incentive_batch.id}"
    read = finance.get(url)
    old = read.headers["ETag"]
    item = _item_of(finance, built.incentive_batch, built.performance.reference)
    assert finance.post(f"/api/v1/payment-items/{item['id']}/removal",
                        {"reason": "wrong period"}).status_code == 200
    stale = finance.post(f"{url}/export", headers={"If-Match": old})
    assert stale.status_code == 412
    assert stale.content_type == "application/problem+json"
    assert finance.get(url).get_json()["state"] == "open"
    current = finance.get(url).headers["ETag"]
    released = finance.post(f"{url}/export", headers={"If-Match": current})
    assert released.status_code == 200, released.get_json()
    assert released.get_json()["batch"]["state"] == "exported"
    assert built.instalment.reference in released.get_json()["payment_file"]
    assert built.performance.reference not in released.get_json()["payment_file"]
    # The results come back in the provider's file.
    [live] = [i for i in released.get_json()["batch"]["items"] if i["state"] == "pending"]
    answer = finance.post(f"{url}/confirmations", {
        "csv": f"item,status,reference,reason\n{live['id']},paid,CASH-0042,\n"})
    assert answer.status_code == 200, answer.get_json()
    assert (answer.get_json()["paid"], answer.get_json()["failed"]) == (1, 0)
    assert _state(built.instalment) == "paid"
    # A removal after the release is refused and changes nothing.
    late = finance.post(f"/api/v1/payment-items/{live['id']}/removal", {"reason": "late"})
    assert late.status_code == 400 and _state(built.instalment) == "paid"


def test_a_manager_cancels_a_wrong_incentive_payment(world, built, api):
    url = f"/api/v1/incentive-payments/{built.performance.id}/cancellation"
    # Finance pays, it does not cancel; clerks neither.
    for user in (world.finance, world.clerk):
        refused = api(user).post(url, {"reason": "wrong period"})
        assert refused.status_code == 403, user.email
        assert refused.content_type == "application/problem+json"
    manager = api(world.manager)
    for bad in ({}, {"reason": "  "}, {"reason": "x" * 501}, {"reason": "x", "why": 1}):
        assert manager.post(url, bad).status_code == 422, bad
    assert manager.post("/api/v1/incentive-payments/999999/cancellation",
                        {"reason": "wrong"}).status_code == 404
    assert _state(built.performance) == "scheduled"
    done = manager.post(url, {"reason": "counted the wrong year"})
    assert done.status_code == 200, done.get_json()
    data = done.get_json()
    assert (data["state"], data["cancel_reason"]) == ("cancelled", "counted the wrong year")
    assert _state(built.performance) == "cancelled"
    # It left the batch that was not released yet.
    item = _item_of(api(world.finance), built.incentive_batch, built.performance.reference)
    assert item["state"] == "removed"
    again = manager.post(url, {"reason": "twice"})
    assert again.status_code == 400 and "already cancelled" in again.get_json()["title"]
