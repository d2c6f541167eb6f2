"""The words of the public statistics: figure names, hidden cells, design grades, all in
the reader's language and number format."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p

from conflict_app.analytics.data import MIN_CELL_HOUSEHOLDS
from conflict_app.core.money import Money
from conflict_app.i18n import digits, fixed, money, number
from conflict_app.statistics.tables import HIDDEN, Row

NAMES = {
    "incidents": _l("Verified leopard attacks"),
    "killed": _l("Heads lost"),
    "received": _l("Claims received"),
    "decided": _l("Claims decided"),
    "paid": _l("Amount paid"),
    "median_days": _l("Median days from report to payment"),
}
# Translators: stands in a table cell for a figure that is not shown (a legend explains it)
HIDDEN_MARK = _p("hidden figure", "×")
# What each design grade means for a reader who is not a statistician (ANALYTICS.md §2).
GRADES = {
    "A": _l("households were chosen at random: strong evidence"),
    "B": _l("compared before and after with similar households without the measure: good "
            "evidence"),
    "C": _l("compared with households without the measure in the same years: weaker "
            "evidence, households chose the measure themselves"),
    "D": _l("before and after only: weak evidence, often flatters the measure"),
}


def shown(name: str, value: object) -> str:
    """A figure in the locale's digits and separators (days to one decimal), the hidden
    mark, or a dash where there is nothing to say (no claim paid: no median)."""
    if value is HIDDEN:
        return str(HIDDEN_MARK)
    if value is None:
        return "–"
    if name == "median_days":
        return fixed(value, 1)
    return number(value)


def paid(currency: str, amount: object) -> str:
    if amount is HIDDEN:
        return f"{currency} {HIDDEN_MARK}"
    return money(Money(amount, currency))


def year(period: object) -> str:
    """A year without a group separator (2026, never 2,026), in the locale's digits."""
    return digits(str(period))


def figure_lines(row: Row) -> list[str]:
    """"Verified leopard attacks: 12" and so on, one line per figure, for the feeds."""
    lines = [_("%(figure)s: %(value)s", figure=NAMES[name], value=shown(name, row.values[name]))
             for name in ("incidents", "killed", "received", "decided")]
    amounts = "; ".join(paid(currency, amount) for currency, amount, _n in row.paid)
    lines.append(_("%(figure)s: %(value)s", figure=NAMES["paid"], value=amounts or "0"))
    lines.append(_("%(figure)s: %(value)s", figure=NAMES["median_days"],
                   value=shown("median_days", row.values["median_days"])))
    if any(row.hidden(n) for n in row.values) or any(a is HIDDEN for _c, a, _n in row.paid):
        lines.append(str(legend()))
    return lines


def legend() -> str:
    return _("%(mark)s: not shown, because it concerns fewer than %(num)d households or "
             "would reveal such a figure.", mark=HIDDEN_MARK, num=MIN_CELL_HOUSEHOLDS)
