"""The public tables, read from the published figures (``analytics.periods.publish``).

A row holds numbers or None for a hidden cell; the page formats them in the reader's
language, the CSV files write them as plain numbers (a hidden cell is left blank). Every
table reads the same published cells, so no two of them can be combined to reveal a hidden
one: the totals and their parts were protected together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FIGURES = ("incidents", "killed", "received", "decided", "median_days")
CSV_COLUMNS = ("country", "period", "verified_attacks", "heads_lost", "claims_received",
               "claims_decided", "median_days_report_to_payment")
PAYMENT_COLUMNS = ("country", "period", "currency", "amount_paid", "claims_paid")

HIDDEN = object()  # a hidden cell in a row, told apart from an empty (zero) one


@dataclass
class Row:
    """One line of a table: ``country`` None is the whole range, ``period`` None every
    year. ``values``: figure → number, or ``HIDDEN``; ``paid``: (currency, amount or
    ``HIDDEN``) for each currency paid in, never added across currencies."""

    country: str | None
    period: int | str | None
    values: dict = field(default_factory=dict)
    paid: list = field(default_factory=list)

    def hidden(self, name: str) -> bool:
        return self.values.get(name) is HIDDEN


def row(figures: dict, country: str | None, period: int | str | None) -> Row:
    key = (country, period)
    out = Row(country, period)

    def cell(figure: str, name: str, empty: object = 0) -> object:
        cells = figures[figure]
        if key not in cells:
            return empty
        value = cells[key]
        return HIDDEN if value is None else value[name]

    out.values = {"incidents": cell("attacks", "incidents"), "killed": cell("attacks", "killed"),
                  "received": cell("received", "claims"), "decided": cell("decided", "claims"),
                  "median_days": cell("days", "median", None)}
    for currency, cells in figures["paid"].items():
        if key in cells:
            value = cells[key]
            out.paid.append((currency, HIDDEN if value is None else value["amount"],
                             HIDDEN if value is None else value["claims"]))
    return out


def by_year(figures: dict, country: str | None) -> list[Row]:
    """Every year of the selection (a country, or the range), the total last."""
    return [row(figures, country, year) for year in figures["years"]] + [
        row(figures, country, None)]


def by_country(figures: dict, year: int | None) -> list[Row]:
    """Every country in one year (or over all years), the range's total last."""
    return [row(figures, country, year) for country in figures["countries"]] + [
        row(figures, None, year)]


def by_month(figures: dict) -> list[Row]:
    """The whole range month by month (the feeds' monthly updates)."""
    return [row(figures, None, month) for month in figures["months"]]


def _plain(value: object) -> object:
    return "" if value is HIDDEN or value is None else value


def csv_rows(rows: list[Row]) -> list[tuple]:
    """Rows of ``CSV_COLUMNS``: blank where a cell is hidden."""
    return [(r.country or "", "" if r.period is None else r.period,
             *(_plain(r.values[name]) for name in FIGURES)) for r in rows]


def payment_rows(rows: list[Row]) -> list[tuple]:
    """Rows of ``PAYMENT_COLUMNS``: one per currency paid in."""
    return [(r.country or "", "" if r.period is None else r.period, currency,
             _plain(amount), _plain(claims))
            for r in rows for currency, amount, claims in r.paid]


def every_row(figures: dict) -> list[Row]:
    """Every published cell: country by year with all totals, then the range by month."""
    out = []
    for country in figures["countries"]:
        out += by_year(figures, country)
    return out + by_year(figures, None) + by_month(figures)
