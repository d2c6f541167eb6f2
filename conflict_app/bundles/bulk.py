"""Write validated batches of bundle rows with bulk inserts, checking what needs the database.

Memory stays flat in the size of the bundle: nothing is kept from one batch to the next but
the small tables of places. Cross-file checks ask the database, inside the import's own
transaction: a household_ref is known if a household has it (imported earlier, or in an
earlier batch of this import); a key met again whose row is newer than the import's start
appeared twice in the bundle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ARRAY, Table, any_, bindparam, func, insert, select, update

from conflict_app.bundles.schema import Header, M, Problem
from conflict_app.claims.models import Incident, Setting
from conflict_app.core import data_version
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea, Village
from conflict_app.geo.reference import ensure_country
from conflict_app.herders.models import HerdCensus, Household, Species
from conflict_app.mitigation.models import Measure, MeasureType

SETTING = {"pasture": Setting.PASTURE, "corral": Setting.NIGHT_CORRAL,
           "village": Setting.VILLAGE}
CHUNK = 500  # values in one IN (...) list
INVALID = "__invalid__"
Batch = list[tuple[int, dict[str, Any]]]


@dataclass
class Report:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    rows: int = 0  # data rows read
    seconds: float = 0.0  # reading, checking and writing them, commit included


def insert_rows(table: Table, rows: list[dict], with_ids: bool = False) -> list[int]:
    """Insert ``rows`` in the session's transaction: COPY on PostgreSQL (ids taken from the
    sequence first when the caller needs them), executemany elsewhere. Returns the new ids
    in row order when ``with_ids``."""
    if not rows:
        return []
    conn = db.session.connection()
    dialect = conn.dialect
    if dialect.name != "postgresql":
        if with_ids:
            result = db.session.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
            return [row[0] for row in result]
        db.session.execute(insert(table), rows)
        return []
    ids: list[int] = []
    if with_ids:
        sequence = conn.exec_driver_sql(
            "SELECT pg_get_serial_sequence(%(table)s, 'id')", {"table": table.name}).scalar()
        ids = [row[0] for row in conn.exec_driver_sql(
            "SELECT nextval(%(seq)s) FROM generate_series(1, %(n)s)",
            {"seq": sequence, "n": len(rows)})]
    columns = [c for c in table.columns if c.name != "id" or with_ids]
    fixed: dict[str, Any] = {}  # Python-side defaults, once per batch
    for column in columns:
        default = column.default
        if default is not None and column.name != "id":
            fixed[column.name] = default.arg(None) if default.is_callable else default.arg
    convert = [(c.name, c.type._cached_bind_processor(dialect)) for c in columns]
    names = ", ".join(f'"{c.name}"' for c in columns)
    cursor = conn.connection.driver_connection.cursor()
    data_version.touched(conn)  # COPY is no statement the data's version sees
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for n, row in enumerate(rows):
            values = []
            for name, process in convert:
                if name == "id":
                    values.append(ids[n])
                    continue
                value = row[name] if name in row else fixed.get(name)
                values.append(process(value) if process and value is not None else value)
            copy.write_row(values)
    return ids


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    """SQLite binds each value of an IN list; PostgreSQL takes one array (see one_of)."""
    values = list(values)
    size = len(values) or 1 if db.session.get_bind().dialect.name == "postgresql" else CHUNK
    for start in range(0, len(values), size):
        yield values[start:start + size]


def one_of(column: Any, values: list[Any]) -> Any:
    """``column IN values``; on PostgreSQL ``= ANY(array)``: one parameter, planned once."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


class BulkWriter:
    def __init__(self, report: Report, problems: Any) -> None:
        self.report, self.problems = report, problems
        self.before = {model: db.session.scalar(select(func.coalesce(func.max(model.id), 0)))
                       for model in (Household, HerdCensus, Measure, Incident)}
        self.provinces: dict[tuple[str, str], int] = {}
        self.districts: dict[tuple[int, str], int] = {}
        for area_id, country, parent, name in db.session.execute(select(
                AdminArea.id, AdminArea.country_code, AdminArea.parent_id, AdminArea.name)):
            if parent is None:
                self.provinces[(country, name.strip().casefold())] = area_id
            else:
                self.districts[(parent, name.strip().casefold())] = area_id
        self.villages: dict[tuple, int] = {}
        self.locales: dict[str, str] = {}
        # Refs of rows already reported wrong: rows that point at them are not reported again.
        self.failed: set[str] = set()
        self.households_unread = False

    def problem(self, header: Header, line: int, at: str, msgid: str,
                field: str | None = None, **params: Any) -> None:
        """A problem at column ``at`` of the row (by name)."""
        self.problems.append(Problem(header.spec.name, line, header.col(at), msgid,
                                     field, **params))

    def check_invalid(self, known: dict[str, tuple], header: Header, line: int,
                      row: dict) -> None:
        """A row with bad values still has its reference checked (one pass, every problem)."""
        if row.get("household_ref"):
            self._household(known, header, line, row)
        if row.get("killed") == 0 and row.get("injured") == 0:
            self.problem(header, line, "killed", M.NO_LOSS)

    def write(self, header: Header, batch: Batch) -> None:
        handler = {"households.csv": self._file_households, "herds.csv": self._herds,
                   "measures.csv": self._measures, "incidents.csv": self._incidents}
        handler[header.spec.name](header, batch)

    # -- lookups -------------------------------------------------------------------------
    def _existing(self, column: Any, refs: Iterable[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        model = column.class_
        for chunk in _chunks(set(refs)):
            found.update(db.session.execute(
                select(column, model.id).where(one_of(column, chunk))).all())
        return found

    def _known(self, batch: Batch) -> dict[str, tuple]:
        refs = {row["household_ref"] for _, row in batch if row.get("household_ref")}
        found: dict[str, tuple] = {}
        for chunk in _chunks(refs):
            for row in db.session.execute(select(
                    Household.external_ref, Household.id, Household.village_id,
                    Household.country_code, Household.admin1_id, Household.admin2_id,
            ).where(one_of(Household.external_ref, chunk))):
                found[row[0]] = tuple(row[1:])
        return found

    def _household(self, known: dict[str, tuple], header: Header, line: int,
                   row: dict) -> tuple | None:
        ref = row["household_ref"]
        if ref in known:
            return known[ref]
        if ref not in self.failed and not self.households_unread:
            self.problem(header, line, "household_ref", M.UNKNOWN_HOUSEHOLD, ref=repr(ref))
        return None

    def _place(self, header: Header, line: int, row: dict) -> tuple[str, int, int | None] | None:
        """Country, province and district ids of a row; unknown places are problems (a
        bundle's free text never creates a province or district)."""
        country = row["country"]
        admin1 = self.provinces.get((country, row["admin1"].strip().casefold()))
        if admin1 is None:
            self.problem(header, line, "admin1", M.NO_PROVINCE, "admin1", name=repr(row["admin1"]),
                         country=country)
            return None
        admin2 = None
        if row.get("admin2"):
            admin2 = self.districts.get((admin1, row["admin2"].strip().casefold()))
            if admin2 is None:
                self.problem(header, line, "admin2", M.NO_DISTRICT, "admin2",
                             name=repr(row["admin2"]),
                             province=repr(row["admin1"]))
                return None
        return country, admin1, admin2

    def _village(self, country: str, admin1: int, admin2: int | None, name: str) -> int:
        key = (admin1, admin2, name)
        if key not in self.villages:
            village_id = db.session.scalar(select(Village.id).where(
                Village.admin1_id == admin1, Village.name == name,
                Village.admin2_id == admin2 if admin2 else Village.admin2_id.is_(None)))
            if village_id is None:
                village = Village(country_code=country, admin1_id=admin1, admin2_id=admin2,
                                  name=name)
                db.session.add(village)
                db.session.flush()
                village_id = village.id
                self.report.created["village"] += 1
            self.villages[key] = village_id
        return self.villages[key]

    def _locale(self, country: str) -> str:
        if country not in self.locales:
            self.locales[country] = ensure_country(country).default_locale
        return self.locales[country]

    # -- files ---------------------------------------------------------------------------
    def _file_households(self, header: Header, batch: Batch) -> None:
        existing = self._existing(Household.external_ref,
                                  (r["household_ref"] for _, r in batch
                                   if r.get("household_ref") and INVALID not in r))
        seen: set[str] = set()
        new: list[dict] = []
        for line, row in batch:
            ref = row.get("household_ref")
            if INVALID in row:
                if ref:
                    self.failed.add(ref)
                continue
            if ref in seen or existing.get(ref, 0) > self.before[Household]:
                self.problem(header, line, "household_ref", M.HOUSEHOLD_TWICE, ref=repr(ref))
                continue
            seen.add(ref)
            if (row.get("latitude") is None) != (row.get("longitude") is None):
                self.problem(header, line, "latitude", M.LAT_LON)
                self.failed.add(ref)
                continue
            if ref in existing:
                self.report.unchanged["household"] += 1
                continue
            place = self._place(header, line, row)
            if place is None:
                self.failed.add(ref)
                continue
            country, admin1, admin2 = place
            village = row.get("village") or row.get("admin2") or row["admin1"]
            new.append({
                "external_ref": ref, "head_name": row.get("head_name") or f"({ref})",
                "phone": row.get("phone"), "national_id": row.get("national_id"),
                "village_id": self._village(country, admin1, admin2, village),
                "country_code": country, "admin1_id": admin1, "admin2_id": admin2,
                "language": row.get("language") or self._locale(country),
                "latitude": row.get("latitude"), "longitude": row.get("longitude"),
            })
        if new:
            insert_rows(Household.__table__, new)
            self.report.created["household"] += len(new)

    def _herds(self, header: Header, batch: Batch) -> None:
        known = self._known(batch)
        ids = {h[0] for h in known.values()}
        existing: dict[tuple, tuple[int, int]] = {}
        for chunk in _chunks(ids):
            for census_id, hid, year, species, count in db.session.execute(select(
                    HerdCensus.id, HerdCensus.household_id, HerdCensus.year,
                    HerdCensus.species, HerdCensus.head_count,
            ).where(one_of(HerdCensus.household_id, chunk))):
                existing[(hid, year, species)] = (census_id, count)
        seen: set[tuple] = set()
        new: list[dict] = []
        changed: list[dict] = []
        for line, row in batch:
            if INVALID in row:
                self.check_invalid(known, header, line, row)
                continue
            household = self._household(known, header, line, row)
            if household is None:
                continue
            key = (household[0], row["year"], Species(row["species"]))
            old = existing.get(key)
            if key in seen or (old and old[0] > self.before[HerdCensus]):
                self.problem(header, line, "species", M.HERD_TWICE)
                continue
            seen.add(key)
            if old is None:
                new.append({"household_id": key[0], "year": key[1], "species": key[2],
                            "head_count": row["head_count"]})
            elif old[1] == row["head_count"]:
                self.report.unchanged["herd"] += 1
            else:
                changed.append({"census_id": old[0], "count": row["head_count"]})
        if new:
            insert_rows(HerdCensus.__table__, new)
            self.report.created["herd"] += len(new)
        if changed:
            table = HerdCensus.__table__
            db.session.execute(update(table).where(table.c.id == bindparam("census_id"))
                               .values(head_count=bindparam("count")), changed)
            self.report.created["herd_updated"] += len(changed)

    def _measures(self, header: Header, batch: Batch) -> None:
        known = self._known(batch)
        existing = self._existing(Measure.external_ref,
                                  (r["measure_ref"] for _, r in batch
                                   if r.get("measure_ref") and INVALID not in r))
        seen: set[str] = set()
        new: list[dict] = []
        for line, row in batch:
            if INVALID in row:
                self.check_invalid(known, header, line, row)
                continue
            ref = row["measure_ref"]
            if ref in seen or existing.get(ref, 0) > self.before[Measure]:
                self.problem(header, line, "measure_ref", M.MEASURE_TWICE, ref=repr(ref))
                continue
            seen.add(ref)
            installed, removed = row["installed_on"], row.get("removed_on")
            if removed and removed < installed:
                self.problem(header, line, "removed_on", M.REMOVED)
                continue
            if (row.get("cost") is None) != (row.get("currency") is None):
                self.problem(header, line, "currency", M.COST)
                continue
            household = self._household(known, header, line, row)
            if household is None or ref in existing:
                if household is not None:
                    self.report.unchanged["measure"] += 1
                continue
            hid, village, country, admin1, admin2 = household
            new.append({
                "external_ref": ref, "household_id": hid, "village_id": village,
                "country_code": country, "admin1_id": admin1, "admin2_id": admin2,
                "measure": MeasureType(row["measure"]), "installed_on": installed,
                "removed_on": removed, "cost": row.get("cost"),
                "currency": row.get("currency"), "funder": row.get("funder"),
                "assignment": row.get("assignment"),
                "assignment_method": row.get("assignment_method")
                if row.get("assignment") else None,
            })
        if new:
            insert_rows(Measure.__table__, new)
            self.report.created["measure"] += len(new)

    def _incidents(self, header: Header, batch: Batch) -> None:
        from conflict_app.bundles.incidents import write_incidents

        write_incidents(self, header, batch)

