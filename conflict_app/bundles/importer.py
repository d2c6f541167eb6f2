"""Write a validated bundle into the database in one transaction (all or nothing).

Refs are keys: a re-import finds every household, measure and incident by its ref and
changes nothing that is already there.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from conflict_app.bundles.schema import FILES, Parsed, parse_bundle
from conflict_app.claims.models import AgeClass, Incident, LossLine, Setting
from conflict_app.core import audit
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea, Country, Village
from conflict_app.geo.reference import ensure_country
from conflict_app.herders.models import HerdCensus, Household, Species
from conflict_app.mitigation.models import Measure, MeasureType

SETTING = {"pasture": Setting.PASTURE, "corral": Setting.NIGHT_CORRAL,
           "village": Setting.VILLAGE}


class BundleInvalid(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class Report:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def read_files(path: Path) -> dict[str, str]:
    """The CSV texts of a bundle folder or .zip, by file name."""
    texts: dict[str, str] = {}
    if path.is_dir():
        for file in sorted(path.iterdir()):
            if file.is_file() and file.suffix == ".csv":
                texts[file.name] = file.read_text(encoding="utf-8")
        return texts
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            base = name.rsplit("/", 1)[-1]
            if base.endswith(".csv"):
                texts[base] = archive.read(name).decode("utf-8")
    return texts


def validate(path: Path) -> Parsed:
    try:
        files = read_files(path)
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise BundleInvalid([f"{path.name}:1:1: cannot read the bundle: {exc}"]) from exc
    known = set(db.session.scalars(
        select(Household.external_ref).where(Household.external_ref.is_not(None))))
    parsed = parse_bundle(files, known_households=known)
    if parsed.errors:
        raise BundleInvalid(parsed.errors)
    return parsed


def import_bundle(path: Path, actor_id: int | None = None,
                  progress: Callable[[int], None] | None = None) -> Report:
    parsed = validate(path)
    report = Report()
    step = progress or (lambda n: None)
    with unit_of_work():
        writer = _Writer(report)
        for row in parsed.rows.get("households.csv", []):
            writer.household(row)
            step(1)
        for row in parsed.rows.get("herds.csv", []):
            writer.herd(row)
            step(1)
        for row in parsed.rows.get("measures.csv", []):
            writer.measure(row)
            step(1)
        by_incident: dict[str, list[dict]] = defaultdict(list)
        for row in parsed.rows.get("incidents.csv", []):
            by_incident[row["incident_ref"]].append(row)
        for ref, rows in by_incident.items():
            writer.incident(ref, rows)
            step(len(rows))
        audit.record(actor_id=actor_id, object_type="bundle", object_id=0,
                     action="import_bundle",
                     changes={"file": path.name, "created": dict(report.created)})
    return report


def total_rows(parsed: Parsed) -> int:
    return sum(len(rows) for name, rows in parsed.rows.items() if name in FILES)


class _Writer:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.households: dict[str, Household] = {}
        self.areas: dict[tuple, AdminArea] = {}
        self.villages: dict[tuple, Village] = {}

    def _area(self, country: str, name: str, parent: AdminArea | None) -> AdminArea:
        key = (country, parent.id if parent else None, name)
        if key not in self.areas:
            area = db.session.scalars(select(AdminArea).where(
                AdminArea.country_code == country, AdminArea.name == name,
                AdminArea.parent_id == (parent.id if parent else None)
                if parent else AdminArea.parent_id.is_(None))).first()
            if area is None:
                area = AdminArea(country_code=country, name=name, level=2 if parent else 1,
                                 parent_id=parent.id if parent else None)
                db.session.add(area)
                db.session.flush()
                self.report.created["admin_area"] += 1
            self.areas[key] = area
        return self.areas[key]

    def _village(self, row: dict) -> Village:
        country = ensure_country(row["country"])
        admin1 = self._area(country.code, row["admin1"], None)
        admin2 = self._area(country.code, row["admin2"], admin1) if row.get("admin2") else None
        name = row.get("village") or (admin2 or admin1).name
        key = (admin1.id, admin2.id if admin2 else None, name)
        if key not in self.villages:
            village = db.session.scalars(select(Village).where(
                Village.admin1_id == admin1.id,
                Village.admin2_id == admin2.id if admin2 else Village.admin2_id.is_(None),
                Village.name == name)).first()
            if village is None:
                village = Village(country_code=country.code, admin1_id=admin1.id,
                                  admin2_id=admin2.id if admin2 else None, name=name)
                db.session.add(village)
                db.session.flush()
                self.report.created["village"] += 1
            self.villages[key] = village
        return self.villages[key]

    def household(self, row: dict) -> None:
        ref = row["household_ref"]
        existing = db.session.scalars(
            select(Household).where(Household.external_ref == ref)).first()
        if existing is not None:
            self.households[ref] = existing
            self.report.unchanged["household"] += 1
            return
        village = self._village(row)
        country = db.session.get(Country, village.country_code)
        household = Household(
            external_ref=ref, head_name=row.get("head_name") or f"({ref})",
            phone=row.get("phone"), national_id=row.get("national_id"),
            village_id=village.id, country_code=village.country_code,
            admin1_id=village.admin1_id, admin2_id=village.admin2_id,
            language=row.get("language") or country.default_locale,
            latitude=row.get("latitude"), longitude=row.get("longitude"),
        )
        db.session.add(household)
        db.session.flush()
        self.households[ref] = household
        self.report.created["household"] += 1

    def _household(self, ref: str) -> Household:
        if ref not in self.households:
            self.households[ref] = db.session.scalars(
                select(Household).where(Household.external_ref == ref)).one()
        return self.households[ref]

    def herd(self, row: dict) -> None:
        household = self._household(row["household_ref"])
        species = Species(row["species"])
        census = db.session.scalars(select(HerdCensus).where(
            HerdCensus.household_id == household.id, HerdCensus.year == row["year"],
            HerdCensus.species == species)).first()
        if census is None:
            db.session.add(HerdCensus(household_id=household.id, year=row["year"],
                                      species=species, head_count=row["head_count"]))
            self.report.created["herd"] += 1
        elif census.head_count == row["head_count"]:
            self.report.unchanged["herd"] += 1
        else:
            census.head_count = row["head_count"]
            self.report.created["herd_updated"] += 1

    def measure(self, row: dict) -> None:
        if db.session.scalars(select(Measure.id).where(
                Measure.external_ref == row["measure_ref"])).first():
            self.report.unchanged["measure"] += 1
            return
        household = self._household(row["household_ref"])
        db.session.add(Measure(
            external_ref=row["measure_ref"], household_id=household.id,
            village_id=household.village_id, country_code=household.country_code,
            admin1_id=household.admin1_id, admin2_id=household.admin2_id,
            measure=MeasureType(row["measure"]), installed_on=row["installed_on"],
            removed_on=row.get("removed_on"), cost=row.get("cost"),
            currency=row.get("currency"), funder=row.get("funder"),
        ))
        self.report.created["measure"] += 1

    def incident(self, ref: str, rows: list[dict]) -> None:
        if db.session.scalars(select(Incident.id).where(Incident.external_ref == ref)).first():
            self.report.unchanged["incident"] += 1
            return
        first = rows[0]
        household = self._household(first["household_ref"])
        db.session.add(Incident(
            external_ref=ref, household_id=household.id, occurred_on=first["occurred_on"],
            village_id=household.village_id, country_code=household.country_code,
            admin1_id=household.admin1_id, admin2_id=household.admin2_id,
            latitude=first.get("latitude"), longitude=first.get("longitude"),
            setting=SETTING.get(first.get("setting") or ""),
            recorded_predator=first.get("predator") or "unknown",
            recorded_confidence=first.get("confidence") or "unverified",
            lines=[LossLine(species=Species(r["species"]), age_class=AgeClass.UNKNOWN,
                            killed=r["killed"], injured=r["injured"]) for r in rows],
        ))
        self.report.created["incident"] += 1
