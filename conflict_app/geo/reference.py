"""Reference geography: the range states, loaded on demand from ``geo.data``."""

from __future__ import annotations

from conflict_app.extensions import db
from conflict_app.geo.models import Country


def ensure_country(code: str) -> Country:
    """The country row for a range state, created from the reference data if missing."""
    country = db.session.get(Country, code)
    if country is not None:
        return country
    from conflict_app.geo.data import COUNTRIES

    for c_code, name, currency, locale in COUNTRIES:
        if c_code == code:
            country = Country(code=code, name=name, currency=currency, default_locale=locale)
            db.session.add(country)
            db.session.flush()
            return country
    raise ValueError(f"{code} is not a range state")
