"""Market price tables: dated rows, never edited, in the manager's country."""

from __future__ import annotations

from sqlalchemy import func, select

from conflict_app.extensions import db
from conflict_app.schemes.models import MarketPrice


def price_form(**overrides):
    data = {"country": "AM", "species": "goat", "age_class": "adult_male", "amount": "55000",
            "currency": "AMD", "valid_from": "2026-01-01"}
    data.update(overrides)
    return data


def count():
    return db.session.scalar(select(func.count(MarketPrice.id)))


def test_manager_adds_a_price_and_sees_it_in_force(world, browser_for):
    manager = browser_for(world.manager)
    before = count()
    assert manager.post("/prices/new", data=price_form()).status_code == 302
    assert count() == before + 1
    page = manager.get("/prices/?country=AM").get_data(as_text=True)
    assert "55,000.00" in page and "in force" in page


def test_bad_prices_are_refused_and_nothing_is_saved(world, browser_for):
    manager = browser_for(world.manager)
    before = count()
    for data, message in (
        (price_form(currency="TRY"), "Prices in Armenia are in AMD"),
        (price_form(amount="-5"), "Enter a positive amount."),
        (price_form(amount="abc"), "Enter a number"),
        (price_form(species="sheep", age_class="adult_female", valid_from="2020-01-01"),
         "already starts on that day"),
        (price_form(country="GE", currency="GEL"), "Choose one of the options"),
    ):
        response = manager.post("/prices/new", data=data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), (data, message)
    assert count() == before


def test_clerks_cannot_set_prices(world, browser_for):
    assert browser_for(world.clerk).post("/prices/new", data=price_form()).status_code == 403
