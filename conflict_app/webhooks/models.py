"""Subscriptions, the outbox of messages, each message's delivery to a subscription, and
every attempt at it (the delivery log the administration page shows)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime, enum_column
from conflict_app.extensions import db


class EventType(StrEnum):
    CLAIM_MOVED = "claim.moved"
    PAYMENT_RECORDED = "payment.recorded"
    ATTACK_VERIFIED = "attack.verified"
    IMPORT_FINISHED = "import.finished"
    TEST = "webhook.test"  # the "send test event" button; nobody subscribes to it


SUBSCRIBABLE = tuple(e for e in EventType if e != EventType.TEST)


class DeliveryState(StrEnum):
    PENDING = "pending"  # waits for its first attempt
    RETRYING = "retrying"  # an attempt failed; the next one is due at next_attempt_at
    DELIVERED = "delivered"
    FAILED = "failed"  # every attempt failed (or the subscription was switched off)


class WebhookSubscription(db.Model):
    """Where to send which events. Its jurisdiction is its creator's: it receives events of
    claims, payments and attacks inside it only (``core.permissions.covers``)."""

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    url: Mapped[str] = mapped_column(String(500))
    # The signing secret, encrypted with a key derived from SECRET_KEY (``secrets.py``);
    # after a rotation the previous one still signs until previous_until.
    secret: Mapped[str] = mapped_column(Text)
    previous_secret: Mapped[str | None] = mapped_column(Text)
    previous_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(default=True)
    jurisdiction_country: Mapped[str | None] = mapped_column(ForeignKey("country.code"))
    jurisdiction_area_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    jurisdiction_level: Mapped[int | None] = mapped_column()
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    events: Mapped[list[WebhookSubscriptionEvent]] = relationship(
        cascade="all, delete-orphan", lazy="selectin",
        order_by="WebhookSubscriptionEvent.event_type")
    jurisdiction_area = relationship("AdminArea")

    @property
    def event_types(self) -> list[str]:
        return [e.event_type.value for e in self.events]


class WebhookSubscriptionEvent(db.Model):
    __tablename__ = "webhook_subscription_event"

    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE"), primary_key=True)
    event_type: Mapped[EventType] = mapped_column(enum_column(EventType, "webhook_event_type"),
                                                  primary_key=True)


class WebhookMessage(db.Model):
    """One event as sent: the body is built from ``payload`` the same way on every attempt,
    and ``message_id`` (the webhook-id header) stays the same so receivers can de-duplicate."""

    __tablename__ = "webhook_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    event_type: Mapped[EventType] = mapped_column(enum_column(EventType, "webhook_event_type"))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_due", "state", "next_attempt_at"),
        Index("ix_webhook_delivery_subscription", "subscription_id", "id"),
        CheckConstraint("attempts >= 0", name="attempts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("webhook_message.id", ondelete="CASCADE"),
                                            index=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE"))
    state: Mapped[DeliveryState] = mapped_column(
        enum_column(DeliveryState, "webhook_delivery_state"), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    message: Mapped[WebhookMessage] = relationship(lazy="joined")
    subscription: Mapped[WebhookSubscription] = relationship()


class WebhookAttempt(db.Model):
    """One HTTP request: what the receiver answered, or why there was no answer."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    status_code: Mapped[int | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(String(300))
    duration_ms: Mapped[int] = mapped_column(default=0)
