"""Places in the reader's own language: a herder reading Armenian picks «Շվանիձոր» from the
list and is texted about «Շվանիձոր», a Russian reader sees the reference name; imports,
exports and the API keep the reference name."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from conflict_app.extensions import db
from conflict_app.geo.reference import load_reference_geography
from conflict_app.herders import operations as household_ops
from conflict_app.status.models import SmsMessage
from tests import helpers
from tests.test_alerts import alert_texts, place, verify_by_http  # noqa: F401 - fixture


def test_the_herders_village_list_is_in_their_language(app, world):
    load_reference_geography()
    db.session.commit()
    client = app.test_client()
    armenian = client.get("/report?country=AM&lang=hy").get_data(as_text=True)
    assert "Շվանիձոր, Մեղրի" in armenian and "Սյունիք" in armenian
    assert "Shvanidzor" not in armenian
    russian = app.test_client().get("/report?country=AM&lang=ru").get_data(as_text=True)
    assert "Shvanidzor, Meghri" in russian and "Շվանիձոր" not in russian
    georgian = app.test_client().get("/report?country=GE&lang=ka").get_data(as_text=True)
    assert "სამრეკლო" in georgian and "კახეთი" in georgian
    # Dari readers read the Persian names of Iran's places.
    dari = app.test_client().get("/report?country=IR&lang=fa_AF").get_data(as_text=True)
    assert "گلستان" in dari and "Golestan" not in dari


def test_the_alert_names_the_village_as_each_reader_says_it(place, browser_for):  # noqa: F811
    world = place
    world.shvanidzor.local_name = "Շվանիձոր"
    household_ops.register_household(world.clerk, household_ops.HouseholdInput(
        head_name="Anahit Grigoryan", village_id=world.nrnadzor.id, language="hy",
        phone="+37491000009", latitude=Decimal("38.9500"), longitude=Decimal("46.3400")))
    db.session.commit()
    claim, _pin = helpers.report(world, hh=world.victim)
    verify_by_http(world, browser_for, claim)
    by_locale = {t.locale: t.body for t in alert_texts()}
    assert "Շվանիձոր" in by_locale["hy"]
    assert "Shvanidzor" in by_locale["ru"] and "Շվանիձոր" not in by_locale["ru"]
    assert db.session.scalars(select(SmsMessage)).first() is not None
    # The API keeps the reference name.
    assert world.shvanidzor.name == "Shvanidzor"


def test_an_administrator_gives_a_new_village_its_own_name(app, world, browser_for):
    from conflict_app.geo.models import Village
    from tests.conftest import csrf_token

    admin = browser_for(world.admin)
    response = admin.post("/admin/villages/new", data={
        "csrf_token": csrf_token(admin, "/admin/villages/new"), "name": "Vahravar",
        "local_name": "Վահրավար", "area_id": str(world.meghri.id)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    village = db.session.scalars(select(Village).where(Village.name == "Vahravar")).one()
    assert village.local_name == "Վահրավար"
    armenian = app.test_client().get("/report?country=AM&lang=hy").get_data(as_text=True)
    assert "Վահրավար" in armenian


def test_a_village_typed_by_a_herder_is_marked_on_the_administrators_page(world, browser_for):
    from conflict_app.geo.models import Village

    db.session.add(Village(country_code="AM", admin1_id=world.syunik.id,
                           admin2_id=world.meghri.id, name="Vardanidzor", listed=False))
    db.session.commit()
    page = browser_for(world.admin).get(f"/admin/areas/{world.meghri.id}").get_data(as_text=True)
    row = next(r for r in page.split("<tr>") if "Vardanidzor" in r)
    assert "Village not in the list" in row
    listed = next(r for r in page.split("<tr>") if "Shvanidzor" in r)
    assert "Village not in the list" not in listed


def test_a_village_and_its_district_are_separated_as_persian_writes_lists(app, world):
    load_reference_geography()
    db.session.commit()
    persian = app.test_client().get("/report?country=IR&lang=fa").get_data(as_text=True)
    assert "تنگراه، کلاله" in persian and "تنگراه, کلاله" not in persian
