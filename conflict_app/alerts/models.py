"""Alerts sent, the villages each reached (the per-village rate limit and the analytics
read them), phones that said STOP, and each country's distance and rate-limit settings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime, enum_column
from conflict_app.extensions import db


class AlertKind(StrEnum):
    ATTACK = "attack"  # a verified leopard attack nearby
    BROADCAST = "broadcast"  # sent by staff to an area


class Alert(db.Model):
    """One alert. Where it was sent is an area and villages, never a household or a point."""

    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_scope", "country_code", "admin1_id", "admin2_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AlertKind] = mapped_column(enum_column(AlertKind, "alert_kind"))
    # The verified claim behind an attack alert: one alert per claim, even after an appeal.
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id", ondelete="SET NULL"),
                                                 unique=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    admin1_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    admin2_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    # The village named in an attack alert (the attack's own village).
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    occurred_on: Mapped[date | None] = mapped_column(Date)
    radius_km: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    phones: Mapped[int] = mapped_column(default=0)
    segments: Mapped[int] = mapped_column(default=0)
    # Villages left out because they had an alert within the rate-limit window.
    villages_skipped: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    village = relationship("Village", foreign_keys=[village_id])
    admin1 = relationship("AdminArea", foreign_keys=[admin1_id])
    admin2 = relationship("AdminArea", foreign_keys=[admin2_id])
    reached: Mapped[list[AlertVillage]] = relationship(back_populates="alert",
                                                       cascade="all, delete-orphan")


class AlertVillage(db.Model):
    """A village an alert reached, and when: the rate limit and the analytics read these."""

    __tablename__ = "alert_village"
    __table_args__ = (Index("ix_alert_village_when", "village_id", "sent_at"),)

    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"),
                                          primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), primary_key=True)
    phones: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())

    alert: Mapped[Alert] = relationship(back_populates="reached")


class AlertOptOut(db.Model):
    """A phone that replied STOP; START sets ``stopped`` back to false."""

    __tablename__ = "alert_opt_out"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    stopped: Mapped[bool] = mapped_column(default=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class AlertSetting(db.Model):
    """A country's own alert distance and rate limit (else the app's defaults)."""

    __tablename__ = "alert_setting"
    __table_args__ = (
        CheckConstraint("radius_km > 0 AND radius_km <= 100", name="radius"),
        CheckConstraint("window_hours >= 1 AND window_hours <= 720", name="window"),
    )

    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"), primary_key=True)
    radius_km: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    window_hours: Mapped[int] = mapped_column()
