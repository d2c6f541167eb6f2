"""Pages of scheme managers: market prices, schemes and their rule versions, exchange
rates, budgets, insurance enrolment and settlement, incentives."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from conflict_app.claims.models import AgeClass
from conflict_app.core import clock
from conflict_app.core.errors import DomainError, PermissionDenied
from conflict_app.core.permissions import CASE_ROLES, Role, covers, scope
from conflict_app.core.web import attach_error, roles_required
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import AdminArea, Country, Village
from conflict_app.herders.models import Household, Species
from conflict_app.mitigation.models import Measure
from conflict_app.schemes import incentives, insurance, operations, params
from conflict_app.schemes import scope as scheme_scope
from conflict_app.schemes.forms import (
    AdoptionForm,
    AppealForm,
    CancelForm,
    DateForm,
    EnrolForm,
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
    Enrolment,
    ExchangeRate,
    IncentivePayment,
    MarketPrice,
    PresenceRecord,
    RuleVersion,
    Scheme,
    Withholding,
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
    today = clock.today()
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
            operations.set_price(current_user, form.country.data, Species(form.species.data),
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
    budgets = {s.id: operations.budget(s) for s in schemes}
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
    return list(db.session.scalars(scope(query, Village, current_user).order_by(Village.name)))


def _household_measures(scheme: Scheme):  # noqa: ANN202 - a Select
    return scope(select(Measure).where(Measure.country_code == scheme.country_code,
                                       Measure.household_id.is_not(None)),
                 Measure, current_user)


def _detail(scheme: Scheme, status: int = 200, **forms: object):
    budget = operations.budget(scheme)
    today = clock.today()
    usd = {name: operations.to_usd(getattr(budget, name), today)
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
            payments=[p for p in incentives.payments(scheme.id)
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
    today = clock.today()
    if not request.args:
        form.start.data, form.end.data = date(today.year - 1, 1, 1), today
    rows, status = [], 200
    # Opened without a period: the default one, and no "required" before anything was typed.
    if not request.args or form.validate():
        try:
            rows = operations.dry_run(current_user, version.id, form.start.data,
                                      form.end.data)
        except DomainError as err:
            attach_error(form, err)
            status = 400
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
            operations.set_rate(current_user, form.currency.data, form.valid_from.data,
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


# --- insurance --------------------------------------------------------------------------
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


def _today_mine() -> date:
    """Today in the signed-in user's jurisdiction, for the dates a form suggests."""
    return timezones.today_where(current_user.jurisdiction_country,
                                 current_user.jurisdiction_area_id)


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


def _act(scheme_id: int, run, done: str):  # noqa: ANN001, ANN202
    """Run a one-form action of the scheme page; an error comes back as a message."""
    try:
        run()
    except DomainError as err:
        flash(err.translated(), "error")
        return redirect(url_for("scheme.detail", scheme_id=scheme_id))
    flash(done, "success")
    return redirect(url_for("scheme.detail", scheme_id=scheme_id))


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


# --- incentives -------------------------------------------------------------------------
def _incentive_form(scheme_id: int, name: str, make, run, done: str):  # noqa: ANN001, ANN202
    scheme = _scheme_or_404(scheme_id)
    if scheme.kind is not SchemeKind.INCENTIVE:
        abort(404)
    form = make(scheme)
    if form.validate_on_submit():
        try:
            run(scheme, form)
        except DomainError as err:
            attach_error(form, err)
            return _detail(scheme, _refused(err), **{name: form})
        else:
            flash(done, "success")
            return redirect(url_for("scheme.detail", scheme_id=scheme.id))
    return _detail(scheme, 400, **{name: form})


@scheme_bp.route("/<int:scheme_id>/presence", methods=["POST"])
@roles_required(Role.VERIFIER, Role.SCHEME_MANAGER, Role.ADMIN)
def presence(scheme_id: int):
    return _incentive_form(
        scheme_id, "presence", lambda s: PresenceForm(_villages(s)),
        lambda s, f: incentives.record_presence(current_user, s.id, f.village.data,
                                                f.kind.data, f.observed_on.data,
                                                f.evidence.data),
        _("Record saved."))


@scheme_bp.route("/<int:scheme_id>/performance", methods=["POST"])
@roles_required(*MANAGERS)
def performance(scheme_id: int):
    return _incentive_form(
        scheme_id, "performance", lambda s: PerformanceForm(),
        lambda s, f: incentives.compute_performance(current_user, s.id, f.period.data),
        _("Performance payments computed."))


@scheme_bp.route("/<int:scheme_id>/adoption", methods=["POST"])
@roles_required(*MANAGERS)
def adoption(scheme_id: int):
    def make(scheme: Scheme) -> AdoptionForm:
        # Any household measure is a valid choice here, so that an unverified or already
        # paid one gets the operation's own explanation.
        return AdoptionForm(db.session.scalars(_household_measures(scheme).limit(1000)).all())

    return _incentive_form(
        scheme_id, "adoption", make,
        lambda s, f: incentives.adoption_payment(current_user, s.id, f.measure.data),
        _("Adoption payment approved."))


@scheme_bp.route("/<int:scheme_id>/withhold", methods=["POST"])
@roles_required(*MANAGERS)
def withhold(scheme_id: int):
    return _incentive_form(
        scheme_id, "withhold", lambda s: WithholdForm(_villages(s)),
        lambda s, f: incentives.withhold(current_user, s.id, f.village.data, f.reason.data,
                                         f.noticed_on.data),
        _("Payments withheld until the end of the cycle."))


@scheme_bp.route("/withholdings/<int:withholding_id>/appeal", methods=["POST"])
@roles_required(*MANAGERS)
def appeal(withholding_id: int):
    item = db.session.get(Withholding, withholding_id)
    if item is None:
        abort(404)
    _scheme_or_404(item.scheme_id)
    form = AppealForm()
    if not form.validate_on_submit():
        flash(_("Give a reason."), "error")
        return redirect(url_for("scheme.detail", scheme_id=item.scheme_id))
    return _act(item.scheme_id, lambda: incentives.appeal(
        current_user, item.id, form.reason.data, form.upheld.data), _("Appeal decided."))


@scheme_bp.route("/incentive-payments/<int:payment_id>/cancel", methods=["POST"])
@roles_required(*MANAGERS)
def cancel_incentive(payment_id: int):
    """Cancel a wrong incentive payment before it is paid (finance pays through batches)."""
    payment = db.session.get(IncentivePayment, payment_id)
    if payment is None or not covers(current_user, payment.village):
        abort(404)
    _scheme_or_404(payment.scheme_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Give a reason."), "error")
        return redirect(url_for("scheme.detail", scheme_id=payment.scheme_id))
    return _act(payment.scheme_id, lambda: incentives.cancel(
        current_user, payment.id, form.reason.data), _("Payment cancelled."))
