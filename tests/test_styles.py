"""The stylesheets' promises a user can see: a focus ring visible against every background it
sits on (WCAG 1.4.11 asks 3:1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parent.parent / "conflict_app" / "static"
# Page, header and card backgrounds the focused control can sit on.
BACKGROUNDS = ("#ffffff", "#faf6ef", "#f3f4f6", "#e9f6ec", "#fdecea", "#fff4ce")


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula_matches_wcag_examples():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#f0a500", "#ffffff"), 2) == pytest.approx(2.08, abs=0.05)


@pytest.mark.parametrize("sheet", ["pardus.css", "public.css"])
def test_focus_ring_has_three_to_one_contrast(sheet):
    css = (STATIC / sheet).read_text(encoding="utf-8")
    rings = re.findall(r":focus[^{]*\{[^}]*outline:\s*\d+px\s+solid\s+(#[0-9a-fA-F]{6})", css)
    assert rings, "no focus ring found"
    for ring in rings:
        for background in BACKGROUNDS:
            assert contrast(ring, background) >= 3, (ring, background)
