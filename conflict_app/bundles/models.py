"""A bundle uploaded on the web and imported by a background job: its state, progress and
outcome (the problems found, or what was created), for the page that follows it."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from conflict_app.extensions import db
from conflict_app.jobs.records import JobRecord


class BundleImport(JobRecord, db.Model):
    __tablename__ = "bundle_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    # The upload on disk until the job has read it (removed afterwards).
    path: Mapped[str] = mapped_column(String(500))
    done_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    total_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    problems: Mapped[list | None] = mapped_column(JSON)  # Problem.as_dict() of the first 200
    hidden_problems: Mapped[int] = mapped_column(default=0)
    created: Mapped[dict | None] = mapped_column(JSON)  # what the import created, by kind
    unchanged: Mapped[dict | None] = mapped_column(JSON)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return min(99, self.done_bytes * 100 // self.total_bytes) if self.total_bytes else 0
