from sqlalchemy import select

from conflict_app.extensions import db
from conflict_app.geo.models import Country


def test_world_builds(world):
    db.session.commit()
    assert db.session.scalar(select(Country.code).where(Country.code == "AM")) == "AM"


def test_rolled_back():
    assert db.session.scalar(select(Country.code)) is None
