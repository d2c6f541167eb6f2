"""The parameters of a rule version, per scheme kind: one declaration drives validation,
the web form, the stored JSON and the explanation of every assessment.

Values are stored as strings in the rule version's JSON so a Decimal never passes through a
float; ``parse`` turns them back into typed values and refuses anything out of range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from conflict_app.core.errors import N_, InvalidInput
from conflict_app.herders.models import Species
from conflict_app.mitigation.models import MeasureType
from conflict_app.schemes.harm import CROPS


class SchemeKind(StrEnum):
    COMPENSATION = "compensation"
    INSURANCE = "insurance"
    INCENTIVE = "incentive"


class Kind(StrEnum):
    SHARE = "share"  # a fraction 0..1 (0.75 is three quarters)
    AMOUNT = "amount"  # money in the scheme's currency
    COUNT = "count"  # a whole number >= 0
    FLAG = "flag"
    CODES = "codes"  # a set of codes from a list (predators, species covered)


PREDATORS = ("leopard", "wolf", "bear", "lynx", "jackal")


@dataclass(frozen=True)
class Param:
    name: str
    label: str  # a msgid, translated where it is shown
    kind: Kind
    default: object  # None: optional, not applied when empty
    maximum: Decimal | None = None
    codes: tuple[str, ...] = ()  # the allowed codes of a CODES parameter
    group: str = ""  # their label group (i18n.labels)


_RATES = (
    Param("rate_confirmed", N_("Rate when the predator is confirmed"), Kind.SHARE, Decimal("1")),
    Param("rate_probable", N_("Rate when the predator is probable"), Kind.SHARE, Decimal("0.75")),
    Param("rate_possible", N_("Rate when the predator is possible"), Kind.SHARE, Decimal("0")),
    Param("injured_share", N_("Share paid for an injured animal"), Kind.SHARE, Decimal("0.5")),
    Param("predators", N_("Predators covered"), Kind.CODES, ("leopard",), codes=PREDATORS,
          group="predator"),
)
# A village or county committee confirms the predator before the assessment
# (verification.committee): how many members must be present and how many must confirm.
_COMMITTEE = (
    Param("committee_required", N_("A committee must confirm the predator"), Kind.FLAG, False),
    Param("committee_quorum", N_("Committee members needed present (quorum)"), Kind.COUNT, 3,
          Decimal(50)),
    Param("committee_votes", N_("Committee votes needed to confirm"), Kind.COUNT, 2,
          Decimal(50)),
)
SPECIES = tuple(s.value for s in Species)
# Missing animals (lost on summer pasture, never found: valued at herd level from the counts
# before and after the season, schemes.herd) and injured animals' vet costs.
MISSING_AND_VET = (
    Param("missing_allowed", N_("Missing animals (lost on summer pasture, never found) are "
                                "paid"), Kind.FLAG, False),
    Param("missing_normal_loss", N_("Normal loss rate of a herd over the season (missing "
                                    "animals)"), Kind.SHARE, Decimal("0.02")),
    Param("missing_signs_required", N_("Missing animals are paid only with leopard signs in "
                                       "the area recorded by the verifier"), Kind.FLAG, True),
    Param("vet_invoice", N_("Injured animals: pay the vet invoice instead of a share of the "
                            "head's value"), Kind.FLAG, False),
    Param("vet_cap_head", N_("Most paid for the vet treatment of one head (empty: the value "
                             "of the head)"), Kind.AMOUNT, None),
)

# Harm to people and crops (schemes.harm): no claim type until a rule version enables it.
HARM = (
    Param("human_injury_allowed", N_("Claims for an injury to a person are accepted"),
          Kind.FLAG, False),
    Param("injury_minor", N_("Fixed amount for a minor injury"), Kind.AMOUNT, None),
    Param("injury_serious", N_("Fixed amount for a serious injury"), Kind.AMOUNT, None),
    Param("injury_permanent", N_("Fixed amount for an injury causing permanent disability"),
          Kind.AMOUNT, None),
    Param("injury_medical_cap", N_("Documented medical costs reimbursed up to (empty: not "
                                   "reimbursed)"), Kind.AMOUNT, None),
    Param("human_death_allowed", N_("Claims for the death of a person are accepted"),
          Kind.FLAG, False),
    Param("death_amount", N_("Ex-gratia amount to the next of kin after a death"),
          Kind.AMOUNT, None),
    Param("crop_damage_allowed", N_("Claims for crop damage are accepted"), Kind.FLAG, False),
    *(Param(f"crop_rate_{c}", N_("Rate per hectare of damaged crop: %(crop)s"), Kind.AMOUNT,
            None) for c in CROPS),
)

SPECS: dict[SchemeKind, tuple[Param, ...]] = {
    SchemeKind.COMPENSATION: (
        Param("share_of_value", N_("Share of market value paid"), Kind.SHARE, Decimal("0.75")),
        *_RATES,
        Param("species", N_("Species covered"), Kind.CODES, SPECIES, codes=SPECIES,
              group="species"),
        *(Param(f"cap_head_{s.value}", N_("Highest value paid for one head: %(species)s"),
                Kind.AMOUNT, None) for s in Species),
        Param("corral_modifier", N_("Rate for a night loss outside the subsidised corral"),
              Kind.SHARE, Decimal("0.5")),
        # A cut of each paid head's value: not the herd-level normal loss rate of missing
        # animals below (that one is the rule Norway applies to losses on summer pasture).
        Param("normal_loss_adult", N_("Percentage cut per animal paid, adults"), Kind.SHARE,
              Decimal("0")),
        Param("normal_loss_young", N_("Percentage cut per animal paid, young"), Kind.SHARE,
              Decimal("0")),
        Param("cap_incident_heads", N_("Most heads paid per incident"), Kind.COUNT, None),
        Param("cap_incident_amount", N_("Most paid per incident"), Kind.AMOUNT, None),
        Param("cap_year_heads", N_("Most heads paid per household and year"), Kind.COUNT, None),
        Param("cap_year_amount", N_("Most paid per household and year"), Kind.AMOUNT, None),
        *MISSING_AND_VET,
        *HARM,
        Param("minimum_claim", N_("Smallest amount paid"), Kind.AMOUNT, Decimal("0")),
        Param("interim_share", N_("Interim payment on verification"), Kind.SHARE, Decimal("0")),
        Param("payment_within_days", N_("Days to pay after approval"), Kind.COUNT, 60,
              Decimal(3650)),
        Param("late_interest", N_("Interest per year on late payment"), Kind.SHARE, Decimal("0")),
        *_COMMITTEE,
    ),
    SchemeKind.INSURANCE: (
        Param("payout_share", N_("Share of insured value paid"), Kind.SHARE, Decimal("0.8")),
        *_RATES,
        Param("premium_rate", N_("Premium per year, share of insured value"), Kind.SHARE,
              Decimal("0.02")),
        Param("herder_share", N_("Herder's share of the premium"), Kind.SHARE, Decimal("0.5")),
        Param("waiting_days", N_("Waiting period before cover starts (days)"), Kind.COUNT, 30,
              Decimal(365)),
        Param("agreement_required", N_("A signed conservation agreement is required"),
              Kind.FLAG, False),
        *_COMMITTEE,
    ),
    SchemeKind.INCENTIVE: (
        Param("presence_unit", N_("Payment for one occasional presence"), Kind.AMOUNT,
              Decimal("100")),
        Param("weight_regular", N_("Regular presence counts as (occasional = 1)"), Kind.COUNT, 2,
              Decimal(1000)),
        Param("weight_reproduction", N_("Reproduction counts as (occasional = 1)"), Kind.COUNT,
              20, Decimal(1000)),
        Param("withholding_days", N_("Payouts withheld after a retaliatory killing (days)"),
              Kind.COUNT, 60, Decimal(3650)),
        *(Param(f"adoption_{m.value}", N_("Adoption payment: %(measure)s"), Kind.AMOUNT, None)
          for m in MeasureType if m is not MeasureType.OTHER),
        # A number of payments and an amount are two caps: one cap labelled as a count but
        # applied as money once turned a typed "2" into a payment of 2.00.
        Param("household_adoption_count", N_("Most adoption payments per household"),
              Kind.COUNT, None, Decimal(100)),
        Param("household_adoption_amount",
              N_("Most paid in adoption payments per household (amount)"), Kind.AMOUNT, None),
    ),
}


def spec(kind: SchemeKind, name: str) -> Param:
    return next(p for p in SPECS[kind] if p.name == name)


def defaults(kind: SchemeKind) -> dict[str, str]:
    """The documented defaults (PRODUCT.md §4) as stored strings."""
    return {p.name: _store(p, p.default) for p in SPECS[kind] if p.default is not None}


def _store(param: Param, value: object) -> str:
    if param.kind is Kind.CODES:
        return ",".join(value)  # type: ignore[arg-type]
    if param.kind is Kind.FLAG:
        return "1" if value else "0"
    return str(value)


def parse(kind: SchemeKind, raw: Mapping[str, object]) -> dict[str, object]:
    """Typed values from stored or submitted strings; every bad value is an InvalidInput."""
    values: dict[str, object] = {}
    for p in SPECS[kind]:
        text = raw.get(p.name)
        if text is None or str(text).strip() == "":
            values[p.name] = p.default if p.kind is not Kind.FLAG else bool(p.default)
            continue
        values[p.name] = _parse_one(p, str(text).strip())
    return values


def _parse_one(p: Param, text: str) -> object:
    if p.kind is Kind.FLAG:
        return text.lower() in {"1", "true", "y", "yes", "on"}
    if p.kind is Kind.CODES:
        chosen = tuple(sorted({t.strip() for t in text.split(",") if t.strip()}))
        if not chosen or any(t not in p.codes for t in chosen):
            raise InvalidInput(N_("Choose one of the options in the list."), field=p.name)
        return chosen
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise InvalidInput(N_("Enter a number."), field=p.name)
    if number < 0:
        raise InvalidInput(N_("A rule value cannot be negative."), field=p.name)
    if p.kind is Kind.SHARE and number > 1:
        raise InvalidInput(N_("Enter a share between 0 and 1, for example 0.75."),
                           field=p.name)
    if p.kind is Kind.COUNT:
        if number != number.to_integral_value():
            raise InvalidInput(N_("Enter a whole number."), field=p.name)
        if p.maximum is not None and number > p.maximum:
            raise InvalidInput(N_("Enter at most %(maximum)s."), field=p.name,
                               maximum=str(p.maximum))
        return int(number)
    if p.kind is Kind.AMOUNT and number.as_tuple().exponent < -2:
        raise InvalidInput(N_("Enter an amount with at most 2 decimals."), field=p.name)
    if number > Decimal("1e13"):
        raise InvalidInput(N_("This amount is too large."), field=p.name)
    return number


def normalise(kind: SchemeKind, raw: Mapping[str, object]) -> dict[str, str]:
    """Validated values as the strings a rule version stores (empty optionals left out)."""
    values = parse(kind, raw)
    return {p.name: _store(p, values[p.name]) for p in SPECS[kind]
            if values[p.name] is not None}
