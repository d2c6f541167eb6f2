"""Leopard sightings of EarthRanger and SMART become presence records of an incentive scheme,
through the presence page's own operation (``incentives.record_presence``): the same roles,
area, date and duplicate rules, and its audit entry.

Each sighting goes to the nearest listed village of the scheme's area within
``INTEROP_VILLAGE_RADIUS_KM``. A source id is imported once: the id is reserved in the same
transaction as the record, so a failed row leaves nothing behind and a second import of the
same file reports the row as already imported. Every other row that cannot be imported is
reported with its line and the reason, and the others are imported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from conflict_app.auth.models import User
from conflict_app.core.errors import N_, DomainError, InvalidInput, PermissionDenied
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import Village
from conflict_app.interop import earthranger, smart
from conflict_app.interop.models import SOURCES, ImportedObservation
from conflict_app.interop.sightings import Problem, Sighting, valid_point
from conflict_app.schemes import incentive_rules, incentives
from conflict_app.schemes.models import Scheme
from conflict_app.schemes.params import SchemeKind

DEFAULT_RADIUS_KM = 15.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
FORMATS = {("earthranger", "json"), ("smart", "xml"), ("smart", "csv")}


@dataclass
class Rejection:
    line: int
    source_id: str
    reason: str  # translated


@dataclass
class Report:
    imported: list[int] = field(default_factory=list)  # presence record ids
    already: int = 0  # imported before: the same source id
    rejected: list[Rejection] = field(default_factory=list)


def max_bytes() -> int:
    return int(current_app.config.get("INTEROP_MAX_BYTES") or DEFAULT_MAX_BYTES)


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


def _villages(actor: User, scheme: Scheme) -> list[Village]:
    """The scheme's villages the actor may record presence for, with a place."""
    query = select(Village).where(Village.country_code == scheme.country_code,
                                  Village.listed.is_(True), Village.latitude.is_not(None),
                                  Village.longitude.is_not(None))
    if scheme.admin1_id:
        query = query.where(Village.admin1_id == scheme.admin1_id)
    return [v for v in db.session.scalars(query) if covers(actor, v)]


def _nearest(villages: list[Village], sighting: Sighting, radius: float) -> Village | None:
    best, best_km = None, radius
    for village in villages:
        km = _distance_km(sighting.latitude, sighting.longitude, float(village.latitude),
                          float(village.longitude))
        if km <= best_km:
            best, best_km = village, km
    return best


def _scheme(actor: User, scheme_id: int) -> Scheme:
    scheme = db.session.get(Scheme, scheme_id)
    if scheme is None or scheme.kind is not SchemeKind.INCENTIVE:
        raise InvalidInput(N_("Choose an incentive scheme."), field="scheme")
    if not actor.has_role(Role.VERIFIER, Role.SCHEME_MANAGER, Role.ADMIN):
        raise PermissionDenied(N_("Your role may not record leopard presence."))
    return scheme


def read(source: str, fmt: str, data: bytes):  # noqa: ANN201 - an iterator of rows
    if (source, fmt) not in FORMATS:
        raise InvalidInput(N_("Unknown format for this system."), field="format")
    if len(data) > max_bytes():
        raise InvalidInput(N_("The file is larger than %(limit)s MB."), field="file",
                           limit=max_bytes() // (1024 * 1024))
    if source == "earthranger":
        return earthranger.read(data)
    return smart.read_xml(data) if fmt == "xml" else smart.read_csv(data)


def import_sightings(actor: User, scheme_id: int, source: str, fmt: str, data: bytes,
                     kind: str = "occasional") -> Report:
    """Import a whole file; refuses it (DomainError) only when it cannot be read at all."""
    if source not in SOURCES:
        raise InvalidInput(N_("Unknown format for this system."), field="format")
    if kind not in incentive_rules.PRESENCE_KINDS:
        raise InvalidInput(N_("Choose what was recorded from the list."), field="kind")
    scheme = _scheme(actor, scheme_id)
    villages = _villages(actor, scheme)
    radius = float(current_app.config.get("INTEROP_VILLAGE_RADIUS_KM") or DEFAULT_RADIUS_KM)
    report = Report()
    for row in read(source, fmt, data):
        if isinstance(row, Problem):
            report.rejected.append(Rejection(row.line, row.source_id,
                                             DomainError(row.message, **row.params)
                                             .translated()))
            continue
        try:
            record_id = _import_one(actor, scheme, source, kind, row, villages, radius)
        except DomainError as err:
            report.rejected.append(Rejection(row.line, row.source_id, err.translated()))
            continue
        if record_id is None:
            report.already += 1
        else:
            report.imported.append(record_id)
    return report


def _import_one(actor: User, scheme: Scheme, source: str, kind: str, sighting: Sighting,
                villages: list[Village], radius: float) -> int | None:
    """The new record's id, or None when this source id was imported before."""
    seen = db.session.scalar(select(ImportedObservation.id).where(
        ImportedObservation.source == source,
        ImportedObservation.source_id == sighting.source_id))
    if seen is not None:
        return None
    if not valid_point(sighting.latitude, sighting.longitude):
        raise InvalidInput(N_("The record has no valid location."))
    village = _nearest(villages, sighting, radius)
    if village is None:
        raise InvalidInput(N_("No village of the scheme's area lies within %(km)s km of the "
                              "observation."), km=f"{radius:g}")
    observed_on = timezones.local(sighting.seen_at, timezones.zone_of(village)).date()
    try:
        with unit_of_work():
            # Reserved first: the record's own commit takes the reservation with it, and a
            # refused record takes it back.
            link = ImportedObservation(source=source, source_id=sighting.source_id,
                                       imported_by_id=actor.id)
            db.session.add(link)
            db.session.flush()
            record = incentives.record_presence(actor, scheme.id, village.id, kind,
                                                observed_on, f"{sighting.label}")
            link.presence_record_id = record.id
    except IntegrityError:  # the same id imported at the same moment by someone else
        return None
    return record.id
