"""Scheme actions are scoped by the manager's area, as claims are: a province's manager
configures that province's schemes only, never the national scheme, another province's
scheme, country-wide prices or another country's exchange rate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.schemes.models import ExchangeRate, MarketPrice, RuleVersion, Scheme
from tests.test_schemes import START, _create, _scheme_form, _version


@pytest.fixture
def frozen():
    clock.freeze(START)
    yield
    clock.freeze(None)


@pytest.fixture
def syunik_manager(world):
    return world.user("manager@syunik.test", {Role.SCHEME_MANAGER}, "AM", world.syunik.id)


@pytest.fixture
def vayots_manager(world):
    return world.user("manager@vayots.test", {Role.SCHEME_MANAGER}, "AM", world.vayots.id)


def _edit(scheme, **kw):
    data = {"budget": str(scheme.budget), "over_budget": scheme.over_budget, "valid_to": "",
            "review_share": "0", "review_above": "", "funders": ""}
    data.update(kw)
    return data


def test_a_province_manager_cannot_change_the_national_scheme(world, browser_for, frozen,
                                                              syunik_manager):
    national = _create(browser_for(world.manager), code="AM-NAT")
    _version(browser_for(world.manager), national)
    province = browser_for(syunik_manager)
    page = province.get(f"/schemes/{national.id}")
    assert page.status_code == 200  # it pays in Syunik too: the manager may read it
    html = page.get_data(as_text=True)
    assert f"/schemes/{national.id}/edit" not in html
    assert f"/schemes/{national.id}/versions/new" not in html
    refused = province.post(f"/schemes/{national.id}/edit", data=_edit(national,
                                                                        budget="99999999"))
    assert refused.status_code == 403
    assert "covers more than your area" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Scheme, national.id).budget == Decimal("1000000.00")
    assert province.get(f"/schemes/{national.id}/versions/new").status_code == 403
    assert province.post(f"/schemes/{national.id}/versions/new", data={
        "valid_from": "2026-06-01", "predators": "leopard", "species": "sheep"},
    ).status_code == 403
    version = db.session.scalars(select(RuleVersion).where(
        RuleVersion.scheme_id == national.id)).first()
    assert province.get(f"/schemes/versions/{version.id}/dry-run").status_code == 403
    assert db.session.scalar(select(func.count(RuleVersion.id)).where(
        RuleVersion.scheme_id == national.id)) == 1


def test_a_province_manager_creates_schemes_of_their_province_only(world, browser_for,
                                                                   frozen, syunik_manager):
    province = browser_for(syunik_manager)
    form = province.get("/schemes/new").get_data(as_text=True)
    assert "Vayots Dzor" not in form and "Syunik" in form
    assert '<option value="">—</option>' not in form  # not the whole country
    for admin1 in (str(world.vayots.id), ""):
        refused = province.post("/schemes/new", data=_scheme_form(code="AM-X",
                                                                  admin1=admin1))
        assert refused.status_code in (400, 403), admin1
    assert db.session.scalar(select(Scheme.id).where(Scheme.code == "AM-X")) is None
    own = _create(province, code="AM-SYU", admin1=str(world.syunik.id))
    assert own.admin1_id == world.syunik.id
    # ... and configures it: budget and a rule version.
    assert province.post(f"/schemes/{own.id}/edit", data=_edit(own, budget="5000")
                         ).status_code == 302
    _version(province, own)


def test_another_provinces_scheme_is_not_there(world, browser_for, frozen, syunik_manager,
                                               vayots_manager):
    own = _create(browser_for(syunik_manager), code="AM-SYU", admin1=str(world.syunik.id))
    other = browser_for(vayots_manager)
    assert other.get(f"/schemes/{own.id}").status_code == 404
    assert "AM-SYU" not in other.get("/schemes/").get_data(as_text=True)
    assert other.post(f"/schemes/{own.id}/edit", data=_edit(own)).status_code == 404
    # The country's manager sees and configures every scheme of the country.
    national = browser_for(world.manager)
    assert "AM-SYU" in national.get("/schemes/").get_data(as_text=True)
    assert national.post(f"/schemes/{own.id}/edit", data=_edit(own, budget="7000")
                         ).status_code == 302


def test_a_province_manager_cannot_set_country_wide_prices_or_rates(world, browser_for,
                                                                    frozen, syunik_manager):
    province = browser_for(syunik_manager)
    prices = province.get("/prices/?country=AM").get_data(as_text=True)
    assert "/prices/new" not in prices
    before = db.session.scalar(select(func.count(MarketPrice.id)))
    refused = province.post("/prices/new", data={
        "country": "AM", "species": "sheep", "age_class": "adult_female", "amount": "1",
        "currency": "AMD", "valid_from": "2026-03-03"})
    assert refused.status_code == 403
    assert db.session.scalar(select(func.count(MarketPrice.id))) == before
    rates = province.get("/schemes/rates").get_data(as_text=True)
    assert 'name="per_usd"' not in rates
    assert province.post("/schemes/rates", data={
        "currency": "AMD", "per_usd": "1", "valid_from": "2026-03-03"}).status_code == 403
    assert db.session.scalar(select(func.count(ExchangeRate.id))) == 0


def test_a_country_manager_sets_the_rate_of_their_own_currency_only(world, browser_for,
                                                                   frozen):
    manager = browser_for(world.manager)
    form = manager.get("/schemes/rates").get_data(as_text=True)
    assert '<option value="GEL">' not in form and '<option value="AMD">' in form
    assert manager.post("/schemes/rates", data={
        "currency": "GEL", "per_usd": "2.7", "valid_from": "2026-03-03"}).status_code in (
        400, 403)
    assert db.session.scalar(select(func.count(ExchangeRate.id))) == 0
    assert manager.post("/schemes/rates", data={
        "currency": "AMD", "per_usd": "390", "valid_from": "2026-03-03"}).status_code == 302


def test_acting_on_the_whole_national_pool_needs_the_whole_country(world, browser_for,
                                                                   frozen, syunik_manager):
    """Settling an insurance pool pays claims of every province pro rata, and a year's
    performance payments go to every community: a province's staff may not trigger them
    for a national scheme."""
    national = _create(browser_for(world.manager), code="AM-INS", kind="insurance")
    _version(browser_for(world.manager), national)
    for who in (world.finance, syunik_manager):  # both work in Syunik only
        response = browser_for(who).post(f"/schemes/{national.id}/settle", data={
            "start": "2026-01-01", "end": "2026-03-01"})
        assert response.status_code == 403, response.get_data(as_text=True)[:2000]
    incentive = _create(browser_for(world.manager), code="AM-INC", kind="incentive")
    _version(browser_for(world.manager), incentive)
    response = browser_for(syunik_manager).post(f"/schemes/{incentive.id}/performance",
                                                data={"period": "2025"})
    assert response.status_code == 403


def test_a_withholding_elsewhere_is_not_for_a_province_manager_to_decide(world, browser_for,
                                                                         frozen,
                                                                         syunik_manager):
    from conflict_app.schemes import incentives
    from conflict_app.schemes.models import Withholding

    national = _create(browser_for(world.manager), code="AM-INC", kind="incentive")
    _version(browser_for(world.manager), national)
    item = incentives.withhold(world.manager, national.id, world.gndevaz.id,
                               "Retaliatory killing", clock.today())
    province = browser_for(syunik_manager)
    response = province.post(f"/schemes/withholdings/{item.id}/appeal",
                             data={"reason": "Lift it", "upheld": "y"})
    assert response.status_code == 302  # back to the scheme page, with the refusal
    page = province.get(response.headers["Location"]).get_data(as_text=True)
    assert "outside your jurisdiction" in page
    db.session.expire_all()
    assert db.session.get(Withholding, item.id).state == "active"


def test_another_provinces_report_is_not_there(world, browser_for, frozen, syunik_manager,
                                              vayots_manager):
    own = _create(browser_for(syunik_manager), code="AM-SYU", admin1=str(world.syunik.id))
    assert browser_for(vayots_manager).get(
        f"/documents/schemes/{own.id}/report.pdf").status_code == 404
    assert browser_for(syunik_manager).get(
        f"/documents/schemes/{own.id}/report.pdf").status_code == 200
