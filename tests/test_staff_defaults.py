"""Forms start from values that fit the user and the scheme: the manager's own currency,
enrolment dates inside the scheme's validity, and no error before anything was entered."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from conflict_app.core import clock
from conflict_app.core.permissions import Role
from tests.test_schemes import _create, _version


@pytest.fixture
def frozen():
    clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    yield
    clock.freeze(None)


def _selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected',
                       select)
    return (chosen.group(1) or chosen.group(2)) if chosen else None


def _value(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html).group(1)


@pytest.mark.parametrize(("country", "currency"), [("AM", "AMD"), ("GE", "GEL")])
def test_new_schemes_and_prices_start_in_the_managers_currency(world, browser_for, frozen,
                                                               country, currency):
    manager = world.user(f"manager@{country.lower()}.example", {Role.SCHEME_MANAGER},
                         country)
    browser = browser_for(manager)
    scheme_form = browser.get("/schemes/new").get_data(as_text=True)
    assert _selected(scheme_form, "currency") == currency
    assert _selected(scheme_form, "country") == country
    price_form = browser.get("/prices/new").get_data(as_text=True)
    assert _selected(price_form, "currency") == currency


def test_a_province_manager_starts_with_their_province(world, browser_for, frozen):
    manager = world.user("manager@syunik.test", {Role.SCHEME_MANAGER}, "AM", world.syunik.id)
    form = browser_for(manager).get("/schemes/new").get_data(as_text=True)
    assert _selected(form, "admin1") == str(world.syunik.id)


def test_enrolment_dates_start_inside_the_schemes_validity(world, browser_for, frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager, code="AM-INS", kind="insurance", budget="0",
                     valid_from="2026-01-01", valid_to="2026-06-30")
    _version(manager, scheme)
    form = manager.get(f"/schemes/{scheme.id}/enrol").get_data(as_text=True)
    starts, ends = (date.fromisoformat(_value(form, n)) for n in ("starts_on", "ends_on"))
    assert date(2026, 3, 2) <= starts <= ends <= date(2026, 6, 30)
    later = _create(manager, code="AM-INS2", kind="insurance", budget="0",
                    valid_from="2026-04-01", valid_to="")
    _version(manager, later, valid_from="2026-04-01")
    form = manager.get(f"/schemes/{later.id}/enrol").get_data(as_text=True)
    assert _value(form, "starts_on") == "2026-04-01"
    assert _value(form, "ends_on") == "2027-03-31"  # a year of cover


def test_the_dry_run_page_opens_without_errors(world, browser_for, frozen):
    manager = browser_for(world.manager)
    scheme = _create(manager)
    version = _version(manager, scheme)
    page = manager.get(f"/schemes/versions/{version.id}/dry-run")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This field is required." not in html and "error-box" not in html
    assert _value(html, "start") and _value(html, "end")
