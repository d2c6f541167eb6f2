"""Incidents (what happened), their loss lines, and claims (the case run under a scheme)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from conflict_app.claims.workflow import DECIDED, State
from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime, enum_column
from conflict_app.extensions import db
from conflict_app.herders.models import Species


class PartOfDay(StrEnum):
    MORNING = "morning"
    DAYTIME = "daytime"
    EVENING = "evening"
    NIGHT = "night"


class Setting(StrEnum):
    PASTURE = "pasture"
    NIGHT_CORRAL = "night_corral"
    VILLAGE = "village"


class AgeClass(StrEnum):
    YOUNG = "young"
    ADULT_FEMALE = "adult_female"
    ADULT_MALE = "adult_male"
    UNKNOWN = "unknown"  # historical records that did not say


REPORTABLE_AGE_CLASSES = (AgeClass.YOUNG, AgeClass.ADULT_FEMALE, AgeClass.ADULT_MALE)
# workflow.DECIDED as SQL, in the states' own order (the constraint's text never varies).
DECIDED_SQL = "(" + ", ".join(f"'{s.value}'" for s in State if s in DECIDED) + ")"


class Channel(StrEnum):
    OFFICE = "office"
    PHONE = "phone"
    WEB = "web"
    SMS = "sms"


class Incident(db.Model):
    __tablename__ = "incident"
    __table_args__ = (
        Index("ix_incident_household_date", "household_id", "occurred_on"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Key of an incident imported from a data bundle (historical records).
    external_ref: Mapped[str | None] = mapped_column(String(80), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    occurred_time: Mapped[time | None] = mapped_column(Time)
    part_of_day: Mapped[PartOfDay | None] = mapped_column(enum_column(PartOfDay, "part_of_day"))
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"))
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    admin1_id: Mapped[int] = mapped_column(ForeignKey("admin_area.id"))
    admin2_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    in_protected_area: Mapped[bool] = mapped_column(default=False)
    # Unknown only for imported historical incidents; reports always give it.
    setting: Mapped[Setting | None] = mapped_column(enum_column(Setting, "setting"))
    guard_present: Mapped[bool] = mapped_column(default=False)
    dog_present: Mapped[bool] = mapped_column(default=False)
    measure_present: Mapped[bool] = mapped_column(default=False)
    corral_present: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Whether anyone said how the animals were protected: "none" is an answer, silence is not.
    protection_known: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The village as the herder typed it when it was not in the list, until a clerk links it.
    reported_village: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    # Attribution recorded with an imported incident; claims take theirs from the
    # verification report instead.
    recorded_predator: Mapped[str | None] = mapped_column(String(20))
    recorded_confidence: Mapped[str | None] = mapped_column(String(20))
    # The latest verification report of any of its claims: its verdict decides whether the
    # losses count as a leopard's. Set when a report is filed, so the analytics join it
    # directly instead of finding the latest report of every incident on each computation.
    verdict_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("verification_report.id", ondelete="SET NULL", use_alter=True))

    # Loaded when used, or per query (selectinload): joined by default, every claim query
    # became a ten-table join that cost more to plan than to run.
    household = relationship("Household")
    village = relationship("Village")
    lines: Mapped[list[LossLine]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="LossLine.id"
    )


class LossLine(db.Model):
    __tablename__ = "loss_line"
    __table_args__ = (
        CheckConstraint("killed >= 0 AND injured >= 0", name="counts_positive"),
        CheckConstraint("killed + injured > 0", name="some_loss"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"),
                                             index=True)
    species: Mapped[Species] = mapped_column(enum_column(Species, "species"))
    age_class: Mapped[AgeClass] = mapped_column(enum_column(AgeClass, "age_class"))
    killed: Mapped[int] = mapped_column(default=0)
    injured: Mapped[int] = mapped_column(default=0)

    incident: Mapped[Incident] = relationship(back_populates="lines")


class Claim(db.Model):
    __tablename__ = "claim"
    __table_args__ = (
        Index("ix_claim_queue", "state", "due_at", "id"),
        # Queues list several states in due order within a jurisdiction: walking one of
        # these indexes in order stops after a page, whatever the size of the table.
        Index("ix_claim_due", "due_at", "id"),
        Index("ix_claim_country_due", "country_code", "due_at", "id"),
        Index("ix_claim_province_due", "admin1_id", "due_at", "id"),
        Index("ix_claim_district_due", "admin2_id", "due_at", "id"),

        Index("ix_claim_verifier", "verifier_id", "state"),
        # A queue is read one state at a time (claims.queries.queue): each of these walks
        # one state of one jurisdiction (or one verifier) in due order and stops after a
        # page, whatever the size of the table.
        Index("ix_claim_state_country_due", "state", "country_code", "due_at", "id"),
        Index("ix_claim_state_province_due", "state", "admin1_id", "due_at", "id"),
        Index("ix_claim_state_district_due", "state", "admin2_id", "due_at", "id"),
        Index("ix_claim_state_verifier_due", "state", "verifier_id", "due_at", "id"),
        CheckConstraint("duplicate_of_id IS NULL OR duplicate_of_id <> id", name="not_self"),
        # Payments, budgets and the herder's page read the amount of every claim decided
        # for payment: none may stand in these states without it, however it was written.
        CheckConstraint(f"amount_approved IS NOT NULL OR state NOT IN {DECIDED_SQL}",
                        name="decided_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(24), unique=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    state: Mapped[State] = mapped_column(enum_column(State, "claim_state"))
    # Optimistic lock: a stale form or a concurrent request fails instead of overwriting.
    version: Mapped[int] = mapped_column(default=1)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    admin1_id: Mapped[int] = mapped_column(ForeignKey("admin_area.id"))
    admin2_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    currency: Mapped[str] = mapped_column(String(3))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    late_report: Mapped[bool] = mapped_column(default=False)
    late_override_reason: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    evidence_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_state: Mapped[State | None] = mapped_column(enum_column(State, "return_state"))
    verifier_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    amount_approved: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    # The scheme the claim runs under (none: the core market-share rule of the config).
    scheme_id: Mapped[int | None] = mapped_column(ForeignKey("scheme.id"), index=True)
    # Approved but beyond the scheme's remaining budget, queued until budget is added.
    budget_hold: Mapped[bool] = mapped_column(default=False)
    # Audit sampling: a second review is needed before the claim can be paid.
    review_required: Mapped[bool] = mapped_column(default=False)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When an appeal sent the claim back to verification or assessment: its deadlines
    # count from then.
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pin_hash: Mapped[str] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # The jurisdiction's zone, read in the same query as the claim where a page needs it at
    # once (geo.timezones.with_zone); None when not read that way.
    zone_hint: Mapped[str | None] = query_expression()

    __mapper_args__ = {"version_id_col": version}

    incident: Mapped[Incident] = relationship()
    household = relationship("Household")
    verifier = relationship("User", foreign_keys=[verifier_id])
    scheme = relationship("Scheme")
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    duplicate_of: Mapped[Claim | None] = relationship(remote_side=[id])
    approvals: Mapped[list[Approval]] = relationship(
        back_populates="claim", order_by="Approval.id", cascade="all, delete-orphan"
    )

    @property
    def is_overdue(self) -> bool:
        return self.due_at is not None and self.due_at < clock.now()


class Approval(db.Model):
    """One approver's yes on one assessment; two distinct ones above the threshold."""

    __tablename__ = "approval"
    __table_args__ = (UniqueConstraint("claim_id", "assessment_id", "approver_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"))
    approver_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    claim: Mapped[Claim] = relationship(back_populates="approvals")
    approver = relationship("User", lazy="joined")


class DuplicateFlag(db.Model):
    """A possible duplicate or fraud signal for a human to look at; never acted on alone."""

    __tablename__ = "duplicate_flag"
    __table_args__ = (UniqueConstraint("claim_id", "other_claim_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    other_claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    other_claim: Mapped[Claim | None] = relationship(foreign_keys=[other_claim_id])


class Evidence(db.Model):
    """A photo or document kept outside the web root under a random storage key."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    verification_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("verification_report.id", ondelete="SET NULL")
    )
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column()
    # Of the original upload: the same photo on two claims is a fraud signal.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int | None] = mapped_column()
    height: Mapped[int | None] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
