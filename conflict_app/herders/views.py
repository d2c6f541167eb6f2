"""Household pages for clerks and supervisors."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from conflict_app.claims import linking
from conflict_app.claims.models import Claim
from conflict_app.core.errors import DomainError
from conflict_app.core.forms import coerce_int_or_none
from conflict_app.core.permissions import covers, scope
from conflict_app.core.web import attach_error, roles_required
from conflict_app.extensions import db
from conflict_app.geo.models import Village
from conflict_app.herders import operations, payout, privacy
from conflict_app.herders.forms import EraseForm, HouseholdForm, PayoutForm
from conflict_app.herders.models import Household, Species
from conflict_app.i18n.collation import in_reader_order
from conflict_app.mitigation import operations as mitigation_ops
from conflict_app.mitigation.forms import MeasureForm
from conflict_app.mitigation.models import Measure, MeasureType

bp = Blueprint("herders", __name__, url_prefix="/households")

STAFF = operations.STAFF  # the roles of the household operations


def villages_in_scope() -> list[Village]:
    query = scope(select(Village).where(Village.listed.is_(True)), Village, current_user)
    return in_reader_order(db.session.scalars(query), lambda v: v.label)


def load_household(household_id: int) -> Household:
    household = db.session.get(Household, household_id)
    # Outside the jurisdiction looks exactly like "not there": ids cannot be probed.
    if household is None or not covers(current_user, household):
        abort(404)
    return household


def _input(form: HouseholdForm) -> operations.HouseholdInput:
    year = form.census_year.data
    census = {
        (year, species): getattr(form, f"census_{species.value}").data
        for species in Species
        if getattr(form, f"census_{species.value}").data is not None
    }
    return operations.HouseholdInput(
        head_name=form.head_name.data or "",
        village_id=form.village_id.data,
        language=form.language.data,
        phone=form.phone.data,
        national_id=form.national_id.data,
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        census=census,
    )


@bp.route("/")
@roles_required(*STAFF)
def index():
    q = (request.args.get("q") or "").strip()[:100]
    after = coerce_int_or_none(request.args.get("after"))
    # Each row names its village and district: read with the page, not one row at a time.
    query = scope(select(Household).options(selectinload(Household.village).options(
        selectinload(Village.admin1), selectinload(Village.admin2))), Household, current_user)
    if q:
        like = f"%{q}%"
        query = query.join(Village, Household.village_id == Village.id).where(
            or_(Household.head_name.ilike(like), Household.phone.ilike(like),
                Village.name.ilike(like))
        )
    if after:
        query = query.where(Household.id < after)
    size = current_app.config["PAGE_SIZE"]
    rows = list(db.session.scalars(query.order_by(Household.id.desc()).limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    return render_template("herders/index.html", households=rows, q=q,
                           next_after=rows[-1].id if more else None)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new():
    form = HouseholdForm(villages_in_scope())
    if form.validate_on_submit():
        try:
            household = operations.register_household(current_user, _input(form))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Household registered."), "success")
            return redirect(url_for("herders.detail", household_id=household.id))
    status = 400 if form.is_submitted() else 200
    return render_template("herders/form.html", form=form, household=None), status


@bp.route("/<int:household_id>")
@roles_required(*STAFF)
def detail(household_id: int):
    household = load_household(household_id)
    return _detail_page(household, MeasureForm())


def _detail_page(household: Household, form: MeasureForm):  # noqa: ANN202
    claims = db.session.scalars(
        select(Claim).where(Claim.household_id == household.id).order_by(Claim.id.desc())
        .options(selectinload(Claim.incident))  # the date of each loss, in one query
    ).all()
    measures = db.session.scalars(
        select(Measure).where(Measure.household_id == household.id)
        .order_by(Measure.installed_on.desc())
    ).all()
    return render_template("herders/detail.html", household=household, claims=claims,
                           measures=measures, form=form,
                           payout=payout.details_of(household.id),
                           exposure=mitigation_ops.exposure_head_years(household),
                           link_candidates=linking.candidates(household, current_user))


@bp.route("/<int:household_id>/measures", methods=["POST"])
@roles_required(*STAFF)
def add_measure(household_id: int):
    household = load_household(household_id)
    form = MeasureForm()
    if form.validate_on_submit():
        data = mitigation_ops.MeasureInput(
            measure=MeasureType(form.measure.data), installed_on=form.installed_on.data,
            removed_on=form.removed_on.data, verified_on=form.verified_on.data,
            cost=form.cost.data, currency=form.currency.data or None, funder=form.funder.data,
            assignment=form.assignment.data or None,
            assignment_method=form.assignment_method.data)
        try:
            mitigation_ops.record_measure(current_user, household, data)
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Measure recorded."), "success")
            return redirect(url_for("herders.detail", household_id=household.id))
    return _detail_page(household, form), 400


@bp.route("/<int:household_id>/payout", methods=["GET", "POST"])
@roles_required(*STAFF)
def payout_details(household_id: int):
    """Bank account or IBAN and mobile-money wallet, checked as they are entered."""
    household = load_household(household_id)
    form = PayoutForm(obj=payout.details_of(household.id))
    if form.validate_on_submit():
        data = payout.PayoutInput(**{name: getattr(form, name).data for name in (
            "account_holder", "iban", "bank_account", "bank_name", "wallet_number",
            "wallet_provider")})
        try:
            payout.save(current_user, household, data)
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Payout details saved."), "success")
            return redirect(url_for("herders.detail", household_id=household.id))
    status = 400 if form.is_submitted() else 200
    response = render_template("herders/payout.html", form=form, household=household,
                               uses_iban=payout.uses_iban(household.country_code))
    return response, status


@bp.route("/<int:household_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(household_id: int):
    household = load_household(household_id)
    form = HouseholdForm(villages_in_scope(), obj=household)
    if request.method == "GET":
        year = form.census_year.data
        for species in Species:
            getattr(form, f"census_{species.value}").data = household.head_count(species, year)
    if form.validate_on_submit():
        try:
            operations.update_household(current_user, household, _input(form))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Household updated."), "success")
            return redirect(url_for("herders.detail", household_id=household.id))
    status = 400 if form.is_submitted() else 200
    return render_template("herders/form.html", form=form, household=household), status


@bp.route("/<int:household_id>/personal-data.json")
@roles_required(*STAFF)
def export_personal_data(household_id: int):
    """Everything held about the household, for the herder who asked for it."""
    household = load_household(household_id)
    try:
        data = privacy.export(current_user, household)
    except DomainError:
        abort(403)
    response = jsonify(data)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=household-{household.id}-personal-data.json")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:household_id>/erase", methods=["POST"])
@roles_required(*STAFF)
def erase_personal_data(household_id: int):
    household = load_household(household_id)
    form = EraseForm()
    if form.validate_on_submit():
        try:
            privacy.erase(current_user, household, form.reason.data)
        except DomainError as err:
            flash(err.translated(), "error")
        else:
            flash(_("The household's personal data was erased; its claims are kept."),
                  "success")
    else:
        flash(_("Give a reason."), "error")
    return redirect(url_for("herders.detail", household_id=household.id))


@bp.route("/<int:household_id>/link", methods=["POST"])
@roles_required(*STAFF)
def link(household_id: int):
    """A clerk has checked an anonymous report: its claims join the known household."""
    household = load_household(household_id)  # the form's token is checked by CSRFProtect
    target = coerce_int_or_none(request.form.get("target_id"))
    try:
        linked = linking.link_household(current_user, household.id, target or 0)
    except DomainError as err:
        flash(err.translated(), "error")
        return redirect(url_for("herders.detail", household_id=household.id))
    flash(_("The report was linked to this household."), "success")
    return redirect(url_for("herders.detail", household_id=linked.id))

