"""Mitigation measures per household (or per community, when no household is given)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conflict_app.core.types import MONEY, enum_column
from conflict_app.extensions import db


class MeasureType(StrEnum):
    CORRAL = "corral"  # predator-proof night corral
    GUARD_DOG = "guard_dog"
    ELECTRIC_FENCE = "electric_fence"
    COLLAR = "collar"
    SHEPHERD = "shepherd"  # trained shepherd
    LIGHT = "light"
    OTHER = "other"


ASSIGNMENT_UNITS = ("household", "village")


class Measure(db.Model):
    __tablename__ = "measure"
    __table_args__ = (
        Index("ix_measure_scope", "country_code", "admin1_id", "admin2_id"),
        Index("ix_measure_household", "household_id", "measure"),
        CheckConstraint("removed_on IS NULL OR removed_on >= installed_on",
                        name="removed_after_installed"),
        CheckConstraint("cost IS NULL OR cost >= 0", name="cost_positive"),
        CheckConstraint("assignment IS NULL OR assignment IN ('household', 'village')",
                        name="assignment_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_ref: Mapped[str | None] = mapped_column(String(80), unique=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"))
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    admin1_id: Mapped[int] = mapped_column(ForeignKey("admin_area.id"))
    admin2_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    measure: Mapped[MeasureType] = mapped_column(enum_column(MeasureType, "measure_type"))
    installed_on: Mapped[date] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    verified_on: Mapped[date | None] = mapped_column(Date)
    cost: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str | None] = mapped_column(String(3))
    funder: Mapped[str | None] = mapped_column(String(160))
    # A randomised roll-out: the unit drawn at random ("household" or "village") and how
    # it was drawn; empty when the household chose the measure itself.
    assignment: Mapped[str | None] = mapped_column(String(16))
    assignment_method: Mapped[str | None] = mapped_column(String(160))

    household = relationship("Household")
    village = relationship("Village")
