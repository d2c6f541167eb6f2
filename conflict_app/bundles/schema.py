"""Bundle files, their columns, and row validation. Pure: no Flask, no database.

Every problem is reported as ``file:line:column: reason`` (line 1 is the header), and all of
them are collected before anything is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

COUNTRIES = {"AF", "AM", "AZ", "GE", "IQ", "IR", "KZ", "PK", "RU", "TJ", "TM", "TR", "UZ"}
SPECIES = {"sheep", "goat", "cattle", "horse", "donkey", "camel", "dog", "other"}
MEASURES = {"corral", "guard_dog", "electric_fence", "collar", "shepherd", "light", "other"}
SETTINGS = {"pasture", "corral", "village"}
PREDATORS = {"leopard", "wolf", "bear", "lynx", "jackal", "dog", "unknown"}
CONFIDENCES = {"confirmed", "probable", "possible", "not_leopard", "unverified"}
CURRENCIES = {"AFN", "AMD", "AZN", "GEL", "IQD", "IRR", "KZT", "PKR", "RUB", "TJS", "TMT",
              "TRY", "UZS", "USD", "EUR"}
LANGUAGES = {"en", "ar", "hy", "az", "fa", "fa_AF", "ka", "kk", "ckb", "ru", "tr", "tk", "ur"}


class Invalid(ValueError):
    pass


def _text(limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > limit:
            raise Invalid(f"longer than {limit} characters")
        return value

    return parse


def _code(allowed: set[str], what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in allowed:
            raise Invalid(f"unknown {what} {value!r} (allowed: {', '.join(sorted(allowed))})")
        return value

    return parse


def _date(value: str) -> date:
    try:
        parsed = date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"not an ISO date (YYYY-MM-DD): {value!r}") from exc
    if parsed.year < 1950 or parsed.year > 2200:
        raise Invalid(f"date out of range: {value}")
    return parsed


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise Invalid(f"not a whole number: {value!r}") from exc
    if number < 0:
        raise Invalid("must be 0 or more")
    return number


def _year(value: str) -> int:
    year = _count(value)
    if not 1950 <= year <= 2200:
        raise Invalid(f"year out of range: {value}")
    return year


def _decimal(low: Decimal | None = None, high: Decimal | None = None) -> Callable[[str], Decimal]:
    def parse(value: str) -> Decimal:
        try:
            number = Decimal(value)
        except InvalidOperation as exc:
            raise Invalid(f"not a decimal number with a dot: {value!r}") from exc
        if not number.is_finite():
            raise Invalid("not a finite number")
        if low is not None and number < low:
            raise Invalid(f"must be at least {low}")
        if high is not None and number > high:
            raise Invalid(f"must be at most {high}")
        return number

    return parse


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    parse: Callable[[str], Any]


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple[Column, ...]
    required: bool = False

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


LAT = _decimal(Decimal(-90), Decimal(90))
LON = _decimal(Decimal(-180), Decimal(180))

FILES: dict[str, FileSpec] = {
    spec.name: spec
    for spec in (
        FileSpec("households.csv", (
            Column("household_ref", True, _text(80)),
            Column("country", True, _code(COUNTRIES, "country")),
            Column("admin1", True, _text(120)),
            Column("admin2", False, _text(120)),
            Column("village", False, _text(120)),
            Column("latitude", False, LAT),
            Column("longitude", False, LON),
            Column("head_name", False, _text(160)),
            Column("phone", False, _text(30)),
            Column("national_id", False, _text(40)),
            Column("language", False, _code(LANGUAGES, "language")),
        ), required=True),
        FileSpec("herds.csv", (
            Column("household_ref", True, _text(80)),
            Column("year", True, _year),
            Column("species", True, _code(SPECIES, "species")),
            Column("head_count", True, _count),
        )),
        FileSpec("measures.csv", (
            Column("measure_ref", True, _text(80)),
            Column("household_ref", True, _text(80)),
            Column("measure", True, _code(MEASURES, "measure")),
            Column("installed_on", True, _date),
            Column("removed_on", False, _date),
            Column("cost", False, _decimal(Decimal(0))),
            Column("currency", False, _code(CURRENCIES, "currency")),
            Column("funder", False, _text(160)),
        )),
        FileSpec("incidents.csv", (
            Column("incident_ref", True, _text(80)),
            Column("household_ref", True, _text(80)),
            Column("occurred_on", True, _date),
            Column("occurred_at", False, _text(8)),
            Column("latitude", False, LAT),
            Column("longitude", False, LON),
            Column("setting", False, _code(SETTINGS, "setting")),
            Column("species", True, _code(SPECIES, "species")),
            Column("killed", True, _count),
            Column("injured", True, _count),
            Column("predator", False, _code(PREDATORS, "predator")),
            Column("confidence", False, _code(CONFIDENCES, "confidence")),
        )),
    )
}


@dataclass
class Parsed:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # (file, row) -> line number, to report cross-file problems where they are
    lines: dict[tuple[str, int], int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def parse_bundle(files: dict[str, str], known_households: Iterable[str] = ()) -> Parsed:
    """Validate the text of every file; collect rows and every error."""
    result = Parsed()
    for name in sorted(files):
        if name not in FILES:
            result.errors.append(f"{name}:1:1: unknown file (expected one of "
                                 f"{', '.join(sorted(FILES))})")
    for spec in FILES.values():
        if spec.name not in files:
            if spec.required:
                result.errors.append(f"{spec.name}:1:1: file missing")
            continue
        _parse_file(spec, files[spec.name], result)
    _cross_checks(result, set(known_households))
    return result


def _parse_file(spec: FileSpec, text: str, result: Parsed) -> None:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        result.errors.append(f"{spec.name}:1:1: empty file, a header row is needed")
        return
    header = [h.strip() for h in header]
    for col_no, name in enumerate(header, start=1):
        if spec.column(name) is None:
            result.errors.append(f"{spec.name}:1:{col_no}: unknown column {name!r}")
    if len(set(header)) != len(header):
        result.errors.append(f"{spec.name}:1:1: a column appears twice")
    for column in spec.columns:
        if column.required and column.name not in header:
            result.errors.append(f"{spec.name}:1:1: required column {column.name!r} missing")
    rows = result.rows.setdefault(spec.name, [])
    for line_no, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            result.errors.append(f"{spec.name}:{line_no}:1: {len(values)} values for "
                                 f"{len(header)} columns")
            continue
        row: dict[str, Any] = {}
        for col_no, (name, raw) in enumerate(zip(header, values, strict=True), start=1):
            column = spec.column(name)
            if column is None:
                continue
            raw = raw.strip()
            if not raw:
                if column.required:
                    result.errors.append(f"{spec.name}:{line_no}:{col_no}: {name} is required")
                row[name] = None
                continue
            try:
                row[name] = column.parse(raw)
            except Invalid as exc:
                result.errors.append(f"{spec.name}:{line_no}:{col_no}: {name}: {exc}")
        result.lines[(spec.name, len(rows))] = line_no
        rows.append(row)


def _where(result: Parsed, name: str, index: int, column: str) -> str:
    spec = FILES[name]
    col_no = next(i for i, c in enumerate(spec.columns, start=1) if c.name == column)
    return f"{name}:{result.lines.get((name, index), 0)}:{col_no}"


def _cross_checks(result: Parsed, known: set[str]) -> None:
    households = result.rows.get("households.csv", [])
    refs: set[str] = set()
    for i, row in enumerate(households):
        ref = row.get("household_ref")
        if ref in refs:
            result.errors.append(f"{_where(result, 'households.csv', i, 'household_ref')}: "
                                 f"household_ref {ref!r} appears twice")
        refs.add(ref)
        if (row.get("latitude") is None) != (row.get("longitude") is None):
            result.errors.append(f"{_where(result, 'households.csv', i, 'latitude')}: give "
                                 "both latitude and longitude, or neither")
    all_refs = refs | known

    def check_household(name: str) -> None:
        for i, row in enumerate(result.rows.get(name, [])):
            ref = row.get("household_ref")
            if ref is not None and ref not in all_refs:
                result.errors.append(f"{_where(result, name, i, 'household_ref')}: unknown "
                                     f"household_ref {ref!r}")

    for name in ("herds.csv", "measures.csv", "incidents.csv"):
        check_household(name)
    seen_herds: set[tuple] = set()
    for i, row in enumerate(result.rows.get("herds.csv", [])):
        key = (row.get("household_ref"), row.get("year"), row.get("species"))
        if key in seen_herds:
            result.errors.append(f"{_where(result, 'herds.csv', i, 'species')}: second row for "
                                 "the same household, year and species")
        seen_herds.add(key)
    measure_refs: set[str] = set()
    for i, row in enumerate(result.rows.get("measures.csv", [])):
        if row.get("measure_ref") in measure_refs:
            result.errors.append(f"{_where(result, 'measures.csv', i, 'measure_ref')}: "
                                 f"measure_ref {row['measure_ref']!r} appears twice")
        measure_refs.add(row.get("measure_ref"))
        installed, removed = row.get("installed_on"), row.get("removed_on")
        if installed and removed and removed < installed:
            result.errors.append(f"{_where(result, 'measures.csv', i, 'removed_on')}: removed "
                                 "before it was installed")
        if (row.get("cost") is None) != (row.get("currency") is None):
            result.errors.append(f"{_where(result, 'measures.csv', i, 'currency')}: give the "
                                 "cost and its currency together")
    incidents: dict[str, dict] = {}
    species_seen: set[tuple] = set()
    for i, row in enumerate(result.rows.get("incidents.csv", [])):
        ref = row.get("incident_ref")
        if row.get("killed") == 0 and row.get("injured") == 0:
            result.errors.append(f"{_where(result, 'incidents.csv', i, 'killed')}: killed and "
                                 "injured are both 0")
        first = incidents.setdefault(ref, row)
        for column in ("household_ref", "occurred_on", "setting"):
            if first.get(column) != row.get(column):
                result.errors.append(f"{_where(result, 'incidents.csv', i, column)}: rows of "
                                     f"incident {ref!r} disagree on {column}")
        if (ref, row.get("species")) in species_seen:
            result.errors.append(f"{_where(result, 'incidents.csv', i, 'species')}: incident "
                                 f"{ref!r} lists {row.get('species')} twice")
        species_seen.add((ref, row.get("species")))
