"""What a claim for harm to a person or to crops records: its kind and the facts it is valued
from. One row per claim; a livestock claim has none.

The injury's category and description, the medical costs, the cause of death, the next of
kin and the medical report or death certificate are special category data: only the roles
in ``claims.harm_records.SPECIAL_ROLES`` read them, nothing else exports or logs them. The
document is stored under its own key, not as claim evidence, so no evidence list shows it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from conflict_app.core import clock
from conflict_app.core.money import Money
from conflict_app.core.types import MONEY, UTCDateTime, enum_column
from conflict_app.extensions import db
from conflict_app.schemes.harm import Harm, HarmKind, Severity


class ClaimHarm(db.Model):
    __tablename__ = "claim_harm"
    __table_args__ = (
        CheckConstraint("area_ha IS NULL OR area_ha > 0", name="area_positive"),
        CheckConstraint("medical_costs IS NULL OR medical_costs >= 0", name="costs_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"),
                                          unique=True)
    kind: Mapped[HarmKind] = mapped_column(enum_column(HarmKind, "harm_kind"))
    # Special category data (injury and death).
    severity: Mapped[Severity | None] = mapped_column(enum_column(Severity, "severity"))
    medical_details: Mapped[str | None] = mapped_column(Text)  # injury or cause of death
    medical_costs: Mapped[Decimal | None] = mapped_column(MONEY)
    next_of_kin: Mapped[str | None] = mapped_column(String(120))
    document_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    # Crop damage (not special).
    crop: Mapped[str | None] = mapped_column(String(20))
    area_ha: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    measured_on: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    def facts(self) -> Harm:
        return Harm(self.kind, self.severity,
                    Money(self.medical_costs, self.currency)
                    if self.medical_costs is not None else None,
                    self.document_key is not None, self.next_of_kin, self.crop, self.area_ha,
                    self.measured_on)
