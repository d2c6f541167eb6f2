"""Recording a committee meeting on a claim: a supervisor enters who was present, each
member's vote and the minute; the tally is judged against the scheme's rule version."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from conflict_app.auth.models import User
from conflict_app.claims.models import Claim
from conflict_app.claims.operations import lock_claim
from conflict_app.claims.workflow import State
from conflict_app.core import audit
from conflict_app.core.errors import (
    N_,
    IllegalTransition,
    InvalidInput,
    PermissionDenied,
    StaleObject,
)
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.schemes import operations as scheme_ops
from conflict_app.verification import committee
from conflict_app.verification.committee import Vote
from conflict_app.verification.committee_models import (
    CommitteeMeeting,
    CommitteeMember,
    meetings_of,
)

MAX_MEMBERS = 15
# The committee meets between the field visit and the assessment; an assessment sent
# back for another look may be met on again.
MEETING_STATES = frozenset({State.VERIFIED, State.ASSESSED})


@dataclass
class MeetingInput:
    held_on: date
    minute: str
    members: list[tuple[str, str, Vote]] = field(default_factory=list)  # name, role, vote


def rule_for(claim: Claim) -> tuple[int, int] | None:
    """(quorum, votes needed) of the claim's scheme on the incident day, or None."""
    if claim.scheme is None:
        return None
    version = scheme_ops.version_for(claim.scheme, claim.incident.occurred_on)
    if version is None:
        return None
    return committee.required(scheme_ops.rules_of(version))


def fingerprint(claim: Claim, meetings: list[CommitteeMeeting]) -> str:
    """The committee's entity tag: changes with the claim's version and every meeting."""
    seen = f"{claim.id}:{claim.version}:{','.join(str(m.id) for m in meetings)}"
    return hashlib.sha256(seen.encode()).hexdigest()[:32]


def record_meeting(claim_id: int, actor: User, data: MeetingInput,
                   expected: str | None = None) -> CommitteeMeeting:
    """Record a meeting with its votes. ``expected``: the committee's fingerprint the
    decision was taken on; checked under the claim's lock, so of two meetings sent on the
    same picture at the same moment only the first is recorded."""
    with unit_of_work():
        claim = lock_claim(claim_id)
        if expected is not None and fingerprint(claim, meetings_of(claim.id)) != expected:
            raise StaleObject(N_("Someone else changed this record at the same time. "
                                 "Nothing was saved; please look at it again."))
        if not actor.has_role(Role.SUPERVISOR):
            raise PermissionDenied(N_("Your role may not do this."))
        if not covers(actor, claim):
            raise PermissionDenied(N_("This claim is outside your jurisdiction."))
        if claim.state not in MEETING_STATES:
            raise IllegalTransition(
                N_("This action is not possible while the claim is %(state)s."),
                state=claim.state.value)
        rule = rule_for(claim)
        if rule is None:
            raise InvalidInput(N_("The scheme of this claim does not ask for a committee."))
        _validate(data, claim)
        meeting = CommitteeMeeting(
            claim_id=claim.id, held_on=data.held_on, minute=data.minute.strip(),
            quorum=rule[0], votes_needed=rule[1], recorded_by_id=actor.id,
            members=[CommitteeMember(position=n, name=name.strip(), role=role.strip(),
                                     vote=vote)
                     for n, (name, role, vote) in enumerate(data.members, start=1)])
        db.session.add(meeting)
        db.session.flush()
        tally = meeting.tally
        # Counts only: the members' names stay on the claim, out of the audit trail.
        audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                     action="committee_meeting",
                     changes={"meeting": meeting.id, "held_on": data.held_on.isoformat(),
                              "present": tally.present, "confirm": tally.confirm,
                              "not_leopard": tally.not_leopard, "abstain": tally.abstain,
                              "quorum": tally.quorum, "votes_needed": tally.needed,
                              "confirmed": tally.confirmed})
    return meeting


def _validate(data: MeetingInput, claim: Claim) -> None:
    if data.held_on > timezones.today_for(claim):  # the claim's local day, not UTC's
        raise InvalidInput(N_("The date cannot be in the future."), field="held_on")
    if not data.minute.strip():
        raise InvalidInput(N_("Write the minute of the meeting."), field="minute")
    if not data.members:
        raise InvalidInput(N_("Enter the members present and their votes."))
    if len(data.members) > MAX_MEMBERS:
        raise InvalidInput(N_("Enter at most %(maximum)s."), maximum=str(MAX_MEMBERS))
    for name, role, _vote in data.members:
        if not name.strip() or not role.strip():
            raise InvalidInput(N_("Give each member's name and role."))
