"""Countries, administrative areas (level 1 province, level 2 district) and villages."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conflict_app.core.types import enum_column
from conflict_app.extensions import db
from conflict_app.geo.names import list_separator, place_name


class Region(StrEnum):
    """The metapopulation regions of the strategy's Figure 1."""

    CAUCASUS = "caucasus"
    ALBORZ_KOPET_DAGH = "alborz_kopet_dagh"
    ZAGROS = "zagros"
    EASTERN_RANGE = "eastern_range"


class Country(db.Model):
    __tablename__ = "country"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    currency: Mapped[str] = mapped_column(String(3))
    default_locale: Mapped[str] = mapped_column(String(8))
    # IANA zone; empty: the range state's default (geo.timezones).
    timezone: Mapped[str | None] = mapped_column(String(40))


class AdminArea(db.Model):
    __tablename__ = "admin_area"
    __table_args__ = (
        UniqueConstraint("country_code", "parent_id", "name"),
        CheckConstraint("level IN (1, 2)", name="level"),
        CheckConstraint(
            "(level = 1 AND parent_id IS NULL) OR (level = 2 AND parent_id IS NOT NULL)",
            name="parent_matches_level",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    level: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(120))
    # The name in the country's own language and script (geo.names.place_name shows it to
    # readers of that language); ``name`` stays the reference of imports and the API.
    local_name: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[Region | None] = mapped_column(enum_column(Region, "region"))
    # IANA zone of an area that differs from its country's (e.g. western Kazakhstan).
    timezone: Mapped[str | None] = mapped_column(String(40))
    # Generated test data lives only in such areas (analytics.synthetic): never offered to
    # the public, removed with one command.
    synthetic: Mapped[bool] = mapped_column(default=False, server_default=false())

    country: Mapped[Country] = relationship()
    parent: Mapped[AdminArea | None] = relationship(remote_side=[id])

    @property
    def display_name(self) -> str:
        return place_name(self)

    @property
    def label(self) -> str:
        return (f"{self.parent.display_name} / {self.display_name}" if self.parent
                else self.display_name)


class Village(db.Model):
    __tablename__ = "village"
    __table_args__ = (
        UniqueConstraint("admin1_id", "admin2_id", "name"),
        Index("ix_village_scope", "country_code", "admin1_id", "admin2_id"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    admin1_id: Mapped[int] = mapped_column(ForeignKey("admin_area.id"))
    admin2_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    name: Mapped[str] = mapped_column(String(120))
    local_name: Mapped[str | None] = mapped_column(String(120))  # as AdminArea.local_name
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    protected_area: Mapped[str | None] = mapped_column(String(120))
    # False for a village a herder typed that a clerk has not yet confirmed: kept out of the
    # lists until then.
    listed: Mapped[bool] = mapped_column(default=True, server_default=true())

    admin1: Mapped[AdminArea] = relationship(foreign_keys=[admin1_id])
    admin2: Mapped[AdminArea | None] = relationship(foreign_keys=[admin2_id])

    @property
    def display_name(self) -> str:
        return place_name(self)

    @property
    def label(self) -> str:
        parts = [self.display_name, (self.admin2 or self.admin1).display_name]
        return list_separator().join(parts)
