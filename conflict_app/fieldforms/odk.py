"""Import ODK Central or KoboToolbox exports of the Pardus field forms.

Reads CSV (ODK Central "CSV" or Kobo "XLS/CSV" export) or JSON (ODK Central OData, Kobo API
``results``), with photos from a media folder when present. Each submission goes through the
same operations as the web pages (``register_report``, ``file_verification``), as the staff
account that runs the import. Idempotent: the instance ID is stored with the incident or the
verification report (unique), so importing the same export again files nothing twice. Every
rejected submission is reported with its line and the reason; the others are imported.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask_babel import gettext
from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.claims import intake
from conflict_app.claims.models import AgeClass, Channel, Claim, Incident, PartOfDay, Setting
from conflict_app.core.errors import DomainError
from conflict_app.core.inputs import NUL_REFUSED, PhoneError, nul_position, parse_phone
from conflict_app.core.permissions import scope
from conflict_app.extensions import db
from conflict_app.fieldforms.xlsform import FORM_VERSION, MAX_LINES
from conflict_app.herders.models import Household, Species
from conflict_app.verification import operations as verification_ops
from conflict_app.verification.checklist import (
    BiteLocation,
    CameraTrap,
    CarcassHandling,
    Confidence,
    Predator,
    Signs,
    Tracks,
)
from conflict_app.verification.models import VerificationReport


class Rejected(ValueError):
    """One submission that cannot be imported, with the reason."""


@dataclass
class Outcome:
    imported: list[str] = field(default_factory=list)  # claim references
    skipped: int = 0  # already imported earlier
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # line, id, reason
    columns: dict[int, int] = field(default_factory=dict)  # line -> column of its problem


def _header_columns(path: Path) -> dict[str, int]:
    """Column number of each field of a CSV export, by its full and its short name."""
    if path.suffix.lower() == ".json":
        return {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            names = next(csv.reader(handle), [])
    except (csv.Error, UnicodeDecodeError, OSError):
        return {}
    columns: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        columns.setdefault(name, number)
        columns.setdefault(_leaf(name), number)
    return columns


def _leaf(key: str) -> str:
    """``line_1-species_1`` (ODK Central CSV) or ``line_1/species_1`` (Kobo) -> ``species_1``."""
    return key.split("/")[-1].split("-")[-1]


def _flatten(record: dict, out: dict | None = None) -> dict:
    out = {} if out is None else out
    for key, value in record.items():
        if isinstance(value, dict) and value.get("type") == "Point":
            # ODK Central OData gives a geopoint as GeoJSON: longitude first.
            coordinates = value.get("coordinates") or []
            if len(coordinates) >= 2:
                text = f"{coordinates[1]} {coordinates[0]}"
                out.setdefault(_leaf(key), text)
                out.setdefault(key, text)
        elif isinstance(value, dict):  # ODK Central OData nests groups
            _flatten(value, out)
        else:
            out.setdefault(_leaf(key), value)
            out.setdefault(key, value)
    return out


MAX_DEPTH = 32  # ODK and Kobo nest groups a few levels deep, never more
_JSON_NUL = re.compile(r"\x00|\\u0000", re.IGNORECASE)
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _where(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - text.rfind("\n", 0, position)


def _too_deep(text: str) -> int | None:
    """Where the JSON first nests deeper than ``MAX_DEPTH`` (before parsing it, which
    would otherwise recurse until Python gives up)."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        mark = match.group()
        if mark in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif mark in "]}":
            depth -= 1
    return None


def _load_json(path: Path, text: str) -> object:
    deep = _too_deep(text)
    if deep is not None:
        line, column = _where(text, deep)
        raise Rejected(f"{path.name}:{line}:{column}: " + gettext(
            "The JSON is nested more than %(depth)s levels deep; this is not an export of "
            "a Pardus form.", depth=MAX_DEPTH))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Rejected(f"{path.name}:{exc.lineno}:{exc.colno}: " + gettext(
            "This is not valid JSON (%(reason)s).", reason=exc.msg)) from None


def read(path: Path) -> Iterator[tuple[int, dict]]:
    """(line or position, flat record) of each submission in the export."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _where(raw[:exc.start].decode("utf-8", "replace"), exc.start)
        raise Rejected(f"{path.name}:{line}:{column}: "
                       + gettext("The file is not UTF-8 text.")) from None
    # A NUL character (in JSON also written \u0000): PostgreSQL cannot store it and no
    # answer of a form needs it.
    if path.suffix.lower() == ".json":
        found = _JSON_NUL.search(text)
        nul = _where(text, found.start()) if found else None
    else:
        nul = nul_position(text)
    if nul is not None:
        raise Rejected(f"{path.name}:{nul[0]}:{nul[1]}: " + gettext(NUL_REFUSED))
    if path.suffix.lower() == ".json":
        data = _load_json(path, text)
        if isinstance(data, dict):
            data = data.get("value") or data.get("results") or []
        if not isinstance(data, list):
            raise Rejected("The JSON export must be a list of submissions.")
        for n, record in enumerate(data, start=1):
            yield n, _flatten(record) if isinstance(record, dict) else {}
        return
    reader = csv.DictReader(io.StringIO(text))
    start = 2  # line 1 is the header
    try:
        for record in reader:
            yield start, _flatten({k: v for k, v in record.items() if k is not None})
            start = reader.line_num + 1
    except csv.Error:
        raise Rejected(f"{path.name}:{start}:1: " + gettext(
            "A value is longer than %(limit)s characters, or a quote is never closed.",
            limit=csv.field_size_limit())) from None


def _instance_id(row: dict) -> str:
    for key in ("instanceID", "KEY", "__id", "_uuid", "uuid"):
        value = str(row.get(key) or "").strip()
        if value:
            return value if value.startswith("uuid:") else f"uuid:{value}"
    raise Rejected("The submission has no instance ID (meta/instanceID).")


def _text(row: dict, name: str, required: bool = False) -> str | None:
    value = row.get(name)
    value = "" if value is None else str(value).strip()
    if not value:
        if required:
            raise Rejected(f"{name}: a value is required.")
        return None
    return value


def _int(row: dict, name: str, required: bool = False, low: int = 0,
         high: int = 2000) -> int | None:
    text = _text(row, name, required)
    if text is None:
        return None
    try:
        number = int(Decimal(text))
    except (InvalidOperation, ValueError, OverflowError):  # "x", "NaN", "Infinity"
        raise Rejected(f"{name}: {text!r} is not a whole number.") from None
    if not low <= number <= high:
        raise Rejected(f"{name}: {number} is outside {low} to {high}.")
    return number


def _choice(row: dict, name: str, enum, required: bool = False):  # noqa: ANN001, ANN202
    text = _text(row, name, required)
    if text is None:
        return None
    try:
        return enum(text)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise Rejected(f"{name}: {text!r} is not one of {allowed}.") from None


def _yes(row: dict, name: str) -> bool:
    return (_text(row, name) or "").lower() in {"yes", "1", "true", "y"}


def _date(row: dict, name: str) -> date:
    text = _text(row, name, required=True)
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise Rejected(f"{name}: {text!r} is not a date (YYYY-MM-DD).") from None


def _point(row: dict) -> tuple[Decimal | None, Decimal | None]:
    text = _text(row, "location")
    if text is None:  # ODK Central CSV splits a point into -Latitude, -Longitude, ...
        lat = _text(row, "Latitude") or _text(row, "_location_latitude")
        lon = _text(row, "Longitude") or _text(row, "_location_longitude")
        if lat is None or lon is None:
            return None, None
        text = f"{lat} {lon}"
    parts = text.replace(",", " ").split()
    try:
        lat, lon = Decimal(parts[0]), Decimal(parts[1])
    except (IndexError, InvalidOperation):
        raise Rejected(f"location: {text!r} is not a GPS point.") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Rejected(f"location: {text!r} is not a GPS point.")
    return lat.quantize(Decimal("0.000001")), lon.quantize(Decimal("0.000001"))


Media = Path | Mapping[str, bytes] | None  # a folder, or the photos pulled by name


def _photos(row: dict, media: Media) -> list[bytes]:
    name = _text(row, "photo")
    if name is None:
        return []
    if isinstance(media, Mapping):
        if Path(name).name not in media:
            raise Rejected(f"photo: {Path(name).name} was not received with the submission.")
        return [media[Path(name).name]]
    if media is None:
        raise Rejected(f"photo: {name} is in the export but no media folder was given.")
    path = media / Path(name).name  # never a path outside the media folder
    if not path.is_file():
        raise Rejected(f"photo: {path.name} is not in the media folder.")
    return [path.read_bytes()]


def _check_version(row: dict) -> None:
    version = _text(row, "form_version")
    if version != FORM_VERSION:
        raise Rejected(f"The submission was made with form version {version or 'unknown'}; "
                       f"this server reads version {FORM_VERSION}. Load the current form on "
                       f"the phones (flask forms xlsform).")


def _household(actor: User, row: dict) -> Household:
    """The household of the herder the form names by phone number or national ID, among
    the households the actor may see (never by an internal number: a typing error there
    would silently file the loss for someone else)."""
    phone_text, national_id = _text(row, "phone"), _text(row, "national_id")
    if phone_text is None and national_id is None:
        raise Rejected("phone: give the herder's phone number or national ID.")
    phone = None
    if phone_text is not None:
        try:
            phone = parse_phone(phone_text, actor.jurisdiction_country)
        except PhoneError:
            raise Rejected(f"phone: {phone_text!r} is not a phone number.") from None
    for column, value in ((Household.national_id, national_id), (Household.phone, phone)):
        if value is None:
            continue
        found = db.session.scalars(scope(
            select(Household).where(column == value, Household.provisional.is_(False)),
            Household, actor).limit(2)).all()
        if len(found) == 1:
            return found[0]
        if found:
            name = "national_id" if column is Household.national_id else "phone"
            raise Rejected(f"{name}: several households have {value}; a clerk chooses one.")
    raise Rejected(f"phone: no household with phone {phone_text or '-'} or national ID "
                   f"{national_id or '-'}; register it, or a clerk chooses one.")


def _report(actor: User, row: dict, iid: str, media: Media,
            household: Household | None = None) -> str:
    if db.session.scalar(select(Incident.id).where(Incident.external_ref == f"odk:{iid}")):
        return ""
    household = household or _household(actor, row)
    lines = []
    for n in range(1, MAX_LINES + 1):
        species = _choice(row, f"species_{n}", Species, required=n == 1)
        if species is None:
            break
        age = _choice(row, f"age_class_{n}", AgeClass, required=True)
        if age is AgeClass.UNKNOWN:
            raise Rejected(f"age_class_{n}: choose young, adult_female or adult_male.")
        lines.append(intake.LossInput(species, age, _int(row, f"killed_{n}", required=True),
                                   _int(row, f"injured_{n}") or 0))
    lat, lon = _point(row)
    data = intake.ReportInput(
        occurred_on=_date(row, "occurred_on"),
        setting=_choice(row, "setting", Setting, required=True),
        lines=lines, part_of_day=_choice(row, "part_of_day", PartOfDay),
        latitude=lat, longitude=lon, guard_present=_yes(row, "guard_present"),
        dog_present=_yes(row, "dog_present"), description=_text(row, "description"),
        protection_known=bool(_text(row, "guard_present") or _text(row, "dog_present")),
        external_ref=f"odk:{iid}",
    )
    claim, _pin = intake.register_report(actor, household, data, Channel.OFFICE,
                                      photos=_photos(row, media))
    return claim.reference


def _verification(actor: User, row: dict, iid: str, media: Media) -> str:
    if db.session.scalar(select(VerificationReport.id).where(
            VerificationReport.external_ref == f"odk:{iid}")):
        return ""
    reference = (_text(row, "claim_reference", required=True) or "").upper()
    claim = db.session.scalars(select(Claim).where(Claim.reference == reference)).first()
    if claim is None:
        raise Rejected(f"claim_reference: no claim {reference}.")
    spacing = _text(row, "canine_spacing_cm")
    try:
        spacing_cm = Decimal(spacing) if spacing else None
    except InvalidOperation:
        raise Rejected(f"canine_spacing_cm: {spacing!r} is not a number.") from None
    if spacing_cm is not None and not (spacing_cm.is_finite() and 0 < spacing_cm <= 20):
        raise Rejected("canine_spacing_cm: " + gettext(
            "%(value)s is not a spacing in centimetres (more than 0, at most 20).",
            value=repr(spacing)))
    signs = Signs(
        haemorrhage=_yes(row, "haemorrhage"),
        bite_location=_choice(row, "bite_location", BiteLocation, required=True),
        canine_spacing_cm=spacing_cm, claw_rakes=_yes(row, "claw_rakes"),
        carcass_handling=_choice(row, "carcass_handling", CarcassHandling, required=True),
        feeding_pattern=None, heads_killed=_int(row, "heads_killed", required=True),
        tracks=_choice(row, "tracks", Tracks, required=True),
        scat_hair_dna=_yes(row, "scat_hair_dna"),
        camera_trap=_choice(row, "camera_trap", CameraTrap, required=True),
        hours_since_attack=_int(row, "hours_since_attack"),
    )
    confirmed = {}
    for n, line in enumerate(claim.incident.lines, start=1):
        if n > MAX_LINES:
            break
        confirmed[line.id] = (_int(row, f"confirmed_killed_{n}", required=True),
                              _int(row, f"confirmed_injured_{n}") or 0)
    lat, lon = _point(row)
    verification_ops.file_verification(claim.id, actor, None, verification_ops.VerificationInput(
        visited_on=_date(row, "visited_on"), signs=signs,
        predator=_choice(row, "predator", Predator, required=True),
        confidence=_choice(row, "confidence", Confidence, required=True),
        confirmed=confirmed, latitude=lat, longitude=lon, notes=_text(row, "notes"),
        photos=_photos(row, media), external_ref=f"odk:{iid}"))
    return claim.reference


def import_row(actor: User, row: dict, form: str | None = None, media: Media = None,
               household: Household | None = None) -> str:
    """File one submission (a flat record) as ``actor``: the reference of its claim, or ""
    when it was filed before. Raises ``Rejected`` or a ``DomainError`` with the reason; the
    caller rolls back. ``household`` is a clerk's choice for a report whose herder the
    phone number and national ID did not find."""
    iid = _instance_id(row)
    _check_version(row)
    kind = form or ("verification" if "claim_reference" in row else "report")
    if kind == "verification":
        return _verification(actor, row, iid, media)
    return _report(actor, row, iid, media, household)


def import_file(path: str | Path, actor: User, form: str | None = None,
                media: str | Path | None = None) -> Outcome:
    """Import every submission of an export; returns what was imported and rejected."""
    path = Path(path)
    media_dir = Path(media) if media else (path.parent / "media" if (
        path.parent / "media").is_dir() else None)
    outcome = Outcome()
    rows = list(read(path))
    columns = _header_columns(path)
    for number, row in rows:
        iid = "?"
        try:
            iid = _instance_id(row)
            reference = import_row(actor, row, form, media_dir)
        except Rejected as err:
            db.session.rollback()
            outcome.rejected.append((number, iid, str(err)))
            # Reasons start with the field's name ("killed_1: ..."): point at its column.
            outcome.columns[number] = columns.get(str(err).split(":", 1)[0], 1)
            continue
        except DomainError as err:
            db.session.rollback()
            outcome.rejected.append((number, iid, err.translated()))
            continue
        if reference:
            outcome.imported.append(reference)
        else:
            outcome.skipped += 1
    return outcome
