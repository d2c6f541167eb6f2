"""Reads the database into the plain rows the estimators take, inside a jurisdiction.

Only analytics reads here, never writes. Personal data never leaves this module: rows carry
internal household keys, never names, phones or IDs; coordinates are used for distances and
for the coarse grid only.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Float, Integer, String, and_, case, cast, func, or_, select, type_coerce

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
    so memory and transfer grow with households × months, not with incidents. Month
    indexes are computed in SQL and the rows arrive as columns (``_frame``): no Python
    object per row.
    """
    from conflict_app.analytics.panel import Counts, measure_frame

    def scoped(query, model):  # noqa: ANN001, ANN202
        query = scope(query, model, user)
        return query.where(model.country_code == country) if country else query

    households = _frame(scoped(
        select(Household.id, Household.village_id,
               cast(func.coalesce(Household.latitude, Village.latitude), Float),
               cast(func.coalesce(Household.longitude, Village.longitude), Float))
        .join(Village, Household.village_id == Village.id), Household),
        {"household": "int64", "village": "int64", "latitude": "float64",
         "longitude": "float64"})
    herds = _frame(scoped(
        select(HerdCensus.household_id, HerdCensus.year, func.sum(HerdCensus.head_count))
        .join(Household).group_by(HerdCensus.household_id, HerdCensus.year),
        Household), {"household": "int64", "year": "int64", "head_count": "float64"})
    month = _month_sql(Incident.occurred_on)
    setting = func.coalesce(type_coerce(Incident.setting, String), "")
    events = _frame(scoped(
        leopard_only(select(Incident.household_id, month, setting, func.sum(LossLine.killed))
                     .join(LossLine, LossLine.incident_id == Incident.id), confidence)
        .where(Incident.household_id.is_not(None))
        .group_by(Incident.household_id, month, setting), Incident),
        {"household": "int64", "month": "int64", "stratum": "str", "events": "int64"})
    events["stratum"] = events["stratum"].map(SETTING_CODE).fillna("")
    measures = _frame(scoped(
        select(Measure.household_id, type_coerce(Measure.measure, String),
               _month_sql(Measure.installed_on),
               func.coalesce(_month_sql(Measure.removed_on), -1),
               Measure.installed_on, cast(Measure.cost, Float), Measure.currency), Measure)
        .where(Measure.household_id.is_not(None)),
        {"household": "int64", "measure": "str", "installed": "int64", "removed": "int64",
         "installed_on": "date", "cost": "float64", "currency": "str"})
    return Counts(households, herds, events, measure_frame(measures))


def leopard_only(query, confidence: frozenset[str]):  # noqa: ANN001, ANN201 - a Select
    """``query`` (over incidents) restricted to leopard attacks at one of the ``confidence``
    levels: the verdict of the incident's latest verification report, or, for incidents
    imported without a claim, the verdict recorded with them. Every figure of leopard
    losses (the overview, the effectiveness model, the public statistics) counts by it."""
    levels = sorted(confidence)
    # Written as two branches, not COALESCE(report's, recorded): the planner cannot estimate
    # a COALESCE and took the filter to keep ten rows of half a million, then joined the
    # 370,000 it kept by nested loops (the loss rates at 500,000 claims: 2.5 s -> 1.9 s).
    reported = and_(type_coerce(VerificationReport.predator, String) == "leopard",
                    type_coerce(VerificationReport.confidence, String).in_(levels))
    recorded = and_(VerificationReport.id.is_(None), Incident.recorded_predator == "leopard",
                    Incident.recorded_confidence.in_(levels))
    return (query.outerjoin(VerificationReport,
                            VerificationReport.id == Incident.verdict_report_id)
            .where(or_(reported, recorded)))


def _month_sql(column):  # noqa: ANN001, ANN202
    """year × 12 + month − 1 of a date, computed by the database."""
    return cast(func.extract("year", column) * 12 + func.extract("month", column) - 1,
                Integer)


def _frame(query, columns: dict[str, str]):  # noqa: ANN001, ANN202 - a DataFrame
    """The rows of ``query`` as a DataFrame of ``columns`` (name → dtype).

    On PostgreSQL the result is streamed with ``COPY … TO STDOUT`` as CSV and parsed by
    pandas' C reader: no Python object per row, the cost of a plain fetch or less.
    Elsewhere the rows are fetched as usual.
    """
    import io

    import pandas as pd

    names = list(columns)
    dates = [n for n, t in columns.items() if t == "date"]
    dtypes = {n: t for n, t in columns.items() if t not in ("date", "str")}
    strings = [n for n, t in columns.items() if t == "str"]
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        sql = str(query.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True}))
        buffer = io.BytesIO()
        cursor = db.session.connection().connection.driver_connection.cursor()
        with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
        buffer.seek(0)
        frame = pd.read_csv(buffer, names=names, header=None, keep_default_na=False,
                            na_values={n: [""] for n in names if n not in strings},
                            dtype={n: "object" for n in strings})
    else:
        frame = pd.DataFrame(db.session.execute(query).all(), columns=names)
    for name in strings:
        frame[name] = frame[name].where(frame[name].notna() & (frame[name] != ""), None)
    for name in dates:
        frame[name] = pd.to_datetime(frame[name]).dt.date
    for name, dtype in dtypes.items():
        frame[name] = frame[name].astype(dtype)
    return frame


def measure_costs(user, measure: str, country: str | None = None) -> list[tuple]:  # noqa: ANN001
    """(cost, currency, installed_on) of every household's measure of this kind."""
    query = scope(select(Measure.cost, Measure.currency, Measure.installed_on)
                  .where(Measure.measure == measure, Measure.household_id.is_not(None),
                         Measure.cost.is_not(None), Measure.currency.is_not(None)),
                  Measure, user)
    if country:
        query = query.where(Measure.country_code == country)
    return [tuple(row) for row in db.session.execute(query)]


def assignments(user, country: str | None = None) -> dict[str, str]:  # noqa: ANN001
    """measure → "household"/"village" for the measures whose every record in the
    selection was assigned at random (see ``service.assignments``)."""
    village = case((Measure.assignment == "village", 1), else_=0)
    query = scope(select(type_coerce(Measure.measure, String), func.count(Measure.id),
                         func.count(Measure.assignment), func.sum(village))
                  .where(Measure.household_id.is_not(None))
                  .group_by(Measure.measure), Measure, user)
    if country:
        query = query.where(Measure.country_code == country)
    return {kind: "village" if villages else "household"
            for kind, n, assigned, villages in db.session.execute(query) if n == assigned}


def fingerprint() -> tuple:
    """Changes whenever the data the analytics read change (``core.data_version``): one
    row read by its key, however large the tables."""
    from conflict_app.core import data_version

    return data_version.fingerprint()


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
    per_household = scope(select(row.label("y"), col.label("x"), Incident.household_id,
                                 func.count(Incident.id).label("n"))
                          .join(Village, Incident.village_id == Village.id)
                          .where(and_(lat.is_not(None), lon.is_not(None)))
                          .group_by(row, col, Incident.household_id), Incident, user)
    if country:
        per_household = per_household.where(Incident.country_code == country)
    # Per cell and household first, then per cell: no sort per cell for COUNT DISTINCT.
    cells = per_household.subquery()
    query = (select(cells.c.y, cells.c.x, func.sum(cells.c.n), func.count(cells.c.household_id))
             .group_by(cells.c.y, cells.c.x))
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
