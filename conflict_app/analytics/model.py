"""The fits behind the effectiveness estimates, and their failures turned into refusals.

Poisson pseudo-maximum likelihood with fixed effects (pyfixest ``fepois``): household and
year × season effects absorbed, log exposure as offset, one regressor per measure in place,
cluster-robust (CRV1) standard errors and t intervals with G − 1 degrees of freedom, fitted
on the sums of household-months that share every covariate (the same fit, fewer rows). No
estimator is written here: this module chooses the specification, reads the result and
translates every way a fit can fail into a refusal code (see docs/analytics.md for why).
"""

from __future__ import annotations

import math
import warnings
from contextlib import suppress
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Refusal codes a fit can produce (labels in conflict_app.i18n.labels, group "suppressed").
SINGULAR = "singular_design"
NO_VARIATION = "no_variation"
SEPARATION = "separation"
NOT_CONVERGED = "not_converged"
FEW_CLUSTERS = "few_clusters"
MIN_CLUSTERS = 10  # in all
MIN_TREATED_CLUSTERS = 3  # holding the measure
MAX_LOG_SE = 3.0  # an interval wider than e^±6: the data cannot tell, refuse it
VCOV = "CRV1"


@dataclass
class Coef:
    irr: float
    ci_low: float
    ci_high: float
    p_value: float


@dataclass
class Fit:
    coefs: dict[str, Coef] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # regressor → refusal code
    failure: str | None = None  # the whole fit failed
    dispersion: float | None = None
    clusters: int = 0
    wald_p: dict[str, float] = field(default_factory=dict)


def fepois(panel: pd.DataFrame, regressors: list[str], fixed: list[str],
           cluster: str, wald: dict[str, list[str]] | None = None,
           collapse: bool = True) -> Fit:
    """Fit ``events ~ regressors | fixed`` with a log-exposure offset; never raises.

    ``collapse``: fit on the sums of rows with equal covariates (the same estimates,
    intervals and dispersion, on fewer rows); False fits the rows as given.

    ``wald``: groups of regressors to test jointly (cluster-robust Wald test that all are
    0), e.g. the event-study leads as a pre-trend check; p-values in ``Fit.wald_p``.
    """
    out = Fit()
    # Clusters are counted over the rows given; pyfixest drops fixed-effect groups without
    # any loss (no information) itself.
    data = panel[_columns(cluster, fixed, regressors)]
    regressors = [r for r in regressors if r in data and data[r].any()]
    if not regressors:
        out.failure = NO_VARIATION
        return out
    out.clusters = int(data[cluster].nunique())
    if out.clusters < MIN_CLUSTERS:
        out.failure = FEW_CLUSTERS
        return out
    if data["events"].sum() == 0:
        out.failure = NO_VARIATION
        return out
    data = _informative(data, fixed)
    n_rows = _without_singletons(data, fixed)
    if n_rows <= len(regressors):
        out.failure = NO_VARIATION  # what is left cannot identify the effects
        return out
    # Rows that share every covariate (fixed-effect levels, regressors, cluster) are summed:
    # the Poisson likelihood and the cluster scores depend on them only through the sums of
    # losses and exposure, so the fit is the same on fewer rows (see ``_collapse``).
    if collapse:
        rows, members = _collapse(data, [cluster, *fixed, *regressors])
    else:
        rows, members = data.copy(), np.arange(len(data))
    if collapse and _without_singletons(rows, fixed) <= len(regressors):
        # Every household's rows share their covariates: nothing varies within the fixed
        # effects (pyfixest would be left with no rows at all).
        out.failure = NO_VARIATION
        return out
    rows["log_exposure"] = np.log(rows["exposure"])
    formula = f"events ~ {' + '.join(regressors)}"
    if fixed:
        formula += f" | {' + '.join(fixed)}"
    import pyfixest  # heavy: only when a fit is needed

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = pyfixest.fepois(formula, rows, vcov={VCOV: cluster},
                                  offset="log_exposure", iwls_maxiter=100,
                                  separation_check=[], store_data=False, copy_data=False)
        except np.linalg.LinAlgError:
            out.failure = SINGULAR
            return out
        except (ValueError, ZeroDivisionError, FloatingPointError, KeyError,
                IndexError, RuntimeError) as err:
            out.failure = _classify(err)
            return out
    if getattr(fit, "_convergence", True) is False:
        out.failure = NOT_CONVERGED
        return out
    _as_if_uncollapsed(fit, n_rows)
    coef, se = fit.coef(), fit.se()
    # Intervals and p-values from t with G − 1 degrees of freedom (pyfixest uses the normal
    # for Poisson): with tens of clusters the normal interval is too narrow.
    groups = getattr(fit, "_G", None)
    used = int(min(groups)) if groups is not None and len(groups) else out.clusters
    from scipy import stats

    crit = float(stats.t.ppf(0.975, max(used - 1, 1)))
    for name in regressors:
        if name not in coef.index:
            out.refused[name] = NO_VARIATION  # collinear with the fixed effects: dropped
            continue
        b, s = float(coef[name]), float(se[name])
        if not (math.isfinite(b) and math.isfinite(s)) or s <= 0:
            out.refused[name] = SINGULAR
        elif s > MAX_LOG_SE or abs(b) > 10:
            out.refused[name] = SEPARATION
        else:
            out.coefs[name] = Coef(math.exp(b), math.exp(b - crit * s), math.exp(b + crit * s),
                                   float(2 * stats.t.sf(abs(b / s), max(used - 1, 1))))
    # pyfixest drops one of two collinear regressors and gives the other the joint effect.
    # Dropped for varying within a household means collinear with another measure (always
    # installed together): then no measure of this fit can be told apart.
    dropped = [r for r in regressors if r not in coef.index]
    if fixed and any(data.groupby(fixed[0])[r].nunique().max() > 1 for r in dropped):
        for name in regressors:
            out.refused[name] = SINGULAR
        out.coefs.clear()
        return out
    names = list(coef.index)
    for key, cols in (wald or {}).items():
        cols = [c for c in cols if c in out.coefs]
        if not cols:
            continue
        r = np.zeros((len(cols), len(names)))
        for row, col in enumerate(cols):
            r[row, names.index(col)] = 1
        # A check that cannot run is simply not shown.
        with warnings.catch_warnings(), suppress(ValueError, np.linalg.LinAlgError, KeyError):
            warnings.simplefilter("ignore")
            out.wald_p[key] = float(fit.wald_test(R=r)["pvalue"])
    n_fixed = sum(int(data[f].nunique()) for f in fixed)
    dof = max(n_rows - len(coef) - n_fixed, 1)
    chi2 = _pearson_chi2(fit, data, rows, members, fixed)
    out.dispersion = float(chi2) / dof if chi2 is not None and math.isfinite(chi2) else None
    return out


def _informative(data: pd.DataFrame, fixed: list[str]) -> pd.DataFrame:
    """Without the rows of fixed-effect groups that never have a loss.

    Such a group's effect is minus infinity and its rows carry no information on the
    coefficients; this is pyfixest's own "fe" separation check (one pass over each fixed
    effect), done here on arrays instead of cross-tabulations.
    """
    events = data["events"].to_numpy()
    keep = np.ones(len(data), dtype=bool)
    for name in fixed:
        codes, _levels = pd.factorize(data[name])
        keep &= np.bincount(codes, weights=events)[codes] > 0
    return data[keep].reset_index(drop=True) if not keep.all() else data.copy()


def _without_singletons(data: pd.DataFrame, fixed: list[str]) -> int:
    """Rows left once fixed-effect groups of one row are dropped, repeatedly (pyfixest drops
    them too, and fails outright when nothing is left)."""
    return int(_singleton_mask(data, fixed).sum())


def _collapse(data: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows summed over ``keys`` (losses and exposure), and each row's group.

    A Poisson likelihood with a log-exposure offset is sum_i y_i·x_i'b − e_i·exp(x_i'b)
    (plus terms free of b): rows with the same x (fixed-effect levels and regressors)
    enter only through the sums of y and e. The cluster-robust score of a cluster is a sum
    over its rows, so keeping the cluster among the keys leaves it unchanged too. The
    estimates and their covariance are therefore those of the uncollapsed rows; only the
    small-sample factor and the Pearson dispersion count rows, and ``fepois`` restores
    both. Keys are combined into one integer per row and factorised (hashing, no sort).
    """
    keys = list(dict.fromkeys(keys))
    combined = np.zeros(len(data), dtype=np.int64)
    for key in keys:
        codes, levels = pd.factorize(data[key], sort=False)
        combined = combined * max(len(levels), 1) + codes
    groups, uniques = pd.factorize(combined, sort=False)
    first = np.empty(len(uniques), dtype=np.int64)
    first[groups[::-1]] = np.arange(len(data) - 1, -1, -1)
    out = {key: data[key].to_numpy()[first] for key in keys}
    out["events"] = np.bincount(groups, weights=data["events"].to_numpy(),
                                minlength=len(uniques))
    out["exposure"] = np.bincount(groups, weights=data["exposure"].to_numpy(dtype=float),
                                  minlength=len(uniques))
    return pd.DataFrame(out), groups


def _as_if_uncollapsed(fit, n_rows: int) -> None:  # noqa: ANN001
    """Give the collapsed fit the small-sample factor (N − 1)/(N − k) of the rows it
    stands for (pyfixest counts the summed rows): the only part of the cluster-robust
    covariance that depends on the number of rows."""
    n, k = getattr(fit, "_N", None), getattr(fit, "_df_k", None)
    vcov = getattr(fit, "_vcov", None)
    if not n or k is None or vcov is None or n == n_rows or n_rows <= k or n <= k:
        return
    factor = ((n_rows - 1) / (n_rows - k)) / ((n - 1) / (n - k))
    fit._vcov = vcov * factor
    fit.get_inference()


def _pearson_chi2(fit, data: pd.DataFrame, rows: pd.DataFrame,  # noqa: ANN001
                  groups: np.ndarray, fixed: list[str]) -> float | None:
    """Pearson's chi-squared over the uncollapsed rows: each row's fitted value is its
    share of exposure of its summed row's fitted value (the rate is the same for rows of
    equal covariates). Summed rows pyfixest dropped as singletons are fitted exactly by
    their fixed effect (fitted = observed)."""
    fitted = getattr(fit, "_Y_hat_response", None)
    if fitted is None:
        return None
    keep = _singleton_mask(rows, fixed)
    if int(keep.sum()) != len(fitted):
        chi2 = getattr(fit, "_pearson_chi2", None)
        return float(chi2) if chi2 is not None else None
    mu = rows["events"].to_numpy(dtype=float).copy()
    mu[keep] = fitted
    rate = mu / rows["exposure"].to_numpy()
    expected = data["exposure"].to_numpy(dtype=float) * rate[groups]
    observed = data["events"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(expected > 0, (observed - expected) ** 2 / expected, 0.0)
    return float(terms.sum())


def _singleton_mask(data: pd.DataFrame, fixed: list[str]) -> np.ndarray:
    keep = np.ones(len(data), dtype=bool)
    codes = [pd.factorize(data[name])[0] for name in fixed]
    while True:
        before = int(keep.sum())
        for code in codes:
            keep &= np.bincount(code, weights=keep)[code] > 1
        if int(keep.sum()) == before:
            return keep


def _columns(cluster: str, fixed: list[str], regressors: list[str]) -> list[str]:
    return list(dict.fromkeys(["events", "exposure", cluster, *fixed, *regressors]))


def _classify(err: Exception) -> str:
    text = str(err).lower()
    if "singular" in text or "collinear" in text or "rank" in text:
        return SINGULAR
    if "separat" in text:
        return SEPARATION
    if "converge" in text:
        return NOT_CONVERGED
    if "cluster" in text:
        return FEW_CLUSTERS
    return NO_VARIATION
