"""Pages of field form sync: administrators keep the sources (the sign-in details are
never shown again); clerks see each submission the import refused, with its reason, fix it
and accept it, or set it aside."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from conflict_app.auth.models import User
from conflict_app.auth.operations import scope_users
from conflict_app.core.errors import DomainError
from conflict_app.core.inputs import PhoneError, parse_phone
from conflict_app.core.permissions import Role, scope
from conflict_app.core.web import attach_error, button_action, roles_required
from conflict_app.extensions import db
from conflict_app.fieldforms import operations
from conflict_app.fieldforms.fields import EDITABLE
from conflict_app.fieldforms.forms import (
    HELD_LABELS,
    KIND_LABELS,
    PLATFORM_LABELS,
    RUN_LABELS,
    ActionForm,
    DismissForm,
    ReviewForm,
    SourceForm,
    error_label,
)
from conflict_app.fieldforms.models import HeldState, HeldSubmission, SyncRun, SyncSource
from conflict_app.herders.models import Household

bp = Blueprint("fieldforms", __name__)
RUNS_SHOWN = 30
LIST_SIZE = 100
REVIEWERS = (Role.CLERK, Role.SUPERVISOR, Role.VERIFIER, Role.ADMIN)


def _globals() -> dict:
    return {"platform_labels": PLATFORM_LABELS, "kind_labels": KIND_LABELS,
            "run_labels": RUN_LABELS, "held_labels": HELD_LABELS, "error_label": error_label}


def _load(source_id: int) -> SyncSource:
    source = db.session.get(SyncSource, source_id)
    if source is None or not current_user.has_role(Role.ADMIN) \
            or not operations.visible(current_user, source):
        abort(404)
    return source


def _form(form: SourceForm) -> SourceForm:
    users = db.session.scalars(scope_users(select(User).where(User.active.is_(True)),
                                           current_user).order_by(User.name)).all()
    form.file_as_id.choices = [
        (u.id, f"{u.name} ({u.email})") for u in users
        if u.has_role(Role.CLERK, Role.SUPERVISOR, Role.VERIFIER)]
    return form


def _input(form: SourceForm) -> operations.SourceInput:
    return operations.SourceInput(
        name=form.name.data or "", platform=form.platform.data or "",
        server_url=form.server_url.data or "", project=form.project.data or "",
        form_id=form.form_id.data or "", form_kind=form.form_kind.data or "",
        file_as_id=form.file_as_id.data, username=form.username.data or "",
        secret=form.secret.data or "")


@bp.route("/admin/field-sync/")
@roles_required(Role.ADMIN)
def sources():
    rows = [s for s in db.session.scalars(select(SyncSource).order_by(SyncSource.id))
            if operations.visible(current_user, s)]
    return render_template("fieldforms/sources.html", sources=rows, **_globals())


@bp.route("/admin/field-sync/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    form = _form(SourceForm())
    if form.validate_on_submit():
        try:
            source = operations.create(current_user, _input(form))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Source %(name)s saved. Its first pull runs within a quarter of an hour, "
                    "or now with the button below.", name=source.name), "success")
            return redirect(url_for("fieldforms.source", source_id=source.id))
    status = 400 if form.is_submitted() else 200
    return render_template("fieldforms/new.html", form=form, **_globals()), status


def _page(source: SyncSource, form: SourceForm | None = None, error: str | None = None,
          status: int = 200):  # noqa: ANN202
    if form is None:
        form = _form(SourceForm(data={
            "name": source.name, "platform": source.platform.value,
            "server_url": source.server_url, "project": source.project or "",
            "form_id": source.form_id, "form_kind": source.form_kind.value,
            "file_as_id": source.file_as_id}))
    runs = db.session.scalars(select(SyncRun).where(SyncRun.source_id == source.id)
                              .order_by(SyncRun.id.desc()).limit(RUNS_SHOWN)).all()
    return render_template("fieldforms/source.html", source=source, form=form, runs=runs,
                           error=error, action_form=ActionForm(), **_globals()), status


@bp.route("/admin/field-sync/<int:source_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def source(source_id: int):
    found = _load(source_id)
    if request.method == "GET":
        return _page(found)
    form = _form(SourceForm())
    if form.validate_on_submit():
        try:
            operations.update(current_user, found, _input(form))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Source %(name)s saved.", name=found.name), "success")
            return redirect(url_for("fieldforms.source", source_id=found.id))
    return _page(found, form=form, status=400)


def _action(source_id: int, act, done: str):  # noqa: ANN001, ANN202
    return button_action(_load(source_id), act, done, page=_page,
                         back=url_for("fieldforms.source", source_id=source_id))


@bp.route("/admin/field-sync/<int:source_id>/disable", methods=["POST"])
@roles_required(Role.ADMIN)
def disable(source_id: int):
    return _action(source_id, lambda s: operations.set_active(current_user, s, False),
                   _("The source is switched off: nothing more is pulled from it."))


@bp.route("/admin/field-sync/<int:source_id>/enable", methods=["POST"])
@roles_required(Role.ADMIN)
def enable(source_id: int):
    return _action(source_id, lambda s: operations.set_active(current_user, s, True),
                   _("The source is switched on."))


@bp.route("/admin/field-sync/<int:source_id>/pull", methods=["POST"])
@roles_required(Role.ADMIN)
def pull(source_id: int):
    return _action(source_id, lambda s: operations.sync_now(current_user, s),
                   _("A pull was started; its result is in the list of pulls."))


# --- the clerks' review of held submissions -------------------------------------------------
def _visible_sources() -> list[int]:
    return [s.id for s in db.session.scalars(select(SyncSource))
            if operations.visible(current_user, s)]


@bp.route("/field-submissions/")
@roles_required(*REVIEWERS)
def submissions():
    ids = _visible_sources()
    rows = db.session.scalars(
        select(HeldSubmission).where(HeldSubmission.source_id.in_(ids),
                                     HeldSubmission.state == HeldState.WAITING)
        .order_by(HeldSubmission.id).limit(LIST_SIZE)).all() if ids else []
    return render_template("fieldforms/submissions.html", submissions=rows, **_globals())


def _load_held(submission_id: int) -> HeldSubmission:
    held = db.session.get(HeldSubmission, submission_id)
    if held is None or not operations.visible(current_user, held.source):
        abort(404)
    return held


def _candidates(held: HeldSubmission, search: str) -> list[Household]:
    """Households the clerk may choose: those the form's phone or national ID names (and
    a name or phone searched for), inside the clerk's jurisdiction."""
    terms = []
    phone_text, national_id = held.data.get("phone"), held.data.get("national_id")
    for text in (phone_text, search):
        try:
            phone = parse_phone(text, current_user.jurisdiction_country) if text else None
        except PhoneError:
            phone = None
        if phone:
            terms.append(Household.phone == phone)
    if national_id:
        terms.append(Household.national_id == national_id)
    if search:
        terms += [Household.national_id == search.strip(),
                  Household.head_name.ilike(search.strip().replace("%", "") + "%")]
    if not terms:
        return []
    return db.session.scalars(scope(select(Household).where(or_(*terms)), Household,
                                    current_user).order_by(Household.head_name).limit(50)).all()


def _held_page(held: HeldSubmission, review: ReviewForm | None = None,
               dismiss: DismissForm | None = None, answers: dict | None = None,
               status: int = 200):  # noqa: ANN202
    search = (request.args.get("q") or "").strip()[:80]
    review = review or ReviewForm()
    households = _candidates(held, search) if held.form_kind.value == "report" else []
    review.household_id.choices = [(h.id, f"{h.head_name} · {h.village.name}")
                                   for h in households]
    fields = [(name, (answers or held.data).get(name, ""))
              for name in EDITABLE[held.form_kind.value]]
    return render_template("fieldforms/submission.html", held=held, review=review,
                           dismiss=dismiss or DismissForm(), fields=fields, search=search,
                           **_globals()), status


@bp.route("/field-submissions/<int:submission_id>")
@roles_required(*REVIEWERS)
def submission(submission_id: int):
    return _held_page(_load_held(submission_id))


@bp.route("/field-submissions/<int:submission_id>/accept", methods=["POST"])
@roles_required(*REVIEWERS)
def accept(submission_id: int):
    held = _load_held(submission_id)
    review = ReviewForm()
    names = EDITABLE[held.form_kind.value]
    answers = {n: (request.form.get(f"answer-{n}") or "")[:2000] for n in names}
    if not review.validate_on_submit():
        return _held_page(held, review=review, answers=answers, status=400)
    try:
        reference = operations.accept(current_user, held, answers, review.household_id.data)
    except DomainError as err:
        attach_error(review, err)
        return _held_page(held, review=review, answers=answers, status=400)
    flash(_("The submission was filed as claim %(reference)s.", reference=reference),
          "success")
    return redirect(url_for("fieldforms.submissions"))


@bp.route("/field-submissions/<int:submission_id>/dismiss", methods=["POST"])
@roles_required(*REVIEWERS)
def dismiss(submission_id: int):
    held = _load_held(submission_id)
    form = DismissForm()
    if not form.validate_on_submit():
        return _held_page(held, dismiss=form, status=400)
    try:
        operations.dismiss(current_user, held, form.reason.data or "")
    except DomainError as err:
        attach_error(form, err)
        return _held_page(held, dismiss=form, status=400)
    flash(_("The submission was set aside."), "success")
    return redirect(url_for("fieldforms.submissions"))
