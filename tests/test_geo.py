"""Reference geography: the range states with real provinces, loaded idempotently."""

from sqlalchemy import func, select

from conflict_app.extensions import db
from conflict_app.geo import data
from conflict_app.geo.models import AdminArea, Country, Village
from conflict_app.geo.reference import load_reference_geography


def test_reference_geography_loads_once(app):
    data.validate()
    first = load_reference_geography()
    assert first["country"] == 13 and first["village"] == len(data.VILLAGES)
    assert load_reference_geography() == {"country": 0, "admin_area": 0, "village": 0}
    syunik = db.session.scalars(select(AdminArea).where(AdminArea.name == "Syunik")).one()
    assert syunik.region.value == "caucasus"
    golestan = db.session.scalars(select(AdminArea).where(AdminArea.name == "Golestan")).one()
    assert golestan.region.value == "alborz_kopet_dagh"
    assert db.session.get(Country, "IR").currency == "IRR"
    assert db.session.scalar(select(func.count(Village.id)).where(
        Village.protected_area.is_not(None))) >= 5
