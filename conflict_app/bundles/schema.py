"""Bundle files, their columns, row validation and the problems found. Pure: no database.

Every problem names ``file:line:column`` (line 1 is the header) and carries a message id
with its values, translated when it is shown (the command line, or an import's page in the
reader's language).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from conflict_app.core.errors import N_
from conflict_app.core.inputs import NUL_REFUSED, latin_digits
from conflict_app.i18n import LOCALES

COUNTRIES = {"AF", "AM", "AZ", "GE", "IQ", "IR", "KZ", "PK", "RU", "TJ", "TM", "TR", "UZ"}
SPECIES = {"sheep", "goat", "cattle", "horse", "donkey", "camel", "dog", "other"}
ASSIGNMENTS = {"household", "village"}
MEASURES = {"corral", "guard_dog", "electric_fence", "collar", "shepherd", "light", "other"}
SETTINGS = {"pasture", "corral", "village"}
PREDATORS = {"leopard", "wolf", "bear", "lynx", "jackal", "dog", "unknown"}
CONFIDENCES = {"confirmed", "probable", "possible", "not_leopard", "unverified"}
CURRENCIES = {"AFN", "AMD", "AZN", "GEL", "IQD", "IRR", "KZT", "PKR", "RUB", "TJS", "TMT",
              "TRY", "UZS", "USD", "EUR"}
LANGUAGES = frozenset(LOCALES)  # a household speaks one of the languages the app offers
MAX_HEADS = 2000  # animals killed or injured in one attack (the field form's limit too)
MAX_HERD = 1_000_000  # head of one species held by one household
MAX_COST = Decimal("1e15")  # fits the money columns (18 digits, 2 after the point)


class M:
    """The message ids of bundle problems (marked for the catalogues)."""

    UNKNOWN_FILE = N_("unknown file (expected one of %(names)s)")
    MISSING_FILE = N_("file missing")
    EMPTY = N_("empty file, a header row is needed")
    UNKNOWN_COLUMN = N_("unknown column %(name)s")
    COLUMN_TWICE = N_("a column appears twice")
    REQUIRED_COLUMN = N_("required column %(name)s missing")
    VALUES = N_("%(values)s values for %(columns)s columns")
    REQUIRED = N_("a value is required")
    LONG = N_("longer than %(limit)s characters")
    CODE = N_("unknown value %(value)s (allowed: %(allowed)s)")
    DATE = N_("not an ISO date (YYYY-MM-DD): %(value)s")
    DATE_RANGE = N_("date out of range: %(value)s")
    WHOLE = N_("not a whole number: %(value)s")
    NEGATIVE = N_("must be 0 or more")
    YEAR = N_("year out of range: %(value)s")
    DECIMAL = N_("not a decimal number with a dot: %(value)s")
    FINITE = N_("not a finite number")
    AT_LEAST = N_("must be at least %(limit)s")
    AT_MOST = N_("must be at most %(limit)s")
    HOUSEHOLD_TWICE = N_("household_ref %(ref)s appears twice")
    LAT_LON = N_("give both latitude and longitude, or neither")
    UNKNOWN_HOUSEHOLD = N_("unknown household_ref %(ref)s")
    HERD_TWICE = N_("second row for the same household, year and species")
    MEASURE_TWICE = N_("measure_ref %(ref)s appears twice")
    REMOVED = N_("removed before it was installed")
    COST = N_("give the cost and its currency together")
    NO_LOSS = N_("killed and injured are both 0")
    DISAGREE = N_("rows of incident %(ref)s disagree on %(column)s")
    SPECIES_TWICE = N_("incident %(ref)s lists %(species)s twice")
    NO_PROVINCE = N_("no province %(name)s in %(country)s (load the reference geography, or "
                     "correct the name)")
    NO_DISTRICT = N_("no district %(name)s in %(province)s (load the reference geography, "
                     "or correct the name)")
    FIELD = N_("a value is longer than %(limit)s characters (or a quote is never closed); "
               "the rest of the file was not read")
    NOT_UTF8 = N_("the file is not UTF-8 text")
    NUL = NUL_REFUSED
    DAMAGED = N_("the archive is damaged; the rest of the file was not read")
    UNREADABLE = N_("cannot read the bundle: give a folder or a .zip of CSV files")
    TOO_LARGE = N_("larger than %(mib)s MiB uncompressed; split the bundle")
    RATIO = N_("compressed more than %(ratio)s times: refused as a possible zip bomb")
    TOO_MANY_FILES = N_("more than %(count)s files in the archive")
    FILE_TWICE = N_("the archive holds two files of this name")
    MORE = N_("further errors not shown: %(count)s")
    STOPPED = N_("the import stopped unexpectedly; nothing was imported (the server log "
                 "has the details)")


def _translate(msgid: str, params: dict[str, Any]) -> str:
    from flask import has_app_context

    if has_app_context():
        from flask_babel import gettext

        return gettext(msgid, **params)
    return msgid % params if params else msgid


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    msgid: str
    field: str | None = None
    params: tuple[tuple[str, Any], ...] = ()

    def __init__(self, file: str, line: int, column: int, msgid: str,
                 field: str | None = None, /, **params: Any) -> None:
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "column", column)
        object.__setattr__(self, "msgid", msgid)
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "params", tuple(sorted(params.items())))

    def text(self) -> str:
        """The translated reason, after the column's name when there is one."""
        text = _translate(self.msgid, dict(self.params))
        return f"{self.field}: {text}" if self.field else text

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.text()}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column,
                "msgid": self.msgid, "field": self.field, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        return cls(data["file"], data["line"], data["column"], data["msgid"],
                   data.get("field"), **data.get("params", {}))


class Invalid(ValueError):
    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid)
        self.msgid, self.params = msgid, params


def _text(limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > limit:
            raise Invalid(M.LONG, limit=limit)
        return value

    return parse


def _shown(value: str) -> str:
    """A bad value quoted in a message, cut short."""
    return repr(value if len(value) <= 40 else value[:40] + "…")


def _code(allowed: set[str]) -> Callable[[str], str]:
    listed = ", ".join(sorted(allowed))

    def parse(value: str) -> str:
        if value not in allowed:
            raise Invalid(M.CODE, value=_shown(value), allowed=listed)
        return value

    return parse


def _date(value: str) -> date:
    try:
        parsed = date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(M.DATE, value=_shown(value)) from exc
    if parsed.year < 1950 or parsed.year > 2200:
        raise Invalid(M.DATE_RANGE, value=value)
    return parsed


def _count(high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        plain = latin_digits(value)
        negative = plain.startswith("-")
        digits = plain[1:] if negative else plain
        if not (digits.isascii() and digits.isdigit()):
            raise Invalid(M.WHOLE, value=_shown(value))
        if negative:
            raise Invalid(M.NEGATIVE)
        if len(digits) > 12 or int(digits) > high:
            raise Invalid(M.AT_MOST, limit=high)
        return int(digits)

    return parse


def _year(value: str) -> int:
    year = _count(9999)(value)
    if not 1950 <= year <= 2200:
        raise Invalid(M.YEAR, value=value)
    return year


def _decimal(low: Decimal | None = None, high: Decimal | None = None) -> Callable[[str], Decimal]:
    def parse(value: str) -> Decimal:
        plain = latin_digits(value)
        try:
            if len(plain) > 40:
                raise InvalidOperation
            number = Decimal(plain)
        except InvalidOperation as exc:
            raise Invalid(M.DECIMAL, value=_shown(value)) from exc
        if not number.is_finite():
            raise Invalid(M.FINITE)
        if low is not None and number < low:
            raise Invalid(M.AT_LEAST, limit=low)
        if high is not None and number > high:
            raise Invalid(M.AT_MOST, limit=high)
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
REF = _text(80)

FILES: dict[str, FileSpec] = {
    spec.name: spec
    for spec in (
        FileSpec("households.csv", (
            Column("household_ref", True, REF),
            Column("country", True, _code(COUNTRIES)),
            Column("admin1", True, _text(120)),
            Column("admin2", False, _text(120)),
            Column("village", False, _text(120)),
            Column("latitude", False, LAT),
            Column("longitude", False, LON),
            Column("head_name", False, _text(160)),
            Column("phone", False, _text(20)),
            Column("national_id", False, _text(40)),
            Column("language", False, _code(LANGUAGES)),
        ), required=True),
        FileSpec("herds.csv", (
            Column("household_ref", True, REF),
            Column("year", True, _year),
            Column("species", True, _code(SPECIES)),
            Column("head_count", True, _count(MAX_HERD)),
        )),
        FileSpec("measures.csv", (
            Column("measure_ref", True, REF),
            Column("household_ref", True, REF),
            Column("measure", True, _code(MEASURES)),
            Column("installed_on", True, _date),
            Column("removed_on", False, _date),
            Column("cost", False, _decimal(Decimal(0), MAX_COST)),
            Column("currency", False, _code(CURRENCIES)),
            Column("funder", False, _text(160)),
            # A randomised roll-out: the unit drawn (household or village) and how.
            Column("assignment", False, _code(ASSIGNMENTS)),
            Column("assignment_method", False, _text(160)),
        )),
        FileSpec("incidents.csv", (
            Column("incident_ref", True, REF),
            Column("household_ref", True, REF),
            Column("occurred_on", True, _date),
            Column("occurred_at", False, _text(8)),
            Column("latitude", False, LAT),
            Column("longitude", False, LON),
            Column("setting", False, _code(SETTINGS)),
            Column("species", True, _code(SPECIES)),
            Column("killed", True, _count(MAX_HEADS)),
            Column("injured", True, _count(MAX_HEADS)),
            Column("predator", False, _code(PREDATORS)),
            Column("confidence", False, _code(CONFIDENCES)),
        )),
    )
}
ORDER = ("households.csv", "herds.csv", "measures.csv", "incidents.csv")


class Header:
    """A file's header row, checked; parses the records that follow it."""

    def __init__(self, spec: FileSpec, names: list[str], problems: list[Problem]) -> None:
        self.spec = spec
        self.names = [n.strip().lstrip("\ufeff") for n in names]
        self.position = {}
        file = spec.name
        for col_no, name in enumerate(self.names, start=1):
            if spec.column(name) is None:
                problems.append(Problem(file, 1, col_no, M.UNKNOWN_COLUMN, name=repr(name)))
            self.position.setdefault(name, col_no)
        if len(set(self.names)) != len(self.names):
            problems.append(Problem(file, 1, 1, M.COLUMN_TWICE))
        for column in spec.columns:
            if column.required and column.name not in self.position:
                problems.append(Problem(file, 1, 1, M.REQUIRED_COLUMN, name=repr(column.name)))
        # (index, column number, name, parser, required) of the known columns
        self.plan = [(n, n + 1, name, column.parse, column.required)
                     for n, name in enumerate(self.names)
                     if (column := spec.column(name)) is not None]

    def col(self, name: str) -> int:
        return self.position.get(name, 1)

    def parse(self, line: int, values: list[str],
              problems: list[Problem]) -> dict[str, Any] | None:
        """The row's values parsed (None for a blank line); problems are appended."""
        if len(values) != len(self.names):
            if not any(v.strip() for v in values):
                return None
            problems.append(Problem(self.spec.name, line, 1, M.VALUES, values=len(values),
                                    columns=len(self.names)))
            return {}
        row: dict[str, Any] = {}
        found: list[Problem] = []
        blank = True
        for index, col_no, name, parse, required in self.plan:
            raw = values[index].strip()
            if not raw:
                if required:
                    found.append(Problem(self.spec.name, line, col_no, M.REQUIRED, name))
                row[name] = None
                continue
            blank = False
            try:
                row[name] = parse(raw)
            except Invalid as exc:
                found.append(Problem(self.spec.name, line, col_no, exc.msgid, name,
                                     **exc.params))
        if blank:  # spreadsheets leave ,,,, rows behind
            return None
        problems.extend(found)
        return row
