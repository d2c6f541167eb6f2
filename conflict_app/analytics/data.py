"""Reads the database into the plain rows the estimators take, inside a jurisdiction.

Only analytics reads here, never writes. Personal data never leaves this module: rows carry
internal household keys, never names, phones or IDs; coordinates are used for distances and
for the coarse grid only.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Float, Integer, String, and_, case, cast, func, select, type_coerce

from conflict_app.claims.models import Claim, Incident, LossLine
from conflict_app.core.permissions import scope
from conflict_app.extensions import db
from conflict_app.geo.models import Village
from conflict_app.herders.models import HerdCensus, Household
from conflict_app.mitigation.models import Measure
from conflict_app.verification.models import VerificationReport

SETTING_CODE = {"pasture": "pasture", "night_corral": "corral", "village": "village"}
MIN_CELL_HOUSEHOLDS = 5  # smaller map cells and table rows are suppressed


def effectiveness_counts(user, confidence: frozenset[str],  # noqa: ANN001
                         country: str | None = None):  # noqa: ANN201 - Counts, imported late
    """The counts the effectiveness model needs, aggregated by the database.

    Losses come back per household, month and setting (``GROUP BY``), never per incident,
    so memory and transfer grow with households × months, not with incidents.
    """
    import numpy as np
    import pandas as pd

    from conflict_app.analytics.panel import Counts, measure_frame

    def scoped(query, model):  # noqa: ANN001, ANN202
        query = scope(query, model, user)
        return query.where(model.country_code == country) if country else query

    homes = db.session.execute(scoped(
        select(Household.id, Household.village_id,
               func.coalesce(Household.latitude, Village.latitude),
               func.coalesce(Household.longitude, Village.longitude))
        .join(Village, Household.village_id == Village.id), Household)).all()
    households = pd.DataFrame(
        [(h, v, float(y) if y is not None else np.nan, float(x) if x is not None else np.nan)
         for h, v, y, x in homes], columns=["household", "village", "latitude", "longitude"])
    herds = pd.DataFrame(db.session.execute(scoped(
        select(HerdCensus.household_id, HerdCensus.year, func.sum(HerdCensus.head_count))
        .join(Household).group_by(HerdCensus.household_id, HerdCensus.year),
        Household)).all(), columns=["household", "year", "head_count"])
    latest = (select(Claim.incident_id, func.max(VerificationReport.id).label("report_id"))
              .join(VerificationReport, VerificationReport.claim_id == Claim.id)
              .group_by(Claim.incident_id).subquery())
    predator = func.coalesce(type_coerce(VerificationReport.predator, String),
                             Incident.recorded_predator)
    confidence_of = func.coalesce(type_coerce(VerificationReport.confidence, String),
                                  Incident.recorded_confidence)
    year = func.extract("year", Incident.occurred_on)
    month = func.extract("month", Incident.occurred_on)
    setting = type_coerce(Incident.setting, String)
    rows = db.session.execute(scoped(
        select(Incident.household_id, year, month, setting, func.sum(LossLine.killed))
        .join(LossLine, LossLine.incident_id == Incident.id)
        .outerjoin(latest, latest.c.incident_id == Incident.id)
        .outerjoin(VerificationReport, VerificationReport.id == latest.c.report_id)
        .where(predator == "leopard", confidence_of.in_(sorted(confidence)),
               Incident.household_id.is_not(None))
        .group_by(Incident.household_id, year, month, setting), Incident)).all()
    events = pd.DataFrame(
        [(h, int(y) * 12 + int(m) - 1, SETTING_CODE.get(s or "", ""), int(k or 0))
         for h, y, m, s, k in rows], columns=["household", "month", "stratum", "events"])
    measures = measure_frame([
        {"household": h, "measure": kind.value, "installed": _month(installed),
         "removed": _month(removed) if removed else -1, "installed_on": installed,
         "cost": float(cost) if cost is not None else np.nan, "currency": currency}
        for h, kind, installed, removed, cost, currency in db.session.execute(scoped(
            select(Measure.household_id, Measure.measure, Measure.installed_on,
                   Measure.removed_on, Measure.cost, Measure.currency), Measure)
            .where(Measure.household_id.is_not(None)))])
    return Counts(households, herds, events, measures)


def measure_costs(user, measure: str, country: str | None = None) -> list[tuple]:  # noqa: ANN001
    """(cost, currency, installed_on) of every household's measure of this kind."""
    query = scope(select(Measure.cost, Measure.currency, Measure.installed_on)
                  .where(Measure.measure == measure, Measure.household_id.is_not(None),
                         Measure.cost.is_not(None), Measure.currency.is_not(None)),
                  Measure, user)
    if country:
        query = query.where(Measure.country_code == country)
    return [tuple(row) for row in db.session.execute(query)]


def _month(d) -> int:  # noqa: ANN001
    return d.year * 12 + d.month - 1


def fingerprint() -> tuple:
    """Changes whenever the data the analytics read change: the newest audit entry (every
    change is audited) and the size and newest row of each table read."""
    from conflict_app.core.audit import AuditEntry

    parts = [select(func.max(AuditEntry.id))]
    for model in (Household, HerdCensus, Incident, LossLine, Measure, VerificationReport):
        parts += [select(func.count(model.id)), select(func.max(model.id))]
    return tuple(db.session.execute(select(*(p.scalar_subquery() for p in parts))).one())


def grid(user, cell: Decimal = Decimal("0.1"),  # noqa: ANN001
         country: str | None = None) -> list[dict]:
    """Incidents per grid cell, counted by the database; cells with fewer than 5 households
    suppressed. Coordinates stay in SQL: only cell corners and counts come back."""
    size = float(cell)
    lat = func.coalesce(Incident.latitude, Village.latitude)
    lon = func.coalesce(Incident.longitude, Village.longitude)
    # floor() portably (SQLite may lack it); a hair added so a coordinate on a cell's edge
    # falls into the cell it starts, whatever the binary rounding of the division.
    row, col = (_floor_sql(cast(value, Float) / size + 1e-9) for value in (lat, lon))
    query = scope(select(row, col, func.count(Incident.id),
                         func.count(Incident.household_id.distinct()))
                  .join(Village, Incident.village_id == Village.id)
                  .where(and_(lat.is_not(None), lon.is_not(None)))
                  .group_by(row, col), Incident, user)
    if country:
        query = query.where(Incident.country_code == country)
    return [
        {"lat": float(int(y) * cell), "lon": float(int(x) * cell), "size": size,
         "incidents": n if households >= MIN_CELL_HOUSEHOLDS else None,
         "suppressed": households < MIN_CELL_HOUSEHOLDS}
        for y, x, n, households in sorted(db.session.execute(query).all())
    ]


def _floor_sql(value):  # noqa: ANN001, ANN202
    truncated = cast(value, Integer)
    return truncated - case((value < truncated, 1), else_=0)


def outcome_shares(user, country: str | None = None) -> list[dict]:  # noqa: ANN001
    """Decided claims by verification confidence: how many approved, rejected; a level
    with claims of fewer than 5 households is suppressed like a small cell."""
    latest = (select(VerificationReport.claim_id,
                     func.max(VerificationReport.id).label("report_id"))
              .group_by(VerificationReport.claim_id).subquery())
    decided = case((Claim.state.in_(["approved", "payment_scheduled", "paid", "closed"]), 1),
                   else_=0)
    rejected = case((Claim.state.in_(["rejected", "ineligible"]), 1), else_=0)
    query = scope(select(VerificationReport.confidence, func.count(Claim.id),
                         func.sum(decided), func.sum(rejected),
                         func.count(Claim.household_id.distinct()))
                  .join(latest, latest.c.claim_id == Claim.id)
                  .join(VerificationReport, VerificationReport.id == latest.c.report_id)
                  .group_by(VerificationReport.confidence), Claim, user)
    if country:
        query = query.where(Claim.country_code == country)
    rows = []
    for c, n, a, r, households in db.session.execute(query):
        small = households < MIN_CELL_HOUSEHOLDS
        rows.append({"confidence": c.value, "claims": None if small else n,
                     "approved": None if small else int(a or 0),
                     "rejected": None if small else int(r or 0), "suppressed": small})
    return rows
