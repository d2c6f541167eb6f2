"""Write a message and its deliveries in the transaction of the change it reports.

The rows and the delivery jobs commit with the change or not at all (``jobs.enqueue`` drops
its jobs on rollback): a claim move that is rolled back announces nothing. Only subscriptions
that are switched on, asked for the event type and whose jurisdiction covers the event's place
get a delivery; with none, nothing is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from conflict_app import jobs
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.webhooks import payloads
from conflict_app.webhooks.models import (
    DeliveryState,
    EventType,
    WebhookDelivery,
    WebhookMessage,
    WebhookSubscription,
    WebhookSubscriptionEvent,
)


@dataclass(frozen=True)
class Place:
    """Where an event happened, for matching subscriptions' jurisdictions."""

    country_code: str | None
    admin1_id: int | None = None
    admin2_id: int | None = None


def _covering(place: Place):  # noqa: ANN202 - a SQL condition
    sub = WebhookSubscription
    if place.country_code is None:  # a range-wide event: range-wide subscriptions only
        return sub.jurisdiction_country.is_(None)
    return or_(
        sub.jurisdiction_country.is_(None),
        and_(sub.jurisdiction_country == place.country_code,
             or_(sub.jurisdiction_area_id.is_(None),
                 and_(sub.jurisdiction_level == 1, sub.jurisdiction_area_id == place.admin1_id),
                 and_(sub.jurisdiction_level == 2,
                      sub.jurisdiction_area_id == place.admin2_id))))


_SEEN = "webhook_subscribers"


def subscribers(event_type: EventType, place: Place) -> list[WebhookSubscription]:
    """The subscriptions an event goes to; looked up once per transaction for each event type
    and place (a batch of 500 payments announces 500 events)."""
    session = db.session()
    transaction = session.get_transaction()
    memo = session.info.get(_SEEN)
    if memo is None or memo[0] is not transaction:
        memo = session.info[_SEEN] = (transaction, {})
    key = (event_type, place)
    if key not in memo[1]:
        memo[1][key] = _lookup(event_type, place)
    return memo[1][key]


def _lookup(event_type: EventType, place: Place) -> list[WebhookSubscription]:
    query = (select(WebhookSubscription)
             .join(WebhookSubscriptionEvent)
             .where(WebhookSubscription.active.is_(True),
                    WebhookSubscriptionEvent.event_type == event_type,
                    _covering(place))
             .order_by(WebhookSubscription.id))
    return list(db.session.scalars(query))


def new_message(event_type: EventType, data: payloads.Data) -> WebhookMessage:
    now = clock.now()
    message = WebhookMessage(message_id=f"msg_{uuid.uuid4().hex}", event_type=event_type,
                             payload=payloads.envelope(event_type, data, now), created_at=now)
    db.session.add(message)
    return message


def add_delivery(message: WebhookMessage, subscription: WebhookSubscription
                 ) -> WebhookDelivery:
    delivery = WebhookDelivery(message=message, subscription_id=subscription.id,
                               state=DeliveryState.PENDING, attempts=0,
                               next_attempt_at=message.created_at, created_at=clock.now())
    db.session.add(delivery)
    jobs.enqueue("webhooks.deliver", delivery)
    return delivery


def publish(event_type: EventType, data: payloads.Data, place: Place) -> int:
    """Queue the event for every matching subscription; returns how many."""
    found = subscribers(event_type, place)
    if not found:
        return 0
    message = new_message(event_type, data)
    for subscription in found:
        add_delivery(message, subscription)
    return len(found)
