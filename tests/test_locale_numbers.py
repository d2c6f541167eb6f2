"""A scheme manager types numbers as their locale writes them, into the real forms.

For every offered locale the figures are written by Babel in that locale (group and decimal
signs as CLDR has them: «1 234 567,5» in Russian, «1.234.567,5» in Turkish) and, for the
Arabic-script locales, in their own digits; the scheme, its rule version's share of value,
its second-review share, an exchange rate and a market price must all be stored exactly,
and the form shows a stored share back with the locale's decimal sign.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_decimal, get_decimal_symbol
from sqlalchemy import select

from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.i18n import LOCALES, NATIVE_DIGITS
from conflict_app.schemes import params
from conflict_app.schemes.models import ExchangeRate, MarketPrice, RuleVersion, Scheme


def written(value: str, locale: str) -> str:
    """``value`` as a person using ``locale`` types it (grouping, decimal sign, digits)."""
    text = format_decimal(Decimal(value), locale=locale, decimal_quantization=False)
    table = NATIVE_DIGITS.get(locale)
    return text.translate(str.maketrans("0123456789", table)) if table else text


@pytest.fixture
def frozen():
    clock.freeze(clock.now().replace(year=2026, month=3, day=1))
    yield
    clock.freeze(None)


@pytest.mark.parametrize("locale", [code for code in LOCALES if code != "en"])
def test_scheme_manager_types_the_locales_numbers(world, browser_for, frozen, locale):
    world.manager.locale = locale
    db.session.flush()
    manager = browser_for(world.manager)
    budget, share = written("1234567.5", locale), written("0.75", locale)
    assert budget != "1234567.5" or locale == "en"
    response = manager.post("/schemes/new", data={
        "code": "AM-LOC", "name": "Syunik", "kind": "compensation", "country": "AM",
        "admin1": "", "currency": "AMD", "valid_from": "2026-01-01", "valid_to": "",
        "budget": budget, "over_budget": "refuse", "review_share": share,
        "review_above": written("250000", locale), "funders": "Example fund"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    scheme = db.session.scalars(select(Scheme).where(Scheme.code == "AM-LOC")).one()
    assert (scheme.budget, scheme.review_share) == (Decimal("1234567.5"), Decimal("0.75"))

    version = manager.post(f"/schemes/{scheme.id}/versions/new", data={
        "valid_from": "2026-01-01", "note": "first", "predators": "leopard",
        "species": list(params.SPECIES), "share_of_value": written("0.6", locale)})
    assert version.status_code == 302, version.get_data(as_text=True)[:3000]
    stored = db.session.scalars(select(RuleVersion).where(
        RuleVersion.scheme_id == scheme.id)).one()
    values = params.parse(params.SchemeKind.COMPENSATION, stored.values)
    assert Decimal(str(values["share_of_value"])) == Decimal("0.6")

    rate = manager.post("/schemes/rates", data={
        "currency": "AMD", "per_usd": written("1234.5", locale), "valid_from": "2026-01-01",
        "source": "central bank"})
    assert rate.status_code == 302, rate.get_data(as_text=True)[:2000]
    assert db.session.scalars(select(ExchangeRate.per_usd)).one() == Decimal("1234.5")

    price = manager.post("/prices/new", data={
        "country": "AM", "species": "goat", "age_class": "adult_male",
        "amount": written("55000.5", locale), "currency": "AMD", "valid_from": "2026-01-01"})
    assert price.status_code == 302, price.get_data(as_text=True)[:2000]
    assert db.session.scalars(select(MarketPrice.amount).order_by(MarketPrice.id.desc())
                              ).first() == Decimal("55000.5")

    page = manager.get(f"/schemes/{scheme.id}").get_data(as_text=True)
    assert f'value="0{get_decimal_symbol(locale)}75"' in page  # shown as the locale writes it


@pytest.mark.parametrize(("locale", "expected"), [
    ("en", "1,234.57"), ("ru", "1\u00a0234,57"), ("kk", "1\u00a0234,57"), ("tr", "1.234,57"),
    ("az", "1.234,57"), ("hy", "1\u00a0234,57"), ("fa", "1,234.57"), ("uz", "1\u00a0234,57"),
])
def test_statistics_are_shown_in_the_locales_format(app, locale, expected):
    from flask_babel import force_locale

    from conflict_app.i18n import fixed

    with app.test_request_context(), force_locale(locale):
        assert fixed(1234.5678, 2).replace("\u202f", "\u00a0") == expected.replace(
            "\u202f", "\u00a0")
        assert fixed(None) == ""


def test_no_page_prints_pythons_rounded_floats():
    from pathlib import Path

    templates = Path(__file__).resolve().parents[1] / "templates"
    offenders = [p.name for p in templates.rglob("*.html") if "|round(" in p.read_text()]
    assert offenders == []
