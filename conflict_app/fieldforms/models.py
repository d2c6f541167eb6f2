"""Field form sync: the servers submissions are pulled from (ODK Central, KoboToolbox), each
pull, and the submissions that could not be filed, kept for a clerk with the reason."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime, enum_column
from conflict_app.extensions import db


class Platform(StrEnum):
    ODK_CENTRAL = "odk_central"
    KOBO = "kobo"


class FormKind(StrEnum):
    REPORT = "report"  # the loss report
    VERIFICATION = "verification"  # the field verification visit


class RunStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    ERROR = "error"


class HeldState(StrEnum):
    WAITING = "waiting"  # rejected by the import, waits for a clerk
    ACCEPTED = "accepted"  # fixed by a clerk and filed
    DISMISSED = "dismissed"  # set aside by a clerk, with a reason


class SyncSource(db.Model):
    """One form on one server. Its jurisdiction is that of the staff account submissions
    are filed as: clerks inside it see the submissions that could not be filed."""

    __tablename__ = "field_sync_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    platform: Mapped[Platform] = mapped_column(enum_column(Platform, "field_sync_platform"))
    server_url: Mapped[str] = mapped_column(String(500))
    project: Mapped[str | None] = mapped_column(String(40))  # ODK Central project id
    form_id: Mapped[str] = mapped_column(String(120))  # xmlFormId or Kobo asset uid
    form_kind: Mapped[FormKind] = mapped_column(enum_column(FormKind, "field_form_kind"))
    # User name and password or token, as JSON encrypted with the field sync key
    # (``fieldforms.secrets``); never shown again once saved.
    credentials: Mapped[str] = mapped_column(Text)
    file_as_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # Where the last pull stopped: ODK Central's submission date, Kobo's submission _id.
    cursor: Mapped[str | None] = mapped_column(String(40))
    # Taken by a running pull (a conditional UPDATE), so two pulls never run at once.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    file_as = relationship("User", foreign_keys=[file_as_id], lazy="joined")


class SyncRun(db.Model):
    __tablename__ = "field_sync_run"
    __table_args__ = (Index("ix_field_sync_run_source", "source_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("field_sync_source.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus, "field_sync_status"),
                                              default=RunStatus.RUNNING)
    imported: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    # A code (``unauthorised``, ``network`` ...) and a technical detail; never a secret.
    error: Mapped[str | None] = mapped_column(String(300))


class HeldSubmission(db.Model):
    """A pulled submission the import refused, with its answers and photos as received."""

    __tablename__ = "field_submission"
    __table_args__ = (
        UniqueConstraint("instance_id"),
        Index("ix_field_submission_waiting", "state", "source_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("field_sync_source.id", ondelete="CASCADE"))
    instance_id: Mapped[str] = mapped_column(String(120))
    form_kind: Mapped[FormKind] = mapped_column(enum_column(FormKind, "field_form_kind"))
    data: Mapped[dict] = mapped_column(JSON)  # the form's answers by field name
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[HeldState] = mapped_column(enum_column(HeldState, "field_submission_state"),
                                             default=HeldState.WAITING)
    submitted_at: Mapped[str | None] = mapped_column(String(40))  # as the server said
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolution: Mapped[str | None] = mapped_column(Text)  # why it was dismissed
    claim_reference: Mapped[str | None] = mapped_column(String(40))

    source: Mapped[SyncSource] = relationship(lazy="joined")
    photos: Mapped[list[HeldPhoto]] = relationship(
        cascade="all, delete-orphan", order_by="HeldPhoto.id")


class HeldPhoto(db.Model):
    __tablename__ = "field_submission_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("field_submission.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
