"""Pages of funds: the list (with a new fund), one fund (its balance, principal, income
available, its ledger and the forms to add an entry)."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from conflict_app.core.errors import DomainError
from conflict_app.core.permissions import CASE_ROLES, Role
from conflict_app.core.web import attach_error, roles_required
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import AdminArea, Country
from conflict_app.schemes import funds
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import scope as scheme_scope
from conflict_app.schemes.fund_forms import FundEntryForm, FundForm
from conflict_app.schemes.fund_models import EntryKind, Fund, FundKind, Pot
from conflict_app.schemes.params import SchemeKind
from conflict_app.schemes.views import MANAGERS, _refused, scheme_bp

# Donors read where their money went: the analyst role sees funds as well.
FUND_READERS = (*CASE_ROLES, Role.ANALYST)
ENTRY_MAKERS = (Role.FINANCE, Role.SCHEME_MANAGER, Role.ADMIN)
# The fields each kind of entry asks for, in the order shown.
FIELDS = {
    EntryKind.CONTRIBUTION: ("amount", "booked_on", "donor", "note"),
    EntryKind.INCOME: ("amount", "booked_on", "period_from", "period_to", "note"),
    EntryKind.ALLOCATION: ("scheme_id", "amount", "booked_on", "note"),
    EntryKind.RETURN: ("scheme_id", "amount", "booked_on", "note"),
    EntryKind.ADJUSTMENT: ("direction", "amount", "pot", "booked_on", "note"),
}


def _areas() -> tuple[list[Country], list[AdminArea]]:
    countries = select(Country).order_by(Country.name)
    provinces = select(AdminArea).where(AdminArea.level == 1).order_by(
        AdminArea.country_code, AdminArea.name)
    if current_user.jurisdiction_country:
        countries = countries.where(Country.code == current_user.jurisdiction_country)
        provinces = provinces.where(AdminArea.country_code == current_user.jurisdiction_country)
    province = scheme_scope.province_of(current_user)
    if province is not None:
        provinces = provinces.where(AdminArea.id == province)
    return list(db.session.scalars(countries)), list(db.session.scalars(provinces))


def _list(form: FundForm | None = None, status: int = 200):
    found = funds.visible_funds(current_user)
    totals = funds.totals_of(found)
    rows = [(f, totals[f.id]) for f in found]
    if form is None:
        form = FundForm(*_areas())
        form.kind.data = FundKind.ENDOWMENT.value
        if current_user.jurisdiction_country:
            country = db.session.get(Country, current_user.jurisdiction_country)
            form.country_code.data, form.currency.data = country.code, country.currency
        form.admin1_id.data = scheme_scope.province_of(current_user)
    return render_template("schemes/funds.html", rows=rows, form=form,
                           manager=current_user.has_role(*MANAGERS)), status


@scheme_bp.route("/funds")
@roles_required(*FUND_READERS)
def funds_index():
    return _list()


@scheme_bp.route("/funds", methods=["POST"])
@roles_required(*MANAGERS)
def create_fund():
    form = FundForm(*_areas())
    if form.validate_on_submit():
        try:
            fund = funds.create_fund(current_user, funds.FundInput(
                name=form.name.data, kind=FundKind(form.kind.data),
                currency=form.currency.data, country_code=form.country_code.data,
                admin1_id=form.admin1_id.data, description=form.description.data))
        except DomainError as err:
            attach_error(form, err)
            return _list(form, _refused(err))
        flash(_("Fund created."), "success")
        return redirect(url_for("scheme.fund", fund_id=fund.id))
    return _list(form, 400)


def _fund_or_404(fund_id: int) -> Fund:
    fund = db.session.get(Fund, fund_id)
    if fund is None or not scheme_scope.reaches(current_user, fund.country_code,
                                                fund.admin1_id):
        abort(404)
    return fund


def _schemes(fund: Fund) -> list:
    """The schemes this fund may feed: its country's (its province's), in its currency."""
    return [s for s in scheme_ops.visible_schemes(current_user)
            if s.country_code == fund.country_code and s.currency == fund.currency
            and s.kind is not SchemeKind.INSURANCE
            and (fund.admin1_id is None or s.admin1_id == fund.admin1_id)]


def _entry_form(fund: Fund, formdata: object = None) -> FundEntryForm:
    form = FundEntryForm(_schemes(fund), formdata=formdata)
    if formdata is None:
        form.booked_on.data = timezones.today_where(fund.country_code, fund.admin1_id)
        form.direction.data = "in"
    return form


def _detail(fund: Fund, status: int = 200, form: FundEntryForm | None = None,
            kind: EntryKind | None = None):
    """The fund's page; ``kind`` opens the form of that kind of entry (one at a time)."""
    db.session.refresh(fund)
    whole = scheme_scope.covers_area(current_user, fund.country_code, fund.admin1_id)
    allowed = [k for k in EntryKind if whole and (
        current_user.has_role(*MANAGERS)
        or (k in funds.MONEY_IN and current_user.has_role(Role.FINANCE)))]
    if kind is None:
        try:
            kind = EntryKind(request.args.get("entry", ""))
        except ValueError:
            kind = None
    if kind not in allowed:
        kind = None
    if form is None and kind is not None:
        form = _entry_form(fund)
    before = request.args.get("before", type=int)
    entries = funds.ledger(fund.id, before=before, limit=100)
    return render_template(
        "schemes/fund.html", fund=fund, totals=funds.totals(fund), entries=entries,
        more=entries[-1].id if len(entries) == 100 else None, form=form, kind=kind,
        allowed=allowed, fields=FIELDS.get(kind, ())), status


@scheme_bp.route("/funds/<int:fund_id>")
@roles_required(*FUND_READERS)
def fund(fund_id: int):
    return _detail(_fund_or_404(fund_id))


@scheme_bp.route("/funds/<int:fund_id>/entries/<kind>", methods=["POST"])
@roles_required(*ENTRY_MAKERS)
def record_entry(fund_id: int, kind: str):
    fund = _fund_or_404(fund_id)
    try:
        entry_kind = EntryKind(kind)
    except ValueError:
        abort(404)
    form = _entry_form(fund, request.form)
    # Only the fields this kind shows are checked: the others are not on its form.
    for name in {n for names in FIELDS.values() for n in names} - set(FIELDS[entry_kind]):
        form[name].data = None
        form[name].raw_data = []
    if form.validate_on_submit():
        amount = form.amount.data
        if entry_kind is EntryKind.ADJUSTMENT and form.direction.data == "out":
            amount = -amount
        try:
            funds.record_entry(current_user, fund.id, funds.EntryInput(
                kind=entry_kind, amount=Decimal(amount), booked_on=form.booked_on.data,
                donor=form.donor.data, period_from=form.period_from.data,
                period_to=form.period_to.data, scheme_id=form.scheme_id.data,
                pot=Pot(form.pot.data) if form.pot.data else None, note=form.note.data))
        except DomainError as err:
            attach_error(form, err)
            return _detail(fund, _refused(err), form, entry_kind)
        flash(_("Entry recorded."), "success")
        return redirect(url_for("scheme.fund", fund_id=fund.id))
    return _detail(fund, 400, form, entry_kind)


@scheme_bp.app_template_global()
def budget_sources(scheme) -> funds.Sources:  # noqa: ANN001
    """The scheme page's panel: which fund allocations the budget came from."""
    return funds.sources(scheme)
