"""All the vouchers of a large payment batch, rendered by a background job: the request only
asks for them, the page follows the job and then offers the file."""

from __future__ import annotations

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from conflict_app.extensions import db
from conflict_app.jobs.records import JobRecord


class VoucherRun(JobRecord, db.Model):
    """One request for a batch's vouchers, in the language and time zone of who asked.

    The PDF is kept in the database, not on the disk of the machine that rendered it, so a
    web worker on another machine can hand it out; it holds payees' names and is removed
    a day after it was made (``documents.purge_runs``)."""

    __tablename__ = "voucher_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batch.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    locale: Mapped[str] = mapped_column(String(16))
    zone: Mapped[str] = mapped_column(String(64))
    items: Mapped[int] = mapped_column(default=0)  # vouchers to render
    done: Mapped[int] = mapped_column(default=0)  # rendered (set when the job ends)
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    batch = relationship("PaymentBatch")

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return min(99, self.done * 100 // self.items) if self.items else 0
