"""What a missing-animals claim and a vet-cost claim add to a loss line: the herd counts
before and after the season with the verifier's signs in the area, and the vet invoice.

A loss line with a season count is a missing-animals line: it is valued at herd level
(schemes.herd), never from its reported heads.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conflict_app.core import clock
from conflict_app.core.money import Money
from conflict_app.core.types import MONEY, UTCDateTime
from conflict_app.extensions import db


class SeasonCount(db.Model):
    __tablename__ = "season_count"
    __table_args__ = (
        CheckConstraint("count_before IS NULL OR count_before >= 0", name="before_positive"),
        CheckConstraint("count_after IS NULL OR count_after >= 0", name="after_positive"),
        CheckConstraint("explained >= 0", name="explained_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"),
                                          index=True)
    loss_line_id: Mapped[int] = mapped_column(ForeignKey("loss_line.id", ondelete="CASCADE"),
                                              unique=True)
    # Counts may be recorded one at a time (before the season, then after it); a claim is
    # valued only when both are there.
    count_before: Mapped[int | None] = mapped_column()
    counted_before_on: Mapped[date | None] = mapped_column(Date)
    count_after: Mapped[int | None] = mapped_column()
    counted_after_on: Mapped[date | None] = mapped_column(Date)
    explained: Mapped[int] = mapped_column(default=0)
    explanation: Mapped[str | None] = mapped_column(Text)
    signs_on: Mapped[date | None] = mapped_column(Date)
    signs_note: Mapped[str | None] = mapped_column(Text)
    signs_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    loss_line = relationship("LossLine", lazy="joined")


class VetInvoice(db.Model):
    __tablename__ = "vet_invoice"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"),
                                          index=True)
    loss_line_id: Mapped[int] = mapped_column(ForeignKey("loss_line.id", ondelete="CASCADE"),
                                              unique=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    invoiced_on: Mapped[date] = mapped_column(Date)
    # The photographed invoice, kept with the claim's evidence.
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    loss_line = relationship("LossLine", lazy="joined")

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)
