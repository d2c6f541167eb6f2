"""Fitting on summed rows changes nothing: the estimates, intervals, pre-trend test and
dispersion are those of the household-months themselves, on a fraction of the rows (to
the fit's convergence tolerance: the iterations take another path to the same optimum)."""

from __future__ import annotations

import pytest

from conflict_app.analytics import effectiveness as ef
from conflict_app.analytics import model
from conflict_app.analytics.landscape import generate
from conflict_app.analytics.panel import band_columns, counts_from_rows, season, stratum_panel


@pytest.fixture(scope="module")
def panel():
    land = generate(5, villages=6, design="random", base_rate=3, trend=0.1)
    counts = counts_from_rows(land.households, land.herds, land.measures, land.incidents,
                              ef.PRIMARY)
    return stratum_panel(counts, "corral", ["corral", "light"])


def _same(a: model.Fit, b: model.Fit) -> None:
    assert a.failure is None and b.failure is None
    assert a.coefs.keys() == b.coefs.keys() and a.coefs
    for name, coef in a.coefs.items():
        other = b.coefs[name]
        for field in ("irr", "ci_low", "ci_high", "p_value"):
            # p-values far in the tail move most (relatively): still the same to 4 places.
            rel = 1e-3 if field == "p_value" else 1e-4
            assert getattr(other, field) == pytest.approx(getattr(coef, field), rel=rel,
                                                          abs=1e-8), (name, field)
    assert b.dispersion == pytest.approx(a.dispersion, rel=1e-4)
    assert b.clusters == a.clusters
    for key, p in a.wald_p.items():
        assert b.wald_p[key] == pytest.approx(p, rel=1e-4)


@pytest.mark.parametrize("fixed", [["household", "period"], ["period"],
                                   ["household", "moy"]])
def test_summed_rows_give_the_same_fit(panel, fixed):
    regressors = ["in_corral", "pre_corral", "in_light", "pre_light"]
    _same(model.fepois(panel, regressors, fixed, "household", collapse=False),
          model.fepois(panel, regressors, fixed, "household"))


def test_the_event_study_too(panel):
    bands = {name: band_columns(panel, name) for name in ("corral", "light")}
    leads = {name: cols[:2] for name, cols in bands.items()}
    columns = [c for cols in bands.values() for c in cols]
    _same(model.fepois(panel, columns, ["household", "period"], "household", leads,
                       collapse=False),
          model.fepois(panel, columns, ["household", "period"], "household", leads))


def test_seasons_are_three_months_december_with_the_winter_after_it():
    # Month index = year * 12 + month - 1.
    dec, jan, feb, mar = 2023 * 12 + 11, 2024 * 12, 2024 * 12 + 1, 2024 * 12 + 2
    assert season(dec) == season(jan) == season(feb) != season(mar)
    assert season(mar) == season(mar + 2) != season(mar + 3)
