"""Does a mitigation measure reduce losses? Estimators of ANALYTICS.md, disclosed in full.

Pure: no Flask, no database. Rows in (households, herd census, measures, incidents, in the
bundle's codes), an ``Estimate`` out. The unit of analysis is the household-month: exposure is
the herd census spread over the year (head-years), events are heads killed by leopards in the
measure's stratum. The month a measure was installed or removed is left out of every arm, so
no month is half treated. Every estimator comes from statsmodels; nothing is written by hand.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy.optimize import brentq
from statsmodels.stats.rates import (
    confint_poisson_2indep,
    power_poisson_ratio_2indep,
    test_poisson_2indep,
)
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    HessianInversionWarning,
    PerfectSeparationWarning,
)

PRIMARY = frozenset({"confirmed", "probable"})
SENSITIVITY = {"confirmed": frozenset({"confirmed"}),
               "confirmed_probable": PRIMARY,
               "confirmed_probable_possible": frozenset({"confirmed", "probable", "possible"})}
# The stratum each measure protects (bundle codes of incidents.csv "setting").
STRATUM = {"corral": "corral", "electric_fence": "corral", "light": "corral",
           "guard_dog": "pasture", "shepherd": "pasture", "collar": "pasture"}
DESIGNS = ("baci", "control_impact", "before_after")
GRADES = {"baci": "B", "control_impact": "C", "before_after": "D"}
# Refusal rules (ANALYTICS.md §3).
MIN_EVENTS = 10
MIN_CONTROL_EVENTS = 3
MIN_TREATED_EXPOSURE = 100.0
TRULY_EFFECTIVE_IRR = 0.25  # Khorozyan 2021
BANDS = ((0, 3), (3, 6), (6, 12), (12, None))


@dataclass
class Estimate:
    measure: str
    design: str
    grade: str
    households_treated: int
    households_control: int
    villages_treated: int
    villages_control: int
    exposure_treated: float
    exposure_control: float
    events_treated: int
    events_control: int
    irr: float | None
    ci_low: float | None
    ci_high: float | None
    effectiveness_pct: float | None
    truly_effective: bool
    p_value: float | None
    model: str
    dispersion: float | None
    verification_filter: str
    stratum: str | None
    stratum_share_of_losses: float | None
    suppressed: str | None
    min_detectable_irr: float | None = None
    upper_bound: float | None = None
    caveats: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, float):
                data[key] = round(value, 4) if math.isfinite(value) else None
        return data


def _month(d) -> int:  # noqa: ANN001
    return d.year * 12 + d.month - 1


def monthly_panel(households: Iterable[dict], herds: Iterable[dict], measures: Iterable[dict],
                  incidents: Iterable[dict], measure: str, confidence: Iterable[str] = PRIMARY,
                  stratum: str | None = "auto") -> pd.DataFrame:
    """Household-months with exposure, events and the measure's status.

    Columns: household, village, year, month, exposure (head-years), events (heads killed),
    group (1 = ever treated), status ("before", "in_place", "transition", "control").
    """
    stratum = STRATUM.get(measure) if stratum == "auto" else stratum
    homes = pd.DataFrame([{"household": h["household_ref"], "village": h.get("village") or ""}
                          for h in households])
    herd = pd.DataFrame(list(herds))
    if homes.empty or herd.empty:
        return pd.DataFrame(columns=["household", "village", "year", "month", "exposure",
                                     "events", "group", "status"])
    herd = herd.groupby(["household_ref", "year"], as_index=False)["head_count"].sum()
    herd = herd.rename(columns={"household_ref": "household"})
    panel = herd.loc[herd.index.repeat(12)].copy()
    panel["month"] = panel["year"] * 12 + np.tile(np.arange(12), len(herd))
    panel["exposure"] = panel["head_count"] / 12.0
    panel = panel.merge(homes, on="household", how="inner")

    wanted = set(confidence)
    rows = [i for i in incidents
            if (i.get("predator") or "unknown") == "leopard"
            and (i.get("confidence") or "unverified") in wanted
            and (stratum is None or i.get("setting") == stratum)]
    events = pd.DataFrame([{"household": i["household_ref"], "month": _month(i["occurred_on"]),
                            "events": int(i["killed"])} for i in rows])
    if events.empty:
        panel["events"] = 0
    else:
        events = events.groupby(["household", "month"], as_index=False)["events"].sum()
        panel = panel.merge(events, on=["household", "month"], how="left")
        panel["events"] = panel["events"].fillna(0).astype(int)

    first: dict[str, tuple[int, int | None]] = {}
    for m in sorted((m for m in measures if m["measure"] == measure),
                    key=lambda m: m["installed_on"]):
        if m["household_ref"] not in first:
            removed = m.get("removed_on")
            first[m["household_ref"]] = (_month(m["installed_on"]),
                                         _month(removed) if removed else None)
    panel["group"] = panel["household"].isin(first).astype(int)
    installed = panel["household"].map(
        lambda h: first[h][0] if h in first else np.nan).astype(float)
    removed = panel["household"].map(
        lambda h: first[h][1] if h in first and first[h][1] is not None else np.nan
    ).astype(float)
    status = np.where(panel["group"] == 1, "in_place", "control").astype(object)
    treated = panel["group"] == 1
    status[treated & (panel["month"] < installed)] = "before"
    status[treated & (panel["month"] == installed)] = "transition"
    gone = treated & removed.notna() & (panel["month"] >= removed.fillna(1e12))
    status[gone] = "transition"
    panel["status"] = status
    panel["since"] = np.where(status == "in_place", panel["month"] - installed, np.nan)
    if first:
        pseudo = int(np.median([start for start, _ in first.values()]))
    else:
        pseudo = int(panel["month"].median())
    panel["after"] = np.where(treated, (status == "in_place").astype(int),
                              (panel["month"] > pseudo).astype(int))
    panel["year"] = panel["month"] // 12
    return panel[["household", "village", "year", "month", "exposure", "events", "group",
                  "status", "after", "since"]]


def _arms(panel: pd.DataFrame, design: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    if design == "before_after":
        return panel[panel.status == "in_place"], panel[panel.status == "before"]
    if design == "control_impact":
        treated = panel[panel.status == "in_place"]
        years = set(treated["year"])
        return treated, panel[(panel.status == "control") & panel["year"].isin(years)]
    usable = panel[panel.status != "transition"]
    return usable[(usable.group == 1) & (usable.after == 1)], usable[usable.group == 0]


def _min_detectable(exposure_t: float, exposure_c: float, events_c: int, events_t: int) -> float:
    """The largest IRR this sample would detect with 80 % power (one-sided 5 %)."""
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


def estimate(panel: pd.DataFrame, measure: str, design: str, randomised: bool = False,
             verification_filter: str = "confirmed_probable",
             stratum: str | None = None) -> Estimate:
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}")
    treated, control = _arms(panel, design)
    e_t, e_c = float(treated["exposure"].sum()), float(control["exposure"].sum())
    n_t, n_c = int(treated["events"].sum()), int(control["events"].sum())
    est = Estimate(
        measure=measure, design=design,
        grade="A" if randomised and design != "before_after" else GRADES[design],
        households_treated=int(treated["household"].nunique()),
        households_control=int(control["household"].nunique()),
        villages_treated=int(treated["village"].nunique()),
        villages_control=int(control["village"].nunique()),
        exposure_treated=e_t, exposure_control=e_c, events_treated=n_t, events_control=n_c,
        irr=None, ci_low=None, ci_high=None, effectiveness_pct=None, truly_effective=False,
        p_value=None, model="", dispersion=None, verification_filter=verification_filter,
        stratum=stratum, stratum_share_of_losses=None, suppressed=None,
        caveats=_caveats(design, randomised),
    )
    if n_t + n_c < MIN_EVENTS:
        est.suppressed = "few_events"
    elif n_c < MIN_CONTROL_EVENTS:
        est.suppressed = "few_control_events"
    elif e_t < MIN_TREATED_EXPOSURE:
        est.suppressed = "little_exposure"
    if est.suppressed:
        if e_t > 0 and e_c > 0:
            est.min_detectable_irr = _min_detectable(e_t, e_c, n_c, n_t)
        est.caveats.append("small_sample")
        return est
    if n_t == 0:
        # Never "100 % effective": a one-sided 95 % upper bound instead.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # log(0) inside, result is fine
            low, high = confint_poisson_2indep(0, e_t, n_c, e_c, method="score", alpha=0.10)
        est.suppressed = "zero_treated_events"
        est.upper_bound = float(high)
        est.model = "score interval for the rate ratio (statsmodels)"
        return est
    if design == "baci":
        _baci(panel, est)
    else:
        est.irr = (n_t / e_t) / (n_c / e_c)
        low, high = confint_poisson_2indep(n_t, e_t, n_c, e_c, method="score")
        est.ci_low, est.ci_high = float(low), float(high)
        est.p_value = float(test_poisson_2indep(n_t, e_t, n_c, e_c, method="score").pvalue)
        est.model = "two-arm Poisson rate ratio, score interval (statsmodels)"
        est.caveats.append("no_clustering")
    if est.irr is not None:
        est.effectiveness_pct = (1 - est.irr) * 100
        est.truly_effective = bool(est.irr <= TRULY_EFFECTIVE_IRR
                                   and est.ci_high is not None and est.ci_high < 1)
    return est


def _baci(panel: pd.DataFrame, est: Estimate) -> None:
    """Difference in differences on the log-rate scale: GLM with log link and an exposure
    offset, year effects, standard errors clustered by household; Poisson when the Pearson
    dispersion is near 1, else negative binomial with its alpha estimated."""
    data = panel[(panel.status != "transition") & (panel.exposure > 0)]
    data = data.groupby(["household", "year", "group", "after"], as_index=False)[
        ["exposure", "events"]].sum()
    data["treat_after"] = data["group"] * data["after"]
    groups = pd.factorize(data["household"])[0]
    formula = "events ~ group + after + treat_after + C(year)"
    offset = np.log(data["exposure"].to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ConvergenceWarning, PerfectSeparationWarning,
                                         HessianInversionWarning, RuntimeWarning))
        poisson = smf.glm(formula, data=data, family=sm.families.Poisson(), offset=offset).fit(
            cov_type="cluster", cov_kwds={"groups": groups})
        dispersion = float(poisson.pearson_chi2 / max(poisson.df_resid, 1))
        result, model = poisson, "Poisson GLM, log link, exposure offset, year effects, " \
                                 "SE clustered by household"
        if dispersion > 1.5:
            try:
                nb = smf.negativebinomial(formula, data=data, offset=offset).fit(
                    disp=0, cov_type="cluster", cov_kwds={"groups": groups}, maxiter=200)
                if np.all(np.isfinite(nb.bse)):
                    result, model = nb, ("negative binomial, log link, exposure offset, year "
                                         "effects, SE clustered by household")
            except (np.linalg.LinAlgError, ValueError):
                pass
    coef = float(result.params["treat_after"])
    low, high = (float(v) for v in result.conf_int().loc["treat_after"])
    est.irr, est.ci_low, est.ci_high = math.exp(coef), math.exp(low), math.exp(high)
    est.p_value = float(result.pvalues["treat_after"])
    est.dispersion = dispersion
    est.model = model


def _caveats(design: str, randomised: bool) -> list[str]:
    caveats = ["displacement_possible", "compensation_changes_reporting"]
    if not randomised and design in {"control_impact", "before_after"}:
        caveats.insert(0, "self_selection")
    elif not randomised:
        # BACI removes shared trends but not a dip before adoption (adoption after a bad
        # year): the generator's tests show it still flatters then.
        caveats.insert(0, "adoption_after_bad_year")
    if design == "before_after":
        caveats.insert(1, "regression_to_mean")
    return caveats


def by_time_since_installation(panel: pd.DataFrame) -> list[dict[str, object]]:
    """IRR of in-place months by months since installation, against control households."""
    control = panel[panel.status == "control"]
    out = []
    for low, high in BANDS:
        band = panel[(panel.status == "in_place") & (panel.since >= low)]
        if high is not None:
            band = band[band.since < high]
        years = set(band["year"])
        ctrl = control[control["year"].isin(years)]
        e_t, e_c = float(band.exposure.sum()), float(ctrl.exposure.sum())
        n_t, n_c = int(band.events.sum()), int(ctrl.events.sum())
        row: dict[str, object] = {"band": f"{low}-{high}" if high else f"{low}+",
                                  "exposure_treated": e_t, "events_treated": n_t,
                                  "exposure_control": e_c, "events_control": n_c,
                                  "irr": None, "ci_low": None, "ci_high": None}
        if n_t > 0 and n_c >= MIN_CONTROL_EVENTS and n_t + n_c >= MIN_EVENTS and e_t > 0:
            row["irr"] = (n_t / e_t) / (n_c / e_c)
            low_ci, high_ci = confint_poisson_2indep(n_t, e_t, n_c, e_c, method="score")
            row["ci_low"], row["ci_high"] = float(low_ci), float(high_ci)
        out.append(row)
    return out


def displacement(panel: pd.DataFrame, households: Iterable[dict],
                 radius_km: float = 2.0) -> dict[str, object]:
    """Do losses move to untreated neighbours? The rate ratio after/before among untreated
    households within ``radius_km`` of a treated one, against untreated households farther
    away (a ratio of rate ratios, with a score interval on each)."""
    coords = {h["household_ref"]: (h.get("latitude"), h.get("longitude")) for h in households}
    treated = {h for h in panel.loc[panel.group == 1, "household"].unique()
               if None not in coords.get(h, (None, None))}
    untreated = [h for h in panel.loc[panel.group == 0, "household"].unique()
                 if None not in coords.get(h, (None, None))]
    if not treated or not untreated:
        return {"near": None, "far": None}
    t_xy = np.radians(np.array([[float(v) for v in coords[h]] for h in treated]))
    near = set()
    for h in untreated:
        lat, lon = (math.radians(float(v)) for v in coords[h])
        d = 2 * 6371 * np.arcsin(np.sqrt(
            np.sin((t_xy[:, 0] - lat) / 2) ** 2
            + np.cos(lat) * np.cos(t_xy[:, 0]) * np.sin((t_xy[:, 1] - lon) / 2) ** 2))
        if d.min() <= radius_km:
            near.add(h)
    result = {}
    for name, members in (("near", near), ("far", set(untreated) - near)):
        part = panel[panel.household.isin(members)]
        after, before = part[part.after == 1], part[part.after == 0]
        n_a, n_b = int(after.events.sum()), int(before.events.sum())
        e_a, e_b = float(after.exposure.sum()), float(before.exposure.sum())
        if n_a + n_b >= MIN_EVENTS and n_b > 0 and e_a > 0 and e_b > 0:
            low, high = confint_poisson_2indep(n_a, e_a, n_b, e_b, method="score")
            result[name] = {"households": len(members), "irr": (n_a / e_a) / (n_b / e_b),
                            "ci_low": float(low), "ci_high": float(high)}
        else:
            result[name] = {"households": len(members), "irr": None}
    return result


def cost_per_loss_avoided(est: Estimate, cost_total: float, value_per_head: float,
                          yearly_upkeep: float = 0.0) -> dict[str, float] | None:
    """(install + upkeep) ÷ (losses avoided × value per head), and heads saved per 1,000."""
    if est.irr is None or est.irr >= 1 or est.exposure_treated <= 0:
        return None
    rate_c = est.events_control / est.exposure_control
    avoided_heads = rate_c * (1 - est.irr) * est.exposure_treated
    years = est.exposure_treated / max(est.households_treated, 1) / 100  # rough herd-years
    spent = cost_total + yearly_upkeep * max(years, 0)
    if avoided_heads <= 0 or spent <= 0:
        return None
    return {"heads_avoided": avoided_heads,
            "cost_per_unit_loss_avoided": spent / (avoided_heads * value_per_head),
            "heads_saved_per_1000": avoided_heads / spent * 1000}
