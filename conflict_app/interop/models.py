"""Which observation of another system became which presence record: the import's memory,
so the same source id imported twice gives one record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime
from conflict_app.extensions import db

SOURCES = ("earthranger", "smart")


class ImportedObservation(db.Model):
    __tablename__ = "imported_observation"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_imported_observation_source"),
        CheckConstraint("source IN ('earthranger', 'smart')", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(120))
    # Null only inside the import's own transaction, before the record exists.
    presence_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("presence_record.id", ondelete="CASCADE"), index=True)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
