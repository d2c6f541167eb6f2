"""The privacy notice for herders, in every language: who runs the service in their
country (``PRIVACY_OPERATORS``), what is collected and why, how long it is kept (from
``RETENTION_YEARS``, the period the erasure job applies) and whom to ask."""

from __future__ import annotations

from flask import abort, current_app, render_template
from sqlalchemy import select

from conflict_app.core.web import public
from conflict_app.extensions import db
from conflict_app.geo.models import Country
from conflict_app.i18n.collation import in_reader_order
from conflict_app.status.views import bp


def operator_for(country: str | None) -> dict[str, str]:
    """Name and contact of whoever runs the service in ``country`` (or the default)."""
    cfg = current_app.config
    entry = (cfg.get("PRIVACY_OPERATORS") or {}).get((country or "").upper()) or {}
    return {"name": entry.get("name") or cfg.get("PRIVACY_OPERATOR") or "",
            "contact": entry.get("contact") or cfg.get("PRIVACY_CONTACT")
            or cfg.get("OFFICE_CONTACT") or ""}


def _country_name(code: str) -> str:
    from flask_babel import get_locale

    return get_locale().territories.get(code, code)


@bp.route("/privacy", defaults={"country": None})
@bp.route("/privacy/<country>")
@public
def privacy(country: str | None):
    codes = db.session.scalars(select(Country.code).order_by(Country.code)).all()
    if country is not None:
        country = country.upper()
        if country not in codes:
            abort(404)
        codes = [country]
    operators = [(code, _country_name(code), operator_for(code)) for code in codes]
    operators = in_reader_order(operators, lambda row: row[1])
    return render_template("status/privacy.html", operators=operators, country=country,
                           years=current_app.config["RETENTION_YEARS"])
