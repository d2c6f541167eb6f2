"""Committee pages: the supervisor records a meeting; the claim page lists the meetings
(members' names only to staff who may open the claim) and links each minute's PDF."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from conflict_app.claims.views import load_claim
from conflict_app.core.errors import DomainError
from conflict_app.core.permissions import Role
from conflict_app.core.web import attach_error, roles_required
from conflict_app.documents import minute
from conflict_app.documents.views import CLAIM_DOCUMENT_ROLES, _pdf
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.i18n import force_timezone
from conflict_app.verification import committee, committee_ops
from conflict_app.verification.committee_forms import MeetingForm
from conflict_app.verification.committee_models import CommitteeMeeting, meetings_of
from conflict_app.verification.views import bp


@bp.app_template_global()
def committee_panel(claim) -> dict | None:  # noqa: ANN001
    """What the claim page shows of the committee; None when there is nothing to show."""
    meetings = meetings_of(claim.id)
    rule = committee_ops.rule_for(claim)
    if not meetings and rule is None:
        return None
    return {"meetings": meetings, "rule": rule, "vote_text": committee.VOTE_TEXT,
            "tally_params": committee.tally_params,
            "can_record": rule is not None and current_user.has_role(Role.SUPERVISOR)
            and claim.state in committee_ops.MEETING_STATES,
            "outcome": (committee.CONFIRMED_TEXT, committee.NOT_CONFIRMED_TEXT),
            "tally_text": committee.TALLY_TEXT,
            "documents": current_user.has_role(*CLAIM_DOCUMENT_ROLES)}


@bp.route("/claims/<int:claim_id>/committee", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def record_meeting(claim_id: int):
    claim = load_claim(claim_id)
    form = MeetingForm()
    if not form.is_submitted():
        form.held_on.data = timezones.today_for(claim)
    if form.validate_on_submit():
        try:
            data = committee_ops.MeetingInput(held_on=form.held_on.data,
                                              minute=form.minute.data, members=form.filled())
            committee_ops.record_meeting(claim.id, current_user, data)
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Committee meeting recorded."), "success")
            return redirect(url_for("claims.detail", claim_id=claim.id))
    status = 400 if form.is_submitted() and (form.errors or form.form_errors) else 200
    return render_template("verification/committee.html", claim=claim, form=form,
                           rule=committee_ops.rule_for(claim)), status


@bp.route("/claims/<int:claim_id>/committee/<int:meeting_id>/minute.pdf")
@roles_required(*CLAIM_DOCUMENT_ROLES)
def minute_pdf(claim_id: int, meeting_id: int):
    claim = load_claim(claim_id)  # 404 outside the user's jurisdiction
    meeting = db.session.get(CommitteeMeeting, meeting_id)
    if meeting is None or meeting.claim_id != claim.id:
        abort(404)
    data = minute.minute_data(claim, meeting)
    with force_timezone(timezones.zone_of(claim)):
        return _pdf(minute.render_minute, data, minute.user_locale(),
                    minute.safe_filename("minute", data.reference, str(meeting.id)))
