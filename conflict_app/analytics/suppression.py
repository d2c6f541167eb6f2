"""Small cells kept out of published tables, also where a total and its parts meet.

The first rule is the one every de-identified table follows: a cell that describes 1 to 4
households (``data.MIN_CELL_HOUSEHOLDS``) is not shown. A table that also shows totals needs
a second rule: when a shown total has exactly one hidden part, that part is the total minus
the shown ones. So another part is hidden as well (the one with the fewest households), or,
when no other part has anything in it, the total itself; and again, until no line gives a
hidden cell away. Pure functions: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

from conflict_app.analytics.data import MIN_CELL_HOUSEHOLDS

Line = tuple[Hashable, Sequence[Hashable]]  # a total and the parts that add up to it


def small(households: int | None) -> bool:
    """True for a cell of 1 to 4 households: never shown. An empty cell (0) is shown."""
    return 0 < (households or 0) < MIN_CELL_HOUSEHOLDS


def hidden_cells(households: Mapping[Hashable, int], lines: Iterable[Line]) -> set:
    """The cells to hide: the small ones, and those whose value could be worked out from a
    total and its other parts. ``households``: cell → households it describes (a cell not
    in it holds nothing); ``lines``: each total with the parts that sum to it."""
    lines = list(lines)
    hidden = {cell for cell, n in households.items() if small(n)}
    changed = True
    while changed:
        changed = False
        for total, parts in lines:
            inside = [p for p in parts if p in hidden]
            if total in hidden or len(inside) != 1:
                continue
            others = [p for p in parts if p not in hidden and households.get(p, 0) > 0]
            if others:
                hidden.add(min(others, key=lambda p: (households[p], str(p))))
            else:
                hidden.add(total)
            changed = True
    return hidden
