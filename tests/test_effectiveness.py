"""Effectiveness estimators recover known effects from synthetic landscapes at the rate
their intervals promise, refuse thin data, and flag the designs that flatter."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conflict_app.analytics import effectiveness as ef
from conflict_app.analytics.landscape import generate


def panel_for(land, measure="corral"):
    return ef.monthly_panel(land.households, land.herds, land.measures, land.incidents, measure)


def test_same_seed_same_landscape():
    a, b = generate(7, villages=2), generate(7, villages=2)
    assert a.incidents == b.incidents and a.measures == b.measures


def test_baci_intervals_cover_the_true_irr_about_95_percent_of_the_time():
    # 100 randomised landscapes: if the 95 % interval is honest, the number covering the
    # truth is Binomial(100, 0.95): between 88 and 99 with probability > 0.99.
    true_irr = 0.3
    covered = estimated = 0
    for seed in range(100):
        land = generate(seed, villages=3, design="random", measures={"corral": true_irr})
        est = ef.estimate(panel_for(land), "corral", "baci", randomised=True)
        if est.irr is None:
            continue
        estimated += 1
        covered += est.ci_low <= true_irr <= est.ci_high
    assert estimated >= 95
    assert 88 <= covered * 100 / estimated <= 99, (covered, estimated)


def test_before_after_under_self_selection_flatters_and_says_so():
    true_irr = 0.6
    logs = []
    for seed in range(20):
        land = generate(seed, villages=3, design="self_selected",
                        measures={"corral": true_irr})
        est = ef.estimate(panel_for(land), "corral", "before_after")
        assert est.grade == "D"
        assert {"self_selection", "regression_to_mean"} <= set(est.caveats)
        logs.append(math.log(est.irr))
    mean, se = np.mean(logs), np.std(logs, ddof=1) / math.sqrt(len(logs))
    assert mean + 2 * se < math.log(true_irr)  # it overstates the effect


def test_thin_data_is_refused_with_the_detectable_effect():
    land = generate(1, villages=1, years=2, base_rate=0.05, design="random",
                    measures={"corral": 0.5})
    est = ef.estimate(panel_for(land), "corral", "control_impact")
    assert est.suppressed in {"few_events", "few_control_events", "little_exposure"}
    assert est.irr is None and est.effectiveness_pct is None
    assert est.min_detectable_irr is not None and 0 <= est.min_detectable_irr < 1
    assert "small_sample" in est.caveats


def test_zero_treated_events_is_never_100_percent():
    land = generate(2, villages=3, design="random", measures={"corral": 0.3})
    panel = panel_for(land)
    panel.loc[panel.status == "in_place", "events"] = 0
    est = ef.estimate(panel, "corral", "control_impact")
    assert est.suppressed == "zero_treated_events"
    assert est.effectiveness_pct is None and est.irr is None
    assert 0 < est.upper_bound < 1


def test_estimate_discloses_everything_analysts_need():
    land = generate(4, villages=3, design="random", measures={"corral": 0.3})
    data = ef.estimate(panel_for(land), "corral", "baci", randomised=True).as_dict()
    for key in ("measure", "design", "grade", "households_treated", "households_control",
                "exposure_treated", "exposure_control", "events_treated", "events_control",
                "irr", "ci_low", "ci_high", "effectiveness_pct", "suppressed", "model",
                "dispersion", "truly_effective", "caveats", "verification_filter"):
        assert key in data
    assert data["grade"] == "A" and data["design"] == "baci"
    bands = ef.by_time_since_installation(panel_for(land))
    assert [b["band"] for b in bands] == ["0-3", "3-6", "6-12", "12+"]


@pytest.mark.parametrize("design", ef.DESIGNS)
def test_every_design_runs_on_a_landscape_without_the_measure(design):
    land = generate(5, villages=2, design="random", measures={"guard_dog": 0.6})
    est = ef.estimate(panel_for(land, "corral"), "corral", design)
    assert est.households_treated == 0 and est.irr is None and est.suppressed
