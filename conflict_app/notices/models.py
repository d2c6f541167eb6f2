"""A notice tells one staff member about one thing on a claim that waits for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime
from conflict_app.extensions import db


class Notice(db.Model):
    __tablename__ = "notice"
    __table_args__ = (
        # Each thing is told once: a report, a flag of a kind, a state overdue.
        Index("uq_notice_once", "user_id", "kind", "claim_id", "key", unique=True),
        Index("ix_notice_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # new_report, flag, overdue
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))  # the flag's kind, the overdue state
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    claim = relationship("Claim", lazy="joined")
