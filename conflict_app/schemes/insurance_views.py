"""Insurance pages of a scheme: enrolling a household, its premium, its exclusion after a
breach of the agreement, and settling a period against the pool (routes of scheme_bp)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from conflict_app.core.errors import DomainError
from conflict_app.core.permissions import Role, covers, scope
from conflict_app.core.web import attach_error, roles_required
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.herders.models import Household, Species
from conflict_app.schemes import insurance
from conflict_app.schemes.forms import (
    DateForm,
    EnrolForm,
    PeriodForm,
)
from conflict_app.schemes.models import Enrolment, Scheme
from conflict_app.schemes.params import SchemeKind
from conflict_app.schemes.views import (
    _act,
    _detail,
    _refused,
    _scheme_or_404,
    scheme_bp,
)


def _households(scheme: Scheme) -> list[Household]:
    query = select(Household).where(Household.country_code == scheme.country_code)
    if scheme.admin1_id:
        query = query.where(Household.admin1_id == scheme.admin1_id)
    return list(db.session.scalars(scope(query, Household, current_user)
                                   .order_by(Household.head_name).limit(500)))


@scheme_bp.route("/<int:scheme_id>/enrol", methods=["GET", "POST"])
@roles_required(Role.SCHEME_MANAGER, Role.CLERK, Role.SUPERVISOR, Role.ADMIN)
def enrol(scheme_id: int):
    scheme = _scheme_or_404(scheme_id)
    if scheme.kind is not SchemeKind.INSURANCE:
        abort(404)
    form = EnrolForm(_households(scheme))
    if request.method == "GET":
        form.starts_on.data, form.ends_on.data = _cover_period(scheme)
    if form.validate_on_submit():
        lines = [insurance.InsuredLine(s, getattr(form, f"heads_{s.value}").data or 0,
                                       getattr(form, f"value_{s.value}").data or Decimal(0))
                 for s in Species if getattr(form, f"heads_{s.value}").data]
        try:
            insurance.enrol(current_user, scheme.id, form.household.data,
                            form.starts_on.data, form.ends_on.data, lines,
                            form.agreement_signed.data)
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Household enrolled. Cover starts once the premium is paid."), "success")
            return redirect(url_for("scheme.detail", scheme_id=scheme.id))
    status = 400 if form.is_submitted() else 200
    return render_template("schemes/enrol.html", form=form, scheme=scheme), status


def _cover_period(scheme: Scheme) -> tuple[date, date]:
    """A year of cover from today (or the scheme's start), ending within its validity."""
    starts = max(timezones.today_for(scheme), scheme.valid_from)
    try:
        ends = starts.replace(year=starts.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        ends = date(starts.year + 1, 2, 28)
    if scheme.valid_to is not None:
        ends = min(ends, scheme.valid_to)
    return starts, max(starts, ends)


def _enrolment_or_404(enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or not covers(current_user, enrolment.household):
        abort(404)
    return enrolment


def _enrolment_action(enrolment_id: int, run, done: str):  # noqa: ANN001, ANN202
    """A dated action on one enrolment (premium paid, exclusion)."""
    enrolment = _enrolment_or_404(enrolment_id)
    form = DateForm()
    if not form.validate_on_submit():
        flash(_("Enter a date as YYYY-MM-DD."), "error")
        return redirect(url_for("scheme.detail", scheme_id=enrolment.scheme_id))
    return _act(enrolment.scheme_id, lambda: run(enrolment, form), done)


@scheme_bp.route("/enrolments/<int:enrolment_id>/premium", methods=["POST"])
@roles_required(Role.FINANCE, Role.SCHEME_MANAGER, Role.ADMIN)
def premium(enrolment_id: int):
    return _enrolment_action(enrolment_id, lambda e, f: insurance.record_premium(
        current_user, e.id, f.on.data), _("Premium recorded."))


@scheme_bp.route("/enrolments/<int:enrolment_id>/exclude", methods=["POST"])
@roles_required(Role.SCHEME_MANAGER, Role.SUPERVISOR, Role.ADMIN)
def exclude(enrolment_id: int):
    return _enrolment_action(enrolment_id, lambda e, f: insurance.exclude(
        current_user, e.id, f.on.data, f.reason.data or ""), _("Household excluded from cover."))


@scheme_bp.route("/<int:scheme_id>/settle", methods=["POST"])
@roles_required(Role.FINANCE, Role.SCHEME_MANAGER, Role.ADMIN)
def settle(scheme_id: int):
    scheme = _scheme_or_404(scheme_id)
    form = PeriodForm()
    if form.validate_on_submit():
        try:
            insurance.settle(current_user, scheme.id, form.start.data, form.end.data)
        except DomainError as err:
            attach_error(form, err)
            return _detail(scheme, _refused(err), settle=form)
        else:
            flash(_("Period settled."), "success")
            return redirect(url_for("scheme.detail", scheme_id=scheme.id))
    return _detail(scheme, 400, settle=form)
