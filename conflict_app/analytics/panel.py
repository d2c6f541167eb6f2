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


def stratum_panel(counts: Counts, stratum: str | None, measures: list[str]) -> pd.DataFrame:
    """One row per household-month with a herd census: exposure (head-years), losses in the
    stratum, and per measure ``in_<m>`` (in place), ``pre_<m>`` (the 12 months before its
    installation), ``since_<m>`` (months since installation, NaN before/never).

    The month a measure was installed or removed is partly treated: it is dropped. Only a
    household's first installation of a measure counts (a reinstallation is rare and would
    make "time since installation" ambiguous).
    """
    herd = counts.herds
    n = len(herd)
    months = (np.repeat(herd["year"].to_numpy(dtype=np.int64) * 12, 12)
              + np.tile(np.arange(12, dtype=np.int64), n))
    panel = pd.DataFrame({
        "household": np.repeat(herd["household"].to_numpy(dtype=np.int64), 12),
        "month": months,
        "exposure": np.repeat(herd["head_count"].to_numpy(dtype=float) / 12.0, 12)})
    panel = panel[panel["exposure"] > 0]
    ev = counts.events
    if stratum is not None:
        ev = ev[ev["stratum"] == stratum]
    ev = ev.groupby(["household", "month"], as_index=False)["events"].sum()
    panel = panel.merge(ev, on=["household", "month"], how="left")
    panel["events"] = panel["events"].fillna(0).astype(np.int64)
    village = counts.households.set_index("household")["village"]
    panel["village"] = panel["household"].map(village).fillna(-1).astype(np.int64)
    drop = np.zeros(len(panel), dtype=bool)
    hh = panel["household"].to_numpy()
    month = panel["month"].to_numpy()
    for name in measures:
        spells = counts.measures[counts.measures["measure"] == name]
        first = spells.sort_values("installed").drop_duplicates("household")
        start = pd.Series(first["installed"].to_numpy(), index=first["household"])
        stop = pd.Series(first["removed"].to_numpy(), index=first["household"])
        s = pd.Series(hh).map(start).to_numpy(dtype=float, copy=True)
        r = pd.Series(hh).map(stop).to_numpy(dtype=float, copy=True)
        r[r < 0] = np.inf
        held = ~np.isnan(s)
        inside = held & (month > s) & (month < r)
        panel[f"in_{name}"] = inside.astype(np.int8)
        panel[f"pre_{name}"] = (held & (month >= s - PRE_MONTHS) & (month < s)).astype(np.int8)
        panel[f"since_{name}"] = np.where(held, month - s, np.nan)
        panel[f"held_{name}"] = held.astype(np.int8)
        drop |= held & ((month == s) | (month == r))
    panel = panel[~drop]
    panel["moy"] = panel["month"] % 12
    panel["year"] = panel["month"] // 12
    return panel.reset_index(drop=True)


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
