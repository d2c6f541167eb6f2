"""Verification reports filed by the verifier after the field visit."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime, enum_column
from conflict_app.extensions import db
from conflict_app.verification.checklist import Confidence, Predator


class VerificationReport(db.Model):
    __tablename__ = "verification_report"
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    verifier_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    visited_on: Mapped[date] = mapped_column(Date)
    signs: Mapped[str] = mapped_column(Text)  # JSON of checklist.Signs.as_dict()
    predator: Mapped[Predator] = mapped_column(enum_column(Predator, "predator"))
    confidence: Mapped[Confidence] = mapped_column(enum_column(Confidence, "confidence"))
    suggested_predator: Mapped[Predator] = mapped_column(
        enum_column(Predator, "suggested_predator")
    )
    suggested_confidence: Mapped[Confidence] = mapped_column(
        enum_column(Confidence, "suggested_confidence")
    )
    suggestion_reasons: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    notes: Mapped[str | None] = mapped_column(Text)
    # The field form submission it came from (ODK / KoboToolbox instance ID), if any.
    external_ref: Mapped[str | None] = mapped_column(String(120), unique=True)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    verifier = relationship("User", lazy="joined")
    lines: Mapped[list[VerificationLine]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="VerificationLine.id"
    )

    @property
    def sign_items(self) -> list[tuple[str, object]]:
        return list(json.loads(self.signs).items())

    @property
    def differs_from_suggestion(self) -> bool:
        return (self.predator, self.confidence) != (
            self.suggested_predator,
            self.suggested_confidence,
        )


class VerificationLine(db.Model):
    __tablename__ = "verification_line"
    __table_args__ = (
        CheckConstraint(
            "confirmed_killed >= 0 AND confirmed_injured >= 0", name="counts_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("verification_report.id", ondelete="CASCADE")
    )
    loss_line_id: Mapped[int] = mapped_column(ForeignKey("loss_line.id"))
    confirmed_killed: Mapped[int] = mapped_column(default=0)
    confirmed_injured: Mapped[int] = mapped_column(default=0)

    report: Mapped[VerificationReport] = relationship(back_populates="lines")
    loss_line = relationship("LossLine", lazy="joined")
