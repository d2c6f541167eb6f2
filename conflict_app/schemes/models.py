"""Market price tables and stored assessments (the valuation a decision was based on)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conflict_app.claims.models import AgeClass
from conflict_app.core import clock
from conflict_app.core.money import Money
from conflict_app.core.types import MONEY, UTCDateTime, enum_column
from conflict_app.extensions import db
from conflict_app.herders.models import Species
from conflict_app.schemes.params import SchemeKind


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
    # The scheme rule version that valued the claim (none: the core market-share rule).
    rule_version_id: Mapped[int | None] = mapped_column(ForeignKey("rule_version.id"))
    # The explanation, step by step (schemes.rules.Step.as_json), shown on the claim page.
    steps: Mapped[list | None] = mapped_column(JSON)
    interim: Mapped[Decimal | None] = mapped_column(MONEY)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    rule_version = relationship("RuleVersion")
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


# --- schemes and their rules (PRODUCT.md §4) ------------------------------------------
class Scheme(db.Model):
    """A compensation, insurance or incentive programme of one jurisdiction and currency."""

    __tablename__ = "scheme"
    __table_args__ = (
        CheckConstraint("budget >= 0", name="budget_positive"),
        CheckConstraint("review_share >= 0 AND review_share <= 1", name="review_share"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[SchemeKind] = mapped_column(enum_column(SchemeKind, "scheme_kind"))
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    # An optional province the scheme is limited to; otherwise the whole country.
    admin1_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    currency: Mapped[str] = mapped_column(String(3))
    funders: Mapped[str | None] = mapped_column(Text)
    budget: Mapped[Decimal] = mapped_column(MONEY)
    # What an approval beyond the remaining budget does: "refuse" or "queue".
    over_budget: Mapped[str] = mapped_column(String(8), default="refuse")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    closed: Mapped[bool] = mapped_column(default=False)
    example: Mapped[bool] = mapped_column(default=False)  # demo data, labelled as such
    # Audit sampling: this share of approved items at random, and every item above the
    # threshold, get a second review before payment.
    review_share: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal(0))
    review_above: Mapped[Decimal | None] = mapped_column(MONEY)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    country = relationship("Country", lazy="joined")
    admin1 = relationship("AdminArea", lazy="joined")
    versions: Mapped[list[RuleVersion]] = relationship(
        back_populates="scheme", order_by="RuleVersion.number")

    def money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency)


class RuleVersion(db.Model):
    """Dated rule values; published versions never change, a change is a new version."""

    __tablename__ = "rule_version"
    __table_args__ = (UniqueConstraint("scheme_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    number: Mapped[int] = mapped_column()
    valid_from: Mapped[date] = mapped_column(Date)
    values: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    scheme: Mapped[Scheme] = relationship(back_populates="versions")

    @property
    def label(self) -> str:
        return f"{self.scheme.code} v{self.number}"


class ExchangeRate(db.Model):
    """Units of a currency per US dollar from a date on, for reporting in USD."""

    __tablename__ = "exchange_rate"
    __table_args__ = (
        UniqueConstraint("currency", "valid_from"),
        CheckConstraint("per_usd > 0", name="rate_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date] = mapped_column(Date)
    per_usd: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    source: Mapped[str | None] = mapped_column(String(160))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


# --- insurance --------------------------------------------------------------------------
class Enrolment(db.Model):
    __tablename__ = "enrolment"
    __table_args__ = (
        Index("ix_enrolment_household", "household_id", "starts_on"),
        CheckConstraint("ends_on > starts_on", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    agreement_signed: Mapped[bool] = mapped_column(default=False)
    premium_herder: Mapped[Decimal] = mapped_column(MONEY)
    premium_matching: Mapped[Decimal] = mapped_column(MONEY)
    premium_paid_on: Mapped[date | None] = mapped_column(Date)
    excluded_on: Mapped[date | None] = mapped_column(Date)
    exclusion_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    scheme: Mapped[Scheme] = relationship()
    household = relationship("Household", lazy="joined")
    lines: Mapped[list[EnrolmentLine]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan", order_by="EnrolmentLine.id")


class EnrolmentLine(db.Model):
    __tablename__ = "enrolment_line"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "species"),
        CheckConstraint("heads > 0 AND value_per_head > 0", name="insured_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    species: Mapped[Species] = mapped_column(enum_column(Species, "species"))
    heads: Mapped[int] = mapped_column()
    value_per_head: Mapped[Decimal] = mapped_column(MONEY)

    enrolment: Mapped[Enrolment] = relationship(back_populates="lines")


class PoolEntry(db.Model):
    """The insurance pool as a ledger: money in is positive, money out negative."""

    __tablename__ = "pool_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # premium, matching, payout
    amount: Mapped[Decimal] = mapped_column(MONEY)
    on_date: Mapped[date] = mapped_column(Date)
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolment.id"))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"))
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("settlement.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class Settlement(db.Model):
    """One settlement period of an insurance pool: approved claims against what it holds."""

    __tablename__ = "settlement"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    available: Mapped[Decimal] = mapped_column(MONEY)
    approved: Mapped[Decimal] = mapped_column(MONEY)
    payable: Mapped[Decimal] = mapped_column(MONEY)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    items: Mapped[list[SettlementItem]] = relationship(
        back_populates="settlement", order_by="SettlementItem.id")

    @property
    def shortfall(self) -> Decimal:
        return self.approved - self.payable


class SettlementItem(db.Model):
    __tablename__ = "settlement_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlement.id"))
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), unique=True)
    approved: Mapped[Decimal] = mapped_column(MONEY)
    payable: Mapped[Decimal] = mapped_column(MONEY)

    settlement: Mapped[Settlement] = relationship(back_populates="items")
    claim = relationship("Claim", lazy="joined")


# --- incentives -------------------------------------------------------------------------
class PresenceRecord(db.Model):
    """A verified record of leopard presence or reproduction in a community's area."""

    __tablename__ = "presence_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"))
    period: Mapped[int] = mapped_column()  # the year it counts for
    kind: Mapped[str] = mapped_column(String(16))  # occasional, regular, reproduction
    observed_on: Mapped[date] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text)
    verified_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    village = relationship("Village", lazy="joined")
    verified_by = relationship("User", lazy="joined")


class Withholding(db.Model):
    """Collective conditionality: a community's payouts held after a retaliatory killing."""

    __tablename__ = "withholding"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"))
    reason: Mapped[str] = mapped_column(Text)
    noticed_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # released automatically after this day
    state: Mapped[str] = mapped_column(String(10), default="active")  # active/lifted/released
    appeal: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    village = relationship("Village", lazy="joined")


class IncentivePayment(db.Model):
    """A performance or adoption payment; paid at most once, never while withheld."""

    __tablename__ = "incentive_payment"
    __table_args__ = (
        Index("uq_incentive_performance", "scheme_id", "village_id", "period", unique=True,
              sqlite_where=text("kind = 'performance'"),
              postgresql_where=text("kind = 'performance'")),
        # One live adoption payment per measure; a cancelled wrong one may be made again.
        Index("uq_incentive_live_measure", "measure_id", unique=True,
              sqlite_where=text("state <> 'cancelled'"),
              postgresql_where=text("state <> 'cancelled'")),
        CheckConstraint("amount >= 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # performance, adoption
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measure.id"))
    period: Mapped[int | None] = mapped_column()
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    steps: Mapped[list] = mapped_column(JSON)
    # approved, withheld, scheduled (in a payment batch), paid, cancelled
    state: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(default=1)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    payment_reference: Mapped[str | None] = mapped_column(String(80))
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    __mapper_args__ = {"version_id_col": version}

    village = relationship("Village", lazy="joined")
    household = relationship("Household")

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def reference(self) -> str:
        return f"INC-{self.id:06d}"
