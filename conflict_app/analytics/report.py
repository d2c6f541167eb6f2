"""The effectiveness report for donors (PDF, every language): the headline sentences, a
forest plot, each measure's designs with their grades and caveats, the cost per head saved
and the disclosure of methods.

Built with the documents' typesetter (``documents.layout.Builder``), which shapes
right-to-left scripts and embeds the fonts. The forest plot is a table whose rows pair the
measure's name (set as text, so it shapes like any paragraph) with a drawing of its interval
on the shared log scale; the drawings hold no letters, only the axis numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import BinaryIO

from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from conflict_app.analytics import plots, summary
from conflict_app.analytics.downloads import suppressed
from conflict_app.core.money import Money
from conflict_app.documents import fonts
from conflict_app.documents.layout import Builder, money, number, percent
from conflict_app.i18n import date_text, fixed
from conflict_app.i18n.labels import label

INK = colors.Color(0.11, 0.12, 0.14)
GREEN = colors.Color(0.12, 0.42, 0.2)
RED = colors.Color(0.54, 0.11, 0.11)
OCHRE = colors.Color(0.48, 0.29, 0.0)
PALE = colors.Color(0.91, 0.96, 0.93)


@dataclass
class EffectivenessReport:
    """What the PDF shows; ``measures`` are ``effectiveness.MeasureResult``s, ``table`` the
    rows of ``service.effectiveness_table``, ``costs`` the cost rows per measure."""

    area: str
    verification_filter: str
    generated_at: datetime
    measures: list
    table: list[dict]
    costs: dict[str, list[dict]] = field(default_factory=dict)


def _font() -> str:
    default = fonts.candidates("default")
    return default[0].key if default else "Helvetica"


def _interval(row: dict, width: float, rtl: bool) -> Drawing:
    """One measure's interval on the forest plot's scale (``plots.forest`` geometry)."""
    drawing = Drawing(width, 14)
    drawing.initialFontName = _font()
    scale = width / plots.WIDTH

    def x(value: float) -> float:
        return value * scale

    if row.get("threshold") is not None:
        drawing.add(Rect(x(row["left"]), 0, x(row["threshold"]) - x(row["left"]), 14,
                         fillColor=PALE, strokeColor=None))
    drawing.add(Line(x(row["one"]), 0, x(row["one"]), 14, strokeColor=colors.grey,
                     strokeDashArray=[3, 2], strokeWidth=0.6))
    if row["estimate"]:
        drawing.add(Line(x(row["x_low"]), 7, x(row["x_high"]), 7, strokeColor=INK,
                         strokeWidth=1.2))
        color = GREEN if row["effective"] else RED if row["harmful"] else OCHRE
        drawing.add(Rect(x(row["x"]) - 3, 4, 6, 6, fillColor=color, strokeColor=None))
    return drawing


def _axis(forest: dict, width: float) -> Drawing:
    drawing = Drawing(width, 16)
    drawing.initialFontName = _font()
    scale = width / plots.WIDTH
    drawing.add(Line(forest["left"] * scale, 14, forest["right"] * scale, 14,
                     strokeColor=INK, strokeWidth=0.6))
    for tick in forest["ticks"]:
        drawing.add(Line(tick["x"] * scale, 14, tick["x"] * scale, 11, strokeColor=INK,
                         strokeWidth=0.6))
        drawing.add(String(tick["x"] * scale, 2, number(Decimal(str(tick["value"]))),
                           fontName=_font(), fontSize=7, textAnchor="middle"))
    return drawing


def _sides(b: Builder, width: float) -> Table:
    """"fewer losses" under the left end of the axis, "more losses" under the right, in
    either direction of text (the axis itself never turns)."""
    left, right = ("end", "start") if b.rtl else ("start", "end")
    return Table([[b.p(_("fewer losses"), replace(b.s.small, align=left)),
                   b.p(_("more losses"), replace(b.s.small, align=right))]],
                 colWidths=[width / 2, width / 2], style=Builder._table_style([  # noqa: SLF001
                     ("LEFTPADDING", (0, 0), (-1, -1), 0),
                     ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))


def _forest(b: Builder, data: EffectivenessReport) -> list[Flowable]:
    rows = summary.forest_rows(data.measures)
    forest = plots.forest(rows, values=False)
    plot_width = b.width * 0.5 - 8
    common = {k: forest[k] for k in ("left", "one", "threshold")}
    body = [[row["label"], _interval(common | geometry, plot_width, b.rtl), row["text"]]
            for row, geometry in zip(rows, forest["rows"], strict=True)]
    body.append(["", _axis(forest, plot_width), ""])
    body.append(["", _sides(b, plot_width), ""])
    return [b.table([pgettext("column header", "Measure"),
                     pgettext("column header", "IRR, log scale"),
                     pgettext("column header", "IRR (95 %% interval)")], body,
                    [0.3, 0.5, 0.2], numeric={2}),
            b.p(_("Each square is a measure's best-graded estimate, the line its 95 %% "
                  "interval; left of the dashed line means fewer losses. The shaded band is "
                  "the range counted as truly effective (IRR at most 0.25)."), b.s.small)]


def _ratio(row: dict) -> str:
    if row.get("irr") is None:
        return "—"
    return f"{fixed(row['irr'])} ({fixed(row['ci_low'])}–{fixed(row['ci_high'])})"


def _count(value: object) -> str:
    if value is None:
        return "—"
    return number(round(Decimal(str(value)), 1))


def _designs(b: Builder, data: EffectivenessReport, measure: str) -> list[Flowable]:
    body = []
    for raw in (r for r in data.table if r["measure"] == measure):
        row = suppressed(raw)
        effect = (percent(Decimal(round(row["effectiveness_pct"])) / 100)
                  if row.get("effectiveness_pct") is not None else row.get("reason") or "—")
        body.append([
            f"{label('design', row['design'])} ({label('grade', row['grade'])})"
            + (" ★" if row["headline"] else ""),
            f"{_count(row['households_treated'])} / {_count(row['households_control'])}",
            f"{_count(row['villages_treated'])} / {_count(row['villages_control'])}",
            f"{_count(row['events_treated'])} / {_count(row['events_control'])}",
            _ratio(row), effect])
    return [b.table([pgettext("column header", "Design and grade"),
                     pgettext("column header", "Households (with / without)"),
                     pgettext("column header", "Villages (with / without)"),
                     pgettext("column header", "Losses (with / without)"),
                     pgettext("column header", "IRR (95 %% interval)"),
                     pgettext("column header", "Effectiveness")], body,
                    [0.26, 0.13, 0.13, 0.13, 0.17, 0.18], numeric={1, 2, 3, 4})]


def _measure(b: Builder, data: EffectivenessReport, result) -> list[Flowable]:  # noqa: ANN001
    flow: list[Flowable] = [b.p(label("measure", result.measure), b.s.h2),
                            b.p(summary.sentence(result))]
    head = result.headline
    if result.stratum:
        share = result.stratum_share_of_losses
        where = label("setting", {"corral": "night_corral"}.get(result.stratum, result.stratum))
        flow.append(b.p(_("Protects animals at: %(setting)s", setting=where) if share is None
                        else _("Protects animals at: %(setting)s (%(share)s of all losses "
                               "happen there)", setting=where,
                               share=percent(Decimal(str(round(share, 3))))), b.s.small))
    flow.extend(_designs(b, data, result.measure))
    if head is not None:
        flow.append(b.p(label("model", head.model) + "; " + _("dispersion") + " "
                        + (fixed(head.dispersion)
                           if head.dispersion is not None else "—"), b.s.small))
        flow.extend(b.p("• " + label("caveat", c), b.s.small) for c in head.caveats)
    for cost in data.costs.get(result.measure, []):
        flow.append(b.p(_("Cost per head saved: %(cost)s (%(heads)s heads saved, from the "
                          "same estimate).",
                          cost=money(Money(Decimal(str(round(cost["cost_per_head_saved"],
                                                             2))), cost["currency"])),
                          heads=fixed(cost["heads_avoided"], 1))))
    return [KeepTogether(flow[:3]), *flow[3:]]


def render(data: EffectivenessReport, locale: str, out: BinaryIO) -> None:
    with force_locale(locale):
        title = _("Effectiveness report")
        b = Builder(locale, title, "pardus-effectiveness")
        flow: list[Flowable] = [
            b.p(title, b.s.title),
            b.facts([(_("Area"), data.area),
                     (_("Verification filter"), label("filter", data.verification_filter)),
                     (_("Prepared on"), date_text(data.generated_at))]),
            b.p(_("The bottom line"), b.s.h2),
        ]
        if not data.measures:
            flow.append(b.p(_("No measures recorded in this area.")))
        flow.extend(b.p("• " + summary.sentence(r)) for r in data.measures)
        if data.measures:
            flow.append(b.p(_("Effect of each measure"), b.s.h2))
            flow.extend(_forest(b, data))
        for result in data.measures:
            flow.extend(_measure(b, data, result))
        flow.append(b.p(_("Methods"), b.s.h2))
        flow.append(b.p(_("The effect is the incidence-rate ratio (IRR): the loss rate with "
                          "the measure divided by the rate without it, per head-year at risk. "
                          "Effectiveness = (1 − IRR) × 100 %%. A measure counts as truly "
                          "effective when the IRR is at most 0.25 and the upper end of its "
                          "95 %% interval is below 1.")))
        for code in ("poisson_fe", "poisson_time", "poisson_fe_season"):
            flow.append(b.p("• " + label("model", code), b.s.small))
        flow.append(b.p(_("Grades: A randomised, B before-after with controls, C treated "
                          "against untreated in the same period, D before-after only. Each "
                          "measure's headline is its best-graded design that the data "
                          "support; an estimate is refused, with its reason, when there are "
                          "fewer than 10 losses in all, fewer than 3 among the comparison "
                          "households, under 100 head-years with the measure, or too few "
                          "households or villages."), b.s.small))
        flow.append(b.p(_("Losses and head-years of groups of fewer than 5 households are "
                          "not shown (—)."), b.s.small))
        flow.append(Spacer(1, 4))
        b.build(out, flow, subject=title)
