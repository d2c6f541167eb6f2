"""Does a mitigation measure reduce losses? One model for all measures of a stratum.

Pure: no Flask, no database. ``Counts`` in (aggregated by SQL, see ``panel``), a
``MeasureResult`` per measure out. All measures protecting one stratum (night corral,
pasture) are fitted together on household-months, so a household with a corral and a dog
contributes to both and each effect is net of the other; docs/analytics.md says which
estimator and why. Every failure of a fit is a refusal with a reason code, never an
exception. Heavy libraries (pandas, pyfixest, statsmodels) load only when this module does,
and the app imports it only when an analysis is asked for.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from conflict_app.analytics import model
from conflict_app.analytics.panel import BANDS, STRATUM, Counts, band_columns, stratum_panel

PRIMARY = frozenset({"confirmed", "probable"})
SENSITIVITY = {"confirmed": frozenset({"confirmed"}),
               "confirmed_probable": PRIMARY,
               "confirmed_probable_possible": frozenset({"confirmed", "probable", "possible"})}
DESIGNS = ("baci", "control_impact", "before_after")  # best grade first
GRADES = {"baci": "B", "control_impact": "C", "before_after": "D"}
MODELS = {"baci": "poisson_fe", "control_impact": "poisson_time",
          "before_after": "poisson_fe_season"}
# Refusal rules (ANALYTICS.md §3).
MIN_EVENTS = 10
MIN_CONTROL_EVENTS = 3
MIN_TREATED_EXPOSURE = 100.0
TRULY_EFFECTIVE_IRR = 0.25  # Khorozyan 2021
NO_HOUSEHOLDS = "no_households"


@dataclass
class Estimate:
    """One design's estimate for one measure: what the page, JSON, CLI and PDF disclose.

    ``irr``/``ci_low``/``ci_high`` are None when refused; then ``suppressed`` holds the
    reason code and ``reason`` its translated sentence (filled by the service), plus
    ``min_detectable_irr`` or (no losses with the measure) a one-sided ``upper_bound``.
    Arms: "treated" are household-months with the measure in place; "control" are the
    comparison months of that design (never- and not-yet-treated for BACI, untreated
    households for control-impact, the holders' own earlier months for before-after).
    ``households_*``/``villages_*`` count distinct units in each arm. ``pre_trend`` is the
    IRR of the 24 months before installation against earlier months (BACI only): far from
    1 means adoption followed a bad (or good) year; those months stay out of the baseline.
    ``headline`` marks the design the measure's headline uses.
    """

    measure: str
    design: str
    grade: str
    households_treated: int = 0
    households_control: int = 0
    villages_treated: int = 0
    villages_control: int = 0
    exposure_treated: float = 0.0
    exposure_control: float = 0.0
    events_treated: int = 0
    events_control: int = 0
    irr: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    effectiveness_pct: float | None = None
    truly_effective: bool = False
    p_value: float | None = None
    model: str = ""
    dispersion: float | None = None
    verification_filter: str = "confirmed_probable"
    stratum: str | None = None
    stratum_share_of_losses: float | None = None
    suppressed: str | None = None
    min_detectable_irr: float | None = None
    upper_bound: float | None = None
    caveats: list[str] = field(default_factory=list)
    reason: str | None = None
    headline: bool = False
    cluster_by: str = "household"
    assignment: str | None = None  # "household"/"village": randomised; None: self-chosen
    clusters: int = 0
    jointly_with: list[str] = field(default_factory=list)
    pre_trend: dict | None = None

    @property
    def verdict(self) -> str | None:
        """"effective" / "harmful" when the interval excludes 1, "unclear" otherwise."""
        if self.irr is None or self.ci_low is None or self.ci_high is None:
            return None
        if self.ci_high < 1:
            return "effective"
        return "harmful" if self.ci_low > 1 else "unclear"

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data = {key: _rounded(value) for key, value in data.items()}
        data["verdict"] = self.verdict
        return data


def _rounded(value):
    """Four decimals, nested dicts included: the last digits of a fit differ between runs
    (summation order), and the page, the CLI and the API must print the same figure."""
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


@dataclass
class MeasureResult:
    """Everything about one measure. ``headline`` is the best-graded design the data
    support (one of ``designs``, which are in grade order and include the refused ones);
    None when every design was refused, with ``reason``/``suppressed`` of the best design.
    ``by_time``: event-study IRRs by months since installation (negative bands are leads,
    the pre-trend check), each {"band", "low", "high", "irr", "ci_low", "ci_high"}.
    ``pre_trend_p``: joint Wald p-value that the leads are all 1.
    """

    measure: str
    stratum: str | None
    stratum_share_of_losses: float | None
    designs: list[Estimate]
    by_time: list[dict] = field(default_factory=list)
    pre_trend_p: float | None = None

    @property
    def headline(self) -> Estimate | None:
        return next((d for d in self.designs if d.headline), None)

    @property
    def suppressed(self) -> str | None:
        return None if self.headline else self.designs[0].suppressed

    @property
    def reason(self) -> str | None:
        return None if self.headline else self.designs[0].reason


def analyse(counts: Counts, verification_filter: str = "confirmed_probable",
            assignment: dict[str, str] | None = None,
            measures: list[str] | None = None, designs: tuple[str, ...] = DESIGNS,
            event_study: bool = True) -> list[MeasureResult]:
    """Every measure in the registry (or ``measures``), fitted stratum by stratum.

    ``designs`` and ``event_study`` narrow the work (simulation studies need only BACI).

    ``assignment``: measure → "household" or "village" when the roll-out was randomised at
    that unit (grade A, intervals clustered by village when any measure of the stratum was
    assigned by village); absent measures were chosen by the households themselves.
    """
    assignment = assignment or {}
    names = measures if measures is not None else counts.measure_names
    total = int(counts.events["events"].sum()) if len(counts.events) else 0
    by_stratum: dict[str | None, list[str]] = {}
    for name in names:
        by_stratum.setdefault(STRATUM.get(name), []).append(name)
    results: dict[str, MeasureResult] = {}
    for stratum, members in by_stratum.items():
        for result in _analyse_stratum(counts, stratum, sorted(members), verification_filter,
                                       assignment, total, designs, event_study):
            results[result.measure] = result
    return [results[n] for n in sorted(results)]


def _analyse_stratum(counts: Counts, stratum: str | None, members: list[str],
                     verification_filter: str, assignment: dict[str, str],
                     total: int, designs: tuple[str, ...],
                     event_study: bool) -> list[MeasureResult]:
    # Every measure of the stratum present in the data is a regressor, even when only some
    # were asked for: otherwise the others' effects leak into the comparison.
    present = [m for m in counts.measure_names if STRATUM.get(m) == stratum]
    regressors = sorted(set(present) | set(members))
    panel = stratum_panel(counts, stratum, regressors)
    in_stratum = int(panel["events"].sum())
    share = in_stratum / total if total else None
    cluster = _cluster(regressors, assignment)
    fits = {}
    if "baci" in designs:
        fits["baci"] = model.fepois(
            panel, [c for m in regressors for c in (f"in_{m}", f"pre_{m}")],
            ["household", "period"], cluster)
    if "control_impact" in designs:
        fits["control_impact"] = model.fepois(panel, [f"in_{m}" for m in regressors],
                                              ["period"], cluster)
    studies = _event_study(panel, regressors, cluster) if event_study else {}
    out = []
    for name in members:
        estimates = []
        for design in designs:
            if design == "before_after":
                holders = panel[panel[f"held_{name}"] == 1]
                fit = model.fepois(holders, [f"in_{name}"], ["household", "moy"], cluster)
                est = _estimate(holders, fit, name, design, [name], cluster)
            else:
                est = _estimate(panel, fits[design], name, design, regressors, cluster)
            est.grade = "A" if assignment.get(name) and design != "before_after" \
                else GRADES[design]
            est.cluster_by = cluster
            est.assignment = assignment.get(name)
            est.verification_filter = verification_filter
            est.stratum, est.stratum_share_of_losses = stratum, share
            est.caveats = _caveats(est, bool(assignment.get(name)))
            estimates.append(est)
        best = next((d for d in estimates if d.suppressed in (None, "zero_treated_events")),
                    None)
        if best is not None:
            best.headline = True
        by_time, pre_p = studies.get(name, ([], None))
        out.append(MeasureResult(name, stratum, share, estimates, by_time, pre_p))
    return out


def add_event_study(counts: Counts, results: list[MeasureResult],
                    assignment: dict[str, str] | None = None) -> None:
    """Fill ``by_time`` and ``pre_trend_p`` of results made without the event study (one
    fit per stratum), for the faces that show the effect by time since installation."""
    assignment = assignment or {}
    by_stratum: dict[str | None, list[MeasureResult]] = {}
    for result in results:
        by_stratum.setdefault(result.stratum, []).append(result)
    for stratum, members in by_stratum.items():
        present = [m for m in counts.measure_names if STRATUM.get(m) == stratum]
        regressors = sorted(set(present) | {r.measure for r in members})
        panel = stratum_panel(counts, stratum, regressors)
        studies = _event_study(panel, regressors, _cluster(regressors, assignment))
        for result in members:
            result.by_time, result.pre_trend_p = studies.get(result.measure, ([], None))


def _cluster(regressors: list[str], assignment: dict[str, str]) -> str:
    return "village" if any(assignment.get(m) == "village" for m in regressors) \
        else "household"


def _arms(panel: pd.DataFrame, name: str, design: str) -> tuple[np.ndarray, np.ndarray]:
    """Row masks of the treated and comparison arms (masks, not copies of the panel)."""
    inside = panel[f"in_{name}"].to_numpy() == 1
    if design == "baci":
        control = ~inside & (panel[f"pre_{name}"].to_numpy() == 0)
    elif design == "control_impact":
        year = panel["year"].to_numpy()
        control = (panel[f"held_{name}"].to_numpy() == 0) & np.isin(year, np.unique(
            year[inside]))
    else:
        control = panel[f"since_{name}"].to_numpy() < 0
    return inside, control


def _distinct(positions: np.ndarray) -> int:
    """Distinct units among positions 0…n−1 (``household_row``, ``village_row``)."""
    return int(np.count_nonzero(np.bincount(positions))) if len(positions) else 0


def _estimate(panel: pd.DataFrame, fit: model.Fit, name: str, design: str,
              regressors: list[str], cluster: str) -> Estimate:
    treated, control = _arms(panel, name, design)
    never = control & (panel[f"held_{name}"].to_numpy() == 0) if design != "before_after" \
        else control
    household = panel["household_row"].to_numpy()
    village = panel["village_row"].to_numpy()
    exposure, events = panel["exposure"].to_numpy(), panel["events"].to_numpy()
    est = Estimate(
        measure=name, design=design, grade=GRADES[design], model=MODELS[design],
        households_treated=_distinct(household[treated]),
        households_control=_distinct(household[never]),
        villages_treated=_distinct(village[treated]),
        villages_control=_distinct(village[never]),
        exposure_treated=float(exposure[treated].sum()),
        exposure_control=float(exposure[control].sum()),
        events_treated=int(events[treated].sum()),
        events_control=int(events[control].sum()),
        jointly_with=[m for m in regressors if m != name],
        clusters=fit.clusters, dispersion=fit.dispersion)
    n_t, n_c = est.events_treated, est.events_control
    e_t, e_c = est.exposure_treated, est.exposure_control
    if est.households_treated == 0:
        est.suppressed = NO_HOUSEHOLDS
    elif n_t + n_c < MIN_EVENTS:
        est.suppressed = "few_events"
    elif n_c < MIN_CONTROL_EVENTS:
        est.suppressed = "few_control_events"
    elif e_t < MIN_TREATED_EXPOSURE:
        est.suppressed = "little_exposure"
    elif n_t == 0:
        # Never "100 % effective": a one-sided 95 % upper bound instead.
        from statsmodels.stats.rates import confint_poisson_2indep

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # log(0) inside, result is fine
            _low, high = confint_poisson_2indep(0, e_t, n_c, e_c, method="score", alpha=0.10)
        est.suppressed, est.upper_bound = "zero_treated_events", float(high)
        est.model = "rate_bound"
        return est
    elif fit.failure:
        est.suppressed = fit.failure
    elif _distinct(panel[f"{cluster}_row"].to_numpy()[treated]) < model.MIN_TREATED_CLUSTERS:
        est.suppressed = model.FEW_CLUSTERS
    elif f"in_{name}" in fit.refused or f"in_{name}" not in fit.coefs:
        est.suppressed = fit.refused.get(f"in_{name}", model.NO_VARIATION)
    if est.suppressed:
        if e_t > 0 and e_c > 0:
            est.min_detectable_irr = _min_detectable(e_t, e_c, n_c, n_t)
        return est
    coef = fit.coefs[f"in_{name}"]
    est.irr, est.ci_low, est.ci_high, est.p_value = (coef.irr, coef.ci_low, coef.ci_high,
                                                     coef.p_value)
    est.effectiveness_pct = (1 - est.irr) * 100
    est.truly_effective = bool(est.irr <= TRULY_EFFECTIVE_IRR and est.ci_high < 1)
    pre = fit.coefs.get(f"pre_{name}")
    if design == "baci" and pre is not None:
        est.pre_trend = {"irr": pre.irr, "ci_low": pre.ci_low, "ci_high": pre.ci_high,
                         "p_value": pre.p_value}
    return est


def _event_study(panel: pd.DataFrame, regressors: list[str],
                 cluster: str) -> dict[str, tuple[list[dict], float | None]]:
    """IRR by months since installation for every measure of the stratum, from one fit
    (leads included: the pre-trend check, with the joint Wald test of each measure's)."""
    cols = {name: band_columns(panel, name) for name in regressors}
    leads = {name: [c for (low, _high), c in zip(BANDS, cols[name], strict=True) if low < 0]
             for name in regressors}
    fit = model.fepois(panel, [c for name in regressors for c in cols[name]],
                       ["household", "period"], cluster, wald=leads)
    out = {}
    for name in regressors:
        rows = []
        for (low, high), col in zip(BANDS, cols[name], strict=True):
            coef = fit.coefs.get(col)
            hit = panel[col].to_numpy() == 1
            rows.append({"band": f"{low}–{high}" if high is not None else f"{low}+",
                         "low": low, "high": high,
                         "events": int(panel["events"].to_numpy()[hit].sum()),
                         "exposure": float(panel["exposure"].to_numpy()[hit].sum()),
                         "irr": coef.irr if coef else None,
                         "ci_low": coef.ci_low if coef else None,
                         "ci_high": coef.ci_high if coef else None})
        complete = all(c in fit.coefs for c in leads[name])
        out[name] = (rows, fit.wald_p.get(name) if complete else None)
    return out


def _min_detectable(exposure_t: float, exposure_c: float, events_c: int, events_t: int) -> float:
    """The largest IRR this sample would detect with 80 % power (one-sided 5 %)."""
    from scipy.optimize import brentq
    from statsmodels.stats.rates import power_poisson_ratio_2indep

    base = max(events_c + events_t, 1) / max(exposure_c + exposure_t, 1e-9)

    def power(ratio: float) -> float:
        result = power_poisson_ratio_2indep(
            rate1=ratio * base, rate2=base, nobs1=exposure_t,
            nobs_ratio=exposure_c / exposure_t, alternative="smaller", alpha=0.05)
        return float(result.power) - 0.8

    with warnings.catch_warnings():
        # Power at extreme ratios evaluates sqrt/log of zero; those points are not the answer.
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            if not power(0.01) >= 0:
                return 0.0
            return float(brentq(power, 0.01, 0.999))
        except ValueError:
            return 0.0


def _caveats(est: Estimate, randomised: bool) -> list[str]:
    caveats = ["displacement_possible", "compensation_changes_reporting"]
    if est.design == "before_after":
        caveats[:0] = ["self_selection", "regression_to_mean"] if not randomised \
            else ["regression_to_mean"]
    elif est.design == "control_impact" and not randomised:
        caveats.insert(0, "self_selection")
    if est.pre_trend and (est.pre_trend["ci_low"] > 1 or est.pre_trend["ci_high"] < 1):
        caveats.insert(0, "dip_before_adoption")
    if est.suppressed and est.suppressed != "zero_treated_events":
        caveats.append("small_sample")
    return caveats


def heads_saved(est: Estimate) -> float | None:
    """Losses the measure avoided among the households that had it: the treated months'
    losses would have been events ÷ IRR without it (the same estimate as the headline)."""
    if est.irr is None or est.irr >= 1 or est.events_treated <= 0:
        return None
    return est.events_treated * (1 / est.irr - 1)


def displacement(counts: Counts, measure: str, radius_km: float = 3.0) -> dict:
    """Loss rate of untreated households near treated ones, before and after the median
    installation month, against untreated households further away."""
    panel = stratum_panel(counts, None, [measure])
    homes = counts.households.dropna(subset=["latitude", "longitude"]).set_index("household")
    held = set(counts.measures.loc[counts.measures["measure"] == measure, "household"])
    treated = [h for h in held if h in homes.index]
    untreated = [h for h in homes.index if h not in held]
    if not treated or not untreated:
        return {"near": None, "far": None}
    from scipy.spatial import cKDTree
    from statsmodels.stats.rates import confint_poisson_2indep

    # Nearest treated home of every untreated one, on the unit sphere: a chord of
    # 2·sin(d / 2R) is a great-circle distance of d (one tree query, not a loop).
    def unit(rows: list) -> np.ndarray:
        lat, lon = np.radians(homes.loc[rows, ["latitude", "longitude"]].to_numpy(
            dtype=float)).T
        return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon),
                                np.sin(lat)))

    chord = 2 * np.sin(radius_km / (2 * 6371))
    nearest, _ = cKDTree(unit(treated)).query(unit(untreated), distance_upper_bound=chord)
    near = {h for h, d in zip(untreated, nearest, strict=True) if d <= chord}
    pivot = int(np.median(counts.measures.loc[counts.measures["measure"] == measure,
                                              "installed"]))
    result = {}
    for key, members in (("near", near), ("far", set(untreated) - near)):
        part = panel[panel["household"].isin(members)]
        after, before = part[part["month"] > pivot], part[part["month"] <= pivot]
        n_a, n_b = int(after["events"].sum()), int(before["events"].sum())
        e_a, e_b = float(after["exposure"].sum()), float(before["exposure"].sum())
        if n_a + n_b >= MIN_EVENTS and n_b > 0 and e_a > 0 and e_b > 0:
            low, high = confint_poisson_2indep(n_a, e_a, n_b, e_b, method="score")
            result[key] = {"households": len(members), "irr": (n_a / e_a) / (n_b / e_b),
                           "ci_low": float(low), "ci_high": float(high)}
        else:
            result[key] = {"households": len(members), "irr": None}
    return result
