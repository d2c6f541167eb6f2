"""Market price tables for scheme managers."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from conflict_app.claims.models import AgeClass
from conflict_app.core import clock
from conflict_app.core.errors import DomainError
from conflict_app.core.permissions import Role
from conflict_app.core.web import attach_error, roles_required
from conflict_app.extensions import db
from conflict_app.geo.models import Country
from conflict_app.herders.models import Species
from conflict_app.schemes import operations
from conflict_app.schemes.forms import PriceForm
from conflict_app.schemes.models import MarketPrice

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
                           countries=countries, country=country)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new():
    form = PriceForm(_countries())
    if request.method == "GET":
        form.valid_from.data = clock.today()
    if form.validate_on_submit():
        try:
            operations.set_price(current_user, form.country.data, Species(form.species.data),
                                 AgeClass(form.age_class.data), form.amount.data,
                                 form.currency.data, form.valid_from.data)
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Price saved."), "success")
            return redirect(url_for("schemes.prices", country=form.country.data))
    status = 400 if form.is_submitted() else 200
    return render_template("schemes/price_form.html", form=form), status
