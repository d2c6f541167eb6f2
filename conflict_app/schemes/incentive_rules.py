"""The incentive rules as pure functions: what a community's verified presence records
count for, its performance payment, and mitigation adoption payments (PRODUCT.md §4)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from conflict_app.core.errors import N_, NP_, InvalidInput
from conflict_app.core.money import Money
from conflict_app.schemes.rules import ZERO, Step, label_param, money_param

# --- incentives -------------------------------------------------------------------------
PRESENCE_KINDS = ("occasional", "regular", "reproduction")


# Records of reproduction in one community this close together are one family group (the
# same litter seen again), not a second reproduction.
SAME_LITTER_DAYS = 120


def presence_events(records: Iterable[tuple[str, date]]) -> dict[str, int]:
    """What a community's records of a period count for: presence once, at its highest
    class (regular above occasional); each family group once, however often recorded."""
    counts: dict[str, int] = {}
    litters: list[date] = []
    presence = set()
    for kind, observed_on in sorted(records, key=lambda r: r[1]):
        if kind == "reproduction":
            if not litters or (observed_on - litters[-1]).days > SAME_LITTER_DAYS:
                litters.append(observed_on)
            else:
                litters[-1] = observed_on  # the group seen again: the window moves on
        else:
            presence.add(kind)
    if litters:
        counts["reproduction"] = len(litters)
    if "regular" in presence:
        counts["regular"] = 1
    elif "occasional" in presence:
        counts["occasional"] = 1
    return counts


def performance(rules: Mapping[str, object], counts: Mapping[str, int], currency: str
                ) -> tuple[Money, tuple[Step, ...]]:
    """A community's performance payment for a period from its verified records."""
    weights = {"occasional": 1, "regular": rules["weight_regular"],
               "reproduction": rules["weight_reproduction"]}
    unit = Money(rules["presence_unit"], currency)
    steps = []
    units = 0
    for kind in PRESENCE_KINDS:
        n = counts.get(kind, 0)
        if n:
            units += n * int(weights[kind])
            steps.append(Step(N_("%(count)s × %(kind)s, worth %(weight)s each."),
                              {"count": n, "kind": label_param("presence", kind),
                               "weight": int(weights[kind])},
                              None if kind == "occasional" else f"weight_{kind}"))
    amount = (unit * units).rounded()
    steps.append(Step(N_("%(units)s × %(unit)s = %(amount)s."),
                      {"units": units, "unit": money_param(unit),
                       "amount": money_param(amount)}, "presence_unit"))
    return amount, tuple(steps)


def adoption(rules: Mapping[str, object], measure: str, paid_before: Money,
             count_before: int = 0) -> tuple[Money, tuple[Step, ...]]:
    """A mitigation adoption payment, capped per household across the scheme: at most so
    many payments, and at most so much money."""
    subsidy = rules.get(f"adoption_{measure}")
    if subsidy is None:
        raise InvalidInput(N_("This scheme pays nothing for this measure."))
    most = rules.get("household_adoption_count")
    if most is not None and count_before >= most:
        raise InvalidInput(NP_("The household has had %(count)s adoption payment, the most "
                               "the scheme pays.",
                               "The household has had %(count)s adoption payments, the most "
                               "the scheme pays."), count=count_before)
    amount = Money(subsidy, paid_before.currency)
    steps = [Step(N_("Adoption payment for %(measure)s: %(amount)s."),
                  {"measure": label_param("measure", measure), "amount": money_param(amount)},
                  f"adoption_{measure}")]
    cap = rules.get("household_adoption_amount")
    if cap is not None:
        left = max(cap - paid_before.amount, ZERO)
        if amount.amount > left:
            amount = Money(left, amount.currency)
            steps.append(Step(N_("Capped at %(cap)s: what is left of the household's cap."),
                              {"cap": money_param(amount)}, "household_adoption_amount"))
    return amount.rounded(), tuple(steps)
