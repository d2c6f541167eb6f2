"""Synthetic landscapes with known mitigation effects (ANALYTICS.md §7).

Used by tests (do the estimators recover the truth at the promised rate?), by benchmarks and
for demos. Pure: no Flask, no database. Rows use the bundle's column names and codes, so a
landscape can be written as a bundle and imported like real data.

What real landscapes have and the estimators must survive: households holding several
measures, installed in any month and sometimes removed; measures assigned to whole villages;
households adopting right after a bad year (self-selection); leopard numbers changing over the
years; and measures that do nothing at all (true IRR 1.0).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

SPECIES_MEANS = {"sheep": 55, "goat": 18, "cattle": 4, "horse": 1, "donkey": 1, "dog": 2}
# Share of leopard attacks by where the herd is (ANALYTICS.md: measures act on a stratum).
SETTING_SHARE = {"corral": 0.5, "pasture": 0.45, "village": 0.05}
# The stratum each measure protects.
STRATUM = {"corral": "corral", "guard_dog": "pasture", "electric_fence": "corral",
           "light": "corral", "shepherd": "pasture", "collar": "pasture"}
# A corral and a dog that work, and lights that do nothing (the null measure).
DEFAULT_EFFECTS = {"corral": 0.3, "guard_dog": 0.6, "light": 1.0}
COSTS = {"corral": 1200, "electric_fence": 900, "guard_dog": 400, "light": 150,
         "shepherd": 2000, "collar": 50}
SEASON = np.array([0.6, 0.6, 0.7, 0.8, 1.6, 2.0, 1.8, 1.1, 0.9, 0.8, 0.6, 0.5])
SEASON = SEASON / SEASON.mean()
DESIGNS = ("self_selected", "random")
# Generated households live here, never in a real province (see analytics.synthetic).
SYNTHETIC_PROVINCE = "Synthetic landscapes (generated test data)"
UNITS = ("household", "village")


@dataclass
class Landscape:
    households: list[dict] = field(default_factory=list)
    herds: list[dict] = field(default_factory=list)
    measures: list[dict] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    true_irr: dict[str, float] = field(default_factory=dict)
    design: str = "self_selected"
    unit: str = "household"  # what was assigned at random: households or whole villages

    @property
    def assignment(self) -> dict[str, str]:
        """measure → randomisation unit, as the analysis takes it (empty if self-selected)."""
        return {m: self.unit for m in self.true_irr} if self.design == "random" else {}


def generate(
    seed: int,
    villages: int = 6,
    years: int = 4,
    start_year: int = 2021,
    measures: dict[str, float] | None = None,
    design: str = "self_selected",
    base_rate: float = 1.5,
    country: str = "AM",
    admin1: str = SYNTHETIC_PROVINCE,
    unit: str = "household",
    uptake: float = 0.4,
    removal: float = 0.1,
    trend: float = 0.0,
    households: tuple[int, int] = (30, 150),
) -> Landscape:
    """Draw a landscape. ``base_rate``: leopard attacks per 100 head-years.

    ``design="random"``: each measure is assigned at random (to households or, with
    ``unit="village"``, to whole villages) with probability ``uptake``, installed in any month
    after the first; ``"self_selected"``: households adopt each measure in the year after a
    bad one, in any month of it. A household may get several measures. ``removal``: the
    share of measures taken away 6–24 months later. ``trend``: the yearly change in leopard
    numbers (0.1 = attacks rise 10 % a year everywhere). ``admin1`` defaults to the
    synthetic province (``analytics.synthetic``): generated households never land in a real
    one.
    """
    if design not in DESIGNS:
        raise ValueError("design is 'random' or 'self_selected'")
    if unit not in UNITS:
        raise ValueError("unit is 'household' or 'village'")
    effects = dict(DEFAULT_EFFECTS if measures is None else measures)
    rng = np.random.default_rng(seed)
    land = Landscape(true_irr=effects, design=design, unit=unit)
    months = years * 12
    names = list(effects)

    village_of: list[int] = []
    rates: list[float] = []
    for v in range(villages):
        centre = (38.8 + rng.uniform(0, 1.2), 45.5 + rng.uniform(0, 1.5))
        village_rate = rng.gamma(4.0, 0.25)  # some villages lie closer to leopard habitat
        for h in range(int(rng.integers(households[0], households[1] + 1))):
            land.households.append({
                "household_ref": f"S{seed}-V{v + 1}-H{h + 1}", "country": country,
                "admin1": admin1, "admin2": None, "village": f"Synthetic village {v + 1}",
                "latitude": round(centre[0] + rng.normal(0, 0.02), 4),
                "longitude": round(centre[1] + rng.normal(0, 0.02), 4),
                "language": None,
            })
            village_of.append(v)
            rates.append(village_rate * rng.gamma(2.0, 0.5))  # repeat victims
    n = len(land.households)
    village_of_arr = np.array(village_of, dtype=int)
    species = list(SPECIES_MEANS)
    means = np.array([SPECIES_MEANS[s] for s in species], dtype=float)
    base_herd = rng.negative_binomial(3, 3 / (3 + means), size=(n, len(species)))
    herd = np.rint(base_herd[:, None, :] * rng.uniform(0.85, 1.15, size=(n, years,
                                                                          len(species))))
    herd = herd.astype(int)  # households × years × species
    for i, row in enumerate(land.households):
        for y in range(years):
            for s, name in enumerate(species):
                if herd[i, y, s]:
                    land.herds.append({"household_ref": row["household_ref"],
                                       "year": start_year + y, "species": name,
                                       "head_count": int(herd[i, y, s])})
    # Chance bad years (a leopard settling nearby for a season): households adopt measures
    # after one, and the next year is better anyway (regression to the mean).
    shocks = rng.gamma(1.5, 1 / 1.5, size=(n, years))
    leopards = np.exp(trend * np.arange(years))
    totals = herd.sum(axis=2)  # households × years
    installed = np.full((n, len(names)), -1)
    if design == "random":
        if unit == "village":
            chosen = rng.random((villages, len(names))) < uptake
            start = rng.integers(1, months - 1, size=(villages, len(names)))
            spread = rng.integers(0, 3, size=(n, len(names)))  # not all on one day
            installed = np.where(chosen[village_of_arr], np.minimum(
                start[village_of_arr] + spread, months - 1), -1)
        else:
            chosen = rng.random((n, len(names))) < uptake
            installed = np.where(chosen, rng.integers(1, months - 1, size=(n, len(names))), -1)
    removed = np.where((installed >= 0) & (rng.random(installed.shape) < removal),
                       installed + rng.integers(6, 25, size=installed.shape), -1)
    removed[removed >= months] = -1

    settings = list(SETTING_SHARE)
    counts = np.zeros((n, months, len(settings)), dtype=int)
    killed_year = np.zeros((n, years))
    month_ix = np.arange(12)
    for y in range(years):
        if design == "self_selected" and y >= 1:
            bad = np.minimum(1.0, killed_year[:, y - 1] / 2.0)
            for k in range(len(names)):
                adopt = (installed[:, k] < 0) & (rng.random(n) < 0.02 + 0.5 * bad)
                installed[adopt, k] = y * 12 + rng.integers(0, 12, size=int(adopt.sum()))
                gone = adopt & (rng.random(n) < removal)
                removed[gone, k] = installed[gone, k] + rng.integers(6, 25, size=int(gone.sum()))
            removed[removed >= months] = -1
        m = y * 12 + month_ix  # absolute months of this year
        base = (base_rate / 100 / 12 * totals[:, y] * np.array(rates) * shocks[:, y]
                * leopards[y])[:, None] * SEASON[None, :]  # households × 12
        for s, setting in enumerate(settings):
            rate = base * SETTING_SHARE[setting]
            for k, name in enumerate(names):
                if STRATUM.get(name) != setting:
                    continue
                start, stop = installed[:, k][:, None], removed[:, k][:, None]
                active = (start >= 0) & (m[None, :] >= start) & ((stop < 0) | (m[None, :] < stop))
                rate = rate * np.where(active, effects[name], 1.0)
            counts[:, m, s] = rng.poisson(rate)
        killed_year[:, y] = counts[:, m, :].sum(axis=(1, 2)) * 1.6

    refs = [h["household_ref"] for h in land.households]
    # Leopard attacks, one row each (drawn together: a landscape has thousands).
    i, month, s = (np.repeat(a, counts[counts > 0]) for a in np.nonzero(counts))
    shares = herd[i, month // 12] / np.maximum(totals[i, month // 12], 1)[:, None]
    kinds = (rng.random(len(i))[:, None] > np.cumsum(shares, axis=1)).sum(axis=1)
    rows = _incidents(rng, seed, 0, refs, start_year, i, month, [settings[k] for k in s],
                      [species[min(k, len(species) - 1)] for k in kinds],
                      1 + rng.poisson(0.6, len(i)), ["leopard"] * len(i))
    # Attacks by other predators, which verification should tell apart.
    others = rng.poisson(base_rate / 100 / 12 * 0.4 * np.repeat(totals, 12, axis=1))
    j, when = (np.repeat(a, others[others > 0]) for a in np.nonzero(others))
    rows += _incidents(rng, seed, len(rows), refs, start_year, j, when, ["pasture"] * len(j),
                       ["sheep"] * len(j), 1 + rng.poisson(1.5, len(j)),
                       list(rng.choice(["wolf", "dog"], size=len(j))))
    land.incidents = rows
    for i, k in zip(*np.nonzero(installed >= 0), strict=True):
        start = int(installed[i, k])
        first = _month_start(start_year, start)
        installed_on = first + timedelta(days=int(rng.integers(0, 28)))
        removed_on = None
        if removed[i, k] >= 0:
            removed_on = _month_start(start_year, int(removed[i, k])) + timedelta(
                days=int(rng.integers(0, 28)))
        land.measures.append({
            "measure_ref": f"{refs[i]}-{names[k]}", "household_ref": refs[i],
            "measure": names[k], "installed_on": installed_on, "removed_on": removed_on,
            "cost": COSTS.get(names[k], 300), "currency": "USD",
            "funder": "Synthetic programme",
            "assignment": unit if design == "random" else None,
            "assignment_method": "simulated lottery" if design == "random" else None,
        })
    return land


def _month_start(start_year: int, month: int) -> date:
    return date(start_year + month // 12, month % 12 + 1, 1)


def _incidents(rng, seed, offset, refs, start_year, households, months, settings,  # noqa: ANN001
               kinds, killed, predators) -> list[dict]:  # noqa: ANN001
    n = len(households)
    leopard = np.array([p == "leopard" for p in predators], dtype=bool)
    confidence = np.where(
        leopard,
        rng.choice(["confirmed", "probable", "possible", "unverified"], size=n,
                   p=[0.6, 0.25, 0.1, 0.05]),
        rng.choice(["not_leopard", "unverified"], size=n, p=[0.85, 0.15]))
    day = rng.random(n)
    injured = rng.poisson(0.2, n)
    rows = []
    for k in range(n):
        first = _month_start(start_year, int(months[k]))
        days = calendar.monthrange(first.year, first.month)[1]
        rows.append({
            "incident_ref": f"S{seed}-I{offset + k + 1}", "household_ref": refs[households[k]],
            "occurred_on": first + timedelta(days=int(day[k] * days)),
            "setting": settings[k], "species": kinds[k], "killed": int(killed[k]),
            "injured": int(injured[k]), "predator": str(predators[k]),
            "confidence": str(confidence[k]), "latitude": None, "longitude": None,
        })
    return rows
