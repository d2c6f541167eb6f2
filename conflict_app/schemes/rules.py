"""The rules of the three scheme kinds as pure functions over plain data.

Every function returns its result together with the steps that produced it, so the claim
page and the decision letter can show how each amount was reached, rule by rule. No Flask,
no database: the same functions value a claim, dry-run a draft rule version and are tested
with generated cases (tests/test_scheme_rules.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from babel.numbers import get_currency_precision

from conflict_app.core.errors import N_, InvalidInput
from conflict_app.core.money import Money
from conflict_app.schemes import harm, herd

ZERO = Decimal(0)
ONE = Decimal(1)


# --- explanation ----------------------------------------------------------------------
def money_param(m: Money) -> dict[str, str]:
    return {"money": str(m.amount), "currency": m.currency}


def share_param(d: Decimal) -> dict[str, str]:
    return {"percent": str(d)}


def label_param(group: str, value: str) -> dict[str, str]:
    return {"label": group, "value": value}


@dataclass(frozen=True)
class Step:
    """One line of the explanation: a translatable text, its values, the rule behind it."""

    text: str  # msgid marked with N_; params are filled in at display
    params: Mapping[str, object]
    rule: str | None = None  # the rule-version parameter that caused the step
    line_id: int | None = None

    def as_json(self) -> dict[str, object]:
        return {"text": self.text, "params": dict(self.params), "rule": self.rule,
                "line": self.line_id}


@dataclass(frozen=True)
class Loss:
    line_id: int
    species: str
    age_class: str
    killed: int
    injured: int


@dataclass(frozen=True)
class Line:
    """One assessed line: heads paid of one kind, with the factors that gave its amount."""

    line_id: int
    species: str
    age_class: str
    kind: str  # "killed" or "injured"
    heads: int  # heads paid (after head caps)
    heads_lost: int
    unit_value: Money  # market or insured value of one head
    share: Decimal  # effective share of value (share, injured share, cap per head)
    rate: Decimal  # effective rate (confidence, husbandry, per-animal cut)
    amount: Money
    note: str | None = None


@dataclass(frozen=True)
class Result:
    rule: str
    currency: str
    lines: tuple[Line, ...]
    total: Money
    steps: tuple[Step, ...]
    interim: Money | None = None


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about one claim, gathered by the caller."""

    currency: str
    predator: str
    confidence: str
    losses: Sequence[Loss]
    prices: Mapping[tuple[str, str], Money] = field(default_factory=dict)
    night_outside_corral: bool = False
    subsidised_corral: bool = False
    year_heads_before: int = 0  # heads already approved for the household this year
    year_amount_before: Decimal = ZERO
    # insurance: species -> (insured heads, insured value of one head)
    insured: Mapping[str, tuple[int, Money]] = field(default_factory=dict)
    insured_heads_claimed: Mapping[str, int] = field(default_factory=dict)
    # loss line id -> herd counts of a missing-animals line / the vet invoice of its injured
    seasons: Mapping[int, herd.Season] = field(default_factory=dict)
    invoices: Mapping[int, Money] = field(default_factory=dict)
    harm: harm.Harm | None = None  # an injury, a death or crop damage (schemes.harm)


def _rate(rules: Mapping[str, object], facts: Facts) -> tuple[Decimal, Step, str | None]:
    if facts.predator not in rules["predators"]:
        return ZERO, Step(N_("The scheme does not cover this predator (%(predator)s): "
                             "nothing is paid."),
                          {"predator": label_param("predator", facts.predator)},
                          "predators"), N_("predator not covered")
    rate = rules.get(f"rate_{facts.confidence}", ZERO)
    rate = rate if isinstance(rate, Decimal) else ZERO
    step = Step(N_("Confidence %(confidence)s: rate %(rate)s."),
                {"confidence": label_param("confidence", facts.confidence),
                 "rate": share_param(rate)}, f"rate_{facts.confidence}")
    return rate, step, (N_("confidence level pays nothing") if rate == 0 else None)


@dataclass
class _Unit:
    loss: Loss
    kind: str
    heads: int
    value: Money  # one head before any factor
    share: Decimal
    rate: Decimal
    note: str | None
    steps: list[Step]
    heads_lost: int = 0
    whole: bool = False  # value is for all heads together (a vet invoice), not one head

    def per_head(self) -> Decimal:
        per = self.value.amount * self.share * self.rate
        return per / self.heads if self.whole and self.heads else per

    def sort_key(self) -> tuple:
        # Highest value first; ties broken by content, never by input order.
        return (-self.per_head(), self.loss.species, self.loss.age_class, self.kind,
                self.loss.line_id)


def _cap_heads(units: list[_Unit], allowed: int | None, step_text: str, rule: str) -> None:
    """Pay at most ``allowed`` heads, the most valuable ones first."""
    if allowed is None or sum(u.heads for u in units) <= allowed:
        return
    left = max(allowed, 0)
    for u in sorted(units, key=_Unit.sort_key):
        paid = min(u.heads, left)
        left -= paid
        if paid < u.heads:
            u.steps.append(Step(step_text, {"paid": paid, "heads": u.heads, "cap": allowed},
                                rule, u.loss.line_id))
            if u.whole:
                u.value = Money(u.value.amount * paid / u.heads, u.value.currency)
            u.heads = paid


def _finish(facts: Facts, units: list[_Unit], steps: list[Step]
            ) -> tuple[list[Line], Money, list[Step]]:
    lines = []
    for u in sorted(units, key=lambda u: (u.loss.line_id, u.kind != "killed")):
        if u.whole:
            amount = Money(u.value.amount * u.share * u.rate, facts.currency).rounded()
            u.steps.append(Step(N_("%(value)s × %(rate)s = %(amount)s"),
                                {"value": money_param(u.value),
                                 "rate": share_param(u.rate.normalize()),
                                 "amount": money_param(amount)}, None, u.loss.line_id))
        else:
            amount = Money(u.per_head() * u.heads, facts.currency).rounded()
            u.steps.append(Step(N_("%(heads)s × %(value)s × %(share)s × %(rate)s = %(amount)s"),
                                {"heads": u.heads, "value": money_param(u.value),
                                 "share": share_param(u.share.normalize()),
                                 "rate": share_param(u.rate.normalize()),
                                 "amount": money_param(amount)}, None, u.loss.line_id))
        steps.extend(u.steps)
        lines.append(Line(u.loss.line_id, u.loss.species, u.loss.age_class, u.kind, u.heads,
                          u.heads_lost, u.value,
                          u.share, u.rate, amount, u.note))
    total = sum((ln.amount for ln in lines), Money.zero(facts.currency))
    return lines, total, steps


def _head_intro(loss: Loss, kind: str, heads: int, value: Money, source: str) -> Step:
    text = {"killed": N_("%(heads)s %(species)s (%(age_class)s) killed; value of one head "
                         "%(value)s (%(source)s)."),
            "missing": N_("%(heads)s %(species)s (%(age_class)s) paid as missing; value of "
                          "one head %(value)s (%(source)s).")}.get(kind, N_(
                "%(heads)s %(species)s (%(age_class)s) injured; value of one head %(value)s "
                "(%(source)s)."))
    return Step(text, {"heads": heads, "species": label_param("species", loss.species),
                       "age_class": label_param("age_class", loss.age_class),
                       "value": money_param(value), "source": {"text": source}}, None, loss.line_id)


def _price(facts: Facts, loss: Loss) -> Money:
    price = facts.prices.get((loss.species, loss.age_class))
    if price is None:
        raise InvalidInput(
            N_("No market price for %(species)s (%(age_class)s) on the incident "
               "date. Add one to the price table first."),
            species=loss.species, age_class=loss.age_class)
    if price.currency != facts.currency:
        raise InvalidInput(
            N_("The market price is in %(price_currency)s but the claim is paid in "
               "%(currency)s."), price_currency=price.currency, currency=facts.currency)
    return price


def _missing_unit(rules: Mapping[str, object], facts: Facts, loss: Loss, price: Money
                  ) -> _Unit:
    """Missing heads at herd level (schemes.herd): no confidence rate, no per-animal cut."""
    season = facts.seasons[loss.line_id]
    herd.check_season(rules, season)
    found = herd.herd_loss(rules["missing_normal_loss"], season)
    steps = [Step(t, p, r, loss.line_id)
             for t, p, r in herd.herd_steps(rules["missing_normal_loss"], season, found)]
    u = _Unit(loss, "missing", found.paid, price, rules["share_of_value"], ONE, None,
              [*steps, _head_intro(loss, "missing", found.paid, price,
                                   N_("market price table"))], found.missing)
    u.steps.append(Step(N_("Share of market value paid: %(share)s."),
                        {"share": share_param(u.share)}, "share_of_value", loss.line_id))
    return u


def _vet_unit(rules: Mapping[str, object], facts: Facts, loss: Loss, heads: int,
              price: Money, rate: Decimal, note: str | None) -> _Unit:
    """Injured heads paid as their vet invoice, capped per head (schemes.herd)."""
    invoice = facts.invoices.get(loss.line_id)
    if invoice is None:
        raise InvalidInput(N_("This scheme pays the vet invoice for injured animals: record "
                              "the invoice of %(species)s (%(age_class)s) first."),
                           species=loss.species, age_class=loss.age_class)
    paid, steps = herd.vet_amount(rules, invoice, heads, price)
    u = _Unit(loss, "vet", heads, paid, ONE, rate, note,
              [Step(t, p, r, loss.line_id) for t, p, r in steps], heads, whole=True)
    if facts.night_outside_corral and facts.subsidised_corral:
        u.rate = u.rate * rules["corral_modifier"]
        u.steps.append(Step(N_("Lost at night outside the corral the household "
                               "received: rate × %(modifier)s."),
                            {"modifier": share_param(rules["corral_modifier"])},
                            "corral_modifier", loss.line_id))
    return u


def compensate(rules: Mapping[str, object], facts: Facts, rule_name: str) -> Result:
    """Compensation: market value × share × rate, modifiers, caps, deductions, minimum."""
    rate, rate_step, note = _rate(rules, facts)
    steps = [rate_step]
    units: list[_Unit] = []
    covered_species = rules.get("species")
    for loss in facts.losses:
        if covered_species is not None and loss.species not in covered_species:
            steps.append(Step(N_("The scheme does not cover %(species)s: nothing is paid for "
                                 "them."), {"species": label_param("species", loss.species)},
                              "species", loss.line_id))
            continue
        if loss.line_id in facts.seasons:
            units.append(_missing_unit(rules, facts, loss, _price(facts, loss)))
            continue
        for kind, heads in (("killed", loss.killed), ("injured", loss.injured)):
            if heads <= 0:
                continue
            price = _price(facts, loss)
            if kind == "injured" and rules.get("vet_invoice"):
                units.append(_vet_unit(rules, facts, loss, heads, price, rate, note))
                continue
            u = _Unit(loss, kind, heads, price, rules["share_of_value"], rate, note,
                      [_head_intro(loss, kind, heads, price, N_("market price table"))], heads)
            u.steps.append(Step(N_("Share of market value paid: %(share)s."),
                                {"share": share_param(u.share)}, "share_of_value",
                                loss.line_id))
            if kind == "injured":
                u.share = u.share * rules["injured_share"]
                u.steps.append(Step(N_("Injured animal: %(share)s of that."),
                                    {"share": share_param(rules["injured_share"])},
                                    "injured_share", loss.line_id))
            cap = rules.get(f"cap_head_{loss.species}")
            if cap is not None and price.amount * u.share > cap:
                u.share = cap / price.amount
                u.steps.append(Step(N_("At most %(cap)s is paid for one head of this "
                                       "species."),
                                    {"cap": money_param(Money(cap, facts.currency))},
                                    f"cap_head_{loss.species}", loss.line_id))
            if facts.night_outside_corral and facts.subsidised_corral:
                u.rate = u.rate * rules["corral_modifier"]
                u.steps.append(Step(N_("Lost at night outside the corral the household "
                                       "received: rate × %(modifier)s."),
                                    {"modifier": share_param(rules["corral_modifier"])},
                                    "corral_modifier", loss.line_id))
            deduction = rules["normal_loss_young" if loss.age_class == "young"
                              else "normal_loss_adult"]
            if deduction:
                u.rate = u.rate * (ONE - deduction)
                u.steps.append(Step(N_("Percentage cut per animal of %(share)s."),
                                    {"share": share_param(deduction)},
                                    "normal_loss_young" if loss.age_class == "young"
                                    else "normal_loss_adult", loss.line_id))
            units.append(u)
    _cap_heads(units, rules.get("cap_incident_heads"),
               N_("Only %(paid)s of %(heads)s heads are paid: at most %(cap)s heads per "
                  "incident."), "cap_incident_heads")
    year_cap = rules.get("cap_year_heads")
    if year_cap is not None:
        _cap_heads(units, max(year_cap - facts.year_heads_before, 0),
                   N_("Only %(paid)s of %(heads)s heads are paid: the household's heads for "
                      "the year reach the cap (%(cap)s left)."), "cap_year_heads")
    lines, total, steps = _finish(facts, units, steps)
    total = _money_caps(rules, facts, total, steps)
    minimum = rules.get("minimum_claim") or ZERO
    if ZERO < total.amount < minimum:
        steps.append(Step(N_("%(total)s is below the smallest amount paid (%(minimum)s): "
                             "nothing is paid."),
                          {"total": money_param(total),
                           "minimum": money_param(Money(minimum, facts.currency))},
                          "minimum_claim"))
        total = Money.zero(facts.currency)
    # Harm to people or crops is paid from its own table, beside the livestock caps.
    harm_paid, harm_steps = harm.apply(rules, facts.harm, rate, facts.currency)
    steps.extend(Step(t, p, r) for t, p, r in harm_steps)
    total = total + harm_paid
    interim = None
    if rules.get("interim_share") and total.amount > 0:
        interim = (total * rules["interim_share"]).rounded()
        steps.append(Step(N_("Interim payment on verification: %(interim)s; the rest on "
                             "decision."), {"interim": money_param(interim)},
                          "interim_share"))
    steps.append(Step(N_("Total: %(total)s."), {"total": money_param(total)}))
    return Result(rule_name, facts.currency, tuple(lines), total, tuple(steps), interim)


def _money_caps(rules: Mapping[str, object], facts: Facts, total: Money,
                steps: list[Step]) -> Money:
    cap = rules.get("cap_incident_amount")
    if cap is not None and total.amount > cap:
        steps.append(Step(N_("Capped at %(cap)s per incident (was %(total)s)."),
                          {"cap": money_param(Money(cap, facts.currency)),
                           "total": money_param(total)}, "cap_incident_amount"))
        total = Money(cap, facts.currency).rounded()
    year_cap = rules.get("cap_year_amount")
    if year_cap is not None:
        left = max(year_cap - facts.year_amount_before, ZERO)
        if total.amount > left:
            steps.append(Step(N_("Capped at %(cap)s: what is left of the household's cap "
                                 "for the year (was %(total)s)."),
                              {"cap": money_param(Money(left, facts.currency)),
                               "total": money_param(total)}, "cap_year_amount"))
            total = Money(left, facts.currency).rounded()
    return total


def insure(rules: Mapping[str, object], facts: Facts, rule_name: str) -> Result:
    """Insurance: insured heads × insured value × payout share × rate, up to insured heads."""
    if facts.seasons:
        raise InvalidInput(N_("This scheme's rule version does not pay for missing animals."))
    if facts.harm is not None:
        harm.check_enabled(None, facts.harm.kind)
    rate, rate_step, note = _rate(rules, facts)
    steps = [rate_step]
    units: list[_Unit] = []
    for loss in facts.losses:
        cover = facts.insured.get(loss.species)
        for kind, heads in (("killed", loss.killed), ("injured", loss.injured)):
            if heads <= 0:
                continue
            if cover is None:
                steps.append(Step(N_("%(species)s are not insured by this household: "
                                     "nothing is paid for them."),
                                  {"species": label_param("species", loss.species)}, None,
                                  loss.line_id))
                continue
            value = cover[1]
            share = rules["payout_share"]
            u = _Unit(loss, kind, heads, value, share, rate, note,
                      [_head_intro(loss, kind, heads, value, N_("insured value")),
                       Step(N_("Share of insured value paid: %(share)s."),
                            {"share": share_param(share)}, "payout_share", loss.line_id)],
                      heads)
            if kind == "injured":
                u.share = share * rules["injured_share"]
                u.steps.append(Step(N_("Injured animal: %(share)s of that."),
                                    {"share": share_param(rules["injured_share"])},
                                    "injured_share", loss.line_id))
            units.append(u)
    # Per species, no more heads than insured (minus heads already paid in the period).
    for species in {u.loss.species for u in units}:
        insured = facts.insured[species][0]
        left = max(insured - facts.insured_heads_claimed.get(species, 0), 0)
        _cap_heads([u for u in units if u.loss.species == species], left,
                   N_("Only %(paid)s of %(heads)s heads are paid: %(cap)s insured heads "
                      "are left."), None)
    lines, total, steps = _finish(facts, units, steps)
    steps.append(Step(N_("Total: %(total)s."), {"total": money_param(total)}))
    return Result(rule_name, facts.currency, tuple(lines), total, tuple(steps))


# --- insurance cover and premiums -------------------------------------------------------
@dataclass(frozen=True)
class Enrolment:
    starts_on: date
    ends_on: date
    premium_paid_on: date | None
    agreement_signed: bool
    excluded_on: date | None


def cover_starts(rules: Mapping[str, object], enrolment: Enrolment) -> date | None:
    if enrolment.premium_paid_on is None:
        return None
    return max(enrolment.starts_on,
               enrolment.premium_paid_on + timedelta(days=int(rules["waiting_days"])))


def cover_problem(rules: Mapping[str, object], enrolment: Enrolment | None,
                  occurred_on: date) -> tuple[str, dict[str, str]] | None:
    """Why a loss is not covered, as (message, params), or None when it is."""
    if enrolment is None:
        return N_("The household is not enrolled in this insurance for the date of the "
                  "loss."), {}
    if enrolment.premium_paid_on is None:
        return N_("The premium has not been paid: there is no cover."), {}
    if rules["agreement_required"] and not enrolment.agreement_signed:
        return N_("The scheme requires a signed conservation agreement."), {}
    if enrolment.excluded_on is not None and enrolment.excluded_on <= occurred_on:
        return N_("The household was excluded on %(date)s after a breach of the "
                  "conservation agreement."), {"date": enrolment.excluded_on.isoformat()}
    starts = cover_starts(rules, enrolment)
    if occurred_on < starts:
        return N_("The loss happened before the cover started on %(date)s (waiting "
                  "period)."), {"date": starts.isoformat()}
    if occurred_on > enrolment.ends_on:
        return N_("The loss happened after the cover ended on %(date)s."), {
            "date": enrolment.ends_on.isoformat()}
    return None


def premium(rules: Mapping[str, object], insured_value: Money, days: int
            ) -> tuple[Money, Money]:
    """(herder's share, matching funds) of the premium for a cover of ``days``."""
    whole = (insured_value * (rules["premium_rate"] * Decimal(days) / Decimal(365))).rounded()
    herder = (whole * rules["herder_share"]).rounded()
    return herder, whole - herder


def prorata(available: Money, claims: Sequence[tuple[object, Money]]
            ) -> list[tuple[object, Money]]:
    """Share what the pool holds among approved amounts: all in full when it suffices,
    otherwise in proportion, rounded down to the minor unit with the leftover units given by
    largest remainder, so the shares sum exactly to what the pool holds."""
    currency = available.currency
    total = sum((m.amount for _, m in claims), ZERO)
    if total <= available.amount:
        return [(key, m) for key, m in claims]
    pot = max(available.amount, ZERO)
    unit = Decimal(1).scaleb(-get_currency_precision(currency))
    exact = [(key, m.amount * pot / total) for key, m in claims]
    floors = [(key, e.quantize(unit, rounding=ROUND_DOWN), e) for key, e in exact]
    left = int(((pot - sum(f for _, f, _ in floors)) / unit).to_integral_value())
    order = sorted(range(len(floors)), key=lambda i: (-(floors[i][2] - floors[i][1]), i))
    extra = set(order[:left])
    return [(key, Money(f + (unit if i in extra else ZERO), currency))
            for i, (key, f, _) in enumerate(floors)]


def late_interest(rules: Mapping[str, object], amount: Money, approved_on: date,
                  paid_on: date) -> Money:
    """Interest on an approved amount paid after the scheme's payment period."""
    rate = rules.get("late_interest") or ZERO
    late = (paid_on - approved_on).days - int(rules.get("payment_within_days") or 0)
    if rate <= 0 or late <= 0:
        return Money.zero(amount.currency)
    return (amount * (rate * Decimal(late) / Decimal(365))).rounded()
