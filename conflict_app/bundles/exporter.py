"""Write the database as a bundle; ``deidentified`` drops names, phones and IDs and coarsens
every coordinate to the analytics grid."""

from __future__ import annotations

import csv
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

from sqlalchemy import select

from conflict_app.bundles.schema import FILES
from conflict_app.claims.models import Claim, Incident
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea, Village
from conflict_app.herders.models import HerdCensus, Household
from conflict_app.mitigation.models import Measure
from conflict_app.verification.models import VerificationReport

SETTING_CODE = {"pasture": "pasture", "night_corral": "corral", "village": "village"}
CONFIDENCE_CODE = {"unknown": "unverified"}
PREDATOR_CODE = {"non_predation": "unknown"}


def coarsen(value: Decimal | None, grid: Decimal) -> Decimal | None:
    """The south-west corner of the grid cell, so a point cannot be recovered."""
    if value is None:
        return None
    return (value / grid).to_integral_value(rounding=ROUND_FLOOR) * grid


def household_ref(household: Household) -> str:
    return household.external_ref or f"H{household.id}"


def export_bundle(path: Path, deidentified: bool, grid: Decimal = Decimal("0.1"),
                  batch: int = 1000) -> dict[str, int]:
    path.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}

    def writer(name: str):  # noqa: ANN202
        handle = (path / name).open("w", encoding="utf-8", newline="")
        columns = [c.name for c in FILES[name].columns]
        if deidentified and name == "households.csv":
            columns = [c for c in columns if c not in {"head_name", "phone", "national_id"}]
        out = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        out.writeheader()
        return handle, out

    def point(lat, lon):  # noqa: ANN001, ANN202
        if deidentified:
            return coarsen(lat, grid), coarsen(lon, grid)
        return lat, lon

    handle, out = writer("households.csv")
    area_names = {a.id: a.name for a in db.session.scalars(select(AdminArea))}
    n = 0
    for household, village in db.session.execute(
            select(Household, Village).join(Village, Household.village_id == Village.id)
            .order_by(Household.id).execution_options(yield_per=batch)):
        lat, lon = point(household.latitude, household.longitude)
        out.writerow({
            "household_ref": household_ref(household), "country": household.country_code,
            "admin1": area_names.get(household.admin1_id),
            "admin2": area_names.get(household.admin2_id) if household.admin2_id else "",
            "village": village.name, "latitude": lat, "longitude": lon,
            "head_name": household.head_name, "phone": household.phone,
            "national_id": household.national_id, "language": household.language,
        })
        n += 1
    handle.close()
    counts["households.csv"] = n

    refs = {h_id: ref or f"H{h_id}" for h_id, ref in db.session.execute(
        select(Household.id, Household.external_ref))}
    handle, out = writer("herds.csv")
    n = 0
    for row in db.session.scalars(select(HerdCensus).order_by(HerdCensus.id)
                                  .execution_options(yield_per=batch)):
        out.writerow({"household_ref": refs[row.household_id], "year": row.year,
                      "species": row.species.value, "head_count": row.head_count})
        n += 1
    handle.close()
    counts["herds.csv"] = n

    handle, out = writer("measures.csv")
    n = 0
    for m in db.session.scalars(select(Measure).where(Measure.household_id.is_not(None))
                                .order_by(Measure.id)):
        out.writerow({"measure_ref": m.external_ref or f"M{m.id}",
                      "household_ref": refs[m.household_id], "measure": m.measure.value,
                      "installed_on": m.installed_on, "removed_on": m.removed_on or "",
                      "cost": m.cost if m.cost is not None else "",
                      "currency": m.currency or "", "funder": m.funder or "",
                      "assignment": m.assignment or "",
                      "assignment_method": m.assignment_method or ""})
        n += 1
    handle.close()
    counts["measures.csv"] = n

    # The newest verification report of any claim on the incident gives its attribution.
    attribution = {}
    for incident_id, predator, confidence in db.session.execute(
            select(Claim.incident_id, VerificationReport.predator, VerificationReport.confidence)
            .join(VerificationReport, VerificationReport.claim_id == Claim.id)
            .order_by(VerificationReport.id)):
        attribution[incident_id] = (predator.value, confidence.value)
    handle, out = writer("incidents.csv")
    n = 0
    for incident in db.session.scalars(select(Incident).order_by(Incident.id)
                                       .execution_options(yield_per=batch)):
        predator, confidence = attribution.get(
            incident.id, (incident.recorded_predator or "unknown",
                          incident.recorded_confidence or "unverified"))
        lat, lon = point(incident.latitude, incident.longitude)
        for line in incident.lines:
            out.writerow({
                "incident_ref": incident.external_ref or f"I{incident.id}",
                "household_ref": refs[incident.household_id],
                "occurred_on": incident.occurred_on,
                "occurred_at": incident.occurred_time.strftime("%H:%M")
                if incident.occurred_time else "",
                "latitude": lat, "longitude": lon,
                "setting": SETTING_CODE.get(incident.setting.value, "")
                if incident.setting else "",
                "species": line.species.value, "killed": line.killed, "injured": line.injured,
                "predator": PREDATOR_CODE.get(predator, predator),
                "confidence": CONFIDENCE_CODE.get(confidence, confidence),
            })
            n += 1
    handle.close()
    counts["incidents.csv"] = n
    return counts
