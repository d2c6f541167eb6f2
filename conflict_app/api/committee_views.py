"""The API's side of committee verification: a claim's committee (the scheme's quorum, each
meeting's members, votes, tally and decision), a meeting recorded through the same operation
as the committee page (verification.committee_ops), and the minute as a PDF.

Members' names and the minute are personal data of the village: they are answered only to
the roles that may open the claim, as on its page, and never go into the audit trail."""

from __future__ import annotations

from datetime import date, datetime

from flask import g
from pydantic import BaseModel, Field

from conflict_app.api import schemas
from conflict_app.api.document_views import _pdf, reader_locale
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    claim_for,
    idempotent,
    if_match,
    tagged_response,
)
from conflict_app.claims.models import Claim
from conflict_app.documents import minute
from conflict_app.documents.views import CLAIM_DOCUMENT_ROLES
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.i18n import force_timezone
from conflict_app.verification import committee_ops
from conflict_app.verification.committee import Vote
from conflict_app.verification.committee_models import CommitteeMeeting, meetings_of


class TallyOut(BaseModel):
    present: int
    confirm: int
    not_leopard: int
    abstain: int
    quorum: int
    votes_needed: int
    quorate: bool
    confirmed: bool = Field(description="The committee's decision: quorate, at least the votes "
                                        "needed, and more confirming than not")


class MemberOut(BaseModel):
    position: int
    name: str
    role: str
    vote: Vote


class MeetingOut(BaseModel):
    id: int
    held_on: date
    minute: str
    recorded_at: datetime
    members: list[MemberOut]
    tally: TallyOut
    minute_pdf: str = Field(description="Path of the minute's PDF (clerks, supervisors, "
                                        "approvers)")


class CommitteeOut(BaseModel):
    reference: str
    required: bool = Field(description="The scheme's rule version asks for a committee")
    quorum: int | None
    votes_needed: int | None
    confirmed: bool = Field(description="The latest meeting confirmed a leopard; the claim "
                                        "may then be assessed")
    may_record: bool = Field(description="A meeting may be recorded now (the claim is "
                                         "verified or assessed)")
    meetings: list[MeetingOut]
    etag: str


class MemberIn(schemas.Strict):
    name: str = schemas.text(min_length=1, max_length=120)
    role: str = schemas.text(min_length=1, max_length=120)
    vote: Vote


class MeetingIn(schemas.Strict):
    held_on: date
    minute: str = schemas.text(min_length=1, max_length=4000)
    members: list[MemberIn] = Field(min_length=1, max_length=committee_ops.MAX_MEMBERS)


MODELS = (CommitteeOut, MeetingIn)


def _out(claim: Claim) -> CommitteeOut:
    meetings = meetings_of(claim.id)
    rule = committee_ops.rule_for(claim)
    return CommitteeOut(
        reference=claim.reference, required=rule is not None,
        quorum=rule[0] if rule else None, votes_needed=rule[1] if rule else None,
        confirmed=bool(meetings) and meetings[-1].tally.confirmed,
        may_record=rule is not None and claim.state in committee_ops.MEETING_STATES,
        meetings=[_meeting_out(claim, m) for m in meetings],
        etag=committee_ops.fingerprint(claim, meetings))


def _meeting_out(claim: Claim, meeting: CommitteeMeeting) -> MeetingOut:
    t = meeting.tally
    return MeetingOut(
        id=meeting.id, held_on=meeting.held_on, minute=meeting.minute,
        recorded_at=meeting.recorded_at,
        members=[MemberOut(position=m.position, name=m.name, role=m.role, vote=m.vote)
                 for m in meeting.members],
        tally=TallyOut(present=t.present, confirm=t.confirm, not_leopard=t.not_leopard,
                       abstain=t.abstain, quorum=t.quorum, votes_needed=t.needed,
                       quorate=t.quorate, confirmed=t.confirmed),
        minute_pdf=f"/api/v1/claims/{claim.reference}/committee/meetings/{meeting.id}"
                   "/minute.pdf")


def _answer(claim: Claim, status: int = 200):  # noqa: ANN202 - a Response
    return tagged_response(_out(claim), status)


@bp.route("/claims/<reference>/committee", methods=["GET"])
@authenticated("read")
def get_committee(reference: str):
    return _answer(claim_for(reference))


@bp.route("/claims/<reference>/committee/meetings", methods=["POST"])
@authenticated("verification")
@idempotent
def record_meeting(reference: str):
    claim = claim_for(reference)
    data = body(MeetingIn)
    # A meeting recorded or a move of the claim since the client read the committee: its
    # decision was taken on another picture.
    # Checked again under the claim's lock by the operation: two meetings sent on the same
    # picture at the same moment are not both recorded.
    seen = if_match(committee_ops.fingerprint(claim, meetings_of(claim.id)), "committee")
    committee_ops.record_meeting(claim.id, g.api_user, committee_ops.MeetingInput(
        held_on=data.held_on, minute=data.minute,
        members=[(m.name, m.role, m.vote) for m in data.members]), expected=seen)
    db.session.expire_all()
    return _answer(db.session.get(Claim, claim.id), 201)


@bp.route("/claims/<reference>/committee/meetings/<int:meeting_id>/minute.pdf",
          methods=["GET"])
@authenticated("read")
def minute_pdf(reference: str, meeting_id: int):
    claim = claim_for(reference)
    if not g.api_user.has_role(*CLAIM_DOCUMENT_ROLES):
        raise ApiError(403, "Forbidden", "Minutes are printed by clerks, supervisors and "
                                         "approvers.")
    meeting = db.session.get(CommitteeMeeting, meeting_id)
    if meeting is None or meeting.claim_id != claim.id:
        raise ApiError(404, "Not found", "No meeting with this id on this claim.")
    data = minute.minute_data(claim, meeting)
    with force_timezone(timezones.zone_of(claim)):
        return _pdf(minute.render_minute, data, reader_locale(),
                    minute.safe_filename("minute", data.reference, str(meeting.id)))


def paths(ref, problems, json, idempotency) -> dict:  # noqa: ANN001
    """The path items (joined into openapi.document); its helpers are passed in."""
    reference = {"name": "reference", "in": "path", "required": True,
                 "schema": {"type": "string", "maxLength": 24, "pattern": schemas.NO_NUL}}
    meeting_id = {"name": "meeting_id", "in": "path", "required": True,
                  "schema": {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID}}
    from conflict_app.api.openapi_schemes import LANG, _binary

    etag = {"ETag": {"description": "The committee's entity tag", "schema": {"type": "string"}}}
    return {
        "/claims/{reference}/committee": {"get": {
            "operationId": "getCommittee",
            "summary": "The claim's committee: the scheme's quorum, each meeting's members, "
                       "votes, tally and decision",
            "parameters": [reference],
            "responses": {"200": {**json(CommitteeOut, "The committee"), "headers": etag},
                          **problems(401, 404)},
        }},
        "/claims/{reference}/committee/meetings": {"post": {
            "operationId": "recordCommitteeMeeting",
            "summary": "Record a meeting: the members present, each one's vote and the "
                       "minute; the tally against the scheme's quorum is the decision "
                       "(supervisors; same rules as the committee page)",
            "parameters": [
                reference, idempotency,
                {"name": "If-Match", "in": "header", "required": True,
                 "schema": {"type": "string", "maxLength": 200, "pattern": schemas.NO_NUL},
                 "description": "The committee's ETag as read; a stale one is refused (412), "
                                "a missing one too (428)."}],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref(MeetingIn)}}},
            "responses": {"201": {**json(CommitteeOut, "The committee with the new meeting"),
                                  "headers": etag},
                          **problems(400, 401, 403, 404, 409, 412, 413, 415, 422, 428)},
        }},
        "/claims/{reference}/committee/meetings/{meeting_id}/minute.pdf": {"get": {
            "operationId": "committeeMinutePdf",
            "summary": "The minute of a meeting as a PDF in the reader's language (?lang=, "
                       "else Accept-Language, else the token owner's)",
            "parameters": [reference, meeting_id, LANG],
            "responses": {"200": _binary("application/pdf", "The minute"),
                          **problems(400, 401, 403, 404, 503)},
        }},
    }
