"""Effectiveness estimators on synthetic landscapes: they refuse thin data, never claim
"100 % effective", flag the designs that flatter and disclose what analysts need."""

from __future__ import annotations

import math

import numpy as np

from conflict_app.analytics import effectiveness as ef
from conflict_app.analytics.landscape import generate
from conflict_app.analytics.panel import counts_from_rows


def counts_of(land):
    return counts_from_rows(land.households, land.herds, land.measures, land.incidents,
                            ef.PRIMARY)


def result_for(land, measure="corral", **kw):
    return next(r for r in ef.analyse(counts_of(land), **kw) if r.measure == measure)


def design(result, name):
    return next(d for d in result.designs if d.design == name)


def test_same_seed_same_landscape():
    a, b = generate(7, villages=2), generate(7, villages=2)
    assert a.incidents == b.incidents and a.measures == b.measures


def test_before_after_under_self_selection_flatters_and_says_so():
    true_irr = 0.6
    logs = []
    for seed in range(12):
        land = generate(seed, villages=3, design="self_selected",
                        measures={"corral": true_irr})
        est = design(result_for(land), "before_after")
        assert est.grade == "D"
        assert {"self_selection", "regression_to_mean"} <= set(est.caveats)
        if est.irr is not None:
            logs.append(math.log(est.irr))
    mean, se = np.mean(logs), np.std(logs, ddof=1) / math.sqrt(len(logs))
    assert mean + 2 * se < math.log(true_irr)  # it overstates the effect


def test_thin_data_is_refused_with_the_detectable_effect():
    land = generate(1, villages=1, years=2, base_rate=0.05, design="random",
                    measures={"corral": 0.5})
    for est in result_for(land).designs:
        assert est.suppressed in {"few_events", "few_control_events", "little_exposure"}
        assert est.irr is None and est.effectiveness_pct is None and not est.headline
        assert "small_sample" in est.caveats
        if est.exposure_treated and est.exposure_control:
            assert est.min_detectable_irr is not None and 0 <= est.min_detectable_irr < 1


def test_zero_treated_events_is_never_100_percent():
    land = generate(2, villages=3, design="random", measures={"corral": 0.3})
    installed = {m["household_ref"]: m["installed_on"] for m in land.measures}
    land.incidents = [i for i in land.incidents if not (
        i["household_ref"] in installed and i["occurred_on"] >= installed[i["household_ref"]])]
    est = design(result_for(land), "baci")
    assert est.suppressed == "zero_treated_events" and est.headline
    assert est.effectiveness_pct is None and est.irr is None
    assert 0 < est.upper_bound < 1


def test_estimate_discloses_everything_analysts_need():
    land = generate(4, villages=3, design="random", measures={"corral": 0.3, "light": 1.0})
    result = result_for(land, assignment={"corral": "household"})
    data = design(result, "baci").as_dict()
    for key in ("measure", "design", "grade", "households_treated", "households_control",
                "villages_treated", "villages_control", "exposure_treated",
                "exposure_control", "events_treated", "events_control", "irr", "ci_low",
                "ci_high", "effectiveness_pct", "suppressed", "model", "dispersion",
                "truly_effective", "caveats", "verification_filter", "headline", "verdict",
                "clusters", "cluster_by", "jointly_with", "pre_trend"):
        assert key in data
    assert data["grade"] == "A" and data["design"] == "baci" and data["headline"]
    assert data["jointly_with"] == ["light"]  # the same stratum is fitted together
    assert result.headline.design == "baci"
    assert [b["band"] for b in result.by_time] == ["-24–-12", "-12–0", "0–3", "3–6",
                                                   "6–12", "12+"]


def test_a_measure_nobody_holds_is_refused_in_every_design():
    land = generate(5, villages=2, design="random", measures={"guard_dog": 0.6})
    result = result_for(land, measures=["corral"])
    assert result.headline is None and result.suppressed == "no_households"
    assert all(d.households_treated == 0 and d.irr is None for d in result.designs)
