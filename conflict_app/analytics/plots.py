"""Geometry of the analytics plots, drawn as SVG by the templates (no JavaScript, no service).

Pure: numbers in, coordinates out; texts stay with the templates, which translate them. The
plots are 360 units wide, a phone's width, so their letters stay readable there without
scaling down; wider screens enlarge them up to a cap in the stylesheet. Rate ratios sit on a
log scale (a halving and a doubling are the same distance from "no effect"). In
right-to-left locales the labels start at the right and time runs from right to left, like
the text; the ratio axis keeps small values on the left, as in every forest plot.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

WIDTH = 360
TICKS = (0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 10, 20, 50, 100)
FLOOR, CEILING = 0.01, 100.0
LAND = ("#f3eee2", "#e6eee0", "#f1e4e4", "#ece8f3")  # pale, neighbours told apart:
COLOUR = {"AM": 0, "GE": 1, "AZ": 2, "TR": 3, "IR": 1, "RU": 0, "IQ": 0, "TM": 2, "AF": 0,
          "PK": 2, "UZ": 1, "KZ": 3, "TJ": 2}  # no two neighbours share a colour
BOUNDARIES = Path(__file__).resolve().parent.parent / "geo" / "boundaries.json"


def _scale(values: list[float], low: float = 0.1, high: float = 2.0) -> tuple[float, float]:
    """A log range holding every value, at least ``low``–``high``, within 0.01–100."""
    finite = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    lo = max(FLOOR, min([low, *finite]) / 1.25)
    hi = min(CEILING, max([high, *finite]) * 1.25)
    return lo, hi


def _place(value: float, lo: float, hi: float, start: float, end: float) -> float:
    value = min(max(value, lo), hi)
    share = (math.log(value) - math.log(lo)) / (math.log(hi) - math.log(lo))
    return round(start + share * (end - start), 1)


def forest(rows: list[dict], rtl: bool = False, values: bool = True) -> dict:
    """Effect and interval per measure: ``rows`` of {"label", "irr", "ci_low", "ci_high",
    "text"}; rows without an estimate keep their line with their ``text`` only.

    Each row is two lines: its label (at the start side, the whole width, so long
    translated names never squeeze the plot on a phone), then the interval with its value
    written at the end side (``values``; the PDF writes it in a column of its own).
    """
    margin, room, row_height, top = 16.0, 104.0 if values else 0.0, 44, 8
    left, right = (margin + room, WIDTH - margin) if rtl else (margin, WIDTH - margin - room)
    lo, hi = _scale([v for r in rows for v in (r.get("ci_low"), r.get("ci_high"))])
    out_rows = []
    for i, row in enumerate(rows):
        y = top + i * row_height
        entry = {"label": row["label"], "text": row.get("text", ""), "label_y": y + 14,
                 "y": y + 30, "estimate": row.get("irr") is not None}
        if entry["estimate"]:
            entry.update(x=_place(row["irr"], lo, hi, left, right),
                         x_low=_place(row["ci_low"], lo, hi, left, right),
                         x_high=_place(row["ci_high"], lo, hi, left, right),
                         clipped_low=row["ci_low"] < lo, clipped_high=row["ci_high"] > hi,
                         effective=row["ci_high"] < 1, harmful=row["ci_low"] > 1)
        out_rows.append(entry)
    axis_y = top + len(rows) * row_height + 4
    return {
        "width": WIDTH, "height": axis_y + 44, "rows": out_rows, "axis_y": axis_y,
        "ticks": [{"value": t, "x": _place(t, lo, hi, left, right)}
                  for t in TICKS if lo <= t <= hi],
        "one": _place(1, lo, hi, left, right),
        "threshold": _place(0.25, lo, hi, left, right) if lo <= 0.25 else None,
        "left": left, "right": right,
        "label_x": WIDTH - margin if rtl else margin, "label_anchor": "start",
        # The value is a number: written left to right, its far end at the frame's edge.
        "text_x": margin if rtl else WIDTH - margin, "text_anchor": "start" if rtl else "end",
    }


def by_time(bands: list[dict], rtl: bool = False) -> dict:
    """The event study: IRR per band of months since installation, leads included; the
    installation month is the line between the last lead and the first band after."""
    top, bottom = 18.0, 156.0
    # The IRR axis and its numbers sit at the start side: left, or right in RTL.
    left, right = (12.0, WIDTH - 44.0) if rtl else (44.0, WIDTH - 12.0)
    lo, hi = _scale([v for b in bands for v in (b.get("ci_low"), b.get("ci_high"))],
                    0.25, 2.0)
    step = (right - left) / max(len(bands), 1)

    def x_of(i: float) -> float:
        return round(right - (i + 0.5) * step if rtl else left + (i + 0.5) * step, 1)

    def y_of(v: float) -> float:
        return _place(v, lo, hi, bottom, top)

    points = []
    for i, band in enumerate(bands):
        point = {"x": x_of(i), "band": band_label(band), "lead": band.get("low", 0) < 0,
                 "estimate": band.get("irr") is not None}
        if point["estimate"]:
            point.update(y=y_of(band["irr"]), y_low=y_of(band["ci_low"]),
                         y_high=y_of(band["ci_high"]))
        points.append(point)
    leads = sum(1 for b in bands if b.get("low", 0) < 0)
    # The axis is labelled at the bands' edges (−24, −12, 0, 3, 6, 12): short enough to
    # read on a phone, where whole ranges ("−24…−12") would run into each other.
    edges = [{"x": x_of(i - 0.5), "label": _signed(b["low"])}
             for i, b in enumerate(bands) if b.get("low") is not None]
    return {
        "edges": edges,
        "width": WIDTH, "height": bottom + 44, "points": points, "top": top,
        "bottom": bottom, "left": left, "right": right, "one": y_of(1),
        "install": x_of(leads - 0.5) if 0 < leads < len(bands) else None,
        "tick_x": right + 4 if rtl else left - 4, "tick_anchor": "start" if rtl else "end",
        "ticks": [{"value": t, "y": y_of(t)} for t in TICKS if lo <= t <= hi],
    }


def band_label(band: dict) -> str:
    """"−24…−12", "0…3", "12+": true minus signs, no dash between two minus signs."""
    low, high = band.get("low"), band.get("high")
    if low is None:
        return band["band"]

    return f"{_signed(low)}+" if high is None else f"{_signed(low)}…{_signed(high)}"


def _signed(value: int) -> str:
    return str(value).replace("-", "\u2212")


@cache
def boundaries() -> dict[str, list[list[list[float]]]]:
    """The range states' outlines (Natural Earth, public domain; see geo/README.md)."""
    return json.loads(BOUNDARIES.read_text(encoding="utf-8"))["countries"]


def grid_map(cells: list[dict], country: str | None = None, pad: float = 1.0) -> dict:
    """Losses per grid cell over the countries' outlines, in an equirectangular projection
    scaled by the cosine of the middle latitude (true shapes at these latitudes).

    The view is the shown cells plus ``pad`` degrees (or the country, or the whole range
    when no cell is shown); suppressed cells are not drawn at all.
    """
    shown = [c for c in cells if not c.get("suppressed") and c.get("incidents")]
    outlines = boundaries()
    if shown:
        size = max(c["size"] for c in shown)
        west, east = min(c["lon"] for c in shown), max(c["lon"] for c in shown) + size
        south, north = min(c["lat"] for c in shown), max(c["lat"] for c in shown) + size
        west, east, south, north = west - pad, east + pad, south - pad, north + pad
    else:
        rings = outlines.get(country) if country else None
        points = [p for ring in (rings or [r for rs in outlines.values() for r in rs])
                  for p in ring]
        west, east = min(p[0] for p in points), max(p[0] for p in points)
        south, north = min(p[1] for p in points), max(p[1] for p in points)
    stretch = math.cos(math.radians((south + north) / 2))
    span_x, span_y = (east - west) * stretch, north - south
    if span_y > span_x * 0.75:  # keep the frame no taller than wide (phones scroll)
        grow = (span_y / 0.75 - span_x) / stretch / 2
        west, east, span_x = west - grow, east + grow, span_y / 0.75
    unit = WIDTH / span_x
    height = round(span_y * unit, 1)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - west) * stretch * unit, 1), round((north - lat) * unit, 1)

    paths = []
    frame = (-4.0, -4.0, WIDTH + 4.0, height + 4.0)
    for code, rings in sorted(outlines.items()):
        parts, area, cx, cy = [], 0.0, 0.0, 0.0
        for ring in rings:
            clipped = _clip([xy(*p) for p in ring], frame)
            if len(clipped) < 3:
                continue
            parts.append("M" + "L".join(f"{x},{y}" for x, y in clipped) + "Z")
            a, x, y = _centroid(clipped)
            area, cx, cy = area + a, cx + a * x, cy + a * y
        if parts:
            # The name at the middle of the country's part in the frame, when that part is
            # big enough to hold it.
            shown_part = abs(area) > WIDTH * height * 0.03
            paths.append({"country": code, "d": "".join(parts), "fill": LAND[COLOUR[code]],
                          "label": (round(min(max(cx / area, 40), WIDTH - 40), 1),
                                    round(min(max(cy / area, 16), height - 8), 1))
                          if shown_part else None})
    most = max((c["incidents"] for c in shown), default=0)
    drawn = []
    for c in shown:
        x0, y0 = xy(c["lon"], c["lat"] + c["size"])
        x1, y1 = xy(c["lon"] + c["size"], c["lat"])
        drawn.append({"x": x0, "y": y0, "w": max(round(x1 - x0, 1), 1.5),
                      "h": max(round(y1 - y0, 1), 1.5), "incidents": c["incidents"],
                      "shade": shade(c["incidents"] / most if most else 0),
                      "lat": c["lat"], "lon": c["lon"], "size": c["size"]})
    return {"width": WIDTH, "height": height, "paths": paths, "cells": drawn,
            "most": most, "legend": [shade(s) for s in (0.0, 0.25, 0.5, 0.75, 1.0)]}


def _clip(points: list[tuple[float, float]],
          frame: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    """The polygon cut to the frame (Sutherland–Hodgman): only what is seen is sent."""
    x0, y0, x1, y1 = frame
    edges = ((lambda p: p[0] >= x0, lambda a, b: _cross(a, b, 0, x0)),
             (lambda p: p[0] <= x1, lambda a, b: _cross(a, b, 0, x1)),
             (lambda p: p[1] >= y0, lambda a, b: _cross(a, b, 1, y0)),
             (lambda p: p[1] <= y1, lambda a, b: _cross(a, b, 1, y1)))
    for inside, cut in edges:
        if not points:
            break
        out, prev = [], points[-1]
        for point in points:
            if inside(point):
                if not inside(prev):
                    out.append(cut(prev, point))
                out.append(point)
            elif inside(prev):
                out.append(cut(prev, point))
            prev = point
        points = out
    return [(round(x, 1), round(y, 1)) for x, y in points]


def _cross(a: tuple[float, float], b: tuple[float, float], axis: int,
           at: float) -> tuple[float, float]:
    t = (at - a[axis]) / (b[axis] - a[axis])
    return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))


def _centroid(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Signed area and centroid of a polygon (shoelace)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        step = x0 * y1 - x1 * y0
        area, cx, cy = area + step, cx + (x0 + x1) * step, cy + (y0 + y1) * step
    if not area:
        return 0.0, 0.0, 0.0
    return area / 2, cx / (3 * area), cy / (3 * area)


def shade(share: float) -> str:
    """A light-to-dark ochre ramp; the palest step still shows on white."""
    light, dark = (246, 214, 158), (110, 50, 0)
    share = min(max(share, 0.0), 1.0) ** 0.7
    r, g, b = (round(a + (z - a) * share) for a, z in zip(light, dark, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"
