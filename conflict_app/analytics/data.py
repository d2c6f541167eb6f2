"""Reads the database into the plain rows the estimators take, inside a jurisdiction.

Only analytics reads here, never writes. Personal data never leaves this module: rows carry
internal household keys, never names, phones or IDs; coordinates are used for distances and
for the coarse grid only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import String, and_, case, func, select, type_coerce

from conflict_app.claims.models import Claim, Incident, LossLine
from conflict_app.core.permissions import scope
from conflict_app.core.types import UTCDateTime
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea, Village
from conflict_app.herders.models import HerdCensus, Household
from conflict_app.mitigation.models import Measure
from conflict_app.verification.models import VerificationReport

SETTING_CODE = {"pasture": "pasture", "night_corral": "corral", "village": "village"}
MIN_CELL_HOUSEHOLDS = 5  # smaller map cells and table rows are suppressed


@dataclass
class Dataset:
    households: list[dict]
    herds: list[dict]
    measures: list[dict]
    incidents: list[dict]


def _key(household_id: int) -> str:
    return f"h{household_id}"


def load(user, country: str | None = None) -> Dataset:  # noqa: ANN001
    """Every row of the user's jurisdiction (optionally one country), de-identified."""

    def scoped(query, model):  # noqa: ANN001, ANN202
        query = scope(query, model, user)
        return query.where(model.country_code == country) if country else query

    households = [
        {"household_ref": _key(h_id), "village": str(v_id), "latitude": lat, "longitude": lon}
        for h_id, v_id, lat, lon in db.session.execute(scoped(
            select(Household.id, Household.village_id,
                   func.coalesce(Household.latitude, Village.latitude),
                   func.coalesce(Household.longitude, Village.longitude))
            .join(Village, Household.village_id == Village.id), Household))
    ]
    herds = [
        {"household_ref": _key(h_id), "year": year, "species": species.value,
         "head_count": count}
        for h_id, year, species, count in db.session.execute(scoped(
            select(HerdCensus.household_id, HerdCensus.year, HerdCensus.species,
                   HerdCensus.head_count).join(Household), Household))
    ]
    measures = [
        {"household_ref": _key(m.household_id), "measure": m.measure.value,
         "installed_on": m.installed_on, "removed_on": m.removed_on, "cost": m.cost,
         "currency": m.currency}
        for m in db.session.scalars(scoped(select(Measure), Measure).where(
            Measure.household_id.is_not(None)))
    ]
    # Attribution: the newest verification report of a claim on the incident, else the one
    # recorded with an imported incident.
    latest = (select(Claim.incident_id, func.max(VerificationReport.id).label("report_id"))
              .join(VerificationReport, VerificationReport.claim_id == Claim.id)
              .group_by(Claim.incident_id).subquery())
    rows = db.session.execute(scoped(
        select(Incident.id, Incident.household_id, Incident.occurred_on, Incident.setting,
               Incident.part_of_day, LossLine.species, LossLine.killed, LossLine.injured,
               Incident.recorded_predator, Incident.recorded_confidence,
               VerificationReport.predator, VerificationReport.confidence)
        .join(LossLine, LossLine.incident_id == Incident.id)
        .outerjoin(latest, latest.c.incident_id == Incident.id)
        .outerjoin(VerificationReport, VerificationReport.id == latest.c.report_id), Incident))
    incidents = []
    for (i_id, h_id, occurred_on, setting, part, species, killed, injured, rec_pred, rec_conf,
         v_pred, v_conf) in rows:
        predator = v_pred.value if v_pred else (rec_pred or "unknown")
        confidence = v_conf.value if v_conf else (rec_conf or "unverified")
        if predator == "non_predation":
            predator = "unknown"
        incidents.append({
            "incident_ref": f"i{i_id}", "household_ref": _key(h_id),
            "occurred_on": occurred_on,
            "setting": SETTING_CODE.get(setting.value) if setting else None,
            "part_of_day": part.value if part else None, "species": species.value,
            "killed": killed, "injured": injured, "predator": predator,
            "confidence": "unverified" if confidence == "unknown" else confidence,
        })
    return Dataset(households, herds, measures, incidents)


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


def loss_rates(user, by: str, confidence: frozenset[str],  # noqa: ANN001
               country: str | None = None) -> list[dict]:
    """Heads killed by leopards per 100 head-years, grouped by ``by``.

    Exposure is the herd census in head-years over the same households and years; for
    groups within a year (month, season, time of day, setting) the exposure of the year is
    shared over the months it covers, so rates stay comparable between groups.
    """
    data = load(user, country)
    region_of = _regions(user, country) if by == "region" else {}
    exposure: dict[object, float] = defaultdict(float)
    for h in data.herds:
        if by == "species":
            exposure[h["species"]] += h["head_count"]
        elif by == "region":
            exposure[region_of.get(h["household_ref"])] += h["head_count"]
        else:
            exposure["all"] += h["head_count"]
    shares = {"month": {m: 1 / 12 for m in range(1, 13)},
              "season": {"spring": 0.25, "summer": 0.25, "autumn": 0.25, "winter": 0.25}}
    losses: dict[object, int] = defaultdict(int)
    households: dict[object, set] = defaultdict(set)
    for i in data.incidents:
        if i["predator"] != "leopard" or i["confidence"] not in confidence:
            continue
        key = _group(i, by, region_of)
        losses[key] += i["killed"]
        households[key].add(i["household_ref"])
    keys = sorted(set(losses) | ({k for k in shares.get(by, {})} if by in shares else
                                 set(exposure) if by in {"species", "region"} else set()),
                  key=lambda k: (k is None, str(k)))
    total_exposure = exposure.get("all", 0.0)
    result = []
    for key in keys:
        if by in {"species", "region"}:
            exp = exposure.get(key, 0.0)
        elif by in shares:
            exp = total_exposure * shares[by][key]
        else:
            exp = total_exposure  # setting, time of day: all herds are at risk
        n_households = len(households.get(key, ()))
        suppressed = 0 < n_households < MIN_CELL_HOUSEHOLDS
        result.append({
            "group": key, "losses": None if suppressed else losses.get(key, 0),
            "head_years": round(exp, 1),
            "rate_per_100": None if suppressed or not exp
            else round(losses.get(key, 0) / exp * 100, 3),
            "suppressed": suppressed,
        })
    return result


def _group(incident: dict, by: str, region_of: dict) -> object:
    if by == "species":
        return incident["species"]
    if by == "region":
        return region_of.get(incident["household_ref"])
    if by == "month":
        return incident["occurred_on"].month
    if by == "season":
        return {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
                6: "summer", 7: "summer", 8: "summer"}.get(incident["occurred_on"].month,
                                                           "autumn")
    if by == "setting":
        return incident["setting"] or "unknown"
    if by == "time_of_day":
        return incident["part_of_day"] or "unknown"
    raise ValueError(f"unknown grouping {by!r}")


def _regions(user, country) -> dict[str, str | None]:  # noqa: ANN001
    query = scope(select(Household.id, AdminArea.region).join(
        AdminArea, AdminArea.id == Household.admin1_id), Household, user)
    if country:
        query = query.where(Household.country_code == country)
    return {_key(h): (r.value if r else None) for h, r in db.session.execute(query)}


def grid(user, cell: Decimal = Decimal("0.1"),  # noqa: ANN001
         country: str | None = None) -> list[dict]:
    """Leopard incidents per grid cell; cells with fewer than 5 households suppressed."""
    lat = func.coalesce(Incident.latitude, Village.latitude)
    lon = func.coalesce(Incident.longitude, Village.longitude)
    query = scope(select(lat, lon, Incident.household_id)
                  .join(Village, Incident.village_id == Village.id), Incident, user)
    if country:
        query = query.where(Incident.country_code == country)
    cells: dict[tuple, dict] = {}
    for y, x, household in db.session.execute(query.where(and_(lat.is_not(None),
                                                               lon.is_not(None)))):
        key = (_floor(Decimal(y), cell), _floor(Decimal(x), cell))
        entry = cells.setdefault(key, {"incidents": 0, "households": set()})
        entry["incidents"] += 1
        entry["households"].add(household)
    return [
        {"lat": float(k[0]), "lon": float(k[1]), "size": float(cell),
         "incidents": v["incidents"] if len(v["households"]) >= MIN_CELL_HOUSEHOLDS else None,
         "suppressed": len(v["households"]) < MIN_CELL_HOUSEHOLDS}
        for k, v in sorted(cells.items())
    ]


def _floor(value: Decimal, cell: Decimal) -> Decimal:
    return (value / cell).to_integral_value(rounding=ROUND_FLOOR) * cell


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


def processing_times(user, country: str | None = None) -> list[dict]:  # noqa: ANN001
    """Median and 90th percentile, in days, of each step of the claim process; a step
    taken by claims of fewer than 5 households is suppressed like a small cell."""
    import numpy as np

    from conflict_app.core.audit import AuditEntry

    def first(actions):  # noqa: ANN001, ANN202
        return type_coerce(
            func.min(case((AuditEntry.action.in_(actions), AuditEntry.occurred_at))),
            UTCDateTime())

    query = scope(
        select(Incident.occurred_on, Claim.reported_at, first(["file_verification"]),
               first(["approve", "reject", "declare_ineligible"]), first(["record_payment"]),
               Claim.household_id)
        .join(Incident, Claim.incident_id == Incident.id)
        .join(AuditEntry, and_(AuditEntry.object_type == "claim",
                               AuditEntry.object_id == Claim.id))
        .group_by(Claim.id, Incident.occurred_on, Claim.reported_at, Claim.household_id),
        Claim, user)
    if country:
        query = query.where(Claim.country_code == country)
    steps: dict[str, list[float]] = {"incident_to_report": [], "report_to_verification": [],
                                     "verification_to_decision": [],
                                     "decision_to_payment": []}

    def days(a, b):  # noqa: ANN001, ANN202
        return (b - a).total_seconds() / 86400

    from datetime import UTC, datetime, time

    households: dict[str, set[int]] = defaultdict(set)

    def add(step: str, value: float, household: int) -> None:
        steps[step].append(value)
        households[step].add(household)

    for occurred, reported, verified, decided, paid, household in db.session.execute(query):
        add("incident_to_report", days(datetime.combine(occurred, time(12), UTC), reported),
            household)
        if verified:
            add("report_to_verification", days(reported, verified), household)
        if verified and decided:
            add("verification_to_decision", days(verified, decided), household)
        if decided and paid:
            add("decision_to_payment", days(decided, paid), household)
    rows = []
    for step, values in steps.items():
        small = 0 < len(households[step]) < MIN_CELL_HOUSEHOLDS
        shown = values and not small
        rows.append({"step": step, "claims": None if small else len(values),
                     "median_days": round(float(np.median(values)), 1) if shown else None,
                     "p90_days": round(float(np.percentile(values, 90)), 1) if shown else None,
                     "suppressed": small})
    return rows
