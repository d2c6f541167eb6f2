"""The effectiveness table as files for a donor report: CSV and XLSX, the same rows as the
JSON with texts in the user's language.

Losses and head-years of an arm with fewer than 5 households are left blank, as in every
de-identified table (``data.MIN_CELL_HOUSEHOLDS``); the estimates stay, they describe no
household. No file carries a place finer than a country.
"""

from __future__ import annotations

from collections.abc import Iterator

from conflict_app.analytics.data import MIN_CELL_HOUSEHOLDS
from conflict_app.analytics.service import COLUMNS
from conflict_app.i18n.labels import label

ARMS = {"treated": ("exposure_treated", "events_treated"),
        "control": ("exposure_control", "events_control")}


def suppressed(row: dict) -> dict:
    """The row with the small arms' counts blanked."""
    out = dict(row)
    for arm, fields in ARMS.items():
        if 0 < (row.get(f"households_{arm}") or 0) < MIN_CELL_HOUSEHOLDS:
            for name in fields:
                out[name] = None
    return out


def _cell(name: str, value: object) -> object:
    if value is None:
        return ""
    if name == "caveats":
        return "; ".join(label("caveat", c) for c in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def rows(table: list[dict]) -> Iterator[tuple]:
    """``service.effectiveness_table`` rows as tuples in ``COLUMNS`` order."""
    for row in table:
        safe = suppressed(row)
        yield tuple(_cell(name, safe.get(name)) for name in COLUMNS)
