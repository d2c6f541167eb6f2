"""Market prices and exchange rates through the API: read by scheme managers as on the price
and rate pages, added through the same operations with the same refusals (and nothing
stored when refused)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conflict_app.api.openapi import document
from conflict_app.core.audit import AuditEntry
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.schemes.models import ExchangeRate, MarketPrice
from tests.test_api import api  # noqa: F401
from tests.test_schemes import frozen  # noqa: F401

PRICE = {"country": "AM", "species": "sheep", "age_class": "adult_female", "amount": 65000,
         "currency": "AMD", "valid_from": "2026-03-01"}


def _count(model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count(model.id)))


@pytest.fixture
def syunik_manager(world):
    return world.user("manager@syunik.test", {Role.SCHEME_MANAGER}, "AM", world.syunik.id)


def test_a_manager_adds_a_price_which_is_then_in_force(world, api, frozen):  # noqa: F811
    manager = api(world.manager)
    made = manager.post("/api/v1/prices", json=PRICE)
    assert made.status_code == 201, made.get_data(as_text=True)
    price = made.get_json()
    assert (price["amount"], price["currency"], price["in_force"]) == ("65000.00", "AMD", True)
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "market_price", AuditEntry.object_id == price["id"]))
    page = manager.get("/api/v1/prices?limit=5").get_json()
    assert len(page["items"]) == 5 and page["next_cursor"]
    rest = manager.get(f"/api/v1/prices?cursor={page['next_cursor']}").get_json()
    rows = page["items"] + rest["items"]
    assert rest["next_cursor"] is None and len(rows) == 9
    sheep = [r for r in rows if (r["species"], r["age_class"]) == ("sheep", "adult_female")]
    # The new price replaced the 2020 one from 1 March on.
    assert [(r["valid_from"], r["in_force"]) for r in sheep] == [
        ("2020-01-01", False), ("2026-03-01", True)]
    future = manager.post("/api/v1/prices", json={**PRICE, "valid_from": "2026-04-01"})
    assert future.status_code == 201 and future.get_json()["in_force"] is False


def test_refused_prices_change_nothing(world, api, frozen, syunik_manager):  # noqa: F811
    manager = api(world.manager)
    before = _count(MarketPrice)
    refusals = [
        ({"amount": 0.001}, 400, "amount"),
        ({"currency": "GEL"}, 400, "currency"),
        ({"country": "GE", "currency": "GEL"}, 403, "country"),
        ({"valid_from": "2020-01-01"}, 400, "valid_from"),  # a price already starts then
    ]
    for change, status, field in refusals:
        response = manager.post("/api/v1/prices", json={**PRICE, **change})
        assert response.status_code == status, (change, response.get_data(as_text=True))
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["errors"][0]["field"] == field
    for change in ({"amount": "65000"}, {"age_class": "unknown"}, {"colour": "white"},
                   {"amount": -5}):
        response = manager.post("/api/v1/prices", json={**PRICE, **change})
        assert response.status_code == 422, change
        assert response.mimetype == "application/problem+json"
    # A province's manager reads the table but sets no country-wide price, as on the page.
    province = api(syunik_manager)
    assert province.get("/api/v1/prices").status_code == 200
    assert province.post("/api/v1/prices", json=PRICE).status_code == 403
    # Clerks, finance officers and analysts keep no prices.
    for user in (world.clerk, world.finance, world.analyst):
        assert api(user).get("/api/v1/prices").status_code == 403
        assert api(user).post("/api/v1/prices", json=PRICE).status_code == 403
    assert manager.get("/api/v1/prices?country=GE").status_code == 403
    assert manager.get("/api/v1/prices?country=XX").status_code == 400
    assert manager.get("/api/v1/prices?cursor=x").status_code == 400
    assert _count(MarketPrice) == before


def test_exchange_rates_through_the_api(world, api, frozen, syunik_manager):  # noqa: F811
    manager = api(world.manager)
    made = manager.post("/api/v1/exchange-rates", json={
        "currency": "AMD", "per_usd": 390.25, "valid_from": "2026-03-01",
        "source": "Central Bank of Armenia"})
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["per_usd"] == "390.250000"
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "exchange_rate", AuditEntry.object_id == made.get_json()["id"]))
    admin = api(world.admin)
    assert admin.post("/api/v1/exchange-rates", json={
        "currency": "GEL", "per_usd": 2.7, "valid_from": "2026-03-01"}).status_code == 201
    page = admin.get("/api/v1/exchange-rates?limit=1").get_json()
    assert [r["currency"] for r in page["items"]] == ["AMD"]
    rest = admin.get(f"/api/v1/exchange-rates?cursor={page['next_cursor']}").get_json()
    assert [r["currency"] for r in rest["items"]] == ["GEL"] and rest["next_cursor"] is None
    only = manager.get("/api/v1/exchange-rates?currency=GEL").get_json()["items"]
    assert [r["per_usd"] for r in only] == ["2.700000"]

    before = _count(ExchangeRate)
    for rate, status in (
        ({"currency": "GEL", "per_usd": 2.8, "valid_from": "2026-03-02"}, 403),  # not theirs
        ({"currency": "AMD", "per_usd": 391, "valid_from": "2026-03-01"}, 400),  # same day
        ({"currency": "AMD", "per_usd": 0.0000001, "valid_from": "2026-03-02"}, 400),
        ({"currency": "USD", "per_usd": 1, "valid_from": "2026-03-02"}, 400),
        ({"currency": "AMD", "per_usd": "391", "valid_from": "2026-03-02"}, 422),
        ({"currency": "AMD", "valid_from": "2026-03-02"}, 422),
    ):
        response = manager.post("/api/v1/exchange-rates", json=rate)
        assert response.status_code == status, (rate, response.get_data(as_text=True))
        assert response.mimetype == "application/problem+json"
    assert api(syunik_manager).post("/api/v1/exchange-rates", json={
        "currency": "AMD", "per_usd": 1, "valid_from": "2026-03-02"}).status_code == 403
    assert api(world.finance).get("/api/v1/exchange-rates").status_code == 403
    assert _count(ExchangeRate) == before


def test_the_document_describes_prices_and_rates():
    paths = document()["paths"]
    assert set(paths["/prices"]) == {"get", "post"}
    assert set(paths["/exchange-rates"]) == {"get", "post"}
    assert "403" in paths["/prices"]["post"]["responses"]
