"""Claims for harm to people and crops, beside livestock: human injury, human death and crop
damage. A scheme's rule version enables each kind (they are no claim type otherwise), and
values it from its own table:

    injury = fixed amount of the severity category (+ documented medical costs up to a cap,
             when the scheme reimburses them)
    death  = fixed ex-gratia amount to the next of kin
    crops  = damaged area (hectares) × the scheme's rate per hectare of the crop

Each kind has its own evidence, checked before it is valued: the medical report for an
injury, the death certificate for a death, the field measurement of the damaged area for
crops. Pure functions over plain data, like ``rules`` and ``herd``.

The explanation never names the severity or the cause of death: steps are shown to every
role that sees the claim, while those are special category data (claims.harm_records).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from conflict_app.core.errors import N_, InvalidInput
from conflict_app.core.money import Money


class HarmKind(StrEnum):
    HUMAN_INJURY = "human_injury"
    HUMAN_DEATH = "human_death"
    CROP_DAMAGE = "crop_damage"


class Severity(StrEnum):
    MINOR = "minor"
    SERIOUS = "serious"
    PERMANENT = "permanent"  # permanent disability


CROPS = ("wheat", "barley", "maize", "rice", "potato", "vegetables", "fruit", "fodder")
# Injury and death details are health data about a person (special category data); crops
# are not.
SPECIAL_KINDS = frozenset({HarmKind.HUMAN_INJURY, HarmKind.HUMAN_DEATH})
MAX_HECTARES = Decimal("10000")


@dataclass(frozen=True)
class Harm:
    """What a harm claim is valued from, as recorded on it."""

    kind: HarmKind
    severity: Severity | None = None
    medical_costs: Money | None = None
    document: bool = False  # medical report (injury) or death certificate (death)
    next_of_kin: str | None = None
    crop: str | None = None
    area_ha: Decimal | None = None
    measured_on: date | None = None


def enabled(rules: dict, kind: HarmKind) -> bool:
    return bool(rules.get(f"{kind.value}_allowed"))


NOT_ENABLED = {
    HarmKind.HUMAN_INJURY: N_("The scheme of this place does not accept claims for an injury "
                              "to a person."),
    HarmKind.HUMAN_DEATH: N_("The scheme of this place does not accept claims for the death "
                             "of a person."),
    HarmKind.CROP_DAMAGE: N_("The scheme of this place does not accept claims for crop "
                             "damage."),
}


def check_enabled(rules: dict | None, kind: HarmKind) -> None:
    """Refuse a kind of claim the scheme's rule version does not enable (``None``: the
    place has no scheme, and the core rule pays livestock only)."""
    if rules is None or not enabled(rules, kind):
        raise InvalidInput(NOT_ENABLED[kind], field="harm_kind")


def check_evidence(harm: Harm) -> None:
    """The evidence each kind needs before it can be valued."""
    if harm.kind is HarmKind.HUMAN_INJURY and (harm.severity is None or not harm.document):
        raise InvalidInput(N_("An injury is valued only with the medical report and the "
                              "category of the injury recorded by the verifier."))
    if harm.kind is HarmKind.HUMAN_DEATH and (not harm.document or not harm.next_of_kin):
        raise InvalidInput(N_("A death is valued only with the death certificate and the "
                              "next of kin recorded by the verifier."))
    if harm.kind is HarmKind.CROP_DAMAGE and (
            harm.crop is None or harm.area_ha is None or harm.measured_on is None):
        raise InvalidInput(N_("Crop damage is valued only with the crop and the damaged "
                              "area measured in the field."))


Steps = list[tuple[str, dict, str | None]]


def _money(m: Money) -> dict[str, str]:
    return {"money": str(m.amount), "currency": m.currency}


def _amount(rules: dict, name: str, currency: str) -> Money:
    amount = rules.get(name)
    if amount is None:
        raise InvalidInput(N_("The scheme's rule version sets no amount for this claim: "
                              "add it to the rule version first."))
    return Money(amount, currency)


def value(rules: dict, harm: Harm, currency: str) -> tuple[Money, Steps]:
    """The amount of a harm claim and how it was reached (before the evidence rate)."""
    check_enabled(rules, harm.kind)
    check_evidence(harm)
    if harm.kind is HarmKind.HUMAN_DEATH:
        paid = _amount(rules, "death_amount", currency)
        # Translators: decision letter after a person was killed: plain, respectful words
        return paid, [(N_("Ex-gratia payment to the family after the death of a person: "
                          "%(amount)s, the fixed amount of the scheme."),
                       {"amount": _money(paid)}, "death_amount")]
    if harm.kind is HarmKind.CROP_DAMAGE:
        rate = _amount(rules, f"crop_rate_{harm.crop}", currency)
        paid = Money(rate.amount * harm.area_ha, currency).rounded()
        return paid, [(N_("Crop damage: %(area)s ha of %(crop)s measured in the field on "
                          "%(date)s × %(rate)s per hectare = %(amount)s."),
                       {"area": {"number": str(harm.area_ha.normalize())},
                        "crop": {"label": "crop", "value": harm.crop},
                        "date": {"date": harm.measured_on.isoformat()},
                        "rate": _money(rate), "amount": _money(paid)},
                       f"crop_rate_{harm.crop}")]
    fixed = _amount(rules, f"injury_{harm.severity.value}", currency)
    # The category is left out of the sentence: it is special category data.
    # Translators: decision letter after a person was injured: plain, respectful words
    steps: Steps = [(N_("Injury to a person: %(amount)s, the scheme's fixed amount for the "
                        "category of the injury."), {"amount": _money(fixed)}, None)]
    cap = rules.get("injury_medical_cap")
    if cap is None or harm.medical_costs is None or harm.medical_costs.amount <= 0:
        return fixed, steps
    if harm.medical_costs.currency != currency:
        raise InvalidInput(N_("The medical costs are in %(costs_currency)s but the claim is "
                              "paid in %(currency)s."),
                           costs_currency=harm.medical_costs.currency, currency=currency)
    costs = min(harm.medical_costs.amount, cap)
    refund = Money(costs, currency)
    steps.append((N_("Documented medical costs of %(costs)s reimbursed up to %(cap)s: "
                     "%(amount)s."),
                  {"costs": _money(harm.medical_costs), "cap": _money(Money(cap, currency)),
                   "amount": _money(refund)}, "injury_medical_cap"))
    return fixed + refund, steps


def apply(rules: dict, harm: Harm | None, rate: Decimal, currency: str
          ) -> tuple[Money, Steps]:
    """The harm's part of a compensation total. Its amounts are fixed by the scheme's table:
    paid in full when the predator and the evidence level pay at all, never scaled by the
    rate (an ex-gratia payment after a death is not paid at three quarters)."""
    if harm is None:
        return Money.zero(currency), []
    paid, steps = value(rules, harm, currency)
    if rate <= 0:
        return Money.zero(currency), [*steps, (
            N_("The predator or the evidence level is not one the scheme pays for: nothing "
               "is paid for this harm."), {}, None)]
    return paid, steps
