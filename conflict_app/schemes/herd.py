"""Two compensation rules beside the per-head valuation: missing animals and vet costs.

Missing animals (lost on summer pasture and never found) have no carcass, so no confirmed
count: a rule version that allows them pays the documented loss above a normal loss rate,
at herd level, from the counts before and after the season:

    paid heads = max(0, (count before − count after − heads otherwise explained)
                        − normal loss rate × count before), in whole heads.

This is the herd-level rule (as Norway applies to sheep on summer pasture); the percentage
cut per paid animal (``normal_loss_adult``/``young``) is a different rule and is not applied
to missing heads, so a loss is never reduced twice.

Injured animals are paid either as a share of the head's value (the rule of ``rules``) or,
when the rule version says so, as the vet invoice, capped per treated head (by default at
the value of one head). Pure functions over plain data, like ``rules``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from conflict_app.core.errors import N_, InvalidInput
from conflict_app.core.money import Money

ZERO = Decimal(0)


@dataclass(frozen=True)
class Season:
    """The counts recorded for one loss line of a missing-animals claim."""

    count_before: int | None
    counted_before_on: date | None
    count_after: int | None
    counted_after_on: date | None
    explained: int = 0  # heads gone for a known other reason (sold, slaughtered, found)
    signs_on: date | None = None  # leopard signs in the area, recorded by the verifier


@dataclass(frozen=True)
class HerdLoss:
    missing: int  # before − after − explained
    expected: Decimal  # normal loss rate × count before
    paid: int


def check_season(rules: dict, season: Season) -> None:
    """Refuse a missing-animals line the rule version does not allow or cannot value."""
    if not rules.get("missing_allowed"):
        raise InvalidInput(N_("This scheme's rule version does not pay for missing animals."))
    if None in (season.count_before, season.counted_before_on, season.count_after,
                season.counted_after_on):
        raise InvalidInput(N_("Missing animals are valued from the herd counts before and "
                              "after the season: record both counts and their dates first."))
    if season.counted_after_on < season.counted_before_on:
        raise InvalidInput(N_("The count after the season cannot be dated before the count "
                              "before it."))
    if season.count_after + season.explained > season.count_before:
        raise InvalidInput(N_("The heads counted after the season and the heads otherwise "
                              "explained are more than the herd before it."))
    if rules.get("missing_signs_required", True) and season.signs_on is None:
        raise InvalidInput(N_("This scheme pays for missing animals only when the verifier "
                              "has recorded leopard signs in the area."))


def herd_loss(rate: Decimal, season: Season) -> HerdLoss:
    missing = season.count_before - season.count_after - season.explained
    expected = rate * season.count_before
    paid = max(ZERO, Decimal(missing) - expected).to_integral_value(rounding=ROUND_FLOOR)
    return HerdLoss(missing, expected, int(paid))


def herd_steps(rate: Decimal, season: Season, loss: HerdLoss) -> list[tuple[str, dict, str | None]]:
    """The working of a herd-level loss as (text, params, rule) in words."""
    steps: list[tuple[str, dict, str | None]] = [
        (N_("Missing animals: %(before)s head counted on %(before_on)s before the season, "
            "%(after)s on %(after_on)s after it."),
         {"before": season.count_before, "before_on": {"date": season.counted_before_on
                                                       .isoformat()},
          "after": season.count_after, "after_on": {"date": season.counted_after_on
                                                    .isoformat()}}, "missing_allowed"),
        (N_("%(explained)s head gone for other known reasons; %(missing)s head missing "
            "(%(before)s − %(after)s − %(explained)s)."),
         {"explained": season.explained, "missing": loss.missing,
          "before": season.count_before, "after": season.count_after}, None),
        (N_("Normal loss over the season: %(rate)s of %(before)s head = %(expected)s head, "
            "deducted for the whole herd."),
         {"rate": {"percent": str(rate)}, "before": season.count_before,
          "expected": {"number": str(loss.expected.normalize())}}, "missing_normal_loss"),
        (N_("Heads paid: %(missing)s − %(expected)s = %(paid)s (whole heads, never below "
            "zero)."),
         {"missing": loss.missing, "expected": {"number": str(loss.expected.normalize())},
          "paid": loss.paid}, None),
    ]
    if season.signs_on is not None:
        steps.append((N_("Leopard signs in the area recorded by the verifier on %(date)s."),
                      {"date": {"date": season.signs_on.isoformat()}},
                      "missing_signs_required"))
    steps.append((N_("No carcass was found: the rate by confidence and the percentage cut "
                     "per animal do not apply to missing heads."), {}, None))
    return steps


def vet_amount(rules: dict, invoice: Money, heads: int, head_value: Money
               ) -> tuple[Money, list[tuple[str, dict, str | None]]]:
    """What of a vet invoice for ``heads`` treated heads is reimbursable, and why."""
    if invoice.currency != head_value.currency:
        raise InvalidInput(N_("The vet invoice is in %(invoice_currency)s but the claim is "
                              "paid in %(currency)s."), invoice_currency=invoice.currency,
                           currency=head_value.currency)
    cap_head = rules.get("vet_cap_head")
    rule = "vet_cap_head" if cap_head is not None else "vet_invoice"
    cap = Money(cap_head if cap_head is not None else head_value.amount, invoice.currency)
    steps: list[tuple[str, dict, str | None]] = [
        (N_("Vet treatment of %(heads)s injured head: invoice of %(invoice)s (the scheme "
            "pays the vet invoice instead of a share of the head's value)."),
         {"heads": heads, "invoice": {"money": str(invoice.amount),
                                      "currency": invoice.currency}}, "vet_invoice")]
    most = cap * heads
    if invoice.amount > most.amount:
        steps.append((N_("At most %(cap)s per treated head is paid: %(heads)s × %(cap)s = "
                         "%(most)s."),
                      {"cap": {"money": str(cap.amount), "currency": cap.currency},
                       "heads": heads,
                       "most": {"money": str(most.amount), "currency": most.currency}}, rule))
        return most, steps
    steps.append((N_("The invoice is within the cap of %(cap)s per treated head: paid in "
                     "full."), {"cap": {"money": str(cap.amount), "currency": cap.currency}},
                  rule))
    return invoice, steps
