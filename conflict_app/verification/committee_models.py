"""A committee meeting recorded on a claim: who was present, how each voted, the minute.

Members are named people of the village or county, mostly without an account: their names
are personal data, shown only on the claim's own pages and the minute PDF.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from conflict_app.core import clock
from conflict_app.core.types import UTCDateTime, enum_column
from conflict_app.extensions import db
from conflict_app.verification.committee import Tally, Vote, tally


class CommitteeMeeting(db.Model):
    __tablename__ = "committee_meeting"
    __table_args__ = (
        CheckConstraint("quorum >= 0 AND votes_needed >= 0", name="rule_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    minute: Mapped[str] = mapped_column(Text)
    # The scheme's rule when the meeting was recorded: the tally is judged against it.
    quorum: Mapped[int] = mapped_column()
    votes_needed: Mapped[int] = mapped_column()
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    recorded_by = relationship("User", lazy="joined")
    members: Mapped[list[CommitteeMember]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan",
        order_by="CommitteeMember.position")

    @property
    def tally(self) -> Tally:
        return tally((m.vote for m in self.members), self.quorum, self.votes_needed)


class CommitteeMember(db.Model):
    __tablename__ = "committee_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("committee_meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(120))
    vote: Mapped[Vote] = mapped_column(enum_column(Vote, "committee_vote"))

    meeting: Mapped[CommitteeMeeting] = relationship(back_populates="members")


def meetings_of(claim_id: int) -> list[CommitteeMeeting]:
    """The claim's meetings in order, with their members (whom every reader of a meeting
    shows or tallies) read in one more query, not one per meeting."""
    return list(db.session.scalars(select(CommitteeMeeting).where(
        CommitteeMeeting.claim_id == claim_id).options(selectinload(CommitteeMeeting.members))
        .order_by(CommitteeMeeting.id)))


def latest_tally(claim_id: int) -> Tally | None:
    meeting = db.session.scalars(select(CommitteeMeeting).where(
        CommitteeMeeting.claim_id == claim_id).order_by(CommitteeMeeting.id.desc()).limit(1)
    ).first()
    return meeting.tally if meeting is not None else None
