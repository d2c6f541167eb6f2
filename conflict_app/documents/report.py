"""The scheme implementation report (the strategy's indicator for Activity 8.1.4): claims by
state and outcome, amounts assessed and paid, budget use, processing times against the
deadlines, losses by species and area, the scheme's own indicators, and charts drawn with
ReportLab graphics. Aggregates only: no herder's name, no coordinates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import BinaryIO

from flask import current_app
from flask_babel import force_locale, ngettext, pgettext
from flask_babel import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Spacer

from conflict_app.core import clock
from conflict_app.core.errors import N_
from conflict_app.core.money import Money
from conflict_app.documents import fonts, report_claims
from conflict_app.documents.bidi_text import ltr
from conflict_app.documents.layout import Builder, money, number, percent
from conflict_app.documents.report_suppression import SUPPRESSED
from conflict_app.i18n import date_text
from conflict_app.i18n.labels import label

BAR = colors.Color(0.62, 0.42, 0.13)


@dataclass
class TimeRow:
    step: str  # "decision" or "payment"
    claims: int
    median_days: Decimal | None
    p90_days: Decimal | None
    deadline_days: int | None
    within: Decimal | None  # share within the deadline


@dataclass
class SchemeReportData:
    code: str
    name: str
    kind: str
    currency: str
    area: str
    start: date
    end: date
    generated_at: datetime
    example: bool = False
    states: list[tuple[str, int]] = field(default_factory=list)
    assessed: Money | None = None
    approved: Money | None = None
    paid: Money | None = None
    budget: list[tuple[str, Money, Money | None]] = field(default_factory=list)
    # Where the budget came from: (fund, kind of fund, entry kind, booked on, amount), and
    # the part set on the scheme itself.
    sources: list[tuple[str, str, str, date, Money]] = field(default_factory=list)
    direct: Money | None = None
    times: list[TimeRow] = field(default_factory=list)
    by_species: list[tuple[str, int, int, int]] = field(default_factory=list)
    by_area: list[tuple[str, int, int, Money]] = field(default_factory=list)
    by_month: list[tuple[str, int]] = field(default_factory=list)
    # (label msgid, incentive kind or None, value: Money, Decimal share, int or None);
    # translated when rendered, in the report's language.
    kpis: list[tuple[str, str | None, object]] = field(default_factory=list)
    # The households behind each figure (report_suppression hides the small groups for
    # readers of de-identified data); never rendered.
    households: dict[str, dict[object, int]] = field(default_factory=dict, repr=False)
    kpi_groups: list[str] = field(default_factory=list, repr=False)  # one per KPI
    deidentified: bool = False


def report_data(scheme, start: date, end: date,  # noqa: ANN001, C901
                deidentified: bool = False) -> SchemeReportData:
    """Gather the report of one scheme for the claims of losses in [start, end];
    ``deidentified`` (a reader of analytics only) hides groups of fewer than 5 households
    as the analytics do."""
    from conflict_app.claims.workflow import State
    from conflict_app.geo import timezones
    from conflict_app.schemes import agreement_queries, funds, incentives, insurance
    from conflict_app.schemes import operations as scheme_ops
    from conflict_app.schemes import prices as scheme_prices
    from conflict_app.schemes.params import SchemeKind

    currency = scheme.currency
    zero = Money.zero(currency)
    data = SchemeReportData(
        code=scheme.code, name=scheme.name, kind=scheme.kind.value, currency=currency,
        area=scheme.country.name + (f" · {scheme.admin1.name}" if scheme.admin1 else ""),
        start=start, end=end, generated_at=clock.now(), example=scheme.example)
    # Processing times against the deadlines.
    decision_limit = current_app.config["DECISION_WITHIN_DAYS"]
    version = scheme_ops.version_for(scheme, end)
    pay_limit = None
    if version is not None and scheme.kind is SchemeKind.COMPENSATION:
        pay_limit = int(scheme_ops.rules_of(version).get("payment_within_days") or 0) or None
    limits = {"decision": decision_limit, "payment": pay_limit}
    # Counted by the database: a range-wide scheme has hundreds of thousands of claims.
    figures = report_claims.claim_figures(scheme.id, start, end, limits)
    # The households behind each figure, counted (report_suppression hides small groups).
    who = data.households = {name: {} for name in (
        "all", "states", "species", "areas", "months", "amounts", "times", "kpis")}
    who["all"][None] = figures.households
    order = {state.value: k for k, state in enumerate(State)}
    data.states = sorted(((state, n) for state, (n, _h) in figures.states.items()),
                         key=lambda kv: order[kv[0]])
    who["states"] = {state: homes for state, (_n, homes) in figures.states.items()}
    data.assessed = Money(figures.assessed, currency)
    data.approved = Money(figures.approved, currency)
    data.paid = Money(figures.paid, currency)
    who["amounts"] = {"assessed": figures.assessed_households,
                      "approved": figures.approved_households,
                      "paid": figures.paid_households}
    who["kpis"]["approved"] = figures.approved_households
    budget = scheme_ops.budget(scheme)
    today = timezones.today_for(scheme)  # the rate of the day the scheme page uses
    data.budget = [(name, getattr(budget, name), scheme_prices.to_usd(getattr(budget, name), today))
                   for name in ("allocated", "committed", "disbursed", "remaining")]
    sources = funds.sources(scheme)
    data.sources = [(e.fund.name, e.fund.kind.value, e.kind.value, e.booked_on,
                     Money(-e.amount, currency)) for e in sources.entries]
    data.direct = sources.direct

    for step in ("decision", "payment"):
        taken = figures.steps[step]
        limit = limits[step]
        within = (Decimal(taken.within) / taken.claims if taken.claims and limit else None)
        data.times.append(TimeRow(step, taken.claims, taken.median, taken.p90, limit, within))
        who["times"][step] = taken.households
    who["kpis"]["decided"] = figures.steps["decision"].households
    data.by_species = list(figures.species)
    who["species"] = dict(figures.species_households)
    data.by_area = [(name, claims, heads, Money(approved, currency))
                    for name, claims, heads, approved in figures.areas]
    who["areas"] = dict(figures.area_households)
    cursor = date(start.year, start.month, 1)
    while cursor <= end and len(data.by_month) < 36:
        key = cursor.strftime("%Y-%m")
        claims, homes = figures.months.get(key, (0, 0))
        data.by_month.append((key, claims))
        who["months"][key] = homes
        cursor = (cursor + timedelta(days=32)).replace(day=1)

    # The scheme's own indicators.
    approved_n = figures.approved_n

    def grouped(group: str) -> None:
        """The indicators added since the last call rest on the households of ``group``."""
        data.kpi_groups += [group] * (len(data.kpis) - len(data.kpi_groups))

    who["kpis"]["claims"] = who["all"][None]
    data.kpis.append((N_("Claims"), None, figures.claims))
    grouped("claims")
    data.kpis.append((N_("Approved claims"), None, approved_n))
    grouped("approved")
    if figures.decided_n:
        data.kpis.append((N_("Share of decided claims approved"), None,
                          Decimal(approved_n) / figures.decided_n))
        grouped("decided")
    if approved_n:
        data.kpis.append((N_("Average approved amount per claim"), None,
                          Money(data.approved.amount / approved_n, currency).rounded()))
    grouped("approved")
    if budget.allocated.amount:
        data.kpis.append((N_("Budget used (committed and disbursed)"), None,
                          (budget.committed.amount + budget.disbursed.amount)
                          / budget.allocated.amount))
        grouped("budget")
    if scheme.kind is SchemeKind.INSURANCE:
        ledger = insurance.ledger(scheme.id, start, end)
        enrolments = [e for e in insurance.enrolments(scheme.id)
                      if e.starts_on <= end and e.ends_on >= start]
        enrolled = len(enrolments)
        who["kpis"]["insurance"] = len({e.household_id for e in enrolments})
        shortfall = sum((s.shortfall for s in insurance.settlements(scheme.id)
                         if s.period_start <= end and s.period_end >= start), Decimal(0))
        data.kpis += [
            (N_("Households enrolled"), None, enrolled),
            (N_("Premiums paid by herders"), None, Money(ledger.premiums, currency)),
            (N_("Matching funds"), None, Money(ledger.matching, currency)),
            (N_("Payouts settled"), None, Money(ledger.payouts, currency)),
            (N_("Shortfall (approved but not payable from the pool)"), None,
             Money(shortfall, currency)),
            (N_("Loss ratio"), None, insurance.loss_ratio(scheme.id, start, end)),
        ]
        grouped("insurance")
    if scheme.kind is SchemeKind.INCENTIVE:
        where = timezones.zone_of(scheme)  # the period's days are the scheme's own
        payments = [p for p in incentives.payments(scheme.id)
                    if (p.period is None
                        and start <= timezones.local(p.created_at, where).date() <= end)
                    or (p.period is not None and start.year <= p.period <= end.year)]
        paid_to = {p.household_id for p in payments if p.household_id}
        for kind in ("performance", "adoption", "instalment"):
            chosen = [p for p in payments if p.kind == kind]
            data.kpis.append((N_("Payments: %(kind)s"), kind, len(chosen)))
            data.kpis.append((N_("Amount: %(kind)s"), kind,
                              sum((p.money for p in chosen), zero)))
        data.kpis.append((N_("Payments withheld"), None,
                          sum(1 for p in payments if p.state == "withheld")))
        data.kpis.append((N_("Withholdings after retaliatory killings"), None,
                          sum(1 for w in incentives.withholdings(scheme.id)
                              if start <= w.noticed_on <= end)))
        in_force, verified, households = agreement_queries.in_period(scheme.id, start, end)
        who["kpis"]["incentive"] = len(paid_to | households)
        data.kpis.append((N_("Conservation agreements in force"), None, in_force))
        data.kpis.append((N_("Agreement milestones verified"), None, verified))
        grouped("incentive")
    if deidentified:
        from conflict_app.documents.report_suppression import deidentify

        deidentify(data, scheme)
    return data


def _value(value: object) -> str:
    if value is None:
        return "—"
    if value is SUPPRESSED:
        return _("fewer than 5 households")
    if isinstance(value, Money):
        return money(value)
    if isinstance(value, Decimal):
        return percent(value)
    return number(value)


def _days(value: Decimal | None) -> str:
    """Whole days take the language's plural form (Arabic counts 3 أيام but 30 يومًا); a
    median such as 12.5 has no such form and keeps the one wording for fractions."""
    if value is SUPPRESSED:
        return _value(value)
    if value is None:
        return "—"
    if value == value.to_integral_value():
        return ngettext("%(days)s day", "%(days)s days", int(value), days=number(value))
    # Translators: a number of days with a decimal fraction, such as 12.5 days
    return _("%(days)s days", days=number(value))


def _shown(value: object, show: Callable[[object], str]) -> str:
    """``show(value)``, or the words for a figure withheld (too few households)."""
    return _value(value) if value is SUPPRESSED else show(value)


def _month_chart(b: Builder, months: list[tuple[str, int]]) -> Drawing:
    """Claims per month of the incident, as bars; month labels are numbers (no shaping)."""
    width, height = b.width, 150
    drawing = Drawing(width, height)
    _embedded_font(drawing)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 25, width - 40, height - 35
    values = [n for _m, n in months] or [0]
    chart.data = [values]
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(max(values), 1)
    chart.valueAxis.valueStep = max(1, (max(values) + 4) // 5)
    font = fonts.candidates("default")[0].key if fonts.candidates("default") else "Helvetica"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    labels = [m for m, _n in months]
    step = max(1, len(labels) // 12)
    chart.categoryAxis.categoryNames = [m if i % step == 0 else "" for i, m in
                                        enumerate(labels)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.dy = -8
    if b.rtl:  # months run from right to left like the text
        chart.categoryAxis.reverseDirection = 1
    drawing.add(chart)
    return drawing


def _embedded_font(drawing: Drawing) -> None:
    """The graphics renderer starts in Helvetica, which no PDF of ours embeds."""
    default = fonts.candidates("default")
    if default:
        drawing.initialFontName = default[0].key


def _bar(fraction: float, width: float) -> Drawing:
    drawing = Drawing(width, 9)
    _embedded_font(drawing)
    drawing.add(Rect(0, 1, max(width * fraction, 0.5), 7, fillColor=BAR, strokeColor=None))
    return drawing


def render_scheme_report(data: SchemeReportData, locale: str, out: BinaryIO) -> None:
    with force_locale(locale):
        b = Builder(locale, _("Scheme implementation report"), data.code)
        flow: list[Flowable] = [
            b.p(_("Scheme implementation report"), b.s.title),
            b.facts([
                (_("Scheme"), f"{ltr(data.code)} · {data.name}"),
                (_("Kind of scheme"), label("scheme_kind", data.kind)),
                (_("Area"), data.area),
                (_("Period (date of the loss)"),
                 f"{date_text(data.start)} – {date_text(data.end)}"),
                (_("Prepared on"), date_text(data.generated_at)),
            ]),
        ]
        if data.example:
            flow.append(b.p(_("This scheme is an example of the demonstration data."),
                            b.s.small))
        if data.deidentified:
            flow.append(b.p(_("De-identified: no names, phones or exact places. Groups of "
                              "fewer than 5 households are not shown."), b.s.small))
        flow.append(b.p(_("Claims by state"), b.s.h2))
        flow.append(b.table([_("State"), _("Claims")],
                            [[label("state", s) if s else "—", _shown(n, number)]
                             for s, n in data.states]
                            or [[_("No claims in this period."), ""]],
                            [0.7, 0.3], numeric={1}))
        flow.append(b.p(_("Amounts"), b.s.h2))
        flow.append(b.table(None, [[_("Assessed"), _shown(data.assessed, money)],
                                   [_("Approved"), _shown(data.approved, money)],
                                   [_("Paid"), _shown(data.paid, money)]], [0.7, 0.3],
                            numeric={1}))
        flow.append(b.p(_("Budget"), b.s.h2))
        names = {"allocated": _("Allocated"), "committed": _("Committed (approved, not paid)"),
                 "disbursed": _("Disbursed"), "remaining": _("Remaining")}
        flow.append(b.table([_("Budget"), ltr(data.currency), "USD"],
                            [[names[n], _shown(m, money),
                              _shown(u, money) if u else _("no exchange rate")]
                             for n, m, u in data.budget], [0.4, 0.3, 0.3], numeric={1, 2}))
        if data.sources:
            flow.append(b.p(_("Where the budget came from"), b.s.h2))
            flow.append(b.table(
                [pgettext("column header", "Fund"), pgettext("column header", "Entry"),
                 pgettext("column header", "Booked on"), ltr(data.currency)],
                [*([f"{f} · {label('fund_kind', k)}", label("fund_entry", e), date_text(on),
                    money(m)] for f, k, e, on, m in data.sources),
                 [_("Set on the scheme itself"), "", "", money(data.direct)]],
                [0.4, 0.2, 0.2, 0.2], numeric={3}))
        flow.append(b.p(_("Processing times"), b.s.h2))
        steps = {"decision": _("From report to decision"),
                 "payment": _("From decision to payment")}
        flow.append(b.table(
            [_("Step"), _("Claims"), _("Median"), _("90th percentile"), _("Deadline"),
             _("Within the deadline")],
            [[steps[t.step], number(t.claims), _days(t.median_days), _days(t.p90_days),
              _days(Decimal(t.deadline_days)) if t.deadline_days else "—",
              percent(t.within) if t.within is not None else "—"]
             if t.claims is not SUPPRESSED else  # the words once, in a wide enough cell
             [steps[t.step], "—", _value(SUPPRESSED), "—",
              _days(Decimal(t.deadline_days)) if t.deadline_days else "—", "—"]
             for t in data.times],
            [0.26, 0.1, 0.16, 0.16, 0.16, 0.16], numeric={1, 2, 3, 4, 5}))
        flow.append(KeepTogether([b.p(_("Claims per month of the loss"), b.s.h2),
                                  _month_chart(b, data.by_month)]))
        flow.append(b.p(_("Losses by species"), b.s.h2))
        most = max((k for _s, _c, k, _i in data.by_species if k is not SUPPRESSED),
                   default=0) or 1
        bar_width = b.width * 0.3 - 8
        flow.append(b.table(
            [_("Species"), _("Claims"), _("Killed"), _("Injured"), ""],
            [[label("species", s), number(c), number(k), number(i), _bar(k / most, bar_width)]
             if s else ["—", _value(c), "", "", ""]
             for s, c, k, i in data.by_species] or [[_("No claims in this period."), "", "",
                                                     "", ""]],
            [0.25, 0.15, 0.15, 0.15, 0.3], numeric={1, 2, 3}))
        flow.append(b.p(_("Losses by area"), b.s.h2))
        flow.append(b.table(
            [_("Area"), _("Claims"), _("Heads lost"), _("Approved")],
            [[a, number(c), number(h), money(m)] if a else ["—", _value(c), "", ""]
             for a, c, h, m in data.by_area]
            or [[_("No claims in this period."), "", "", ""]],
            [0.4, 0.15, 0.15, 0.3], numeric={1, 2, 3}))
        flow.append(b.p(_("Indicators of the scheme"), b.s.h2))
        flow.append(b.table(None, [[_(name, kind=label("incentive_kind", kind)) if kind
                                    else _(name), _value(v)] for name, kind, v in data.kpis],
                            [0.65, 0.35], numeric={1}))
        flow.append(Spacer(1, 6))
        flow.append(b.p(_("Figures count the claims of losses in the period under this "
                          "scheme; amounts are in the scheme's currency, and in US dollars "
                          "at the rate recorded for the day of the report."), b.s.small))
        b.build(out, flow, subject=_("Scheme implementation report"))


def sample_report(locale: str) -> SchemeReportData:
    """Synthetic figures for the samples command (no database)."""
    from conflict_app.documents.samples import SAMPLE_NOW, sample_people

    currency, _name, village, _reason, factor = sample_people(locale)

    def m(value: str) -> Money:
        return Money(Decimal(value) * factor, currency).rounded()

    data = SchemeReportData(
        code="EXAMPLE-AM-COMP", name=_("Example compensation scheme"), kind="compensation",
        currency=currency, area=village, start=date(2026, 1, 1), end=date(2026, 10, 31),
        generated_at=SAMPLE_NOW, example=True,
        states=[("reported", 4), ("verified", 3), ("approved", 6), ("paid", 21),
                ("rejected", 5)],
        assessed=m("2970000"), approved=m("2430000"), paid=m("1890000"),
        budget=[("allocated", m("20000000"), Money(Decimal("51282.05"), "USD")),
                ("committed", m("540000"), Money(Decimal("1384.62"), "USD")),
                ("disbursed", m("1890000"), Money(Decimal("4846.15"), "USD")),
                ("remaining", m("17570000"), Money(Decimal("45051.28"), "USD"))],
        sources=[(_("Example conservation endowment"), "endowment", "allocation",
                  date(2026, 1, 15), m("5000000"))],
        direct=m("15000000"),
        times=[TimeRow("decision", 32, Decimal("12.5"), Decimal("27.0"), 30, Decimal("0.94")),
               TimeRow("payment", 21, Decimal("18.0"), Decimal("41.5"), 60, Decimal("1"))],
        by_species=[("sheep", 27, 74, 6), ("goat", 9, 15, 2), ("cattle", 5, 5, 1)],
        by_area=[(village, 22, 51, m("1380000")), ("Kapan", 17, 49, m("1050000"))],
        by_month=[(f"2026-{n:02d}", c) for n, c in
                  zip(range(1, 11), (1, 2, 2, 4, 6, 8, 7, 5, 3, 1), strict=True)],
        kpis=[(N_("Claims"), None, 39), (N_("Approved claims"), None, 27),
              (N_("Share of decided claims approved"), None, Decimal("0.84")),
              (N_("Average approved amount per claim"), None, m("90000")),
              (N_("Budget used (committed and disbursed)"), None, Decimal("0.1215"))],
    )
    return data
