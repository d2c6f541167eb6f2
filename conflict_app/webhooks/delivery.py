"""Deliver a message: sign it, POST it to the checked address, log the attempt, and retry
with exponential backoff (30 s, 2.5 min, 12.5 min, about an hour) until the fifth attempt.

An attempt first claims its delivery in a short transaction (a conditional UPDATE, so the
job queued after the commit and the periodic dispatcher never send it twice), sends with no
transaction open (SQLite would otherwise hold its write lock for the whole request), then
records the answer in another short transaction. Any 2xx answer counts as received; a
redirect is not followed and counts as a failure.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from conflict_app.core import clock
from conflict_app.core.errors import DomainError
from conflict_app.extensions import db
from conflict_app.webhooks import signing, targets
from conflict_app.webhooks.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

OPEN = (DeliveryState.PENDING, DeliveryState.RETRYING)
USER_AGENT = "Pardus-Webhooks/1.0"


def max_attempts() -> int:
    return int(current_app.config.get("WEBHOOK_MAX_ATTEMPTS", 5))


def timeout() -> float:
    return float(current_app.config.get("WEBHOOK_TIMEOUT", 10))


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt after ``attempts`` failed ones."""
    return timedelta(seconds=30 * 5 ** (attempts - 1))


def allow_local() -> bool:
    """Plain http to this machine only for a server in debug or test mode."""
    return bool(current_app.debug or current_app.testing)


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _claim(delivery_id: int) -> bool:
    """Take the delivery for one attempt; False when it is done or another attempt has it."""
    now = clock.now()
    lease = now + timedelta(seconds=timeout() * 3 + 30)  # until this attempt is recorded
    result = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.state.in_(OPEN),
               WebhookDelivery.next_attempt_at <= now)
        .values(attempts=WebhookDelivery.attempts + 1, next_attempt_at=lease)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def _secrets(subscription: WebhookSubscription) -> list[str] | None:
    current = signing.unseal(subscription.secret)
    if current is None:
        return None
    found = [current]
    if subscription.previous_secret and subscription.previous_until and \
            subscription.previous_until > clock.now():
        previous = signing.unseal(subscription.previous_secret)
        if previous:
            found.append(previous)
    return found


def post(target: targets.Target, headers: dict, body: bytes) -> tuple[int | None, str | None]:
    """POST to the checked address (never to what the name resolves to a moment later)."""
    if target.scheme == "https":
        conn = http.client.HTTPSConnection(target.host, target.port, timeout=timeout(),
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout())

    def connect(address, timeout=None, source_address=None):  # noqa: ANN001, ANN202
        return socket.create_connection((target.address, address[1]), timeout, source_address)

    conn._create_connection = connect  # type: ignore[attr-defined]
    try:
        conn.request("POST", target.path, body=body, headers={
            **headers, "Content-Type": "application/json", "User-Agent": USER_AGENT})
        response = conn.getresponse()
        response.read(4096)
        return response.status, None
    except TimeoutError:
        return None, "timeout"
    except ssl.SSLError as exc:
        return None, f"tls: {exc.reason or exc}"[:300]
    except ConnectionRefusedError:
        return None, "refused"
    except (OSError, http.client.HTTPException) as exc:
        return None, f"network: {type(exc).__name__} {exc}"[:300]
    finally:
        conn.close()


def _attempt(delivery: WebhookDelivery) -> tuple[int | None, str | None]:
    subscription = delivery.subscription
    if not subscription.active:
        return None, "switched_off"
    secrets = _secrets(subscription)
    if secrets is None:
        return None, "secret"
    try:
        target = targets.resolve(subscription.url, allow_local())
    except DomainError as exc:
        return None, f"not_public: {exc.translated()}"[:300]
    body = body_of(delivery.message.payload)
    # The receiver checks this against its own clock: the real time, not the app's clock.
    headers = signing.headers(secrets, delivery.message.message_id, int(time.time()), body)
    return post(target, headers, body)


def deliver(delivery_id: int) -> str:
    """One attempt at one delivery (the job queued after the event's commit)."""
    if not _claim(delivery_id):
        return "nothing to do"
    delivery = db.session.get(WebhookDelivery, delivery_id)
    started = time.monotonic()
    status, error = _attempt(delivery)
    db.session.commit()  # only read since the claim: ends the transaction before recording
    delivery = db.session.get(WebhookDelivery, delivery_id)
    now = clock.now()
    db.session.add(WebhookAttempt(delivery_id=delivery.id, number=delivery.attempts,
                                  attempted_at=now, status_code=status, error=error,
                                  duration_ms=int((time.monotonic() - started) * 1000)))
    delivery.last_status, delivery.last_error = status, error
    if status is not None and 200 <= status < 300:
        delivery.state = DeliveryState.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= max_attempts() or error == "switched_off":
        delivery.state = DeliveryState.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.state = DeliveryState.RETRYING
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    db.session.commit()
    return delivery.state.value


def dispatch_due(limit: int = 200) -> int:
    """Attempt the deliveries that are due (the periodic job: retries, and first attempts a
    stopped worker left behind). Returns how many were attempted."""
    due = db.session.scalars(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.state.in_(OPEN), WebhookDelivery.next_attempt_at <= clock.now())
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)).all()
    db.session.commit()  # no transaction stays open across the HTTP requests
    for delivery_id in due:
        deliver(delivery_id)
    return len(due)
