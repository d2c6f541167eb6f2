"""Verified leopard attacks as the exports see them: no herder, no household, no free text,
and the place either exact or on the analytics grid.

A claim's attack is verified when its latest verification report attributes the loss to a
leopard with confirmed or probable confidence: the filter of the prevention alerts, the
analytics and the ``attack.verified`` webhook. Duplicate and withdrawn claims are left out
(the same attack is counted once, under the claim that stands).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from flask import current_app
from sqlalchemy import Integer, bindparam, exists, select
from sqlalchemy.orm import aliased

from conflict_app.bundles.exporter import coarsen
from conflict_app.claims.models import Claim, Incident, LossLine
from conflict_app.claims.workflow import State
from conflict_app.core.heap import settled
from conflict_app.core.permissions import scope
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import Village
from conflict_app.verification.checklist import Confidence, Predator
from conflict_app.verification.models import VerificationReport

GRID = Decimal("0.1")  # the analytics grid, as the incidents API and the webhooks coarsen
HALF_CELL = GRID / 2
ATTACK_CONFIDENCE = (Confidence.CONFIRMED, Confidence.PROBABLE)
LEFT_OUT_STATES = (State.DUPLICATE, State.WITHDRAWN)
RESOLVED_STATES = (State.PAID, State.CLOSED, State.REJECTED, State.INELIGIBLE)
TARGETS = ("earthranger", "smart")
BATCH = 500


@dataclass(frozen=True)
class Livestock:
    species: str
    age_class: str
    killed: int
    injured: int


@dataclass(frozen=True)
class Attack:
    """One verified attack, ready for any target format."""

    ref: str  # the claim's reference: the key a receiver sees again on the next export
    claim_id: int  # for the API's cursor only; never written into an export
    occurred_on: date
    occurred_at: datetime  # UTC; noon local time when only the day is known
    time_known: bool
    part_of_day: str | None
    setting: str | None
    country: str
    village: str
    latitude: Decimal | None
    longitude: Decimal | None
    precision: str | None  # "exact", "village" (its centroid), "grid_0.1", None: no place
    confidence: str
    resolved: bool
    livestock: tuple[Livestock, ...]

    @property
    def killed(self) -> int:
        return sum(line.killed for line in self.livestock)

    @property
    def injured(self) -> int:
        return sum(line.injured for line in self.livestock)

    @property
    def species(self) -> list[str]:
        return sorted({line.species for line in self.livestock})


def trusted(target: str) -> bool:
    """A receiving system marked trusted by configuration gets exact coordinates."""
    configured = current_app.config.get("INTEROP_TRUSTED_TARGETS") or ()
    return target in configured


def cell_centre(value: Decimal) -> Decimal:
    """The centre of the 0.1° cell: the incidents API's south-west corner plus half a cell,
    so a map shows the mark inside the cell rather than on its edge."""
    return coarsen(value, GRID) + HALF_CELL


def _query(user, occurred_from: date | None, occurred_to: date | None):  # noqa: ANN001, ANN202
    """Verified attacks of claims after the bound parameter ``after``, by claim, oldest
    first, as plain rows with the place and zone of each (no ORM objects: building a claim,
    its incident, village and lines as objects was most of an export's time). Built once
    per walk: the zone's names are read once, not for each batch. The claim's latest
    report is the one with none newer on the same claim. The reports are read from
    ``after`` on, said for both of their scans: the planner does not carry the claims'
    bound over to them, and every batch of 500 scanned the reports of all the claims
    before it, so a range-wide export grew with the square of its size."""
    newer = aliased(VerificationReport)
    after = bindparam("after", type_=Integer)
    query = (select(Claim.id, Claim.reference, Claim.state, VerificationReport.confidence,
                    Incident.id.label("incident_id"), Incident.occurred_on, Incident.occurred_time,
                    Incident.part_of_day, Incident.setting, Incident.country_code,
                    Incident.latitude, Incident.longitude,
                    Village.name, Village.latitude, Village.longitude)
             .select_from(Claim)
             .join(VerificationReport, VerificationReport.claim_id == Claim.id)
             .where(Claim.id > after, VerificationReport.claim_id > after,
                    ~exists().where(newer.claim_id == Claim.id, newer.claim_id > after,
                                    newer.id > VerificationReport.id))
             .join(Incident, Incident.id == Claim.incident_id)
             .join(Village, Village.id == Incident.village_id)
             .where(VerificationReport.predator == Predator.LEOPARD,
                    VerificationReport.confidence.in_(ATTACK_CONFIDENCE),
                    Claim.state.not_in(LEFT_OUT_STATES)))
    # The attack's zone with it (the claim is placed where its incident is).
    query, zone = timezones.zone_sql(query, Claim)
    query = query.add_columns(zone)
    if user is not None:
        query = scope(query, Claim, user)
    if occurred_from:
        query = query.where(Incident.occurred_on >= occurred_from)
    if occurred_to:
        query = query.where(Incident.occurred_on <= occurred_to)
    return query.order_by(Claim.id)


def _livestock(incident_ids: list[int]) -> dict[int, list[Livestock]]:
    """The loss lines of a batch's incidents, in the order they were recorded."""
    found: dict[int, list[Livestock]] = {i: [] for i in incident_ids}
    for incident_id, species, age_class, killed, injured in db.session.execute(
            select(LossLine.incident_id, LossLine.species, LossLine.age_class,
                   LossLine.killed, LossLine.injured)
            .where(LossLine.incident_id.in_(incident_ids)).order_by(LossLine.id)):
        found[incident_id].append(Livestock(species.value, age_class.value, killed, injured))
    return found


def verified_attacks(*, exact: bool, user=None, occurred_from: date | None = None,  # noqa: ANN001
                     occurred_to: date | None = None, after: int = 0,
                     limit: int | None = None) -> Iterator[Attack]:
    """Every verified attack (in ``user``'s area when given), oldest first, in batches so a
    range-wide export never holds every claim at once; ``after`` a claim id and at most
    ``limit`` of them for one page of the API."""
    given = 0
    query = _query(user, occurred_from, occurred_to)  # built once, for every batch
    with settled():  # a walk of the whole range: see core/heap
        while True:
            size = BATCH if limit is None else min(BATCH, limit - given)
            rows = db.session.execute(query.limit(size), {"after": after}).all()
            lines = _livestock([row.incident_id for row in rows]) if rows else {}
            for row in rows:
                yield _attack(row, lines[row.incident_id], exact)
            given += len(rows)
            if len(rows) < size or (limit is not None and given >= limit):
                return
            after = rows[-1][0]


def _attack(row, livestock: list[Livestock], exact: bool) -> Attack:  # noqa: ANN001
    (claim_id, reference, state, confidence, _incident_id, occurred_on, occurred_time,
     part_of_day, setting, country, own_lat, own_lon, village, village_lat, village_lon,
     zone_name) = row
    own = own_lat is not None and own_lon is not None
    latitude = own_lat if own else village_lat
    longitude = own_lon if own else village_lon
    precision = None
    if latitude is not None and longitude is not None:
        precision = ("exact" if own else "village") if exact else "grid_0.1"
        if not exact:
            latitude, longitude = cell_centre(Decimal(latitude)), cell_centre(Decimal(longitude))
    else:
        latitude = longitude = None
    at = datetime.combine(occurred_on, occurred_time or time(12), timezones.zone(zone_name))
    return Attack(
        ref=reference or f"claim-{claim_id}", claim_id=claim_id,
        occurred_on=occurred_on, occurred_at=at.astimezone(UTC),
        time_known=occurred_time is not None,
        part_of_day=part_of_day.value if part_of_day else None,
        setting=setting.value if setting else None,
        country=country, village=village,
        latitude=latitude, longitude=longitude, precision=precision,
        confidence=confidence.value, resolved=state in RESOLVED_STATES,
        livestock=tuple(livestock))
