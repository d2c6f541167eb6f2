"""The API's side of market prices and exchange rates: the rows the price and rate pages
show (to scheme managers), and new rows through the same operations as those pages
(schemes.prices.set_price, set_rate) with the ``schemes`` scope. Rows are never edited: a
change is a new row from a later day, so there is no If-Match here."""

from __future__ import annotations

from datetime import date

from flask import g, request
from pydantic import BaseModel, Field
from sqlalchemy import select

from conflict_app.api import schemas
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    idempotent,
    json_response,
    page_args,
)
from conflict_app.claims.models import AgeClass
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import Country
from conflict_app.herders.models import Species
from conflict_app.schemes import prices
from conflict_app.schemes.models import ExchangeRate, MarketPrice

MANAGERS = (Role.SCHEME_MANAGER, Role.ADMIN)  # as the price and rate pages


class PriceOut(BaseModel):
    id: int
    country: str
    species: str
    age_class: str
    amount: str
    currency: str
    valid_from: date
    in_force: bool = Field(description="The price valuations use today for this animal")


class PricePage(BaseModel):
    items: list[PriceOut]
    next_cursor: str | None


class PriceIn(schemas.Strict):
    country: str = Field(pattern="^[A-Z]{2}$")
    species: Species
    age_class: schemas.AgeClassCode
    amount: schemas.number(0, 1e12) = Field(  # type: ignore[valid-type]
        description="Market value of one head, positive, at most 2 decimals")
    currency: str = Field(pattern="^[A-Z]{3}$",
                          description="The country's currency, USD or EUR")
    valid_from: date


class RateOut(BaseModel):
    id: int
    currency: str
    per_usd: str = Field(description="Units of the currency for one US dollar")
    valid_from: date
    source: str | None


class RatePage(BaseModel):
    items: list[RateOut]
    next_cursor: str | None


class RateIn(schemas.Strict):
    currency: str = Field(pattern="^[A-Z]{3}$")
    per_usd: schemas.number(0, 1e12) = Field(  # type: ignore[valid-type]
        description="Positive, at most 6 decimals")
    valid_from: date
    source: str | None = schemas.text(default=None, max_length=160)


MODELS = (PriceOut, PricePage, PriceIn, RateOut, RatePage, RateIn)


def _manager():  # noqa: ANN202
    user = g.api_user
    if not user.has_role(*MANAGERS):
        raise ApiError(403, "Forbidden", "Prices and exchange rates are kept by scheme "
                                         "managers.")
    return user


def _in_force(country: str, ids: list[int]) -> set[int]:
    """Of these price rows, those in force today: per animal, the newest not in the future."""
    if not ids:
        return set()
    rows = db.session.execute(
        select(MarketPrice.id, MarketPrice.species, MarketPrice.age_class)
        .where(MarketPrice.country_code == country,
               MarketPrice.valid_from <= timezones.today_where(country))
        .order_by(MarketPrice.valid_from.desc())).all()
    first: dict = {}
    for row_id, species, age_class in rows:
        first.setdefault((species, age_class), row_id)
    return set(first.values()) & set(ids)


def price_out(price: MarketPrice, in_force: set[int]) -> PriceOut:
    return PriceOut(id=price.id, country=price.country_code, species=price.species.value,
                    age_class=price.age_class.value, amount=str(price.amount),
                    currency=price.currency, valid_from=price.valid_from,
                    in_force=price.id in in_force)


def rate_out(rate: ExchangeRate) -> RateOut:
    return RateOut(id=rate.id, currency=rate.currency, per_usd=str(rate.per_usd),
                   valid_from=rate.valid_from, source=rate.source)


@bp.route("/prices", methods=["GET"])
@authenticated("read")
def list_prices():
    user = _manager()
    # Without a country, a country's manager sees that country's table, as on the page.
    country = request.args.get("country") or user.jurisdiction_country
    if country is None or db.session.get(Country, country) is None:
        raise ApiError(400, "Bad query", "country is the code of a country (e.g. AM).")
    if user.jurisdiction_country not in (None, country):
        raise ApiError(403, "Forbidden", "This country is outside your jurisdiction.")
    after, limit = page_args()
    query = select(MarketPrice).where(MarketPrice.country_code == country)
    if after is not None:
        query = query.where(MarketPrice.id > after)
    rows = db.session.scalars(query.order_by(MarketPrice.id).limit(limit + 1)).all()
    shown = rows[:limit]
    in_force = _in_force(country, [r.id for r in shown])
    return json_response(PricePage(
        items=[price_out(r, in_force) for r in shown],
        next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None))


@bp.route("/prices", methods=["POST"])
@authenticated("schemes")
@idempotent
def create_price():
    user = _manager()
    data = body(PriceIn)
    price = prices.set_price(user, data.country, Species(data.species),
                             AgeClass(data.age_class), data.amount, data.currency,
                             data.valid_from)
    db.session.expire_all()
    price = db.session.get(MarketPrice, price.id)
    return json_response(price_out(price, _in_force(price.country_code, [price.id])), 201)


@bp.route("/exchange-rates", methods=["GET"])
@authenticated("read")
def list_rates():
    _manager()
    currency = request.args.get("currency")
    after, limit = page_args()
    query = select(ExchangeRate)
    if currency:
        query = query.where(ExchangeRate.currency == currency.upper())
    if after is not None:
        query = query.where(ExchangeRate.id > after)
    rows = db.session.scalars(query.order_by(ExchangeRate.id).limit(limit + 1)).all()
    return json_response(RatePage(
        items=[rate_out(r) for r in rows[:limit]],
        next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None))


@bp.route("/exchange-rates", methods=["POST"])
@authenticated("schemes")
@idempotent
def create_rate():
    user = _manager()
    data = body(RateIn)
    rate = prices.set_rate(user, data.currency, data.valid_from, data.per_usd, data.source)
    db.session.expire_all()
    return json_response(rate_out(db.session.get(ExchangeRate, rate.id)), 201)
