"""Small-cell suppression of the scheme report for readers of de-identified data.

An analyst may open a scheme's implementation report, but not its claims. Narrowed to one
day, one district or one species, the report's tables would show a single herder's loss and
amount. So, as on the analytics pages, every figure that rests on fewer than
``MIN_CELL_HOUSEHOLDS`` households is replaced by "fewer than 5 households":
- rows of a table (claims by state, species, area, month) below the threshold are merged
  into one unnamed row; when a single row would be hidden, the next smallest is hidden with
  it, or the total minus the rows shown would give it away;
- the amounts, processing times and indicators resting on too few households are hidden
  (a period of fewer than 5 households therefore shows no figure of its claims at all);
- the budget lines beyond the allocation are hidden while the whole scheme has paid or
  committed money to fewer than 5 households (they are the sum of those amounts).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import func, select, union

from conflict_app.analytics.data import MIN_CELL_HOUSEHOLDS
from conflict_app.extensions import db

if TYPE_CHECKING:
    from conflict_app.documents.report import SchemeReportData


class _Suppressed:
    """A figure withheld because too few households are behind it."""

    def __repr__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED = _Suppressed()


def small(households: int) -> bool:
    """The analytics' rule: a group of 1 to 4 households is not shown (none is no secret)."""
    return 0 < households < MIN_CELL_HOUSEHOLDS


def hidden_keys(groups: dict[Hashable, int]) -> set[Hashable]:
    """The rows of one table to hide (``groups``: row → its households, counted): the small
    ones, and the next smallest when only one would be hidden (primary and secondary
    suppression)."""
    hidden = {key for key, households in groups.items() if small(households)}
    shown = [key for key, households in groups.items() if key not in hidden and households]
    if len(hidden) == 1 and shown:
        hidden.add(min(shown, key=lambda key: (groups[key], str(key))))
    return hidden


def _rows(rows: list[tuple], groups: dict[Hashable, int]) -> list[tuple]:
    """``rows`` keyed by their first value, the hidden ones merged into one unnamed row
    (placed last) whose every figure is SUPPRESSED."""
    hidden = hidden_keys(groups)
    kept = [row for row in rows if row[0] not in hidden]
    if any(row[0] in hidden for row in rows):
        kept.append((None,) + (SUPPRESSED,) * (len(rows[0]) - 1))
    return kept


def scheme_households(scheme_id: int) -> int:
    """Households the scheme has ever approved money for (claims or incentive payments)."""
    from conflict_app.claims.models import Claim
    from conflict_app.schemes.models import IncentivePayment

    both = union(
        select(Claim.household_id).where(Claim.scheme_id == scheme_id,
                                         Claim.amount_approved.is_not(None)),
        select(IncentivePayment.household_id).where(
            IncentivePayment.scheme_id == scheme_id, IncentivePayment.household_id.is_not(None)),
    ).subquery()
    return db.session.scalar(select(func.count()).select_from(both)) or 0


def deidentify(data: SchemeReportData, scheme) -> None:  # noqa: ANN001
    """Replace in ``data`` every figure resting on fewer than 5 households."""
    who = data.households
    data.deidentified = True
    data.states = _rows(data.states, who["states"])
    data.by_species = _rows(data.by_species, who["species"])
    data.by_area = _rows(data.by_area, who["areas"])
    months = hidden_keys(who["months"])
    data.by_month = [(key, 0 if key in months else n) for key, n in data.by_month]
    amounts = who["amounts"]
    if small(amounts.get("assessed", 0)):
        data.assessed = SUPPRESSED
    if small(amounts.get("approved", 0)):
        data.approved = SUPPRESSED
    if small(amounts.get("paid", 0)):
        data.paid = SUPPRESSED
    data.times = [
        replace(t, claims=SUPPRESSED, median_days=SUPPRESSED, p90_days=SUPPRESSED,
                within=SUPPRESSED) if small(who["times"].get(t.step, 0)) else t
        for t in data.times]
    budget_hidden = 0 < scheme_households(scheme.id) < MIN_CELL_HOUSEHOLDS
    if budget_hidden:
        data.budget = [(name, money, usd) if name == "allocated"
                       else (name, SUPPRESSED, SUPPRESSED)
                       for name, money, usd in data.budget]
    kpis = []
    for (name, kind, value), group in zip(data.kpis, data.kpi_groups, strict=True):
        if (budget_hidden if group == "budget" else small(who["kpis"].get(group, 0))):
            value = SUPPRESSED
        kpis.append((name, kind, value))
    data.kpis = kpis
