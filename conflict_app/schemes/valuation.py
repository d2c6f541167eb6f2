"""Valuation of verified losses: the seam the scheme engine plugs into.

``assess`` in ``claims.operations`` builds a ``Case`` from the verification report and the
price table and asks a ``Valuer`` for an itemised ``Valuation``. Core ships the market-price
valuer (price × share of value × rate by confidence); compensation, insurance and incentive
schemes provide their own valuers with the same interface. Pure rules: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from conflict_app.core.errors import N_, InvalidInput
from conflict_app.core.money import Money


@dataclass(frozen=True)
class Loss:
    line_id: int
    species: str
    age_class: str
    killed: int  # confirmed by the verifier
    injured: int


@dataclass(frozen=True)
class Case:
    currency: str
    predator: str
    confidence: str
    losses: Sequence[Loss]
    # (species, age_class) -> market value of one head, in the claim's currency
    prices: Mapping[tuple[str, str], Money]


@dataclass(frozen=True)
class Item:
    """One line of the assessment, with every factor that produced it."""

    line_id: int
    species: str
    age_class: str
    kind: str  # "killed" or "injured"
    heads: int
    unit_value: Money
    share: Decimal  # share of market value paid
    rate: Decimal  # rate by confidence (0 when the predator is not covered)
    amount: Money
    note: str | None = None  # a code explaining a zero rate, translated at display


@dataclass(frozen=True)
class Valuation:
    rule: str
    currency: str
    items: tuple[Item, ...]
    total: Money
    notes: tuple[str, ...] = field(default_factory=tuple)


class Valuer(Protocol):
    rule: str

    def value(self, case: Case) -> Valuation: ...


@dataclass(frozen=True)
class MarketShareValuer:
    """Market price × share of value × rate by confidence; injured at a fixed share."""

    share_of_value: Decimal
    injured_share: Decimal
    rate_by_confidence: Mapping[str, Decimal]
    eligible_predators: frozenset[str]
    rule: str = "market-share-v1"

    def value(self, case: Case) -> Valuation:
        covered = case.predator in self.eligible_predators
        rate = self.rate_by_confidence.get(case.confidence, Decimal(0)) if covered else Decimal(0)
        note = None if covered else N_("predator not covered")
        if covered and rate == 0:
            note = N_("confidence level pays nothing")
        items: list[Item] = []
        for loss in case.losses:
            for kind, heads, share in (
                ("killed", loss.killed, self.share_of_value),
                ("injured", loss.injured, self.share_of_value * self.injured_share),
            ):
                if heads <= 0:
                    continue
                price = case.prices.get((loss.species, loss.age_class))
                if price is None:
                    raise InvalidInput(
                        N_("No market price for %(species)s (%(age_class)s) on the incident "
                           "date. Add one to the price table first."),
                        species=loss.species,
                        age_class=loss.age_class,
                    )
                if price.currency != case.currency:
                    raise InvalidInput(
                        N_("The market price is in %(price_currency)s but the claim is paid "
                           "in %(currency)s."),
                        price_currency=price.currency,
                        currency=case.currency,
                    )
                amount = (price * heads * share * rate).rounded()
                items.append(
                    Item(loss.line_id, loss.species, loss.age_class, kind, heads, price,
                         share, rate, amount, note)
                )
        total = sum((i.amount for i in items), Money.zero(case.currency))
        return Valuation(self.rule, case.currency, tuple(items), total)
