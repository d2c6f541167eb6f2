"""Administrators' use cases for webhooks: create, change, switch off and on, rotate the
secret, send a test message, deliver a message again. Each is audited (never with a
secret) and confined to the administrator's jurisdiction: a subscription takes its creator's
jurisdiction and hears only of events inside it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from conflict_app.auth.models import User
from conflict_app.auth.operations import covers_place
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import Role
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.webhooks import delivery, outbox, payloads, signing, targets
from conflict_app.webhooks.models import (
    SUBSCRIBABLE,
    DeliveryState,
    EventType,
    WebhookDelivery,
    WebhookSubscription,
    WebhookSubscriptionEvent,
)

# After a rotation the previous secret keeps signing this long, beside the new one.
ROTATION_OVERLAP = timedelta(hours=24)


@dataclass
class SubscriptionInput:
    name: str
    url: str
    event_types: list[str]


def _require_admin(actor: User) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied(N_("Only administrators may do this."))


def visible(actor: User, subscription: WebhookSubscription) -> bool:
    return actor.has_role(Role.ADMIN) and covers_place(
        actor, subscription.jurisdiction_country, subscription.jurisdiction_area)


def _check(data: SubscriptionInput) -> tuple[str, str, list[EventType]]:
    name = (data.name or "").strip()
    if not name or len(name) > 80:
        raise InvalidInput(N_("Give the subscription a name (up to 80 characters)."),
                           field="name")
    chosen = sorted({EventType(e) for e in data.event_types if e in set(SUBSCRIBABLE)})
    if not chosen or len(chosen) != len(set(data.event_types)):
        raise InvalidInput(N_("Choose at least one event."), field="event_types")
    url = (data.url or "").strip()
    targets.resolve(url, delivery.allow_local())
    return name, url, chosen


def _set_events(subscription: WebhookSubscription, chosen: list[EventType]) -> None:
    subscription.events = [WebhookSubscriptionEvent(event_type=e) for e in chosen]


def create(actor: User, data: SubscriptionInput) -> tuple[WebhookSubscription, str]:
    """The new subscription and its secret, in clear only in this answer."""
    _require_admin(actor)
    name, url, chosen = _check(data)
    secret = signing.new_secret()
    with unit_of_work():
        now = clock.now()
        subscription = WebhookSubscription(
            name=name, url=url, secret=signing.seal(secret), active=True,
            jurisdiction_country=actor.jurisdiction_country,
            jurisdiction_area_id=actor.jurisdiction_area_id,
            jurisdiction_level=actor.jurisdiction_level,
            created_by_id=actor.id, created_at=now, updated_at=now)
        _set_events(subscription, chosen)
        db.session.add(subscription)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="webhook_subscription",
                     object_id=subscription.id, action="create_webhook",
                     changes={"name": name, "url": url, "events": [e.value for e in chosen]})
    return subscription, secret


def update(actor: User, subscription: WebhookSubscription,
           data: SubscriptionInput) -> WebhookSubscription:
    _require_admin(actor)
    name, url, chosen = _check(data)
    with unit_of_work():
        before = {"name": subscription.name, "url": subscription.url,
                  "events": subscription.event_types}
        after = {"name": name, "url": url, "events": [e.value for e in chosen]}
        if before == after:
            return subscription
        subscription.name, subscription.url = name, url
        _set_events(subscription, chosen)
        subscription.updated_at = clock.now()
        audit.record(actor_id=actor.id, object_type="webhook_subscription",
                     object_id=subscription.id, action="change_webhook",
                     changes={key: {"before": before[key], "after": after[key]}
                              for key in after if before[key] != after[key]})
    return subscription


def set_active(actor: User, subscription: WebhookSubscription, active: bool) -> None:
    """Switch off (deliveries still waiting fail at their next attempt) or on again."""
    _require_admin(actor)
    with unit_of_work():
        if subscription.active == active:
            return
        subscription.active = active
        subscription.updated_at = clock.now()
        audit.record(actor_id=actor.id, object_type="webhook_subscription",
                     object_id=subscription.id,
                     action="enable_webhook" if active else "disable_webhook")


def rotate_secret(actor: User, subscription: WebhookSubscription) -> str:
    """A new secret; the previous one signs beside it for a day, so the receiver can switch
    without losing messages. Returns the new secret, in clear only here."""
    _require_admin(actor)
    secret = signing.new_secret()
    with unit_of_work():
        now = clock.now()
        readable = signing.unseal(subscription.secret) is not None
        subscription.previous_secret = subscription.secret if readable else None
        subscription.previous_until = now + ROTATION_OVERLAP if readable else None
        subscription.secret = signing.seal(secret)
        subscription.updated_at = now
        audit.record(actor_id=actor.id, object_type="webhook_subscription",
                     object_id=subscription.id, action="rotate_webhook_secret",
                     changes={"previous_valid_until": subscription.previous_until})
    return secret


def send_test(actor: User, subscription: WebhookSubscription) -> WebhookDelivery:
    _require_admin(actor)
    if not subscription.active:
        raise InvalidInput(N_("Switch the subscription on before sending a test message."))
    with unit_of_work():
        message = outbox.new_message(EventType.TEST,
                                     payloads.HookTest(subscription_id=subscription.id))
        found = outbox.add_delivery(message, subscription)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="webhook_subscription",
                     object_id=subscription.id, action="test_webhook",
                     changes={"message": message.message_id})
    return found


def redeliver(actor: User, subscription: WebhookSubscription,
              delivery_id: int) -> WebhookDelivery:
    """Send a message again (after the receiver was fixed): a new delivery of the same
    message, with the same webhook-id so a receiver that has it already can tell."""
    _require_admin(actor)
    with unit_of_work():
        old = db.session.get(WebhookDelivery, delivery_id)
        if old is None or old.subscription_id != subscription.id:
            raise InvalidInput(N_("This delivery does not exist."))
        if old.state not in (DeliveryState.DELIVERED, DeliveryState.FAILED):
            raise InvalidInput(N_("This message is still being delivered."))
        if not subscription.active:
            raise InvalidInput(N_("Switch the subscription on before sending a message "
                                  "again."))
        again = outbox.add_delivery(old.message, subscription)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="webhook_subscription",
                     object_id=subscription.id, action="redeliver_webhook",
                     changes={"message": old.message.message_id, "delivery": old.id,
                              "new_delivery": again.id})
    return again
