"""Market prices and exchange rates: dated rows, never edited. A change is a new row from a
later day, so every old valuation and every old conversion stays explainable."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import g, has_app_context
from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.claims.models import AgeClass
from conflict_app.core import audit
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.money import CURRENCIES, Money
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo.models import Country
from conflict_app.herders.models import Species
from conflict_app.schemes import scope
from conflict_app.schemes.models import ExchangeRate, MarketPrice


def set_price(actor: User, country_code: str, species: Species, age_class: AgeClass,
              amount: Decimal, currency: str, valid_from: date) -> MarketPrice:
    scope.require_country_level(actor, field="country")
    if actor.jurisdiction_country not in (None, country_code):
        raise PermissionDenied(N_("This country is outside your jurisdiction."),
                               field="country")
    country = db.session.get(Country, country_code)
    if country is None:
        raise InvalidInput(N_("Choose a country from the list."), field="country")
    if currency not in {country.currency, "USD", "EUR"}:
        raise InvalidInput(N_("Prices in %(country)s are in %(currency)s (or USD or EUR)."),
                           field="currency", country=country.name, currency=country.currency)
    if amount <= 0 or amount.as_tuple().exponent < -2:
        raise InvalidInput(N_("Enter a positive amount with at most 2 decimals."),
                           field="amount")
    with unit_of_work():
        exists = db.session.scalar(select(MarketPrice.id).where(
            MarketPrice.country_code == country_code, MarketPrice.species == species,
            MarketPrice.age_class == age_class, MarketPrice.valid_from == valid_from))
        if exists:
            raise InvalidInput(N_("A price for this animal already starts on that day. Give "
                                  "the new price a later date."), field="valid_from")
        price = MarketPrice(country_code=country_code, species=species, age_class=age_class,
                            amount=amount, currency=currency, valid_from=valid_from,
                            created_by_id=actor.id)
        db.session.add(price)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="market_price", object_id=price.id,
                     action="set_price",
                     changes={"country": country_code, "species": species.value,
                              "age_class": age_class.value, "amount": amount,
                              "currency": currency, "valid_from": valid_from})
    return price



def set_rate(actor: User, currency: str, valid_from: date, per_usd: Decimal,
             source: str | None = None) -> ExchangeRate:
    scope.require_country_level(actor, field="currency")
    if currency not in CURRENCIES or currency == "USD":
        raise InvalidInput(N_("Choose a currency from the list."), field="currency")
    own = db.session.get(Country, actor.jurisdiction_country) \
        if actor.jurisdiction_country else None
    if own is not None and currency != own.currency:
        # A rate is shared by every country that reports in the currency.
        raise PermissionDenied(N_("You may set the rate of your country's currency "
                                  "(%(currency)s) only."), field="currency",
                               currency=own.currency)
    if per_usd <= 0 or per_usd.as_tuple().exponent < -6:
        raise InvalidInput(N_("Enter a positive rate with at most 6 decimals."),
                           field="per_usd")
    with unit_of_work():
        if db.session.scalar(select(ExchangeRate.id).where(
                ExchangeRate.currency == currency, ExchangeRate.valid_from == valid_from)):
            raise InvalidInput(N_("A rate for this currency already starts on that day."),
                               field="valid_from")
        rate = ExchangeRate(currency=currency, valid_from=valid_from, per_usd=per_usd,
                            source=(source or "").strip() or None, created_by_id=actor.id)
        db.session.add(rate)
        db.session.flush()
        if has_app_context():
            g.pop("usd_rates", None)  # a conversion after this uses the new rate
        audit.record(actor_id=actor.id, object_type="exchange_rate", object_id=rate.id,
                     action="set_rate", changes={"currency": currency, "per_usd": per_usd,
                                                 "valid_from": valid_from})
    return rate


def _rate(currency: str, on: date) -> Decimal | None:
    """The rate of that day, read once per request: a scheme page converts each of its
    budget lines, and read the same row six times."""
    seen = g.setdefault("usd_rates", {}) if has_app_context() else {}
    if (currency, on) not in seen:
        seen[currency, on] = db.session.scalar(
            select(ExchangeRate.per_usd).where(ExchangeRate.currency == currency,
                                               ExchangeRate.valid_from <= on)
            .order_by(ExchangeRate.valid_from.desc()).limit(1))
    return seen[currency, on]


def to_usd(money: Money, on: date) -> Money | None:
    """The amount in USD at the rate recorded for that day; None when no rate is known."""
    if money.currency == "USD":
        return money
    per_usd = _rate(money.currency, on)
    if per_usd is None:
        return None
    return Money(money.amount / per_usd, "USD").rounded()


