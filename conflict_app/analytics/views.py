"""Analyst pages and their JSON: de-identified, inside the user's jurisdiction."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import select

from conflict_app.analytics import data, service
from conflict_app.analytics import overview as overview_figures
from conflict_app.core.permissions import Role
from conflict_app.core.web import roles_required
from conflict_app.extensions import db
from conflict_app.geo.models import Country

bp = Blueprint("analytics", __name__, url_prefix="/analytics")
ANALYSTS = (Role.ANALYST, Role.SCHEME_MANAGER, Role.ADMIN)


def _country() -> str | None:
    """Users of one country see it; range-wide users may pick one."""
    if current_user.jurisdiction_country:
        return current_user.jurisdiction_country
    code = (request.args.get("country") or "").upper()
    return code if db.session.get(Country, code) else None


def _filter() -> str:
    chosen = request.args.get("filter", "confirmed_probable")
    return chosen if chosen in service.FILTERS else "confirmed_probable"


@bp.route("/")
@roles_required(*ANALYSTS)
def overview():
    country, verification = _country(), _filter()
    rates = overview_figures.loss_rates(current_user, service.FILTERS[verification], country)
    cells = data.grid(current_user, country=country)
    countries = db.session.scalars(select(Country).order_by(Country.name)).all()
    return render_template(
        "analytics/overview.html", rates=rates, cells=cells, country=country,
        countries=countries, verification=verification, filters=list(service.FILTERS),
        outcomes=data.outcome_shares(current_user, country),
        times=overview_figures.processing_times(current_user, country),
    )


@bp.route("/effectiveness")
@roles_required(*ANALYSTS)
def effectiveness():
    country, verification = _country(), _filter()
    table = service.effectiveness_table(current_user, country, verification)
    countries = db.session.scalars(select(Country).order_by(Country.name)).all()
    return render_template("analytics/effectiveness.html", table=table, country=country,
                           countries=countries, verification=verification,
                           filters=list(service.FILTERS))


@bp.route("/effectiveness.json")
@roles_required(*ANALYSTS)
def effectiveness_json():
    return jsonify(service.effectiveness_table(current_user, _country(), _filter()))


@bp.route("/measures/<measure>")
@roles_required(*ANALYSTS)
def measure_detail(measure: str):
    from conflict_app.mitigation.models import MeasureType

    if measure not in {m.value for m in MeasureType}:
        from flask import abort

        abort(404)
    country = _country()
    return render_template(
        "analytics/measure.html", measure=measure,
        bands=service.time_since_installation(current_user, measure, country, _filter()),
        displacement=service.displacement(current_user, measure, country),
        costs=service.cost_effectiveness(current_user, measure, country, _filter()),
    )
