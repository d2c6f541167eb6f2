"""The scheme rules as pure functions: worked examples from PRODUCT.md §4 and generated cases
for the invariants (never negative, never above a cap, monotonic in heads lost, independent
of line order, pool money conserved, pro-rata shares summing to what the pool holds)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conflict_app.core.errors import InvalidInput
from conflict_app.core.money import Money
from conflict_app.schemes import incentive_rules, params, rules
from conflict_app.schemes.params import SchemeKind

PRICES = {
    ("sheep", "adult_female"): Money(Decimal("60000"), "AMD"),
    ("sheep", "young"): Money(Decimal("30000"), "AMD"),
    ("goat", "adult_female"): Money(Decimal("50000"), "AMD"),
    ("cattle", "adult_female"): Money(Decimal("450000"), "AMD"),
}
DEFAULTS = params.parse(SchemeKind.COMPENSATION, params.defaults(SchemeKind.COMPENSATION))


def facts(losses, **kw):
    base = dict(currency="AMD", predator="leopard", confidence="confirmed", losses=losses,
                prices=PRICES)
    base.update(kw)
    return rules.Facts(**base)


def with_rules(**kw):
    values = dict(DEFAULTS)
    values.update(kw)
    return values


def test_defaults_follow_the_product_description():
    # 3 ewes killed, 1 injured: 75 % of market value, injured at 50 %.
    result = rules.compensate(DEFAULTS, facts([rules.Loss(1, "sheep", "adult_female", 3, 1)]),
                              "T v1")
    assert result.total == Money(Decimal("157500.00"), "AMD")  # 135000 + 22500
    texts = [s.text for s in result.steps]
    assert any("Share of market value" in t for t in texts)
    assert any("Injured animal" in t for t in texts)
    probable = rules.compensate(DEFAULTS, facts([rules.Loss(1, "sheep", "adult_female", 4, 0)],
                                                confidence="probable"), "T v1")
    assert probable.total == Money(Decimal("135000.00"), "AMD")  # 4 × 60000 × .75 × .75
    possible = rules.compensate(DEFAULTS, facts([rules.Loss(1, "sheep", "adult_female", 4, 0)],
                                                confidence="possible"), "T v1")
    assert possible.total.amount == 0


def test_husbandry_modifier_normal_loss_caps_minimum_and_interim_are_explained():
    values = with_rules(normal_loss_adult=Decimal("0.02"), cap_incident_heads=2,
                        cap_incident_amount=Decimal("60000"), minimum_claim=Decimal("1000"),
                        interim_share=Decimal("0.3"))
    result = rules.compensate(values, facts([rules.Loss(7, "sheep", "adult_female", 3, 0)],
                                            night_outside_corral=True,
                                            subsidised_corral=True), "T v2")
    # 2 heads (cap) × 60000 × 0.75 × 0.5 (corral) × 0.98 (normal loss) = 44100
    assert result.lines[0].heads == 2 and result.lines[0].heads_lost == 3
    assert result.total == Money(Decimal("44100.00"), "AMD")
    assert result.interim == Money(Decimal("13230.00"), "AMD")
    caused = {s.rule for s in result.steps}
    assert {"corral_modifier", "normal_loss_adult", "cap_incident_heads",
            "interim_share"} <= caused
    small = rules.compensate(with_rules(minimum_claim=Decimal("50000")),
                             facts([rules.Loss(1, "sheep", "young", 1, 0)]), "T")
    assert small.total.amount == 0 and any(s.rule == "minimum_claim" for s in small.steps)


def test_yearly_caps_count_what_the_household_already_received():
    values = with_rules(cap_year_amount=Decimal("100000"), cap_year_heads=5)
    result = rules.compensate(values, facts([rules.Loss(1, "sheep", "adult_female", 4, 0)],
                                            year_heads_before=3,
                                            year_amount_before=Decimal("70000")), "T")
    assert result.lines[0].heads == 2
    assert result.total == Money(Decimal("30000.00"), "AMD")


def test_per_species_cap_per_head():
    values = with_rules(cap_head_cattle=Decimal("200000"))
    result = rules.compensate(values, facts([rules.Loss(1, "cattle", "adult_female", 2, 0)]),
                              "T")
    assert result.total == Money(Decimal("400000.00"), "AMD")


def test_rule_values_are_validated():
    for bad, field in (({"share_of_value": "-0.1"}, "share_of_value"),
                       ({"rate_probable": "1.5"}, "rate_probable"),
                       ({"cap_incident_heads": "2.5"}, "cap_incident_heads"),
                       ({"minimum_claim": "abc"}, "minimum_claim"),
                       ({"predators": "tiger"}, "predators")):
        with pytest.raises(InvalidInput) as err:
            params.normalise(SchemeKind.COMPENSATION, bad)
        assert err.value.field == field


losses = st.lists(
    st.builds(lambda i, sp, k, inj: rules.Loss(i, sp[0], sp[1], k, inj),
              st.integers(1, 9), st.sampled_from(list(PRICES)), st.integers(0, 40),
              st.integers(0, 5)).filter(lambda ln: ln.killed + ln.injured > 0),
    min_size=1, max_size=5,
).map(lambda ls: [replace(ln, line_id=i + 1) for i, ln in enumerate(ls)])

shares = st.decimals(min_value=0, max_value=1, places=2)
caps = st.one_of(st.none(), st.decimals(min_value=0, max_value=5_000_000, places=0))
head_caps = st.one_of(st.none(), st.integers(0, 60))
rule_sets = st.builds(
    lambda share, corral, normal, cap_a, cap_h, year_a, year_h, minimum: with_rules(
        share_of_value=share, corral_modifier=corral, normal_loss_adult=normal,
        cap_incident_amount=cap_a, cap_incident_heads=cap_h, cap_year_amount=year_a,
        cap_year_heads=year_h, minimum_claim=minimum or Decimal(0)),
    shares, shares, shares, caps, head_caps, caps, head_caps,
    st.decimals(min_value=0, max_value=100_000, places=0))
contexts = st.fixed_dictionaries({
    "confidence": st.sampled_from(["confirmed", "probable", "possible"]),
    "night_outside_corral": st.booleans(), "subsidised_corral": st.booleans(),
    "year_heads_before": st.integers(0, 30),
    "year_amount_before": st.decimals(min_value=0, max_value=1_000_000, places=0),
})


@settings(max_examples=150, deadline=None)
@given(losses, rule_sets, contexts)
def test_compensation_is_never_negative_nor_above_a_cap(ls, values, ctx):
    result = rules.compensate(values, facts(ls, **ctx), "T")
    assert result.total.amount >= 0
    assert all(line.amount.amount >= 0 for line in result.lines)
    heads = sum(line.heads for line in result.lines)
    if values["cap_incident_amount"] is not None:
        assert result.total.amount <= values["cap_incident_amount"]
    if values["cap_year_amount"] is not None:
        assert result.total.amount <= max(values["cap_year_amount"] - ctx["year_amount_before"],
                                          0)
    if values["cap_incident_heads"] is not None:
        assert heads <= values["cap_incident_heads"]
    if values["cap_year_heads"] is not None:
        assert heads <= max(values["cap_year_heads"] - ctx["year_heads_before"], 0)
    assert result.total.amount <= sum(line.amount.amount for line in result.lines)


@settings(max_examples=150, deadline=None)
@given(losses, rule_sets, contexts, st.data())
def test_compensation_grows_with_heads_lost_and_ignores_line_order(ls, values, ctx, data):
    base = rules.compensate(values, facts(ls, **ctx), "T").total
    shuffled = list(ls)
    random.Random(data.draw(st.integers(0, 1000))).shuffle(shuffled)
    assert rules.compensate(values, facts(shuffled, **ctx), "T").total == base
    i = data.draw(st.integers(0, len(ls) - 1))
    more = [replace(ln, killed=ln.killed + 1) if j == i else ln for j, ln in enumerate(ls)]
    assert rules.compensate(values, facts(more, **ctx), "T").total >= base


insured = st.fixed_dictionaries({
    "sheep": st.tuples(st.integers(1, 50), st.just(Money(Decimal("55000"), "AMD"))),
    "cattle": st.tuples(st.integers(1, 5), st.just(Money(Decimal("400000"), "AMD"))),
})
INSURANCE = params.parse(SchemeKind.INSURANCE, params.defaults(SchemeKind.INSURANCE))


@settings(max_examples=100, deadline=None)
@given(losses, insured, st.integers(0, 20), st.data())
def test_insurance_pays_no_more_heads_than_insured_and_is_order_free(ls, cover, claimed, data):
    f = facts(ls, insured=cover, insured_heads_claimed={"sheep": claimed})
    result = rules.insure(INSURANCE, f, "I")
    assert result.total.amount >= 0
    for species, (heads, _value) in cover.items():
        paid = sum(line.heads for line in result.lines if line.species == species)
        assert paid <= max(heads - (claimed if species == "sheep" else 0), 0)
    assert not any(line.species == "goat" for line in result.lines)  # not insured
    shuffled = list(ls)
    random.Random(data.draw(st.integers(0, 1000))).shuffle(shuffled)
    f2 = facts(shuffled, insured=cover, insured_heads_claimed={"sheep": claimed})
    assert rules.insure(INSURANCE, f2, "I").total == result.total


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2)


@settings(max_examples=200, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=12),
       st.decimals(min_value=0, max_value=Decimal("3000000"), places=2),
       st.sampled_from(["USD", "AMD", "IRR"]))
def test_pro_rata_shares_sum_to_what_the_pool_holds(claimed, pool, currency):
    claims = [(i, Money(a, currency).rounded()) for i, a in enumerate(claimed)]
    available = Money(pool, currency).rounded()
    shares = rules.prorata(available, claims)
    total = sum((m.amount for _, m in claims), Decimal(0))
    paid = sum((m.amount for _, m in shares), Decimal(0))
    assert paid == min(total, available.amount)
    for (_, asked), (_, got) in zip(claims, shares, strict=True):
        assert Decimal(0) <= got.amount <= asked.amount


@settings(max_examples=100, deadline=None)
@given(st.decimals(min_value=1, max_value=10_000_000, places=2), st.integers(1, 730),
       shares, shares)
def test_premium_split_conserves_money(value, days, rate, herder_share):
    values = dict(INSURANCE, premium_rate=rate, herder_share=herder_share)
    herder, matching = rules.premium(values, Money(value, "USD"), days)
    whole = (Money(value, "USD") * (rate * Decimal(days) / Decimal(365))).rounded()
    assert herder + matching == whole
    assert herder.amount >= 0 and matching.amount >= 0


def test_cover_needs_paid_premium_waiting_period_and_no_breach():
    e = rules.Enrolment(date(2026, 1, 1), date(2026, 12, 31), None, False, None)
    assert "premium" in rules.cover_problem(INSURANCE, e, date(2026, 6, 1))[0]
    paid = replace(e, premium_paid_on=date(2026, 1, 10))
    assert "before the cover started" in rules.cover_problem(INSURANCE, paid,
                                                             date(2026, 2, 1))[0]
    assert rules.cover_problem(INSURANCE, paid, date(2026, 2, 10)) is None
    breached = replace(paid, excluded_on=date(2026, 5, 1))
    assert "excluded" in rules.cover_problem(INSURANCE, breached, date(2026, 6, 1))[0]
    assert rules.cover_problem(INSURANCE, None, date(2026, 6, 1)) is not None
    strict = dict(INSURANCE, agreement_required=True)
    assert "agreement" in rules.cover_problem(strict, paid, date(2026, 6, 1))[0]


def test_incentives_weigh_reproduction_and_cap_adoption():
    values = params.parse(SchemeKind.INCENTIVE, {
        **params.defaults(SchemeKind.INCENTIVE), "adoption_corral": "800",
        "household_adoption_amount": "1000", "household_adoption_count": "2"})
    amount, steps = incentive_rules.performance(values, {"reproduction": 1, "regular": 2,
                                               "occasional": 1}, "USD")
    assert amount == Money(Decimal("2500.00"), "USD")  # (20 + 2×2 + 1) × 100
    first, _ = incentive_rules.adoption(values, "corral", Money(Decimal(0), "USD"), 0)
    second, steps = incentive_rules.adoption(values, "corral", first, 1)
    assert first.amount == 800 and second.amount == 200
    assert steps[-1].rule == "household_adoption_amount"
    # The count is a number of payments, never money: a third payment is refused.
    with pytest.raises(InvalidInput, match="2 adoption payments"):
        incentive_rules.adoption(values, "corral", first + second, 2)
    with pytest.raises(InvalidInput, match="whole number"):
        params.parse(SchemeKind.INCENTIVE, {"household_adoption_count": "1.5"})
    with pytest.raises(InvalidInput):
        incentive_rules.adoption(values, "light", Money(Decimal(0), "USD"))


def test_late_interest_only_after_the_payment_period():
    values = with_rules(late_interest=Decimal("0.10"), payment_within_days=30)
    amount = Money(Decimal("100000"), "AMD")
    assert rules.late_interest(values, amount, date(2026, 1, 1), date(2026, 1, 31)).amount == 0
    assert rules.late_interest(values, amount, date(2026, 1, 1),
                               date(2026, 3, 2)).amount == Decimal("821.92")  # 30 days late


def test_species_not_covered_pay_nothing_and_say_so():
    values = with_rules(species=("sheep",))
    result = rules.compensate(values, facts([rules.Loss(1, "sheep", "adult_female", 1, 0),
                                             rules.Loss(2, "goat", "adult_female", 2, 0)]), "T")
    assert result.total == Money(Decimal("45000.00"), "AMD")
    assert [ln.species for ln in result.lines] == ["sheep"]
    assert any(s.rule == "species" and s.line_id == 2 for s in result.steps)
    with pytest.raises(InvalidInput):
        params.normalise(SchemeKind.COMPENSATION, {"species": "sheep,unicorn"})
