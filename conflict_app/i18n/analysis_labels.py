"""Words for the codes of the analyses: ranges, mitigation measures, study designs and
evidence grades, why an estimate is withheld, the models and their caveats, seasons and the
steps whose durations are measured."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p

ANALYSIS_LABELS: dict[str, dict[str, object]] = {
    "region": {
        "caucasus": _p("part of the leopard's geographic range (not a mountain range)", "Caucasus"),
        "alborz_kopet_dagh": _p("part of the leopard's geographic range (not a mountain range)",
                                "Alborz–Kopet Dagh"),
        "zagros": _p("part of the leopard's geographic range (not a mountain range)", "Zagros"),
        "eastern_range": _p("part of the leopard's geographic range (not a mountain range)",
                            "Eastern range"),
    },
    "measure": {
        "corral": _p("conflict-mitigation measure", "Predator-proof corral"),
        "guard_dog": _p("conflict-mitigation measure", "Guarding dog"),
        "electric_fence": _p("conflict-mitigation measure", "Electric fence"),
        "collar": _p("conflict-mitigation measure", "Collars"),
        "shepherd": _p("conflict-mitigation measure", "Trained shepherd"),
        "light": _p("conflict-mitigation measure", "Lights"),
        "other": _p("conflict-mitigation measure", "Other measure"),
    },
    "design": {
        "baci": _p("study design", "Before-after with controls (BACI)"),
        "control_impact": _p("study design", "Treated against untreated, same period"),
        "before_after": _p("study design", "Before and after, no controls"),
    },
    "grade": {
        "A": _p("evidence grade", "A: randomised"),
        "B": _p("evidence grade", "B: before-after with controls"),
        "C": _p("evidence grade", "C: control-impact"),
        "D": _p("evidence grade", "D: before-after only"),
    },
    "suppressed": {
        "few_events": _l("fewer than 10 losses in all"),
        "few_control_events": _l("fewer than 3 losses among the comparison households"),
        "little_exposure": _l("under 100 head-years with the measure"),
        "zero_treated_events": _l("no losses with the measure: only an upper bound is shown"),
        "no_households": _l("no household in this selection has the measure"),
        "no_variation": _l("the measure never changes within the households' records (no "
                           "months without it to compare)"),
        "singular_design": _l("the measures cannot be told apart in these data (installed "
                              "together or covering the same months)"),
        "separation": _l("losses stop entirely in one group, so the data cannot bound the "
                         "effect"),
        "not_converged": _l("the model found no stable answer on these data"),
        "few_clusters": _l("too few households or villages to judge the uncertainty (10 in "
                           "all and 3 with the measure are needed)"),
    },
    "model": {
        "poisson_fe": _l("Poisson regression with household, year and season effects and "
                         "an exposure offset, all measures of the stratum together; intervals "
                         "robust to overdispersion, clustered by household or village"),
        "poisson_time": _l("Poisson regression with year and season effects and an exposure "
                           "offset, no household effects; intervals clustered by household "
                           "or village"),
        "poisson_fe_season": _l("Poisson regression with household and calendar-month "
                                "effects, households with the measure only; intervals "
                                "clustered by household or village"),
        "rate_bound": _l("Score interval for the ratio of two Poisson rates"),
    },
    "caveat": {
        "self_selection": _l("Households choose the measure, often right after a bad year, "
                             "so the comparison flatters it."),
        "regression_to_mean": _l("Without a comparison group, a bad year followed by a normal "
                                 "one looks like an effect."),
        "adoption_after_bad_year": _l("Adoption after a bad year can still flatter the "
                                      "measure."),
        "small_sample": _l("Too little data for a reliable estimate."),
        "displacement_possible": _l("Leopards may turn to unprotected neighbours."),
        "compensation_changes_reporting": _l("Compensation can change how many losses are "
                                             "reported."),
        "dip_before_adoption": _l("Losses changed in the two years before installation "
                                  "(adoption after a bad year); those months are left out "
                                  "of the comparison."),
        "no_clustering": _l("Interval assumes independent losses; repeated losses of one "
                            "household make it too narrow."),
    },
    "filter": {
        "confirmed_probable": _p("which claims the analysis counts",
                                 "Confirmed and probable leopard (primary)"),
        "confirmed": _p("which claims the analysis counts", "Confirmed leopard only"),
        "confirmed_probable_possible": _p("which claims the analysis counts",
                                          "Confirmed, probable and possible"),
    },
    "season": {
        "spring": _p("season", "Spring (Mar–May)"),
        "summer": _p("season", "Summer (Jun–Aug)"),
        "autumn": _p("season", "Autumn (Sep–Nov)"),
        "winter": _p("season", "Winter (Dec–Feb)"),
    },
    "step": {
        "incident_to_report": _p("duration from one claim step to the next (from X to Y)",
                                 "Incident to report"),
        "report_to_verification": _p("duration from one claim step to the next (from X to Y)",
                                     "Report to field verification"),
        "verification_to_decision": _p("duration from one claim step to the next (from X to Y)",
                                       "Verification to decision"),
        "decision_to_payment": _p("duration from one claim step to the next (from X to Y)",
                                  "Decision to payment"),
    },
}
