"""Claim pages: work queues, search, the claim page and its actions (reporting an incident
and its receipt: report_views)."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from conflict_app.claims import (
    appeals,
    decisions,
    operations,
    queries,
    rescheme,
    timeline,
    workflow,
)
from conflict_app.claims.evidence import path_for
from conflict_app.claims.forms import ActionForm, ClaimSearchForm
from conflict_app.claims.models import (
    Claim,
    DuplicateFlag,
    Evidence,
)
from conflict_app.claims.workflow import Action, Need, State
from conflict_app.core.errors import (
    DomainError,
    IllegalTransition,
    PermissionDenied,
    StaleObject,
)
from conflict_app.core.forms import coerce_int_or_none
from conflict_app.core.permissions import CASE_ROLES, PHOTO_ROLES, Role, covers
from conflict_app.core.web import attach_error, roles_required
from conflict_app.extensions import db
from conflict_app.status.figures import figures

bp = Blueprint("claims", __name__)

# Actions fired from the claim page; the others have their own pages (verification report,
# payments).
PAGE_ACTIONS = (
    Action.SCREEN, Action.DECLARE_INELIGIBLE, Action.REQUEST_EVIDENCE, Action.RECEIVE_EVIDENCE,
    Action.ASSIGN_VERIFIER, Action.ASSESS, Action.APPROVE, Action.SEND_BACK, Action.REJECT,
    Action.APPEAL, Action.APPEAL_TO_VERIFICATION, Action.APPEAL_TO_ASSESSMENT,
    Action.DISMISS_APPEAL, Action.UPHOLD_PAYMENT, Action.CLOSE, Action.WITHDRAW,
    Action.MARK_DUPLICATE,
)
# House style (GOV.UK, USWDS): the step that moves a claim on is the primary button; a
# step that ends a claim against the herder is a warning; a step aside is secondary.
BUTTON_STYLE = {
    Action.REJECT: "warning", Action.DECLARE_INELIGIBLE: "warning",
    Action.DISMISS_APPEAL: "warning", Action.WITHDRAW: "warning",
    Action.MARK_DUPLICATE: "warning", Action.SEND_BACK: "secondary",
    Action.REQUEST_EVIDENCE: "secondary", Action.RECEIVE_EVIDENCE: "secondary",
}
# A claim paid already and appealed: the appeal ends with the payment standing, never in a
# rejection; a claim never paid has nothing to uphold.
NOT_WHEN_PAID = frozenset({Action.REJECT, Action.DISMISS_APPEAL})


def load_claim(claim_id: int) -> Claim:
    # With its household, incident and village, which every claim page shows.
    claim = db.session.get(Claim, claim_id, options=queries.ONE_LOAD)
    if claim is None or not covers(current_user, claim) or not current_user.has_role(
        *CASE_ROLES
    ):
        abort(404)
    return claim


@bp.route("/queue")
def queue():
    """One section per role the user holds, each sorted by due date."""
    size = current_app.config["PAGE_SIZE"]
    only = request.args.get("role")
    after = None
    if only and request.args.get("after_due") and request.args.get("after_id"):
        try:
            due = datetime.fromisoformat(request.args["after_due"])
        except ValueError:
            due = None
        last_id = coerce_int_or_none(request.args["after_id"])
        if due is not None and due.tzinfo is not None and last_id is not None:
            after = (due, last_id)
    sections = []
    for role in Role:
        if role not in workflow.QUEUES or not current_user.has_role(role):
            continue
        if only and only != role.value:
            continue
        rows = queries.queue(current_user, role, after if only else None, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        sections.append({
            "role": role,
            "claims": rows,
            "total": queries.queue_count(current_user, role),
            "cap": queries.COUNT_CAP,
            "next": {"role": role.value, "after_due": rows[-1].due_at.isoformat(),
                     "after_id": rows[-1].id} if more else None,
        })
    return render_template("claims/queue.html", sections=sections)


@bp.route("/claims")
@roles_required(*CASE_ROLES)
def index():
    form = ClaimSearchForm(request.args)
    form.validate()
    size = current_app.config["PAGE_SIZE"]
    state = form.state.data if form.state.data in {s.value for s in State} else None
    rows = queries.search(current_user, form.q.data if not form.q.errors else None, state,
                          form.after.data if not form.after.errors else None, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    return render_template("claims/index.html", form=form, claims=rows,
                           next_after=rows[-1].id if more else None)


def _action_forms(claim: Claim) -> list[dict[str, object]]:
    """The actions this user may take now, each with the fields it needs."""
    forms = []
    for action in workflow.available(claim.state, current_user.roles):
        if action not in PAGE_ACTIONS:
            continue
        paid = claim.paid_at is not None
        if (paid and action in NOT_WHEN_PAID) or (not paid and action == Action.UPHOLD_PAYMENT):
            continue
        transition = workflow.TRANSITIONS[action]
        form = ActionForm(formdata=None, version=str(claim.version), prefix=action.value)
        if Need.VERIFIER in transition.needs:
            form.verifier_id.choices = [("", _("Choose…"))] + [
                (u.id, u.name) for u in queries.verifiers_for(claim)
            ]
            form.verifier_id.data = claim.verifier_id
        forms.append({"action": action, "form": form, "needs": transition.needs,
                      "style": BUTTON_STYLE.get(action, "")})
    return forms


def _payment_facts(claim: Claim) -> dict[str, object]:
    """The claim's payment items and any interim owed back (read only)."""
    from sqlalchemy import select

    from conflict_app.payments.forms import RecoveryForm
    from conflict_app.payments.models import PaymentItem
    from conflict_app.payments.recoveries import recoveries_of

    items = db.session.scalars(select(PaymentItem).where(PaymentItem.claim_id == claim.id)
                               .order_by(PaymentItem.id)).all()
    return {"payment_items": items, "recoveries": recoveries_of(claim.id),
            "recovery_form": RecoveryForm()}


def _next(claim: Claim, data: dict[str, object]) -> dict[str, object]:
    """What happens next and who does it, as the page shows it."""
    from babel.lists import format_list
    from flask_babel import format_date, get_locale

    from conflict_app.claims.automation import closes_on
    from conflict_app.claims.next_step import next_step
    from conflict_app.i18n.labels import label
    from conflict_app.schemes.insurance import awaits_settlement

    assessment = data.get("assessment")
    needed = 0
    if assessment is not None:
        needed = 2 if assessment.total > operations.second_approval_threshold(
            claim.currency) else 1
    step = next_step(claim, approvals_given=len(data.get("approvals") or ()),
                     approvals_needed=needed, appeal_until=appeals.appeal_deadline(claim),
                     closes_on=closes_on(claim),
                     review_pending=bool(claim.review_required and claim.reviewed_at is None),
                     awaits_settlement=awaits_settlement(claim))
    params = {k: format_date(v) if isinstance(v, datetime) else v
              for k, v in step.params.items()}
    who = format_list([str(label("role", r)) for r in step.roles],
                      style="or", locale=get_locale()) if step.roles else ""
    return {"text": _(step.text, **params), "who": who,
            "mine": (claim.verifier_id == current_user.id
                     if claim.state == State.VERIFICATION_SCHEDULED
                     else bool(step.roles) and current_user.has_role(*step.roles))}


def _decided(claim: Claim) -> bool:
    """The claim has a decision letter to print."""
    from conflict_app.documents.contents import decision_outcome

    return decision_outcome(claim) is not None


def _claim_page(claim: Claim, actions: list[dict[str, object]]) -> str:
    data = queries.page_data(claim)
    data["changes"] = {e.id: timeline.describe(e, claim.currency) for e in data["timeline"]}
    return render_template(
        "claims/detail.html",
        claim=claim,
        actions=actions,
        next_step=_next(claim, data),
        appeal_deadline=appeals.appeal_deadline(claim),
        threshold=operations.second_approval_threshold(claim.currency),
        figures=figures(claim),
        insurance_gap=rescheme.insurance_gap(claim),
        can_see_photos=current_user.has_role(*PHOTO_ROLES),
        decided=_decided(claim),
        **data,
        **_payment_facts(claim),
    )


@bp.route("/claims/<int:claim_id>")
def detail(claim_id: int):
    claim = load_claim(claim_id)
    return _claim_page(claim, _action_forms(claim))


def _run(action: Action, claim: Claim, form: ActionForm) -> None:
    version = form.version_number()
    reason = form.reason.data
    user = current_user._get_current_object()
    match action:
        case Action.SCREEN:
            operations.screen(claim.id, user, version, reason)
        case Action.DECLARE_INELIGIBLE:
            operations.declare_ineligible(claim.id, user, version, reason or "")
        case Action.REQUEST_EVIDENCE:
            operations.request_evidence(claim.id, user, version, reason or "",
                                        form.deadline.data)
        case Action.RECEIVE_EVIDENCE:
            operations.receive_evidence(claim.id, user, version, reason)
        case Action.ASSIGN_VERIFIER:
            operations.assign_verifier(claim.id, user, version, form.verifier_id.data, reason)
        case Action.APPEAL_TO_VERIFICATION:
            operations.assign_verifier(claim.id, user, version, form.verifier_id.data, reason,
                                       appeal=True)
        case Action.ASSESS:
            operations.assess(claim.id, user, version)
        case Action.APPROVE:
            operations.approve(claim.id, user, version, reason)
        case Action.SEND_BACK:
            operations.send_back(claim.id, user, version, reason or "")
        case Action.REJECT:
            operations.reject(claim.id, user, version, reason or "")
        case Action.APPEAL:
            appeals.appeal(claim.id, user, version, reason or "")
        case Action.APPEAL_TO_ASSESSMENT:
            appeals.appeal_to_assessment(claim.id, user, version, reason)
        case Action.DISMISS_APPEAL:
            appeals.dismiss_appeal(claim.id, user, version, reason or "")
        case Action.UPHOLD_PAYMENT:
            appeals.uphold_payment(claim.id, user, version, reason or "")
        case Action.CLOSE:
            operations.close(claim.id, user, version)
        case Action.WITHDRAW:
            operations.withdraw(claim.id, user, version, reason or "")
        case Action.MARK_DUPLICATE:
            operations.mark_duplicate(claim.id, user, version, reason or "",
                                      form.original_reference.data or "")


@bp.route("/claims/<int:claim_id>/actions/<action_name>", methods=["POST"])
def act(claim_id: int, action_name: str):
    claim = load_claim(claim_id)
    try:
        action = Action(action_name)
    except ValueError:
        abort(404)
    if action not in PAGE_ACTIONS:
        abort(404)
    form = ActionForm(prefix=action.value)
    form.verifier_id.choices = [(u.id, u.name) for u in queries.verifiers_for(claim)]
    if form.validate_on_submit():
        try:
            if action in decisions.CONFIRM_FIRST and form.confirmed.data != "1":
                return _confirm_page(claim, action, form)
            if action is Action.ASSESS and form.confirmed.data != "1":
                return _assess_preview(claim, form)
            _run(action, claim, form)
        except DomainError as err:
            db.session.rollback()
            attach_error(form, err)
            status = 400
            if isinstance(err, StaleObject | IllegalTransition):
                status = 409
            elif isinstance(err, PermissionDenied):
                status = 403
        else:
            flash(_("Done: %(action)s.", action=_label_action(action)), "success")
            return redirect(url_for("claims.detail", claim_id=claim.id))
    else:
        status = 400
    # Show the claim page again with the error next to the action that failed.
    db.session.expire_all()
    claim = load_claim(claim_id)
    actions = _action_forms(claim)
    for item in actions:
        if item["action"] == action:
            form.verifier_id.choices = item["form"].verifier_id.choices
            form.version.data = str(claim.version)
            item["form"] = form
            item["failed"] = True
    if not any(item.get("failed") for item in actions):
        errors = [e for errs in form.errors.values() for e in errs] + form.form_errors
        for message in errors:
            flash(str(message), "error")
    return _claim_page(claim, actions), status


def _confirm_page(claim: Claim, action: Action, form: ActionForm) -> str:
    """The decision's second step: what it will do, and the button that does it."""
    info = decisions.preview(claim, current_user, action, form.version_number(),
                             form.reason.data)
    return render_template("claims/confirm.html", claim=claim, action=action, form=form,
                           preview=info,
                           threshold=operations.second_approval_threshold(claim.currency),
                           appeal_days=operations.deadlines().appeal.days)


def _assess_preview(claim: Claim, form: ActionForm) -> str:
    """Assess, first step: the amount and how it was reached, before anything is saved."""
    result, rule_version = decisions.assessment_preview(claim, current_user,
                                                        form.version_number())
    return render_template("claims/assess_preview.html", claim=claim, form=form,
                           result=result, rule_version=rule_version,
                           steps=[s.as_json() for s in result.steps],
                           threshold=operations.second_approval_threshold(claim.currency))


def _label_action(action: Action) -> str:
    from conflict_app.i18n.labels import label

    return label("action", action)


@bp.route("/claims/<int:claim_id>/flags/<int:flag_id>/clear", methods=["POST"])
@roles_required(Role.CLERK, Role.SUPERVISOR)
def clear_flag(claim_id: int, flag_id: int):
    claim = load_claim(claim_id)
    flag = db.session.get(DuplicateFlag, flag_id)
    if flag is None or flag.claim_id != claim.id:
        abort(404)
    # Clearing a flag changes no state of the claim: only the CSRF token is needed.
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        operations.clear_flag(current_user, flag, claim)
    except DomainError as err:
        flash(err.translated(), "error")
    else:
        flash(_("Flag cleared."), "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))


@bp.route("/claims/<int:claim_id>/reroute", methods=["POST"])
@roles_required(Role.CLERK, Role.SUPERVISOR)
def reroute(claim_id: int):
    """Move a claim its insurance cannot take to the scheme that fits the day of the loss."""
    claim = load_claim(claim_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        rescheme.reroute(claim.id, current_user, form.version_number())
    except DomainError as err:
        db.session.rollback()
        code = 409 if isinstance(err, StaleObject) else 403 if isinstance(
            err, PermissionDenied) else 400
        return render_template("errors/error.html", code=code, message=err.translated()), code
    flash(_("The claim now runs under the scheme that covers the day of the loss."),
          "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))


@bp.route("/claims/<int:claim_id>/second-review", methods=["POST"])
@roles_required(Role.APPROVER, Role.SUPERVISOR)
def second_review(claim_id: int):
    """Audit sampling: confirm a sampled approval before it can be paid."""
    claim = load_claim(claim_id)
    form = ActionForm(prefix="second_review")
    if not form.validate_on_submit():
        flash(_("Someone else changed this record at the same time. Nothing was saved; "
                "please look at it again."), "error")
        return redirect(url_for("claims.detail", claim_id=claim.id))
    try:
        operations.second_review(claim.id, current_user, form.version_number(),
                                 form.reason.data)
    except DomainError as err:
        flash(err.translated(), "error")
    else:
        flash(_("Second review recorded: the claim can be paid."), "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))


@bp.route("/claims/<int:claim_id>/evidence/<int:evidence_id>")
def evidence(claim_id: int, evidence_id: int):
    """Serve the re-encoded photo to users who may see the claim, never cached publicly."""
    claim = load_claim(claim_id)
    item = db.session.get(Evidence, evidence_id)
    if item is None or item.claim_id != claim.id or not current_user.has_role(*PHOTO_ROLES):
        abort(404)
    path = path_for(current_app.config["EVIDENCE_DIR"], item.storage_key)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=item.content_type, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = f"inline; filename=evidence-{item.id}.jpg"
    return response

