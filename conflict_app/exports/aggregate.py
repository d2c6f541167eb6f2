"""De-identified exports: incidents on the analytics grid as GeoJSON, and the range-wide
aggregate (counts, losses, payouts by country, region, year and species) that a regional
Pardus instance imports. Cells with fewer than 5 households are suppressed."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from sqlalchemy import select

from conflict_app.analytics.data import MIN_CELL_HOUSEHOLDS
from conflict_app.core.inputs import nul_position
from conflict_app.core.money import Money
from conflict_app.extensions import db

AGGREGATE_COLUMNS = ("country", "region", "year", "species", "households", "incidents",
                     "killed", "injured", "claims", "paid_claims", "paid_amount", "currency",
                     "suppressed")


def geojson(user) -> dict:  # noqa: ANN001
    """A FeatureCollection of grid cells (polygons), never points: the grid the analytics
    map shows (``maps.coarse_grid``: 0.1°, coarser when too few households share a cell),
    kept until the data change like the map's (counting it takes seconds at range-wide
    scale; with a job system a job recounts it and the download waits for nothing)."""
    from conflict_app.analytics import service

    features = []
    # Kept under the user's country, as the map page keeps it: one grid for both.
    for c in service.grid(user, user.jurisdiction_country)["cells"]:
        if c["suppressed"]:
            continue
        lat, lon, size = c["lat"], c["lon"], c["size"]
        ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size],
                [lon, lat]]
        features.append({"type": "Feature",
                         "geometry": {"type": "Polygon", "coordinates": [ring]},
                         "properties": {"incidents": c["incidents"], "cell_degrees": size}})
    return {"type": "FeatureCollection", "features": features}


def aggregate_rows(user) -> list[dict]:  # noqa: ANN001
    """Losses and payouts by country, region, year and species: the counts kept by the
    analytics (``analytics.regional``), payouts in several currencies converted here."""
    from conflict_app.analytics import service

    kept = service.regional(user)
    losses, groups = kept["losses"], kept["groups"]
    payouts = {key: (g["claims"], *_paid_amount(g), g["paid"]) for key, g in groups.items()}
    rows = []
    for country, reg, yr, species, households, incidents, killed, injured in losses:
        claims, paid, currency, n_paid = payouts.get((country, reg, yr),
                                                     (0, Decimal(0), "", 0))
        small = households < MIN_CELL_HOUSEHOLDS
        rows.append({
            "country": country, "region": reg.value if reg else "", "year": yr,
            "species": species.value, "households": None if small else households,
            "incidents": None if small else incidents, "killed": None if small else killed,
            "injured": None if small else injured,
            # Claims and payouts are per country, region and year (not per species).
            "claims": None if small else claims, "paid_claims": None if small else n_paid,
            "paid_amount": None if small or paid is None else str(paid),
            "currency": currency,
            "suppressed": small,
        })
    return sorted(rows, key=lambda r: (r["country"], r["region"], r["year"], r["species"]))


def _paid_amount(group: dict) -> tuple[Decimal | None, str]:
    """What a region and year paid, and in which currency: in its one currency; paid in
    several, the sum in US dollars at the rate of each payment day; with a rate missing,
    nothing (None, no currency) rather than a sum of different currencies."""
    from datetime import date

    from conflict_app.schemes.prices import to_usd

    paid_in = {currency for currency, _day, _amount in group["payments"]}
    if len(paid_in) <= 1:
        only = paid_in or group["currencies"]
        return (sum((a for _c, _d, a in group["payments"]), Decimal(0)),
                next(iter(only)) if len(only) == 1 else "")
    total = Decimal(0)
    for currency, day, amount in group["payments"]:
        on = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
        usd = to_usd(Money(amount, currency), on)
        if usd is None:
            return None, ""
        total += usd.amount
    return total, "USD"


def aggregate_csv(user) -> str:  # noqa: ANN001
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=AGGREGATE_COLUMNS)
    writer.writeheader()
    for row in aggregate_rows(user):
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return out.getvalue()


def import_aggregate(text: str, source: str) -> tuple[int, list[str]]:
    """Load another instance's aggregate CSV; rows are keyed by source and cell, so a
    re-import replaces, never duplicates. Returns (rows, errors); nothing is written on error."""
    from conflict_app.bundles.schema import COUNTRIES, SPECIES
    from conflict_app.core.transaction import unit_of_work
    from conflict_app.exports.models import RegionalAggregate

    nul = nul_position(text)
    if nul is not None:  # PostgreSQL cannot store it
        return 0, [f"aggregate:{nul[0]}:{nul[1]}: a NUL character is not allowed"]
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or set(reader.fieldnames) != set(AGGREGATE_COLUMNS):
        return 0, [f"aggregate:1:1: columns must be {', '.join(AGGREGATE_COLUMNS)}"]
    rows, errors = [], []

    def number(value: str, line: int, column: str) -> int | None:
        if value == "":
            return None
        if not value.isdigit():
            errors.append(f"aggregate:{line}:{AGGREGATE_COLUMNS.index(column) + 1}: "
                          f"{column} must be a whole number")
            return None
        return int(value)

    for line, raw in enumerate(reader, start=2):
        if raw["country"] not in COUNTRIES:
            errors.append(f"aggregate:{line}:1: unknown country {raw['country']!r}")
        if raw["species"] not in SPECIES:
            errors.append(f"aggregate:{line}:4: unknown species {raw['species']!r}")
        year = number(raw["year"], line, "year")
        row = {"source": source, "country": raw["country"], "region": raw["region"],
               "year": year or 0, "species": raw["species"],
               "currency": raw["currency"][:3], "suppressed": raw["suppressed"] == "True"}
        for column in ("households", "incidents", "killed", "injured", "claims",
                       "paid_claims"):
            row[column] = number(raw[column], line, column)
        try:
            row["paid_amount"] = Decimal(raw["paid_amount"]) if raw["paid_amount"] else None
        except ArithmeticError:
            errors.append(f"aggregate:{line}:11: paid_amount must be a decimal number")
        if row["households"] is not None and row["households"] < MIN_CELL_HOUSEHOLDS:
            errors.append(f"aggregate:{line}:5: a cell of fewer than {MIN_CELL_HOUSEHOLDS} "
                          "households must be suppressed")
        rows.append(row)
    if errors:
        return 0, errors
    with unit_of_work():
        for row in rows:
            existing = db.session.scalars(select(RegionalAggregate).where(
                RegionalAggregate.source == source, RegionalAggregate.country == row["country"],
                RegionalAggregate.region == row["region"],
                RegionalAggregate.year == row["year"],
                RegionalAggregate.species == row["species"])).first()
            if existing is None:
                db.session.add(RegionalAggregate(**row))
            else:
                for key, value in row.items():
                    setattr(existing, key, value)
    return len(rows), []
