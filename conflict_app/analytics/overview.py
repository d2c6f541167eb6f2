"""The analytics overview's figures, each computed by the database in one aggregate query.

The overview shows loss rates grouped six ways, processing times and the grid map. Every
grouping is a ``GROUP BY`` over one filtered set of loss lines (a common table expression
the database scans once), so the page reads a few dozen summary rows however many claims
there are; nothing here walks incidents or claims in Python (on SQLite, processing times
fetch one row of durations per claim: it has no percentile aggregate).
"""

from __future__ import annotations

from sqlalchemy import (
    Float,
    String,
    case,
    cast,
    func,
    literal,
    select,
    text,
    true,
    type_coerce,
    union_all,
)

from conflict_app.analytics.data import MIN_CELL_HOUSEHOLDS, SETTING_CODE, leopard_only
from conflict_app.claims.models import Claim, Incident, LossLine
from conflict_app.core.permissions import scope
from conflict_app.core.types import days
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import AdminArea
from conflict_app.herders.models import HerdCensus, Household

GROUPINGS = ("species", "region", "season", "month", "setting", "time_of_day")
SEASONS = ("autumn", "spring", "summer", "winter")
_SEASON_OF = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
              6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn",
              11: "autumn"}


def _scoped(query, model, user, country):  # noqa: ANN001, ANN202
    query = scope(query, model, user)
    return query.where(model.country_code == country) if country else query


def loss_rates(user, confidence: frozenset[str],  # noqa: ANN001
               country: str | None = None) -> dict[str, list[dict]]:
    """Heads killed by leopards per 100 head-years, for every grouping of ``GROUPINGS``.

    Exposure is the herd census in head-years over the same households and years; for
    groups within a year (month, season, time of day, setting) the exposure of the year is
    shared over the months it covers, so rates stay comparable between groups. Groups with
    losses of fewer than 5 households are suppressed.
    """
    month = cast(func.extract("month", Incident.occurred_on), db.Integer)
    lines = _scoped(leopard_only(
        select(Incident.household_id.label("household"),
               type_coerce(LossLine.species, String).label("species"),
               type_coerce(AdminArea.region, String).label("region"),
               month.label("month"),
               type_coerce(Incident.setting, String).label("setting"),
               type_coerce(Incident.part_of_day, String).label("time_of_day"),
               LossLine.killed.label("killed"))
        .join(LossLine, LossLine.incident_id == Incident.id)
        .outerjoin(Household, Household.id == Incident.household_id)
        .outerjoin(AdminArea, AdminArea.id == Household.admin1_id), confidence),
        Incident, user, country).cte("leopard_lines")
    season = case(*((lines.c.month.in_([m for m, s in _SEASON_OF.items() if s == name]),
                     literal(name)) for name in SEASONS))
    keys = {"species": lines.c.species, "region": lines.c.region, "season": season,
            "month": cast(lines.c.month, String), "setting": lines.c.setting,
            "time_of_day": lines.c.time_of_day}
    # Per group and household first, then per group: households are counted by a hash
    # aggregate instead of a sort per group (COUNT DISTINCT).
    parts = []
    for by, key in keys.items():
        per_household = (select(cast(key, String).label("key"), lines.c.household,
                                func.sum(lines.c.killed).label("killed"))
                         .group_by(key, lines.c.household).subquery())
        parts.append(select(literal(by).label("by"), per_household.c.key,
                            func.sum(per_household.c.killed),
                            func.count(per_household.c.household))
                     .group_by(per_household.c.key))
    losses: dict[str, dict] = {by: {} for by in GROUPINGS}
    for by, key, killed, households in db.session.execute(
            select(union_all(*parts).subquery())):
        losses[by][_key(by, key)] = (int(killed or 0), int(households or 0))

    herds = _scoped(
        select(type_coerce(HerdCensus.species, String), type_coerce(AdminArea.region, String),
               func.sum(HerdCensus.head_count))
        .join(Household, Household.id == HerdCensus.household_id)
        .outerjoin(AdminArea, AdminArea.id == Household.admin1_id)
        .group_by(HerdCensus.species, AdminArea.region), Household, user, country)
    by_species: dict[str, float] = {}
    by_region: dict[str | None, float] = {}
    for species, region, heads in db.session.execute(herds):
        by_species[species] = by_species.get(species, 0.0) + float(heads or 0)
        by_region[region] = by_region.get(region, 0.0) + float(heads or 0)
    total = sum(by_species.values())
    shares = {"month": {m: 1 / 12 for m in range(1, 13)},
              "season": {s: 0.25 for s in SEASONS}}
    out = {}
    for by in GROUPINGS:
        exposure_of = {"species": by_species, "region": by_region}.get(by)
        groups = set(losses[by]) | set(shares.get(by, exposure_of or {}))
        rows = []
        for key in sorted(groups, key=lambda k: (k is None, isinstance(k, str), k or 0)):
            if exposure_of is not None:
                exposure = exposure_of.get(key, 0.0)
            elif by in shares:
                exposure = total * shares[by][key]
            else:
                exposure = total  # setting, time of day: all herds are at risk
            killed, households = losses[by].get(key, (0, 0))
            suppressed = 0 < households < MIN_CELL_HOUSEHOLDS
            rows.append({
                "group": key, "losses": None if suppressed else killed,
                "head_years": round(exposure, 1),
                "rate_per_100": None if suppressed or not exposure
                else round(killed / exposure * 100, 3),
                "suppressed": suppressed})
        out[by] = rows
    return out


def _key(by: str, key: str | None) -> object:
    if by == "month":
        return int(key)
    if by == "setting":
        return SETTING_CODE.get(key, key) if key else "unknown"
    if by == "time_of_day":
        return key or "unknown"
    return key


STEPS = ("incident_to_report", "report_to_verification", "verification_to_decision",
         "decision_to_payment")


def processing_times(user, country: str | None = None) -> list[dict]:  # noqa: ANN001
    """Median and 90th percentile, in days, of each step of the claim process: durations
    per claim in SQL from the first audit entry of each step, percentiles in SQL too
    (PostgreSQL's ``percentile_cont``). A step taken by claims of fewer than 5 households
    is suppressed like a small cell."""
    from conflict_app.core.audit import CLAIM_STEPS_WHERE, AuditEntry

    postgres = db.engine.dialect.name == "postgresql"

    def first(actions):  # noqa: ANN001, ANN202
        # The earliest time, turned into days once per claim, not for each of its entries.
        return days(func.min(AuditEntry.occurred_at).filter(AuditEntry.action.in_(actions)))

    # The first entry of each step per claim, from the audit entries of those steps only:
    # the partial index of exactly those (``ix_audit_entry_claim_steps``). Its condition is
    # written into the statement as constants, so that the planner can match it also in a
    # prepared statement's generic plan.
    firsts = (select(AuditEntry.object_id.label("claim_id"),
                     first(["file_verification"]).label("verified"),
                     first(["approve", "reject", "declare_ineligible"]).label("decided"),
                     first(["record_payment"]).label("paid"))
              .where(text(CLAIM_STEPS_WHERE))
              .group_by(AuditEntry.object_id).subquery())
    # Incidents are dated, not timed: noon of the day where it happened, so the report's
    # time is read on the clock of the claim's place (3 to 5 hours ahead of UTC's).
    query, zone = timezones.zone_sql(
        select().select_from(Claim).join(Incident, Claim.incident_id == Incident.id)
        .outerjoin(firsts, firsts.c.claim_id == Claim.id), Claim)
    reported_here = days(timezones.local_time(Claim.reported_at, zone))
    per_claim = _scoped(
        query.add_columns((reported_here - days(Incident.occurred_on) - 0.5).label("reported"),
                          firsts.c.verified, firsts.c.decided, firsts.c.paid,
                          days(Claim.reported_at).label("reported_at"),
                          Claim.household_id.label("household")),
        Claim, user, country).cte("per_claim")
    c = per_claim.c
    spans = {"incident_to_report": c.reported,
             "report_to_verification": c.verified - c.reported_at,
             "verification_to_decision": c.decided - c.verified,
             "decision_to_payment": c.paid - c.decided}
    if postgres:
        from sqlalchemy.dialects.postgresql import array

        # One sort per step for both percentiles (an array of fractions), and the
        # households counted by one hash aggregate over the claims rather than a sort per
        # step (COUNT DISTINCT): at range-wide scale the sorts were most of this figure.
        spans_sql = [cast(span, Float) for span in spans.values()]
        spread = select(*(column for span in spans_sql for column in (
            func.count(span), func.percentile_cont(array([0.5, 0.9])).within_group(span)))
        ).subquery()
        per_household = (select(*(func.count(span).label(f"n{k}")
                                  for k, span in enumerate(spans_sql)))
                         .group_by(c.household).subquery())
        households = select(*(func.count().filter(per_household.c[f"n{k}"] > 0)
                              for k in range(len(STEPS)))).subquery()
        row = db.session.execute(select(spread, households).select_from(
            spread.join(households, true()))).one()  # two rows of one row each
        figures = {}
        for k, step in enumerate(STEPS):
            n, percentiles = row[2 * k:2 * k + 2]
            figures[step] = (n, row[2 * len(STEPS) + k], *(percentiles or (None, None)))
    else:
        import numpy as np

        rows = db.session.execute(select(*spans.values(), c.household)).all()
        values = np.array([r[:-1] for r in rows], dtype=float).reshape(-1, len(STEPS))
        households = np.array([r[-1] for r in rows], dtype=np.int64)
        figures = {}
        for k, step in enumerate(STEPS):
            taken = ~np.isnan(values[:, k])
            column = values[:, k][taken]
            figures[step] = (len(column), len(np.unique(households[taken])),
                             *(np.percentile(column, (50, 90)) if len(column) else (None, None)))
    out = []
    for step, (n, households, median, p90) in figures.items():
        small = 0 < households < MIN_CELL_HOUSEHOLDS
        shown = n and not small
        out.append({"step": step, "claims": None if small else int(n),
                    "median_days": round(float(median), 1) if shown else None,
                    "p90_days": round(float(p90), 1) if shown else None,
                    "suppressed": small})
    return out
