"""Multi-year conservation agreements of an incentive scheme with a household or a community
(PRODUCT.md §4): each year of the term has milestones that staff verify with evidence, and
an instalment that becomes an incentive payment once the year's milestones are all met."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conflict_app.core import clock
from conflict_app.core.money import Money
from conflict_app.core.types import MONEY, UTCDateTime
from conflict_app.extensions import db

# What a year's milestone can be; verified by staff with evidence.
MILESTONE_KINDS = ("corral", "guard_dog", "no_killing", "presence")
MOST_YEARS = 10


class ConservationAgreement(db.Model):
    __tablename__ = "conservation_agreement"
    __table_args__ = (
        Index("ix_conservation_agreement_scope", "country_code", "admin1_id", "admin2_id"),
        CheckConstraint(f"term_years BETWEEN 1 AND {MOST_YEARS}", name="term"),
        CheckConstraint("ends_on > signed_on", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    # The community; a household's agreement names its household as well.
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    # Denormalised from the village so jurisdiction scoping is one indexed filter.
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    admin1_id: Mapped[int] = mapped_column(ForeignKey("admin_area.id"))
    admin2_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    signed_on: Mapped[date] = mapped_column(Date)
    term_years: Mapped[int] = mapped_column()
    ends_on: Mapped[date] = mapped_column(Date)  # the first day after the term
    # The agreement this one renews (one renewal each).
    renews_id: Mapped[int | None] = mapped_column(
        ForeignKey("conservation_agreement.id"), unique=True)
    state: Mapped[str] = mapped_column(String(10), default="active")  # active, renewed
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    scheme = relationship("Scheme", lazy="joined")
    village = relationship("Village", lazy="joined")
    household = relationship("Household")
    renews = relationship("ConservationAgreement", remote_side=[id], foreign_keys=[renews_id])
    milestones: Mapped[list[AgreementMilestone]] = relationship(
        back_populates="agreement", order_by="(AgreementMilestone.year, AgreementMilestone.id)")
    instalments: Mapped[list[AgreementInstalment]] = relationship(
        back_populates="agreement", order_by="AgreementInstalment.year")

    @property
    def reference(self) -> str:
        return f"AGR-{self.id:06d}"

    def year_bounds(self, year: int) -> tuple[date, date]:
        """The first day of the term's ``year`` (1-based) and the first day after it."""
        return add_years(self.signed_on, year - 1), add_years(self.signed_on, year)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class AgreementMilestone(db.Model):
    __tablename__ = "agreement_milestone"
    __table_args__ = (UniqueConstraint("agreement_id", "year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("conservation_agreement.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))
    verified_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(Text)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    agreement: Mapped[ConservationAgreement] = relationship(back_populates="milestones")
    verified_by = relationship("User", lazy="joined")


class AgreementInstalment(db.Model):
    """The year's conditional instalment; its payment exists once the milestones are met."""

    __tablename__ = "agreement_instalment"
    __table_args__ = (
        UniqueConstraint("agreement_id", "year"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("conservation_agreement.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column()
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("incentive_payment.id"),
                                                   unique=True)

    agreement: Mapped[ConservationAgreement] = relationship(back_populates="instalments")
    payment = relationship("IncentivePayment", lazy="joined")

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def state(self) -> str:
        """``waiting`` for its milestones, then the state of its incentive payment."""
        return self.payment.state if self.payment is not None else "waiting"
