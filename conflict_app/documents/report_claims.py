"""The claim figures of a scheme's report, counted by the database.

A range-wide scheme's report covers hundreds of thousands of claims: read one by one it
held a web worker for 17 s and 420 MiB (six years, 500,000 claims). Here every table of the
report is a ``GROUP BY`` over one common table expression of the period's claims, with the
distinct households behind each row counted too (the de-identified report hides the rows
resting on fewer than 5), so the report reads a few dozen summary rows however many claims
there are. SQLite has no percentile aggregate: there the processing times fetch one pair
of durations per claim, as the analytics' processing times do.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Float, Integer, String, and_, case, cast, func, literal, select, union_all
from sqlalchemy import type_coerce as coerce

from conflict_app.claims.models import Claim, Incident, LossLine
from conflict_app.claims.workflow import DECIDED
from conflict_app.core.types import days
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea
from conflict_app.payments.models import ItemState, PaymentItem
from conflict_app.schemes.models import Assessment

NO_AREA = "—"


@dataclass
class Step:
    """Days taken by one step (report to decision, decision to payment)."""

    claims: int = 0
    median: Decimal | None = None
    p90: Decimal | None = None
    within: int = 0  # claims within the deadline
    households: int = 0


@dataclass
class ClaimFigures:
    """Counts, sums and the households behind each (``*_households``: distinct counts)."""

    claims: int = 0
    households: int = 0
    states: dict[str, tuple[int, int]] = field(default_factory=dict)  # claims, households
    months: dict[str, tuple[int, int]] = field(default_factory=dict)  # "2026-03" → …
    approved_n: int = 0  # claims in an approved state
    decided_n: int = 0
    approved: Decimal = Decimal(0)
    approved_households: int = 0
    assessed: Decimal = Decimal(0)
    assessed_households: int = 0
    paid: Decimal = Decimal(0)
    paid_households: int = 0
    # (species, claims, killed, injured) and (area, claims, heads, approved amount)
    species: list[tuple[str, int, int, int]] = field(default_factory=list)
    species_households: dict[str, int] = field(default_factory=dict)
    areas: list[tuple[str, int, int, Decimal]] = field(default_factory=list)
    area_households: dict[str, int] = field(default_factory=dict)
    steps: dict[str, Step] = field(default_factory=dict)


def _rows(scheme_id: int, start: date, end: date):  # noqa: ANN202 - a CTE
    """One row per claim of the scheme whose loss happened in [start, end]."""
    area = func.coalesce(Claim.admin2_id, Claim.admin1_id)
    approved = Claim.state.in_(DECIDED)
    decided = days(Claim.decided_at)
    heads = (select(LossLine.incident_id, func.sum(LossLine.killed + LossLine.injured)
                    .label("heads")).group_by(LossLine.incident_id).subquery())
    return (select(
        Claim.id.label("claim"), Claim.household_id.label("household"),
        coerce(Claim.state, String).label("state"), Claim.incident_id.label("incident"),
        case((and_(approved, Claim.amount_approved.is_not(None)), Claim.amount_approved))
        .label("approved"),
        case((approved, 1)).label("approved_n"),
        case((Claim.decided_at.is_not(None), 1)).label("decided"),
        cast(decided - days(Claim.reported_at), Float).label("to_decision"),
        cast(days(Claim.paid_at) - decided, Float).label("to_payment"),
        cast(func.extract("year", Incident.occurred_on) * 100
             + func.extract("month", Incident.occurred_on), Integer).label("month"),
        area.label("area"), func.coalesce(AdminArea.name, NO_AREA).label("area_name"),
        func.coalesce(heads.c.heads, 0).label("heads"))
        .join(Incident, Claim.incident_id == Incident.id)
        .outerjoin(heads, heads.c.incident_id == Claim.incident_id)
        .outerjoin(AdminArea, AdminArea.id == area)
        .where(Claim.scheme_id == scheme_id, Incident.occurred_on >= start,
               Incident.occurred_on <= end)).cte("report_claims")


def _households_where(rows, condition):  # noqa: ANN001, ANN202
    return func.count(case((condition, rows.c.household)).distinct())


def claim_figures(scheme_id: int, start: date, end: date,
                  limits: dict[str, int | None]) -> ClaimFigures:
    """Every claim figure of the report; ``limits``: the deadline of each step in days."""
    rows = _rows(scheme_id, start, end)
    out = ClaimFigures()
    _by_group(rows, out)
    _by_line(rows, out)
    _amounts(rows, out)
    _steps(rows, out, limits)
    return out


def _by_group(rows, out: ClaimFigures) -> None:  # noqa: ANN001
    """Claims and households in all, per state, month and area; amounts approved; heads."""
    keys = {"all": None, "state": rows.c.state, "month": cast(rows.c.month, String),
            "area": cast(rows.c.area, String), "area_name": rows.c.area_name}
    # What each grouping needs beyond claims and households: a distinct count per
    # grouping and row is what costs, so only the whole period counts those of each step.
    extra = {"all": ("approved", "approved_n", "decided", "approved_homes", "decided_homes",
                     "paid_homes"),
             "area": ("approved", "heads", "name")}
    measures = {"approved": func.sum(rows.c.approved),
                "approved_n": func.count(rows.c.approved_n),
                "decided": func.count(rows.c.decided), "heads": func.sum(rows.c.heads),
                "approved_homes": _households_where(rows, rows.c.approved.is_not(None)),
                "decided_homes": _households_where(rows, rows.c.decided.is_not(None)),
                "paid_homes": _households_where(rows, rows.c.to_payment.is_not(None)),
                "name": func.max(rows.c.area_name)}
    types = {"name": String, "approved": rows.c.approved.type}
    parts = []
    for by, key in keys.items():
        wanted = extra.get(by, ())
        part = select(literal(by).label("by"),
                      (cast(None, String) if key is None else key).label("key"),
                      func.count(rows.c.claim), func.count(rows.c.household.distinct()),
                      *((measure if name in wanted else cast(None, types.get(name, Integer)))
                        .label(name) for name, measure in measures.items()))
        parts.append(part if key is None else part.group_by(key))
    areas = []
    for by, key, claims, homes, approved, approved_n, decided, heads, approved_homes, \
            decided_homes, paid_homes, name in db.session.execute(  # ``measures``' order
                select(union_all(*parts).subquery())):
        if by == "all":
            if not claims:
                continue
            out.claims, out.households = claims, homes
            out.approved = Decimal(approved or 0)
            out.approved_n, out.decided_n = approved_n, decided
            out.approved_households = approved_homes
            out.steps["decision"] = Step(households=decided_homes)
            out.steps["payment"] = Step(households=paid_homes)
        elif by == "state":
            out.states[key] = (claims, homes)
        elif by == "month":
            month = int(key)
            out.months[f"{month // 100:04d}-{month % 100:02d}"] = (claims, homes)
        elif by == "area":
            areas.append((name, claims, int(heads or 0), Decimal(approved or 0)))
        else:  # areas of the same name count their households together, as they show
            out.area_households[key] = homes
    out.areas = sorted(areas, key=lambda r: (-r[2], r[0]))


def _by_line(rows, out: ClaimFigures) -> None:  # noqa: ANN001
    """Per species: the claims with a loss of it, heads killed and injured, households."""
    species = coerce(LossLine.species, String)
    query = (select(species, func.count(rows.c.claim.distinct()), func.sum(LossLine.killed),
                    func.sum(LossLine.injured), func.count(rows.c.household.distinct()))
             .join(LossLine, LossLine.incident_id == rows.c.incident).group_by(species))
    found = []
    for name, claims, killed, injured, homes in db.session.execute(query):
        found.append((name, claims, int(killed or 0), int(injured or 0)))
        out.species_households[name] = homes
    out.species = sorted(found, key=lambda r: (-r[2], r[0]))


def _amounts(rows, out: ClaimFigures) -> None:  # noqa: ANN001
    """Assessed (each claim's latest assessment) and paid, with their households."""
    latest = (select(func.max(Assessment.id)).join(rows, rows.c.claim == Assessment.claim_id)
              .group_by(Assessment.claim_id))
    assessed = (select(func.sum(Assessment.total), func.count(rows.c.household.distinct()))
                .join(rows, rows.c.claim == Assessment.claim_id)
                .where(Assessment.id.in_(latest)))
    paid = (select(func.sum(PaymentItem.amount), func.count(rows.c.household.distinct()))
            .join(rows, rows.c.claim == PaymentItem.claim_id)
            .where(PaymentItem.state == ItemState.PAID))
    for query, name in ((assessed, "assessed"), (paid, "paid")):
        total, homes = db.session.execute(query).one()
        setattr(out, name, Decimal(total or 0))
        setattr(out, f"{name}_households", homes)


def _rounded(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 1)))


def _steps(rows, out: ClaimFigures, limits: dict[str, int | None]) -> None:  # noqa: ANN001
    """Median and 90th percentile (linear interpolation, as ``statistics`` inclusive) of
    the days each step took, and how many within its deadline."""
    spans = {"decision": rows.c.to_decision, "payment": rows.c.to_payment}
    for step in spans:
        out.steps.setdefault(step, Step())
    if db.engine.dialect.name == "postgresql":
        columns = []
        for step, span in spans.items():
            limit = limits.get(step)
            columns += [func.count(span), func.percentile_cont(0.5).within_group(span),
                        func.percentile_cont(0.9).within_group(span),
                        func.count(case((span <= limit, 1))) if limit else literal(0)]
        row = db.session.execute(select(*columns)).one()
        for k, step in enumerate(spans):
            n, median, p90, within = row[4 * k:4 * k + 4]
            found = out.steps[step]
            found.claims, found.within = n, within
            found.median, found.p90 = _rounded(median), _rounded(p90)
        return
    values: dict[str, list[float]] = {step: [] for step in spans}
    for pair in db.session.execute(select(*spans.values())):
        for step, value in zip(spans, pair, strict=True):
            if value is not None:
                values[step].append(value)
    for step, taken in values.items():
        found = out.steps[step]
        found.claims = len(taken)
        limit = limits.get(step)
        found.within = sum(1 for v in taken if v <= limit) if limit else 0
        if taken:
            found.median = _rounded(statistics.median(taken))
            found.p90 = _rounded(taken[0] if len(taken) == 1 else statistics.quantiles(
                taken, n=10, method="inclusive")[-1])
