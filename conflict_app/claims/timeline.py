"""The claim's history as staff read it: translated words and formatted figures.

Audit entries keep stored codes ("sheep/adult_female: 3+0", booleans, request keys), so
they stay comparable in every language and verifiable by their hash chain. This module
turns each entry's changes into (label, text) pairs for the page: a code becomes its word,
an amount its money, a date the user's calendar; a flag that is off, an empty value and an
internal field (request keys, row ids) are left out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from conflict_app.core.audit import AuditEntry
from conflict_app.core.money import Money
from conflict_app.i18n import date_text, digits, money
from conflict_app.i18n.labels import label

# What a change shows, in this order; anything else (idempotency keys, batch and household
# row ids, the currency folded into the amounts) is not for the page.
ORDER = ("reference", "channel", "occurred_on", "lines", "late_report", "verifier",
         "deadline", "predator", "confidence", "suggested", "photos", "rule", "total",
         "amount", "approvals", "budget_hold", "second_review", "duplicate_of",
         "payment_reference", "flag", "detail", "scheme_from", "scheme_to", "reported_name")
MONEY = frozenset({"total", "amount"})
CODES = {"channel": "channel", "predator": "predator", "confidence": "confidence",
         "flag": "flag"}
CORE_RULE = "core-compensation"


def describe(entry: AuditEntry, currency: str) -> list[tuple[str, str]]:
    changes = dict(entry.change_items)
    currency = changes.get("currency") or currency
    out = []
    for key in ORDER:
        value = changes.get(key)
        if value is None or value is False or value == "" or value == []:
            continue
        text = _text(key, value, changes, currency)
        if text:
            out.append((_name(key), text))
    return out


def _name(key: str) -> str:
    if key == "budget_hold":
        return _("Budget")
    if key == "second_review":
        return _("Second review")
    if key == "reported_name":
        return _("Name given in the report")
    return label("change", key)


def _text(key: str, value: Any, changes: dict[str, Any], currency: str) -> str:  # noqa: PLR0911
    if key in MONEY:
        try:
            return money(Money(Decimal(str(value)), currency))
        except (InvalidOperation, ValueError):
            return ""
    if key in CODES:
        return label(CODES[key], value)
    if key in ("occurred_on", "deadline"):
        return _date(value)
    if key == "lines":
        return "; ".join(_line(v) for v in value) if isinstance(value, list) else ""
    if key == "suggested":
        predator, _sep, confidence = str(value).partition("/")
        return f"{label('predator', predator)}, {label('confidence', confidence)}"
    if key == "rule":
        return _("Default rule (no scheme)") if value == CORE_RULE else str(value)
    if key == "approvals":
        needed = changes.get("needed")
        return _("%(given)s of %(needed)s", given=digits(str(value)),
                 needed=digits(str(needed))) if needed else digits(str(value))
    if key == "budget_hold":
        return _("waits until budget is added")
    if key == "second_review":
        return _("chosen for a second review")
    if key == "late_report":
        return _("yes")
    if isinstance(value, bool):
        return _("yes")
    if isinstance(value, int):
        return digits(str(value))
    return str(value)


def _date(value: Any) -> str:
    try:
        return date_text(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _line(code: str) -> str:
    """A loss line as registered: "sheep/adult_female: 3+1" (killed + injured)."""
    kind, _sep, counts = code.partition(": ")
    species, _sep, age = kind.partition("/")
    killed, _sep, injured = counts.partition("+")
    if injured and injured != "0":
        counts = _("%(killed)s killed, %(injured)s injured", killed=digits(killed or "0"),
                   injured=digits(injured))
    else:
        counts = _("%(killed)s killed", killed=digits(killed or "0"))
    # Translators: one loss line in a claim's history, e.g. "Sheep, Adult female: 3 killed"
    return _("%(species)s, %(age)s: %(counts)s", species=label("species", species),
             age=label("age_class", age), counts=counts)
