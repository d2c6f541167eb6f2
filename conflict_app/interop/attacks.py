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
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, selectinload

from conflict_app.bundles.exporter import coarsen
from conflict_app.claims.models import Claim, Incident
from conflict_app.claims.workflow import State
from conflict_app.core.heap import settled
from conflict_app.core.permissions import scope
from conflict_app.extensions import db
from conflict_app.geo import timezones
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


def _query(user, occurred_from: date | None, occurred_to: date | None,  # noqa: ANN001, ANN202
           after: int):
    """Verified attacks of claims after ``after``, by claim. The claim's latest report is
    the one with none newer on the same claim. The reports are read from ``after`` on, said
    for both of their scans: the planner does not carry the claims' bound over to them, and
    every batch of 500 scanned the reports of all the claims before it, so a range-wide
    export grew with the square of its size."""
    newer = aliased(VerificationReport)
    query = (select(Claim, VerificationReport.confidence)
             .join(VerificationReport, VerificationReport.claim_id == Claim.id)
             .where(Claim.id > after, VerificationReport.claim_id > after,
                    ~exists().where(newer.claim_id == Claim.id, newer.claim_id > after,
                                    newer.id > VerificationReport.id))
             .join(Incident, Incident.id == Claim.incident_id)
             .where(VerificationReport.predator == Predator.LEOPARD,
                    VerificationReport.confidence.in_(ATTACK_CONFIDENCE),
                    Claim.state.not_in(LEFT_OUT_STATES))
             .options(selectinload(Claim.incident).selectinload(Incident.lines),
                      selectinload(Claim.incident).selectinload(Incident.village),
                      # The attack's zone with it: one statement per attack otherwise.
                      timezones.with_zone(Claim)))
    if user is not None:
        query = scope(query, Claim, user)
    if occurred_from:
        query = query.where(Incident.occurred_on >= occurred_from)
    if occurred_to:
        query = query.where(Incident.occurred_on <= occurred_to)
    return query


def verified_attacks(*, exact: bool, user=None, occurred_from: date | None = None,  # noqa: ANN001
                     occurred_to: date | None = None, after: int = 0,
                     limit: int | None = None) -> Iterator[Attack]:
    """Every verified attack (in ``user``'s area when given), oldest first, in batches so a
    range-wide export never holds every claim at once; ``after`` a claim id and at most
    ``limit`` of them for one page of the API."""
    given = 0
    with settled():  # a walk of the whole range: see core/heap
        while True:
            query = _query(user, occurred_from, occurred_to, after)
            size = BATCH if limit is None else min(BATCH, limit - given)
            rows = db.session.execute(query.order_by(Claim.id).limit(size)).all()
            for claim, confidence in rows:
                yield _attack(claim, confidence, exact)
            given += len(rows)
            if len(rows) < size or (limit is not None and given >= limit):
                return
            after = rows[-1][0].id


def _attack(claim: Claim, confidence: Confidence, exact: bool) -> Attack:
    incident = claim.incident
    village = incident.village
    own = incident.latitude is not None and incident.longitude is not None
    latitude = incident.latitude if own else village.latitude
    longitude = incident.longitude if own else village.longitude
    precision = None
    if latitude is not None and longitude is not None:
        precision = ("exact" if own else "village") if exact else "grid_0.1"
        if not exact:
            latitude, longitude = cell_centre(Decimal(latitude)), cell_centre(Decimal(longitude))
    else:
        latitude = longitude = None
    zone = timezones.zone_of(claim)  # the claim is placed where its incident is
    at = datetime.combine(incident.occurred_on, incident.occurred_time or time(12), zone)
    return Attack(
        ref=claim.reference or f"claim-{claim.id}", claim_id=claim.id,
        occurred_on=incident.occurred_on, occurred_at=at.astimezone(UTC),
        time_known=incident.occurred_time is not None,
        part_of_day=incident.part_of_day.value if incident.part_of_day else None,
        setting=incident.setting.value if incident.setting else None,
        country=incident.country_code, village=village.name,
        latitude=latitude, longitude=longitude, precision=precision,
        confidence=confidence.value, resolved=claim.state in RESOLVED_STATES,
        livestock=tuple(Livestock(ln.species.value, ln.age_class.value, ln.killed, ln.injured)
                        for ln in incident.lines))
