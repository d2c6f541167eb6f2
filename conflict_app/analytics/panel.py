"""Household-month panels built from counts the database has already aggregated.

Pure: no Flask, no database. ``Counts`` holds what SQL ``GROUP BY`` returns (herd census per
household and year, leopard losses per household, month and setting, the measure registry);
nothing here is per incident, so memory grows with households × months, never with incidents.
Generated landscapes are reduced to the same ``Counts`` (``counts_from_rows``), so tests and
the app go through one path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# The stratum each measure protects (bundle codes of incidents.csv "setting").
STRATUM = {"corral": "corral", "electric_fence": "corral", "light": "corral",
           "guard_dog": "pasture", "shepherd": "pasture", "collar": "pasture"}
PRE_MONTHS = 24  # the run-up to installation: the bad spell that prompted adoption
BANDS = ((-24, -12), (-12, 0), (0, 3), (3, 6), (6, 12), (12, None))


@dataclass
class Counts:
    """Aggregated inputs, one row per group (never per incident).

    households: household (int), village (int), latitude, longitude (float or NaN)
    herds: household, year, head_count (summed over species)
    events: household, month (year * 12 + month - 1), stratum (str), events (heads killed)
    measures: household, measure, installed (month index), removed (month index or -1),
              installed_on (date), cost (float or NaN), currency (str or None)
    """

    households: pd.DataFrame
    herds: pd.DataFrame
    events: pd.DataFrame
    measures: pd.DataFrame

    @property
    def measure_names(self) -> list[str]:
        return sorted(set(self.measures["measure"])) if len(self.measures) else []


def month_index(d) -> int:  # noqa: ANN001
    return d.year * 12 + d.month - 1


def counts_from_rows(households: list[dict], herds: list[dict], measures: list[dict],
                     incidents: list[dict], confidence: frozenset[str]) -> Counts:
    """Rows in the bundle's shape (e.g. a generated landscape) reduced to ``Counts``."""
    homes = pd.DataFrame(households)
    keys = {ref: n for n, ref in enumerate(homes["household_ref"])} if len(homes) else {}
    village_codes = pd.factorize(homes["village"])[0] if len(homes) else []
    hh = pd.DataFrame({"household": np.arange(len(homes)), "village": village_codes,
                       "latitude": homes.get("latitude", pd.Series(dtype=float)),
                       "longitude": homes.get("longitude", pd.Series(dtype=float))})
    herd = pd.DataFrame(herds, columns=["household_ref", "year", "head_count"])
    herd = pd.DataFrame({"household": herd["household_ref"].map(keys), "year": herd["year"],
                         "head_count": herd["head_count"]}).dropna()
    herd = herd.groupby(["household", "year"], as_index=False)["head_count"].sum()
    inc = pd.DataFrame(incidents, columns=["household_ref", "occurred_on", "setting", "killed",
                                           "predator", "confidence"])
    inc = inc[(inc["predator"] == "leopard") & inc["confidence"].isin(confidence)]
    events = pd.DataFrame({
        "household": inc["household_ref"].map(keys),
        "month": [month_index(d) for d in inc["occurred_on"]],
        "stratum": inc["setting"].fillna(""), "events": inc["killed"].astype(int)})
    events = events.groupby(["household", "month", "stratum"], as_index=False)["events"].sum()
    rows = [{"household": keys[m["household_ref"]], "measure": m["measure"],
             "installed": month_index(m["installed_on"]),
             "removed": month_index(m["removed_on"]) if m.get("removed_on") else -1,
             "installed_on": m["installed_on"],
             "cost": float(m["cost"]) if m.get("cost") is not None else np.nan,
             "currency": m.get("currency")}
            for m in measures if m.get("household_ref") in keys]
    return Counts(hh, herd.astype({"household": int}), events.astype({"household": int}),
                  measure_frame(rows))


def measure_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["household", "measure", "installed", "removed",
                                       "installed_on", "cost", "currency"])


def _base(counts: Counts) -> pd.DataFrame:
    """Household-months with a census (exposure in head-years, village, household position
    ``row``), shared by every stratum of one analysis."""
    cached = getattr(counts, "_base_panel", None)
    if cached is not None:
        return cached
    herd = counts.herds[counts.herds["head_count"] > 0]
    n = len(herd)
    households = herd["household"].to_numpy(dtype=np.int64)
    codes, uniques = pd.factorize(households, sort=True)
    village = (counts.households.set_index("household")["village"]
               .reindex(uniques).fillna(-1).to_numpy(dtype=np.int64))
    base = pd.DataFrame({
        "household": np.repeat(households, 12),
        "month": (np.repeat(herd["year"].to_numpy(dtype=np.int64) * 12, 12)
                  + np.tile(np.arange(12, dtype=np.int64), n)),
        "exposure": np.repeat(herd["head_count"].to_numpy(dtype=float) / 12.0, 12),
        "village": np.repeat(village[codes], 12),
        "row": np.repeat(codes, 12),
        "village_row": np.repeat(pd.factorize(village)[0][codes], 12)})
    base.attrs["households"] = uniques
    object.__setattr__(counts, "_base_panel", base)
    return base


def stratum_panel(counts: Counts, stratum: str | None, measures: list[str]) -> pd.DataFrame:
    """One row per household-month with a herd census: exposure (head-years), losses in the
    stratum, and per measure ``in_<m>`` (in place), ``pre_<m>`` (the 24 months before its
    installation), ``since_<m>`` (months since installation, NaN before/never).

    The month a measure was installed or removed is partly treated: it is dropped. Only a
    household's first installation of a measure counts (a reinstallation is rare and would
    make "time since installation" ambiguous). Built with array lookups by household
    position and month offset: no joins, no Python per row.
    """
    base = _base(counts)
    uniques = base.attrs["households"]
    row = base["row"].to_numpy()
    month = base["month"].to_numpy()
    first_month = int(month.min()) if len(month) else 0
    span = int(month.max()) - first_month + 1 if len(month) else 1
    ev = counts.events
    if stratum is not None:
        ev = ev[ev["stratum"] == stratum]
    grid = np.zeros((len(uniques), span), dtype=np.int64)
    where = np.searchsorted(uniques, ev["household"].to_numpy(dtype=np.int64))
    ev_month = ev["month"].to_numpy(dtype=np.int64) - first_month
    ok = ((where < len(uniques)) & (ev_month >= 0) & (ev_month < span))
    ok[ok] &= uniques[where[ok]] == ev["household"].to_numpy(dtype=np.int64)[ok]
    np.add.at(grid, (where[ok], ev_month[ok]), ev["events"].to_numpy(dtype=np.int64)[ok])
    columns = {"household": base["household"].to_numpy(), "month": month,
               "exposure": base["exposure"].to_numpy(), "events": grid[row, month - first_month],
               "village": base["village"].to_numpy(),
               # Positions 0…n−1 of household and village: distinct units are counted by
               # ``np.bincount`` instead of sorting or hashing the ids.
               "household_row": row, "village_row": base["village_row"].to_numpy()}
    drop = np.zeros(len(base), dtype=bool)
    for name in measures:
        spells = counts.measures[counts.measures["measure"] == name]
        first = spells.sort_values("installed", kind="stable").drop_duplicates("household")
        start = np.full(len(uniques), np.nan)
        stop = np.full(len(uniques), np.inf)
        at = np.searchsorted(uniques, first["household"].to_numpy(dtype=np.int64))
        known = at < len(uniques)
        known[known] &= uniques[at[known]] == first["household"].to_numpy(dtype=np.int64)[known]
        start[at[known]] = first["installed"].to_numpy(dtype=float)[known]
        removed = first["removed"].to_numpy(dtype=float)[known]
        stop[at[known]] = np.where(removed < 0, np.inf, removed)
        s, r = start[row], stop[row]
        held = ~np.isnan(s)
        with np.errstate(invalid="ignore"):
            columns[f"in_{name}"] = (held & (month > s) & (month < r)).astype(np.int8)
            columns[f"pre_{name}"] = (held & (month >= s - PRE_MONTHS)
                                      & (month < s)).astype(np.int8)
            drop |= held & ((month == s) | (month == r))
        columns[f"since_{name}"] = month - s
        columns[f"held_{name}"] = held.astype(np.int8)
    keep = ~drop
    panel = pd.DataFrame({key: value[keep] for key, value in columns.items()})
    panel["moy"] = panel["month"] % 12
    panel["year"] = panel["month"] // 12
    panel["period"] = season(panel["month"].to_numpy())
    return panel


def season(month: np.ndarray) -> np.ndarray:
    """The time-effect cell of each month index: year × season, three months each
    (December with the January and February after it, then March–May, June–August,
    September–November)."""
    return (month + 1) // 3


def band_columns(panel: pd.DataFrame, name: str) -> list[str]:
    """Event-study indicators of months since installation (leads are negative)."""
    since = panel[f"since_{name}"].to_numpy()
    inside = panel[f"in_{name}"].to_numpy() == 1
    cols = []
    for low, high in BANDS:
        col = f"band_{name}_{_band_name(low, high)}".replace("-", "m")
        hit = since >= low if high is None else (since >= low) & (since < high)
        if low >= 0:
            hit &= inside
        panel[col] = np.nan_to_num(hit.astype(np.int8)) if hit.dtype != bool else hit.astype(
            np.int8)
        cols.append(col)
    return cols


def _band_name(low: int, high: int | None) -> str:
    return f"{low}_{high}" if high is not None else f"{low}_plus"


def band_label(low: int, high: int | None) -> str:
    return f"{low}–{high}" if high is not None else f"{low}+"
