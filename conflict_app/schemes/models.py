"""Market price tables and stored assessments (the valuation a decision was based on)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conflict_app.claims.models import AgeClass
from conflict_app.core import clock
from conflict_app.core.money import Money
from conflict_app.core.types import MONEY, UTCDateTime, enum_column
from conflict_app.extensions import db
from conflict_app.herders.models import Species


class MarketPrice(db.Model):
    __tablename__ = "market_price"
    __table_args__ = (
        Index(
            "ix_market_price_lookup",
            "country_code", "species", "age_class", "valid_from",
            unique=True,
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    species: Mapped[Species] = mapped_column(enum_column(Species, "species"))
    age_class: Mapped[AgeClass] = mapped_column(enum_column(AgeClass, "age_class"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class Assessment(db.Model):
    """An itemised valuation; a re-assessment adds a new one, the old one stays on record."""

    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(60))
    predator: Mapped[str] = mapped_column(String(20))
    confidence: Mapped[str] = mapped_column(String(20))
    total: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    lines: Mapped[list[AssessmentLine]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="AssessmentLine.id"
    )

    @property
    def total_money(self) -> Money:
        return Money(self.total, self.currency)


class AssessmentLine(db.Model):
    __tablename__ = "assessment_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    loss_line_id: Mapped[int] = mapped_column(ForeignKey("loss_line.id"))
    species: Mapped[str] = mapped_column(String(20))
    age_class: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10))
    heads: Mapped[int] = mapped_column()
    unit_value: Mapped[Decimal] = mapped_column(MONEY)
    share: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    rate: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    note: Mapped[str | None] = mapped_column(Text)

    assessment: Mapped[Assessment] = relationship(back_populates="lines")
