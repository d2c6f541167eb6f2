"""Market price tables: a change is a new dated row, never an edit, so every old decision
stays explainable with the prices it used."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.claims.models import AgeClass
from conflict_app.core import audit
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import Role
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo.models import Country
from conflict_app.herders.models import Species
from conflict_app.schemes.models import MarketPrice


def set_price(actor: User, country_code: str, species: Species, age_class: AgeClass,
              amount: Decimal, currency: str, valid_from: date) -> MarketPrice:
    if not actor.has_role(Role.SCHEME_MANAGER, Role.ADMIN):
        raise PermissionDenied(N_("Your role may not do this."))
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
