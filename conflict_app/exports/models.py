"""Aggregates imported from other Pardus instances, for a regional (range-wide) view, and the
large exports written by a job."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, LargeBinary, Numeric, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime
from conflict_app.extensions import db
from conflict_app.jobs.records import JobRecord


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


class ExportRun(JobRecord, db.Model):
    """One request for a large table (claims or payments, CSV or XLSX), written by a job.

    A province at range-wide scale holds hundreds of thousands of claims: writing them takes
    longer than a web worker may hold a request (a spreadsheet of 500,000 rows takes about
    two minutes), and the worker's timeout would cut the file off. The file is kept in the
    database, so any web machine can hand it out; it holds herders' names and phones, so
    only who asked may download it, and it is removed a day after it was made
    (``exports.purge_runs``). A CSV is kept gzip-compressed (about a sixth of its size)."""

    __tablename__ = "export_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    table: Mapped[str] = mapped_column(String(16))  # "claims" or "payments"
    format: Mapped[str] = mapped_column(String(8))  # "csv" or "xlsx"
    rows: Mapped[int] = mapped_column(default=0)  # rows counted when asked; written when done
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
