"""Incidents per grid cell, coarsened until the map shows something without exposing anyone.

A cell with fewer than 5 households is never shown. On a small or spread-out data set every
0.1° cell can fall below that, and the map (and the GeoJSON export) came out empty; so the
cell grows through ``SIZES`` until at least half of the incidents are in cells that can be
shown. The database counts incidents per 0.1° cell and household (coordinates never leave
SQL); the coarser grids are unions of those cells (0.2°, 0.5° and 1° hold whole 0.1° cells),
so every size is exact and needs no second query.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import Float, Integer, and_, case, cast, func, select

from conflict_app.analytics.data import MIN_CELL_HOUSEHOLDS
from conflict_app.claims.models import Incident
from conflict_app.core.permissions import scope
from conflict_app.extensions import db
from conflict_app.geo.models import Village
from conflict_app.herders.models import Household

BASE = Decimal("0.1")
SIZES = (BASE, Decimal("0.2"), Decimal("0.5"), Decimal("1"))


def _floor(value):  # noqa: ANN001, ANN202 - floor() portably (SQLite may lack it)
    truncated = cast(value, Integer)
    return truncated - case((value < truncated, 1), else_=0)


def _places(user, country: str | None) -> list[tuple[int, int, int, int]]:  # noqa: ANN001
    """(row, column, household, incidents) on the 0.1° grid, counted by the database. An
    incident without its own position is placed at its village, else at the household's
    home (an imported register may give homes but no village centres)."""
    lat = func.coalesce(Incident.latitude, Village.latitude, Household.latitude)
    lon = func.coalesce(Incident.longitude, Village.longitude, Household.longitude)
    # A hair added so a coordinate on a cell's edge falls into the cell it starts, whatever
    # the binary rounding of the division.
    row, col = (_floor(cast(value, Float) / float(BASE) + 1e-9) for value in (lat, lon))
    query = scope(select(row, col, Incident.household_id, func.count(Incident.id))
                  .outerjoin(Village, Incident.village_id == Village.id)
                  .join(Household, Incident.household_id == Household.id)
                  .where(and_(lat.is_not(None), lon.is_not(None)))
                  .group_by(row, col, Incident.household_id), Incident, user)
    if country:
        query = query.where(Incident.country_code == country)
    return [(int(y), int(x), h, int(n)) for y, x, h, n in db.session.execute(query)]


def cells_of(places: list[tuple], size: Decimal) -> list[dict]:
    """The grid at ``size`` degrees (a multiple of 0.1°): south-west corners, incidents
    unless suppressed."""
    factor = int(size / BASE)
    grouped: dict[tuple, dict] = defaultdict(lambda: {"incidents": 0, "households": set()})
    for row, col, household, incidents in places:
        entry = grouped[(row // factor, col // factor)]
        entry["incidents"] += incidents
        entry["households"].add(household)
    return [{"lat": float(k[0] * size), "lon": float(k[1] * size), "size": float(size),
             "incidents": v["incidents"] if len(v["households"]) >= MIN_CELL_HOUSEHOLDS
             else None,
             "suppressed": len(v["households"]) < MIN_CELL_HOUSEHOLDS}
            for k, v in sorted(grouped.items())]


def coarse_grid(user, country: str | None = None,  # noqa: ANN001
                sizes: tuple[Decimal, ...] = SIZES) -> dict:
    """{"cells", "size", "total", "hidden"}: the finest grid in ``sizes`` that shows at
    least half of the incidents (else the one showing most); ``hidden`` counts the
    incidents in suppressed cells."""
    places = _places(user, country)
    total = sum(n for *_rest, n in places)
    best = None
    for size in sizes:
        cells = cells_of(places, size)
        shown = sum(c["incidents"] or 0 for c in cells)
        if best is None or shown > best[1]:
            best = (size, shown, cells)
        if total and shown * 2 >= total:
            break
    size, shown, cells = best if best else (sizes[0], 0, [])
    return {"cells": cells, "size": float(size), "total": total, "hidden": total - shown}
