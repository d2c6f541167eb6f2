"""Synthetic landscapes with known mitigation effects (ANALYTICS.md §7).

Used by tests (do the estimators recover the truth at the promised rate?), by benchmarks and
for demos. Pure: no Flask, no database. Rows use the bundle's column names and codes, so a
landscape can be written as a bundle and imported like real data.
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
DEFAULT_EFFECTS = {"corral": 0.3, "guard_dog": 0.6}
SEASON = np.array([0.6, 0.6, 0.7, 0.8, 1.6, 2.0, 1.8, 1.1, 0.9, 0.8, 0.6, 0.5])
SEASON = SEASON / SEASON.mean()


@dataclass
class Landscape:
    households: list[dict] = field(default_factory=list)
    herds: list[dict] = field(default_factory=list)
    measures: list[dict] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    true_irr: dict[str, float] = field(default_factory=dict)
    design: str = "self_selected"


def generate(
    seed: int,
    villages: int = 6,
    years: int = 4,
    start_year: int = 2021,
    measures: dict[str, float] | None = None,
    design: str = "self_selected",
    base_rate: float = 1.5,
    country: str = "AM",
    admin1: str = "Syunik",
) -> Landscape:
    """Draw a landscape. ``base_rate``: leopard attacks per 100 head-years.

    ``design="random"`` assigns measures at random (a randomised study); ``"self_selected"``
    makes households adopt right after a bad year, as they do in the field.
    """
    if design not in {"random", "self_selected"}:
        raise ValueError("design is 'random' or 'self_selected'")
    effects = dict(DEFAULT_EFFECTS if measures is None else measures)
    rng = np.random.default_rng(seed)
    land = Landscape(true_irr=effects, design=design)
    months = years * 12
    households: list[tuple[str, np.ndarray, float]] = []
    for v in range(villages):
        centre = (38.8 + rng.uniform(0, 1.2), 45.5 + rng.uniform(0, 1.5))
        village_rate = rng.gamma(4.0, 0.25)  # some villages lie closer to leopard habitat
        for h in range(int(rng.integers(30, 151))):
            ref = f"S{seed}-V{v + 1}-H{h + 1}"
            land.households.append({
                "household_ref": ref, "country": country, "admin1": admin1, "admin2": None,
                "village": f"Village {v + 1}",
                "latitude": round(centre[0] + rng.normal(0, 0.02), 4),
                "longitude": round(centre[1] + rng.normal(0, 0.02), 4),
                "language": None,
            })
            herd = {s: max(0, int(rng.negative_binomial(3, 3 / (3 + m))))
                    for s, m in SPECIES_MEANS.items()}
            frailty = rng.gamma(2.0, 0.5) * village_rate  # repeat victims
            # Chance bad years (a leopard settling nearby for a season): households adopt
            # measures after one, and the next year is better anyway (regression to the mean).
            shocks = rng.gamma(1.5, 1 / 1.5, size=years)
            counts = np.zeros((years, len(SPECIES_MEANS)), dtype=int)
            for y in range(years):
                for i, (species, n) in enumerate(herd.items()):
                    counts[y, i] = max(0, int(round(n * rng.uniform(0.85, 1.15))))
                    if counts[y, i]:
                        land.herds.append({"household_ref": ref, "year": start_year + y,
                                           "species": species, "head_count": int(counts[y, i])})
            households.append((ref, counts, frailty * shocks))

    # Measures: installation month per household and measure (None = never).
    installed: dict[tuple[str, str], int | None] = {}
    losses_by_year: dict[str, np.ndarray] = {}
    # Attacks are drawn month by month so self-selected adoption can follow a bad year.
    species_names = list(SPECIES_MEANS)
    for ref, _counts, _frailty in households:
        losses_by_year[ref] = np.zeros(years)
        for measure in effects:
            installed[(ref, measure)] = None
            if design == "random" and rng.random() < 0.4:
                installed[(ref, measure)] = int(rng.integers(12, months - 6))
    incident_no = 0
    for month in range(months):
        year_index = month // 12
        for ref, counts, frailty in households:
            if design == "self_selected" and month % 12 == 0 and year_index >= 1:
                last = losses_by_year[ref][year_index - 1]
                for measure in effects:
                    if installed[(ref, measure)] is None and rng.random() < (
                            0.02 + 0.5 * min(1.0, last / 2.0)):
                        installed[(ref, measure)] = month + int(rng.integers(0, 3))
            heads = counts[year_index]
            total = heads.sum()
            if total == 0:
                continue
            for setting, share in SETTING_SHARE.items():
                rate = (base_rate / 100 / 12 * total * frailty[year_index]
                        * SEASON[month % 12] * share)
                for measure, irr in effects.items():
                    start = installed[(ref, measure)]
                    if start is not None and month >= start and STRATUM.get(measure) == setting:
                        rate *= irr
                for _ in range(int(rng.poisson(rate))):
                    incident_no += 1
                    killed = 1 + int(rng.poisson(0.6))
                    species = species_names[int(rng.choice(len(heads), p=heads / total))]
                    losses_by_year[ref][year_index] += killed
                    land.incidents.append(_incident(
                        rng, f"S{seed}-I{incident_no}", ref, start_year, month, setting,
                        species, killed, "leopard"))
            # Attacks by other predators, which verification should tell apart.
            for _ in range(int(rng.poisson(base_rate / 100 / 12 * total * 0.4))):
                incident_no += 1
                land.incidents.append(_incident(
                    rng, f"S{seed}-I{incident_no}", ref, start_year, month, "pasture",
                    "sheep", 1 + int(rng.poisson(1.5)), str(rng.choice(["wolf", "dog"]))))
    for (ref, measure), start in installed.items():
        if start is None or start >= months:
            continue
        installed_on = _month_start(start_year, start) + timedelta(days=int(rng.integers(0, 28)))
        removed = None
        if rng.random() < 0.1:
            removed = _month_start(start_year, min(months - 1, start + 12))
            removed = max(removed, installed_on)
        land.measures.append({
            "measure_ref": f"{ref}-{measure}", "household_ref": ref, "measure": measure,
            "installed_on": installed_on, "removed_on": removed,
            "cost": 1200 if measure == "corral" else 400, "currency": "USD",
            "funder": "Synthetic programme",
        })
    return land


def _month_start(start_year: int, month: int) -> date:
    return date(start_year + month // 12, month % 12 + 1, 1)


def _incident(rng, ref, household, start_year, month, setting, species, killed,  # noqa: ANN001
              predator) -> dict:
    first = _month_start(start_year, month)
    days = calendar.monthrange(first.year, first.month)[1]
    if predator == "leopard":
        confidence = str(rng.choice(["confirmed", "probable", "possible", "unverified"],
                                    p=[0.6, 0.25, 0.1, 0.05]))
    else:
        confidence = str(rng.choice(["not_leopard", "unverified"], p=[0.85, 0.15]))
    return {
        "incident_ref": ref, "household_ref": household,
        "occurred_on": first + timedelta(days=int(rng.integers(0, days))),
        "setting": setting, "species": species, "killed": int(killed),
        "injured": int(rng.poisson(0.2)), "predator": predator, "confidence": confidence,
        "latitude": None, "longitude": None,
    }
