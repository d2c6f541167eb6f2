"""SMS messages, kept as an outbox: written in the claim's transaction, sent after commit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime, enum_column
from conflict_app.extensions import db


class SmsStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry
    RECEIVED = "received"  # inbound


class SmsMessage(db.Model):
    __tablename__ = "sms_message"
    __table_args__ = (Index("ix_sms_message_due", "status", "next_attempt_at"),
                      # Texts the public can trigger are counted per phone and day.
                      Index("ix_sms_message_phone_created", "phone", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id", ondelete="SET NULL"),
                                                 index=True)
    direction: Mapped[str] = mapped_column(String(3))  # "out" or "in"
    phone: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[SmsStatus] = mapped_column(enum_column(SmsStatus, "sms_status"))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(200))
    # A PIN the text carries, sealed (core.sealed) and cleared once handed to the gateway;
    # the body holds a mask in its place, so no PIN is ever stored in clear.
    secret: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PinGuard(db.Model):
    """Failed status look-ups per claim. Kept apart from the claim so a stranger guessing
    PINs never changes the claim's version (and never makes a clerk's open form stale)."""

    __tablename__ = "pin_guard"

    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"),
                                          primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
