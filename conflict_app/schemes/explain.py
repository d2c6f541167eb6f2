"""Turn stored explanation steps into sentences in the reader's language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.numbers import format_percent as babel_percent
from flask_babel import format_decimal, get_locale, gettext

from conflict_app.core.errors import N_
from conflict_app.core.money import Money
from conflict_app.i18n import date_text, digits, money, number
from conflict_app.i18n.labels import label


def _value(value: object, money_text=money) -> str:  # noqa: ANN001
    if isinstance(value, dict):
        if "money" in value:
            return money_text(Money(Decimal(value["money"]), value["currency"]))
        if "percent" in value:
            # The locale's own pattern (75 %, %75, 75٪), to at most two decimals.
            share = Decimal(value["percent"]).quantize(Decimal("0.0001")).normalize()
            return digits(babel_percent(share, locale=get_locale(),
                                        decimal_quantization=False))
        if "label" in value:
            return label(value["label"], value["value"])
        if "text" in value:
            return gettext(value["text"])
        if "date" in value:
            return date_text(date.fromisoformat(value["date"]))
        if "number" in value:
            return number(Decimal(value["number"]))
    if isinstance(value, int):
        return digits(format_decimal(value))
    return str(value)


def sentence(step: dict, money_text=money, figure=None) -> str:  # noqa: ANN001
    """One step as a sentence; a step the catalogue cannot format shows untranslated.
    ``money_text`` formats amounts (documents pass one that avoids signs without a glyph);
    ``figure`` wraps each number, amount and percentage (documents keep each in one
    left-to-right piece inside right-to-left text)."""
    params = {k: _value(v, money_text) for k, v in (step.get("params") or {}).items()}
    if figure is not None:
        params = {k: figure(v) if _figure(step["params"][k]) else v
                  for k, v in params.items()}
    text = gettext(step["text"])
    try:
        return text % params if params else text
    except (KeyError, ValueError, TypeError):
        return step["text"] % params if params else step["text"]


def _figure(value: object) -> bool:
    return isinstance(value, int) or (isinstance(value, dict) and (
        "money" in value or "percent" in value or "number" in value))


def sentences(steps: list[dict] | None, money_text=money,  # noqa: ANN001
              figure=None) -> list[dict]:  # noqa: ANN001
    """Steps for display: the sentence, the rule behind it and the loss line it concerns."""
    return [{"text": sentence(s, money_text, figure), "rule": s.get("rule"),
             "line": s.get("line")} for s in steps or []]


# Steps stored before a parameter was renamed name the old one.
LEGACY_RULES = {"adoption_cap_household": "household_adoption_amount"}
# Step texts stored before they were reworded: kept in the catalogues so those old
# assessments still read in every language (the per-animal cut once said "normal loss").
LEGACY_STEPS = (N_("Normal-loss deduction of %(share)s."),)


def rule_label(name: str) -> str:
    """The words of the rule-version parameter that caused a step."""
    from conflict_app.schemes import params

    name = LEGACY_RULES.get(name, name)
    for specs in params.SPECS.values():
        for p in specs:
            if p.name == name:
                return gettext(p.label, species=label("species", name.removeprefix(
                    "cap_head_")), measure=label("measure", name.removeprefix("adoption_")),
                    crop=label("crop", name.removeprefix("crop_rate_")))
    return name
