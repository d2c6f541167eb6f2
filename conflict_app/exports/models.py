"""Aggregates imported from other Pardus instances, for a regional (range-wide) view."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime
from conflict_app.extensions import db


class RegionalAggregate(db.Model):
    __tablename__ = "regional_aggregate"
    __table_args__ = (
        Index("ix_regional_aggregate_key", "source", "country", "region", "year", "species",
              unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column()
    species: Mapped[str] = mapped_column(String(20))
    households: Mapped[int | None] = mapped_column()
    incidents: Mapped[int | None] = mapped_column()
    killed: Mapped[int | None] = mapped_column()
    injured: Mapped[int | None] = mapped_column()
    claims: Mapped[int | None] = mapped_column()
    paid_claims: Mapped[int | None] = mapped_column()
    paid_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    suppressed: Mapped[bool] = mapped_column(default=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
