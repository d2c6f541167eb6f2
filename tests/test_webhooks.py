"""Webhooks: a signed round trip to a real HTTP receiver (verified with the Standard
Webhooks library), retries after a failure, nothing sent for a rolled-back change, refused
internal addresses, and no personal data or exact place in any message."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from conflict_app.claims import operations as claim_ops
from conflict_app.claims.workflow import Action
from conflict_app.core import clock
from conflict_app.core.audit import AuditEntry
from conflict_app.core.errors import InvalidInput
from conflict_app.extensions import db
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod
from conflict_app.webhooks import delivery, targets
from conflict_app.webhooks.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookMessage,
    WebhookSubscription,
)
from tests import helpers

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]+")


class Receiver:
    """An HTTP server in a thread that answers with the given status codes in turn (then
    200) and keeps what it was sent."""

    def __init__(self, answers=()) -> None:
        self.answers = list(answers)
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server convention
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/pardus"

    def verified(self, secret: str) -> list[dict]:
        """Every message, checked as a receiver would check it (raises when one is forged)."""
        hook = Webhook(secret)
        return [hook.verify(body, headers) for headers, body in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


def subscribe(browser, url: str, events=("claim.moved", "attack.verified"), name="Ministry"):
    response = browser.post("/admin/webhooks/new", data={
        "name": name, "url": url, "event_types": list(events)})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    html = response.get_data(as_text=True)
    assert "not shown again" in html
    subscription = db.session.scalars(select(WebhookSubscription).where(
        WebhookSubscription.name == name)).one()
    return subscription, SECRET.search(html).group(0)


def test_a_verified_attack_reaches_the_receiver_signed_and_without_personal_data(
        app, world, browser_for, receiver):
    admin = browser_for(world.admin)
    subscription, secret = subscribe(admin, receiver.url)
    hh = helpers.household(world, name="Gevorg Hakobyan")
    claim = helpers.verified(world, hh=hh, latitude=38.95123, longitude=46.34567)

    messages = receiver.verified(secret)  # raises unless every signature is right
    moves = [(m["data"]["from_state"], m["data"]["to_state"]) for m in messages
             if m["type"] == "claim.moved"]
    assert moves == [("reported", "screened"), ("screened", "verification_scheduled"),
                     ("verification_scheduled", "verified")]
    attack = next(m for m in messages if m["type"] == "attack.verified")
    assert attack["data"]["claim"] == claim.reference
    assert attack["data"]["village"] == "Shvanidzor"
    assert attack["data"]["confidence"] == "confirmed"
    assert attack["data"]["grid_cell"] == {"south": "38.9", "west": "46.3", "size": "0.1"}
    # The same message id on the header as in the outbox; one delivery each, delivered.
    ids = {headers["webhook-id"] for headers, _body in receiver.received}
    assert len(ids) == len(messages) == 4
    everything = b" ".join(body for _headers, body in receiver.received).decode()
    for private in ("Gevorg", "Hakobyan", "+374", "91234567", "38.95", "46.34"):
        assert private not in everything
    states = db.session.scalars(select(WebhookDelivery.state).where(
        WebhookDelivery.subscription_id == subscription.id)).all()
    assert set(states) == {DeliveryState.DELIVERED}
    # The delivery log shows each attempt with the receiver's answer.
    page = admin.get(f"/admin/webhooks/{subscription.id}").get_data(as_text=True)
    assert page.count(">200</bdi>") == 4
    assert secret not in page  # shown once only
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "webhook_subscription")).all()
    assert actions == ["create_webhook"]


def test_a_failed_attempt_is_retried_with_backoff_and_logged(app, world, browser_for):
    receiver = Receiver(answers=[500])
    try:
        admin = browser_for(world.admin)
        subscription, secret = subscribe(admin, receiver.url)
        assert admin.post(f"/admin/webhooks/{subscription.id}/test").status_code == 302
        item = db.session.scalars(select(WebhookDelivery).where(
            WebhookDelivery.subscription_id == subscription.id)).one()
        db.session.refresh(item)
        assert item.state == DeliveryState.RETRYING and item.last_status == 500
        assert item.next_attempt_at - clock.now() > timedelta(seconds=25)
        assert delivery.dispatch_due() == 0  # not due yet
        clock.freeze(clock.now() + timedelta(seconds=31))
        assert delivery.dispatch_due() == 1
        db.session.refresh(item)
        assert item.state == DeliveryState.DELIVERED and item.attempts == 2
        first, second = receiver.verified(secret)
        assert first == second and first["type"] == "webhook.test"
        assert receiver.received[0][0]["webhook-id"] == receiver.received[1][0]["webhook-id"]
        page = admin.get(f"/admin/webhooks/{subscription.id}/deliveries/{item.id}")
        html = page.get_data(as_text=True)
        assert ">500</bdi>" in html and ">200</bdi>" in html and "webhook.test" in html
        # Sent again on request: a new delivery of the same message.
        assert admin.post(f"/admin/webhooks/{subscription.id}/deliveries/{item.id}"
                          "/redeliver").status_code == 302
        assert len(receiver.received) == 3
        assert receiver.received[2][0]["webhook-id"] == receiver.received[0][0]["webhook-id"]
    finally:
        receiver.close()


def test_gives_up_after_the_last_attempt(app, world, browser_for):
    receiver = Receiver(answers=[503] * 10)
    try:
        admin = browser_for(world.admin)
        subscription, _secret = subscribe(admin, receiver.url)
        admin.post(f"/admin/webhooks/{subscription.id}/test")
        for _ in range(6):
            clock.freeze(clock.now() + timedelta(hours=2))
            delivery.dispatch_due()
        item = db.session.scalars(select(WebhookDelivery)).one()
        db.session.refresh(item)
        assert item.state == DeliveryState.FAILED
        assert len(receiver.received) == item.attempts == 5
    finally:
        receiver.close()


def test_a_rolled_back_change_sends_nothing(app, world, browser_for, receiver):
    admin = browser_for(world.admin)
    subscribe(admin, receiver.url)
    claim, _pin = helpers.report(world)
    with pytest.raises(RuntimeError):  # noqa: PT012 - the move, then the use case fails
        claim_ops.fire(claim_ops.lock_claim(claim.id, claim.version), Action.SCREEN,
                       world.clerk)
        db.session.flush()
        raise RuntimeError("the use case failed")
    db.session.rollback()
    db.session.commit()
    assert receiver.received == []
    assert db.session.scalar(select(WebhookMessage.id)) is None


def test_a_payment_recorded_is_announced_by_references(app, world, browser_for, receiver):
    admin = browser_for(world.admin)
    _subscription, secret = subscribe(admin, receiver.url, events=("payment.recorded",))
    claim = helpers.approved(world)
    helpers.payout(claim.household)
    batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.MOBILE_MONEY)
    pay.export_batch(world.finance, batch.id)
    pay.record_paid(world.finance, batch.items[0].id, "TX-991")
    (message,) = receiver.verified(secret)
    assert message["type"] == "payment.recorded"
    assert message["data"] == {
        "payment_item_id": batch.items[0].id, "batch": batch.reference, "country": "AM",
        "claim": claim.reference, "part": "final", "incentive_payment_id": None}


def test_events_outside_the_subscriptions_jurisdiction_are_not_sent(app, world, receiver):
    from conflict_app.webhooks import operations

    georgia = world.user("admin@ge.test", {"admin"}, "GE")
    operations.create(georgia, operations.SubscriptionInput(
        "Georgia", receiver.url, ["claim.moved"]))
    claim, _pin = helpers.report(world)
    claim_ops.screen(claim.id, world.clerk, claim.version)
    assert receiver.received == []


@pytest.mark.parametrize("url", [
    "https://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
    "https://10.0.0.5/hooks",  # private network
    "https://192.168.1.1/hooks",
    "https://[fd00::1]/hooks",
    "https://[::ffff:10.0.0.1]/hooks",
    "https://0.0.0.0/hooks",
    "http://93.184.216.34/hooks",  # public, but not https
    "https://user:pw@93.184.216.34/hooks",
    "ftp://93.184.216.34/",
])
def test_internal_or_plain_addresses_are_refused(app, world, browser_for, url):
    admin = browser_for(world.admin)
    response = admin.post("/admin/webhooks/new", data={
        "name": "Probe", "url": url, "event_types": ["claim.moved"]})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="error"' in html
    assert db.session.scalar(select(WebhookSubscription.id)) is None


def test_in_production_this_machine_is_refused_too(app):
    for url in ("https://localhost/hooks", "http://127.0.0.1:8080/", "https://[::1]/"):
        with pytest.raises(InvalidInput) as refused:
            targets.resolve(url, allow_local=False)
        assert refused.value.field == "url"
    assert targets.resolve("https://93.184.216.34/x?y=1", allow_local=False).path == "/x?y=1"


def test_the_refusal_is_translated(app, world, browser_for):
    admin = browser_for(world.admin)
    response = admin.post("/admin/webhooks/new?lang=ru", data={
        "name": "Probe", "url": "https://10.1.2.3/", "event_types": ["claim.moved"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "not a public address" not in html


def test_switching_off_and_rotating_are_audited_and_signing_follows(
        app, world, browser_for, receiver):
    admin = browser_for(world.admin)
    subscription, old = subscribe(admin, receiver.url)
    page = admin.post(f"/admin/webhooks/{subscription.id}/rotate").get_data(as_text=True)
    new = SECRET.search(page).group(0)
    assert new != old
    admin.post(f"/admin/webhooks/{subscription.id}/test")
    # For a day both secrets sign: a receiver with either accepts the message.
    assert receiver.verified(new) and receiver.verified(old)
    admin.post(f"/admin/webhooks/{subscription.id}/disable")
    claim, _pin = helpers.report(world)
    claim_ops.screen(claim.id, world.clerk, claim.version)
    assert len(receiver.received) == 1
    assert admin.post(f"/admin/webhooks/{subscription.id}/test").status_code == 400
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "webhook_subscription").order_by(AuditEntry.id)).all()
    assert actions == ["create_webhook", "rotate_webhook_secret", "test_webhook",
                       "disable_webhook"]
    assert all(old not in (e.changes or "") and new not in (e.changes or "")
               for e in db.session.scalars(select(AuditEntry)))


def test_other_roles_cannot_see_the_pages(app, world, browser_for, receiver):
    admin = browser_for(world.admin)
    subscription, _secret = subscribe(admin, receiver.url)
    admin.post(f"/admin/webhooks/{subscription.id}/test")
    item = db.session.scalars(select(WebhookDelivery)).one()
    clerk = browser_for(world.supervisor)
    for url in ("/admin/webhooks/", f"/admin/webhooks/{subscription.id}",
                f"/admin/webhooks/{subscription.id}/deliveries/{item.id}"):
        assert clerk.get(url).status_code == 403
    georgia = world.user("admin@ge.test", {"admin"}, "GE")
    other = browser_for(georgia)
    assert other.get(f"/admin/webhooks/{subscription.id}").status_code == 404
    assert db.session.scalar(select(WebhookAttempt.status_code)) == 200
    body = json.loads(json.dumps(item.message.payload))
    assert body["data"]["subscription_id"] == subscription.id


def test_the_openapi_document_describes_every_message(app):
    from openapi_spec_validator import validate

    from conflict_app.api.openapi import document
    from conflict_app.webhooks.models import EventType

    spec = document()
    validate(spec)
    assert set(spec["webhooks"]) == {e.value for e in EventType}
    attack = spec["components"]["schemas"]["HookAttackVerified"]
    assert "grid_cell" in attack["properties"] and "latitude" not in attack["properties"]
