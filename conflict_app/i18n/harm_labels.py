"""Words for the codes of harm claims (schemes.harm): kinds, injury categories, crops.
Kept apart from ``labels`` so that module stays readable; merged into its table."""

from __future__ import annotations

from flask_babel import lazy_pgettext as _p

HARM_LABELS: dict[str, dict[str, object]] = {
    "harm_kind": {
        "livestock": _p("what a claim is for", "Livestock"),
        "human_injury": _p("what a claim is for", "Injury to a person"),
        "human_death": _p("what a claim is for", "Death of a person"),
        "crop_damage": _p("what a claim is for", "Crop damage"),
    },
    "severity": {
        "minor": _p("category of an injury to a person", "Minor injury"),
        "serious": _p("category of an injury to a person", "Serious injury"),
        "permanent": _p("category of an injury to a person", "Permanent disability"),
    },
    "crop": {
        "wheat": _p("crop", "Wheat"),
        "barley": _p("crop", "Barley"),
        "maize": _p("crop", "Maize"),
        "rice": _p("crop", "Rice"),
        "potato": _p("crop", "Potatoes"),
        "vegetables": _p("crop", "Vegetables"),
        "fruit": _p("crop", "Fruit trees"),
        "fodder": _p("crop", "Fodder and hay"),
    },
}
