"""Incidents of a bundle: one row per species, grouped by incident_ref, in bulk.

The rows of one incident may fall in different batches (or far apart in the file): an
incident this import already wrote is found in the database, and later rows join it after
the same checks (they must agree on household, date and setting, and not repeat a species).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from conflict_app.bundles.bulk import INVALID, SETTING, Batch, _chunks, insert_rows, one_of
from conflict_app.bundles.schema import Header, M
from conflict_app.claims.models import AgeClass, Incident, LossLine
from conflict_app.extensions import db
from conflict_app.herders.models import Species

if TYPE_CHECKING:
    from conflict_app.bundles.bulk import BulkWriter

_COLUMNS = ("household_ref", "occurred_on", "setting")
SPECIES = {kind.value: kind for kind in Species}


def _written(writer: BulkWriter, refs: set[str]) -> tuple[dict[str, tuple], dict[int, set]]:
    """Incidents with these refs already in the database: (id, household, date, setting),
    and the species of those this import wrote."""
    found: dict[str, tuple] = {}
    for chunk in _chunks(refs):
        for ref, *rest in db.session.execute(select(
                Incident.external_ref, Incident.id, Incident.household_id,
                Incident.occurred_on, Incident.setting,
        ).where(one_of(Incident.external_ref, chunk))):
            found[ref] = tuple(rest)
    ours = [v[0] for v in found.values() if v[0] > writer.before[Incident]]
    species: dict[int, set] = {i: set() for i in ours}
    for chunk in _chunks(ours):
        for incident_id, kind in db.session.execute(select(
                LossLine.incident_id, LossLine.species).where(one_of(LossLine.incident_id, chunk))):
            species[incident_id].add(kind)
    return found, species


def write_incidents(writer: BulkWriter, header: Header, batch: Batch) -> None:
    known = writer._known(batch)
    refs = {row["incident_ref"] for _, row in batch if row.get("incident_ref")}
    found, species_of = _written(writer, refs)
    new: dict[str, dict[str, Any]] = {}  # ref -> incident row (from its first row)
    seen: dict[str, tuple[tuple, set]] = {}  # ref -> (first row's values, species so far)
    lines: list[tuple[str, dict]] = []  # (ref, loss line)
    counted: set[str] = set()
    for line, row in batch:
        if INVALID in row:
            writer.check_invalid(known, header, line, row)
            continue
        if row["killed"] == 0 and row["injured"] == 0:
            writer.problem(header, line, "killed", M.NO_LOSS)
            continue
        household = writer._household(known, header, line, row)
        if household is None:
            continue
        ref = row["incident_ref"]
        setting = SETTING.get(row.get("setting") or "")
        values = (household[0], row["occurred_on"], setting)
        if ref in found:
            incident_id, *first = found[ref]
            if incident_id <= writer.before[Incident]:  # imported before: left alone
                if ref not in counted:
                    writer.report.unchanged["incident"] += 1
                    counted.add(ref)
                continue
            species = species_of[incident_id]
        elif ref in new:
            first, species = seen[ref]
        else:
            hid, village, country, admin1, admin2 = household
            new[ref] = {
                "external_ref": ref, "household_id": hid, "occurred_on": row["occurred_on"],
                "village_id": village, "country_code": country, "admin1_id": admin1,
                "admin2_id": admin2, "latitude": row.get("latitude"),
                "longitude": row.get("longitude"), "setting": setting,
                "recorded_predator": row.get("predator") or "unknown",
                "recorded_confidence": row.get("confidence") or "unverified",
            }
            first, species = seen[ref] = (values, set())
        disagree = [] if first == values else [
            c for c, a, b in zip(_COLUMNS, first, values, strict=True) if a != b]
        for column in disagree:
            writer.problem(header, line, column, M.DISAGREE, ref=repr(ref), column=column)
        kind = SPECIES[row["species"]]
        if kind in species:
            writer.problem(header, line, "species", M.SPECIES_TWICE, ref=repr(ref),
                           species=kind.value)
            continue
        if disagree:
            continue
        species.add(kind)
        lines.append((ref, {"species": kind, "age_class": AgeClass.UNKNOWN,
                            "killed": row["killed"], "injured": row["injured"]}))
    ids = {ref: v[0] for ref, v in found.items()}
    if new:
        ids.update(zip(new, insert_rows(Incident.__table__, list(new.values()), with_ids=True),
                       strict=True))
        writer.report.created["incident"] += len(new)
    if lines:
        insert_rows(LossLine.__table__,
                    [{**values, "incident_id": ids[ref]} for ref, values in lines])
