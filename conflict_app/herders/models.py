"""Households and yearly herd census. Names, phones and IDs are personal data."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    DDL,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime, enum_column
from conflict_app.extensions import db


class Species(StrEnum):
    SHEEP = "sheep"
    GOAT = "goat"
    CATTLE = "cattle"
    HORSE = "horse"
    DONKEY = "donkey"
    CAMEL = "camel"
    DOG = "dog"
    OTHER = "other"


class Household(db.Model):
    __tablename__ = "household"
    __table_args__ = (
        Index("ix_household_scope", "country_code", "admin1_id", "admin2_id"),
        Index("ix_household_phone", "phone"),
        # Name search: a trigram index on PostgreSQL (pg_trgm), a plain one elsewhere.
        Index("ix_household_name_trgm", "head_name", postgresql_using="gin",
              postgresql_ops={"head_name": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Key of a household imported from a data bundle.
    external_ref: Mapped[str | None] = mapped_column(String(80), unique=True)
    head_name: Mapped[str] = mapped_column(String(160))
    phone: Mapped[str | None] = mapped_column(String(20))
    national_id: Mapped[str | None] = mapped_column(String(40))
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    # Denormalised from the village so jurisdiction scoping is one indexed filter.
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    admin1_id: Mapped[int] = mapped_column(ForeignKey("admin_area.id"))
    admin2_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    language: Mapped[str] = mapped_column(String(8), default="en")
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # Opened by an anonymous report: a clerk checks it and links it to a known household
    # (a phone number alone never joins a stranger's report to someone's household).
    provisional: Mapped[bool] = mapped_column(default=False)

    village = relationship("Village")
    census: Mapped[list[HerdCensus]] = relationship(
        back_populates="household",
        cascade="all, delete-orphan",
        order_by="(HerdCensus.year.desc(), HerdCensus.species)",
    )

    def head_count(self, species: Species, year: int) -> int | None:
        for row in self.census:
            if row.species == species and row.year == year:
                return row.head_count
        return None


class HerdCensus(db.Model):
    __tablename__ = "herd_census"
    __table_args__ = (
        UniqueConstraint("household_id", "year", "species"),
        CheckConstraint("head_count >= 0", name="head_count"),
        CheckConstraint("year BETWEEN 1950 AND 2200", name="year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column()
    species: Mapped[Species] = mapped_column(enum_column(Species, "species"))
    head_count: Mapped[int] = mapped_column()

    household: Mapped[Household] = relationship(back_populates="census")


# The trigram operator class lives in the pg_trgm extension (a trusted one: no superuser).
event.listen(Household.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))


class PayoutDetails(db.Model):
    """Where a household is paid: a bank account (an IBAN where the country has them) and a
    mobile-money wallet. Kept apart from the household so that only the pages and files that
    pay (finance) or keep them (clerks) read them; analytics and exports never join it."""

    __tablename__ = "payout_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), unique=True)
    account_holder: Mapped[str | None] = mapped_column(String(160))
    iban: Mapped[str | None] = mapped_column(String(34))  # compact, checksum verified
    bank_account: Mapped[str | None] = mapped_column(String(34))  # where there is no IBAN
    bank_name: Mapped[str | None] = mapped_column(String(120))
    wallet_number: Mapped[str | None] = mapped_column(String(20))  # E.164
    wallet_provider: Mapped[str | None] = mapped_column(String(60))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    @property
    def account(self) -> str | None:
        return self.iban or self.bank_account

    @staticmethod
    def masked(value: str | None) -> str:
        """The last four characters only, for pages and files of roles that do not pay."""
        return f"•••• {value[-4:]}" if value else ""
