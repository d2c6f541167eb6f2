"""Money: a Decimal amount with an ISO 4217 currency, never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import get_currency_precision

# PRODUCT.md §4: the currencies of the range states plus USD and EUR.
CURRENCIES = (
    "AFN", "AMD", "AZN", "GEL", "IQD", "IRR", "KZT", "PKR",
    "RUB", "TJS", "TMT", "TRY", "UZS", "USD", "EUR",
)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("Money needs a Decimal, not a float")
        if self.currency not in CURRENCIES:
            raise ValueError(f"unknown currency {self.currency!r}")
        try:
            amount = Decimal(self.amount)
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {self.amount!r}") from exc
        object.__setattr__(self, "amount", amount)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def rounded(self) -> Money:
        """Round half up to the currency's minor unit (IRR 0, USD 2, ...)."""
        places = Decimal(1).scaleb(-get_currency_precision(self.currency))
        return Money(self.amount.quantize(places, rounding=ROUND_HALF_UP), self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float):
            raise TypeError("multiply Money by a Decimal, not a float")
        return Money(self.amount * Decimal(factor), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
