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


def load_reference_geography() -> dict[str, int]:
    """Create the range states, their provinces, districts and reference villages.

    Idempotent: rows that exist (by name within their parent) are left alone. The caller
    commits.
    """
    from decimal import Decimal

    from sqlalchemy import select

    from conflict_app.geo import data
    from conflict_app.geo.models import AdminArea, Region, Village

    created = {"country": 0, "admin_area": 0, "village": 0}
    for code, name, currency, locale in data.COUNTRIES:
        if db.session.get(Country, code) is None:
            db.session.add(Country(code=code, name=name, currency=currency,
                                   default_locale=locale))
            created["country"] += 1
    db.session.flush()
    areas: dict[tuple[str, str, str | None], AdminArea] = {
        (a.country_code, a.name, a.parent.name if a.parent else None): a
        for a in db.session.scalars(select(AdminArea))
    }

    def area(country: str, name: str, parent: AdminArea | None, region) -> AdminArea:  # noqa: ANN001
        key = (country, name, parent.name if parent else None)
        if key not in areas:
            areas[key] = AdminArea(country_code=country, name=name, level=2 if parent else 1,
                                   parent=parent, region=region)
            db.session.add(areas[key])
            created["admin_area"] += 1
        if areas[key].local_name is None:
            areas[key].local_name = data.LOCAL_NAMES.get(country, {}).get(name)
        return areas[key]

    for country, provinces in data.PROVINCES.items():
        for name, region in provinces:
            area(country, name, None, Region(region) if region else None)
    for (country, province), districts in data.DISTRICTS.items():
        parent = areas[(country, province, None)]
        for name in districts:
            area(country, name, parent, parent.region)
    db.session.flush()
    existing = {(v.admin1_id, v.admin2_id, v.name): v
                for v in db.session.scalars(select(Village))}
    for country, province, district, name, lat, lon, protected in data.VILLAGES:
        admin1 = areas[(country, province, None)]
        admin2 = areas[(country, district, province)] if district else None
        key = (admin1.id, admin2.id if admin2 else None, name)
        local = data.LOCAL_NAMES.get(country, {}).get(name)
        if key in existing:
            if existing[key].local_name is None:
                existing[key].local_name = local
            continue
        db.session.add(Village(country_code=country, admin1_id=admin1.id,
                               admin2_id=admin2.id if admin2 else None, name=name,
                               local_name=local, latitude=Decimal(lat),
                               longitude=Decimal(lon), protected_area=protected))
        created["village"] += 1
    db.session.flush()
    return created
