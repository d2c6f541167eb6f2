"""Pages of scheme managers: market prices, schemes and their rule versions, exchange
rates, budgets, insurance enrolment and settlement, incentives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conflict_app.claims.models import AgeClass
from conflict_app.core.errors import DomainError, PermissionDenied
from conflict_app.core.permissions import CASE_ROLES, Role, covers, scope
from conflict_app.core.web import attach_error, roles_required
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import AdminArea, Country, Village
from conflict_app.herders.models import Species
from conflict_app.i18n.collation import in_reader_order
from conflict_app.mitigation.models import Measure
from conflict_app.schemes import dry_run as dry_run_ops
from conflict_app.schemes import incentives, insurance, operations, params
from conflict_app.schemes import prices as scheme_prices
from conflict_app.schemes import scope as scheme_scope
from conflict_app.schemes.forms import (
    AdoptionForm,
    AppealForm,
    CancelForm,
    DateForm,
    PerformanceForm,
    PeriodForm,
    PresenceForm,
    PriceForm,
    RateForm,
    SchemeEditForm,
    SchemeForm,
    WithholdForm,
    rule_version_form,
    version_values,
)
from conflict_app.schemes.models import (
    ExchangeRate,
    IncentivePayment,
    MarketPrice,
    PresenceRecord,
    RuleVersion,
    Scheme,
)
from conflict_app.schemes.params import SchemeKind

bp = Blueprint("schemes", __name__, url_prefix="/prices")
MANAGERS = (Role.SCHEME_MANAGER, Role.ADMIN)


def _countries() -> list[Country]:
    query = select(Country).order_by(Country.name)
    if current_user.jurisdiction_country:
        query = query.where(Country.code == current_user.jurisdiction_country)
    return list(db.session.scalars(query))


@bp.route("/")
@roles_required(*MANAGERS)
def prices():
    countries = _countries()
    codes = [c.code for c in countries]
    country = request.args.get("country", "")
    if country not in codes:
        country = codes[0] if codes else ""
    rows = db.session.scalars(
        select(MarketPrice).where(MarketPrice.country_code == country)
        .order_by(MarketPrice.species, MarketPrice.age_class, MarketPrice.valid_from.desc())
    ).all()
    today = timezones.today_where(country)  # valuations there already use today's prices
    in_force = {}
    for row in rows:  # newest first per key: the first one not in the future is in force
        key = (row.species, row.age_class)
        if key not in in_force and row.valid_from <= today:
            in_force[key] = row.id
    return render_template("schemes/prices.html", rows=rows, in_force=set(in_force.values()),
                           countries=countries, country=country,
                           can_set=current_user.jurisdiction_area_id is None)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new():
    countries = _countries()
    form = PriceForm(countries)
    if request.method == "GET":
        form.valid_from.data = _today_mine()
        _own_country_defaults(form, countries)
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            scheme_prices.set_price(current_user, form.country.data, Species(form.species.data),
                                 AgeClass(form.age_class.data), form.amount.data,
                                 form.currency.data, form.valid_from.data)
        except DomainError as err:
            attach_error(form, err)
            status = _refused(err)
        else:
            flash(_("Price saved."), "success")
            return redirect(url_for("schemes.prices", country=form.country.data))
    return render_template("schemes/price_form.html", form=form), status


def _own_country_defaults(form, countries: list[Country]) -> None:  # noqa: ANN001
    """Start from the user's country and its currency (an Armenian manager prices in AMD)."""
    if not countries:
        return
    own = next((c for c in countries if c.code == current_user.jurisdiction_country),
               countries[0])
    form.country.data, form.currency.data = own.code, own.currency


# --- schemes ----------------------------------------------------------------------------
scheme_bp = Blueprint("scheme", __name__, url_prefix="/schemes")
READERS = tuple(CASE_ROLES)


def _scheme_or_404(scheme_id: int) -> Scheme:
    """A scheme that pays in some of the user's area; any other does not exist for them."""
    scheme = db.session.get(Scheme, scheme_id)
    if scheme is None or not scheme_scope.reaches(current_user, scheme.country_code,
                                           scheme.admin1_id):
        abort(404)
    return scheme


def _refused(err: DomainError) -> int:
    return 403 if isinstance(err, PermissionDenied) else 400


def _provinces() -> list[AdminArea]:
    query = select(AdminArea).where(AdminArea.level == 1).order_by(
        AdminArea.country_code, AdminArea.name)
    if current_user.jurisdiction_country:
        query = query.where(AdminArea.country_code == current_user.jurisdiction_country)
    province = scheme_scope.province_of(current_user)
    if province is not None:  # a province's manager creates schemes of that province only
        query = query.where(AdminArea.id == province)
    return list(db.session.scalars(query))


@scheme_bp.route("/")
@roles_required(*READERS)
def index():
    schemes = operations.visible_schemes(current_user)
    budgets = operations.budgets(schemes)
    return render_template("schemes/index.html", schemes=schemes, budgets=budgets)


@scheme_bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new_scheme():
    form = SchemeForm(_countries(), _provinces(),
                      whole_country=current_user.jurisdiction_area_id is None)
    if request.method == "GET":
        form.valid_from.data = _today_mine()
        form.review_share.data = Decimal(0)
        form.budget.data = Decimal(0)
        _own_country_defaults(form, _countries())
        form.admin1.data = scheme_scope.province_of(current_user)
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            scheme = operations.create_scheme(current_user, operations.SchemeInput(
                code=form.code.data, name=form.name.data, kind=SchemeKind(form.kind.data),
                country_code=form.country.data, admin1_id=form.admin1.data,
                currency=form.currency.data, funders=form.funders.data,
                budget=form.budget.data, over_budget=form.over_budget.data,
                valid_from=form.valid_from.data, valid_to=form.valid_to.data,
                review_share=form.review_share.data, review_above=form.review_above.data))
        except DomainError as err:
            attach_error(form, err)
            status = _refused(err)
        else:
            flash(_("Scheme created. Add its first rule version."), "success")
            return redirect(url_for("scheme.new_version", scheme_id=scheme.id))
    return render_template("schemes/scheme_form.html", form=form), status


def _villages(scheme: Scheme) -> list[Village]:
    query = select(Village).where(Village.country_code == scheme.country_code,
                                  Village.listed.is_(True))
    if scheme.admin1_id:
        query = query.where(Village.admin1_id == scheme.admin1_id)
    return in_reader_order(db.session.scalars(scope(query, Village, current_user)),
                           lambda v: v.name)


def _household_measures(scheme: Scheme):  # noqa: ANN202 - a Select
    """Households' measures of the scheme's country in the user's area, each with its
    household (the adoption form names it) read with them, not one measure at a time."""
    return scope(select(Measure).where(Measure.country_code == scheme.country_code,
                                       Measure.household_id.is_not(None))
                 .options(selectinload(Measure.household)), Measure, current_user)


def _detail(scheme: Scheme, status: int = 200, **forms: object):
    budget = operations.budget(scheme)
    today = timezones.today_for(scheme)
    usd = {name: scheme_prices.to_usd(getattr(budget, name), today)
           for name in ("allocated", "committed", "disbursed", "remaining", "held",
                        "to_recover")}
    edit = forms.get("edit") or SchemeEditForm(obj=scheme)
    # Configuring the scheme, or acting on all of it, needs a jurisdiction over its area.
    whole = scheme_scope.covers_area(current_user, scheme.country_code, scheme.admin1_id)
    context = {"scheme": scheme, "budget": budget, "usd": usd, "edit": edit, "whole": whole,
               "versions": scheme.versions, "period": forms.get("period") or PeriodForm(),
               "in_force": operations.version_for(scheme, today), "forms": forms}
    if scheme.kind is SchemeKind.INSURANCE:
        context.update(
            # Households are personal data: each user sees those of their own area.
            ledger=insurance.ledger(scheme.id),
            enrolments=[e for e in insurance.enrolments(scheme.id)
                        if covers(current_user, e.household)],
            settlements=insurance.settlements(scheme.id),
            # Since the start: a premium paid in December covers losses of the new year,
            # so a calendar year's ratio would read "—" after a payout.
            loss_ratio=insurance.loss_ratio(scheme.id, scheme.valid_from, today),
            settle=forms.get("settle") or PeriodForm(), date_form=DateForm())
    if scheme.kind is SchemeKind.INCENTIVE:
        incentives.release_due()
        villages = _villages(scheme)
        # The form offers the verified measures that have no adoption payment yet.
        measures = db.session.scalars(_household_measures(scheme).where(
            Measure.verified_on.is_not(None),
            ~Measure.id.in_(select(IncentivePayment.measure_id).where(
                IncentivePayment.measure_id.is_not(None))))
            .order_by(Measure.verified_on.desc()).limit(200)).all()
        context.update(
            payments=[p for p in incentives.payments(scheme.id, with_households=True)
                      if covers(current_user, p.village)],
            withholdings=incentives.withholdings(scheme.id),
            presence_records=_presence_records(scheme),
            presence=forms.get("presence") or PresenceForm(villages),
            performance=forms.get("performance") or PerformanceForm(),
            adoption=forms.get("adoption") or AdoptionForm(measures),
            withhold=forms.get("withhold") or WithholdForm(villages),
            appeal=AppealForm(), cancel=CancelForm())
    return render_template("schemes/detail.html", **context), status


def _presence_records(scheme: Scheme) -> list[PresenceRecord]:
    """The scheme's saved presence records in the user's area, newest first."""
    query = select(PresenceRecord).join(Village, PresenceRecord.village_id == Village.id).where(
        PresenceRecord.scheme_id == scheme.id)
    return list(db.session.scalars(scope(query, Village, current_user).order_by(
        PresenceRecord.observed_on.desc(), PresenceRecord.id.desc()).limit(200)))


@scheme_bp.route("/<int:scheme_id>")
@roles_required(*READERS)
def detail(scheme_id: int):
    return _detail(_scheme_or_404(scheme_id))


@scheme_bp.route("/<int:scheme_id>/edit", methods=["POST"])
@roles_required(*MANAGERS)
def edit(scheme_id: int):
    scheme = _scheme_or_404(scheme_id)
    form = SchemeEditForm()
    if form.validate_on_submit():
        try:
            operations.update_scheme(
                current_user, scheme.id, budget=form.budget.data,
                over_budget=form.over_budget.data, valid_to=form.valid_to.data,
                review_share=form.review_share.data, review_above=form.review_above.data,
                funders=form.funders.data, closed=form.closed.data)
        except DomainError as err:
            attach_error(form, err)
            return _detail(scheme, _refused(err), edit=form)
        flash(_("Scheme saved."), "success")
        return redirect(url_for("scheme.detail", scheme_id=scheme.id))
    return _detail(scheme, 400, edit=form)


@scheme_bp.route("/<int:scheme_id>/versions/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new_version(scheme_id: int):
    scheme = _scheme_or_404(scheme_id)
    if not scheme_scope.covers_area(current_user, scheme.country_code, scheme.admin1_id):
        abort(403)
    latest = scheme.versions[-1].values if scheme.versions else params.defaults(scheme.kind)
    form = rule_version_form(scheme.kind, request.form if request.method == "POST" else None,
                             latest)
    if request.method == "GET":
        form.valid_from.data = max(timezones.today_for(scheme), scheme.valid_from)
    if form.validate_on_submit():
        try:
            version = operations.add_version(current_user, scheme.id, form.valid_from.data,
                                             version_values(form, scheme.kind),
                                             form.note.data)
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Draft saved. Try it on past claims, then publish it."), "success")
            return redirect(url_for("scheme.dry_run", version_id=version.id))
    status = 400 if form.is_submitted() else 200
    return render_template("schemes/version_form.html", form=form, scheme=scheme,
                           specs=params.SPECS[scheme.kind]), status


def _version_or_404(version_id: int) -> RuleVersion:
    version = db.session.get(RuleVersion, version_id)
    if version is None:
        abort(404)
    _scheme_or_404(version.scheme_id)
    return version


@scheme_bp.route("/versions/<int:version_id>/publish", methods=["POST"])
@roles_required(*MANAGERS)
def publish(version_id: int):
    version = _version_or_404(version_id)
    try:
        operations.publish_version(current_user, version.id)
    except DomainError as err:
        flash(err.translated(), "error")
    else:
        flash(_("Rule version published."), "success")
    return redirect(url_for("scheme.detail", scheme_id=version.scheme_id))


@scheme_bp.route("/versions/<int:version_id>/dry-run")
@roles_required(*MANAGERS)
def dry_run(version_id: int):
    version = _version_or_404(version_id)
    if not scheme_scope.covers_area(current_user, version.scheme.country_code,
                             version.scheme.admin1_id):
        abort(403)
    form = PeriodForm(request.args, meta={"csrf": False})
    today = timezones.today_for(version.scheme)
    if not request.args:
        form.start.data, form.end.data = date(today.year - 1, 1, 1), today
    rows, status = [], 200
    # Opened without a period: the default one, and no "required" before anything was typed.
    if not request.args or form.validate():
        try:
            rows = dry_run_ops.dry_run(current_user, version.id, form.start.data,
                                      form.end.data)
        except DomainError as err:
            attach_error(form, err)
            # The default period may hold too many claims: that is no error of the asker's.
            status = 400 if request.args else 200
    else:
        status = 400
    before = sum((r.before.amount for r in rows), Decimal(0))
    after = sum((r.after.amount for r in rows if r.after), Decimal(0))
    values = params.parse(version.scheme.kind, version.values)
    return render_template("schemes/dry_run.html", version=version, form=form, rows=rows,
                           before=before, after=after, values=values,
                           specs=params.SPECS[version.scheme.kind]), status


@scheme_bp.route("/rates", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def rates():
    own = _own_currency()
    form = RateForm(only=own)
    if request.method == "GET":
        form.valid_from.data = _today_mine()
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            scheme_prices.set_rate(current_user, form.currency.data, form.valid_from.data,
                                form.per_usd.data, form.source.data)
        except DomainError as err:
            attach_error(form, err)
            status = _refused(err)
        else:
            flash(_("Exchange rate saved."), "success")
            return redirect(url_for("scheme.rates"))
    rows = db.session.scalars(select(ExchangeRate).order_by(
        ExchangeRate.currency, ExchangeRate.valid_from.desc())).all()
    return render_template("schemes/rates.html", form=form, rows=rows,
                           can_set=current_user.jurisdiction_area_id is None), status


def _own_currency() -> str | None:
    """A country's manager sets the rate of that country's currency only."""
    if not current_user.jurisdiction_country:
        return None
    country = db.session.get(Country, current_user.jurisdiction_country)
    return country.currency if country else None


def _today_mine() -> date:
    """Today in the signed-in user's jurisdiction, for the dates a form suggests."""
    return timezones.today_where(current_user.jurisdiction_country,
                                 current_user.jurisdiction_area_id)


def _act(scheme_id: int, run, done: str):  # noqa: ANN001, ANN202
    """Run a one-form action of the scheme page; an error comes back as a message."""
    try:
        run()
    except DomainError as err:
        flash(err.translated(), "error")
        return redirect(url_for("scheme.detail", scheme_id=scheme_id))
    flash(done, "success")
    return redirect(url_for("scheme.detail", scheme_id=scheme_id))
