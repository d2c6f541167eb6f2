"""Intake: a herder's report becomes a claim (validation, lateness, the PIN, duplicate
flags), through any channel (office, web, SMS, field forms, API). One transaction each,
audited; the claim then moves only through ``operations``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.claims import duplicates, events, harm_records, operations, pins, workflow
from conflict_app.claims.models import (
    AgeClass,
    Channel,
    Claim,
    DuplicateFlag,
    Evidence,
    Incident,
    LossLine,
    PartOfDay,
    Setting,
)
from conflict_app.claims.workflow import State
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, NP_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import Country, Village
from conflict_app.herders.models import HerdCensus, Household, Species
from conflict_app.schemes import engine
from conflict_app.schemes.harm import HarmKind
from conflict_app.status import notify


# --- intake ---------------------------------------------------------------------------
@dataclass
class LossInput:
    species: Species
    age_class: AgeClass
    killed: int
    injured: int


@dataclass
class ReportInput:
    occurred_on: date
    setting: Setting | None  # None: a crop report, where no animals were kept
    lines: Sequence[LossInput]
    occurred_time: time | None = None
    part_of_day: PartOfDay | None = None
    village_id: int | None = None  # defaults to the household's village
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    in_protected_area: bool = False
    guard_present: bool = False
    dog_present: bool = False
    measure_present: bool = False
    corral_present: bool = False
    protection_known: bool = False  # set when someone answered, even "none"
    reported_village: str | None = None  # typed by a herder: not in the list
    description: str | None = None
    late_override_reason: str | None = None
    external_ref: str | None = None  # field form instance ID: imported once
    # An injury, a death or crop damage (only where the scheme enables it); its livestock
    # lines may then be empty.
    harm_kind: HarmKind | None = None
    harm_crop: str | None = None  # the crop a herder named; the verifier measures the area


def register_report(
    actor: User | None, household: Household, report: ReportInput,
    channel: Channel = Channel.OFFICE, photos: Sequence[bytes] = (),
) -> tuple[Claim, str]:
    """Record an incident and open its claim; returns the claim and the herder's PIN.

    ``actor`` is the staff member who registers it, or ``None`` when the herder reports
    directly (web form or SMS): then no jurisdiction applies and no late exception is possible.
    """
    from conflict_app.claims.evidence import (
        MAX_PIXELS,
        MAX_PIXELS_ANONYMOUS,
        discard,
        store_photo,
    )

    now = clock.now()
    directory = current_app.config["EVIDENCE_DIR"]
    stored = []
    try:
        for raw in photos:
            stored.append(store_photo(raw, directory, current_app.config["MAX_PHOTO_BYTES"],
                                      MAX_PIXELS if actor else MAX_PIXELS_ANONYMOUS))
        with unit_of_work():
            claim, pin = _open_claim(actor, household, report, channel, now)
            for item in stored:
                db.session.add(Evidence(
                    claim_id=claim.id, storage_key=item.storage_key,
                    content_type=item.content_type, size_bytes=item.size_bytes,
                    sha256=item.sha256, width=item.width, height=item.height,
                    uploaded_by_id=actor.id if actor else None, uploaded_at=now,
                ))
    except BaseException:
        for item in stored:
            discard(directory, item.storage_key)
        raise
    return claim, pin


def _open_claim(actor: User | None, household: Household, report: ReportInput,
                channel: Channel, now: datetime) -> tuple[Claim, str]:
    if actor is not None:
        if not actor.has_role(Role.CLERK, Role.SUPERVISOR):
            raise PermissionDenied(N_("Your role may not do this."))
        if not covers(actor, household):
            raise PermissionDenied(N_("This household is outside your jurisdiction."))
    village = db.session.get(Village, report.village_id or household.village_id)
    if village is None:
        raise InvalidInput(N_("Choose a village from the list."), field="village_id")
    if actor is not None and not covers(actor, village):
        raise PermissionDenied(N_("This village is outside your jurisdiction."),
                               field="village_id")
    # "Today" and "last night" are the herder's: the village's local date, not UTC's.
    where = timezones.zone_of(village)
    _validate_report(report, now, where)
    late, override = _lateness(actor, report, now, where)
    incident = Incident(
        external_ref=report.external_ref,
        household_id=household.id,
        occurred_on=report.occurred_on,
        occurred_time=report.occurred_time,
        part_of_day=report.part_of_day,
        village_id=village.id,
        country_code=village.country_code,
        admin1_id=village.admin1_id,
        admin2_id=village.admin2_id,
        latitude=report.latitude,
        longitude=report.longitude,
        in_protected_area=report.in_protected_area,
        setting=report.setting,
        **{name: getattr(report, name) for name in AS_GIVEN},
        description=(report.description or "").strip() or None,
        lines=[
            LossLine(species=line.species, age_class=line.age_class,
                     killed=line.killed, injured=line.injured)
            for line in report.lines
        ],
    )
    country = db.session.get(Country, village.country_code)
    scheme = engine.scheme_for(village.country_code, village.admin1_id, household.id,
                               report.occurred_on)
    if report.harm_kind is not None:
        harm_records.check_kind(scheme, report.occurred_on, report.harm_kind)
    pin = pins.new_pin()
    claim = Claim(
        incident=incident,
        household_id=household.id,
        state=State.REPORTED,
        country_code=village.country_code,
        admin1_id=village.admin1_id,
        admin2_id=village.admin2_id,
        currency=scheme.currency if scheme else country.currency,
        scheme_id=scheme.id if scheme else None,
        channel=channel,
        reported_at=now,
        late_report=late,
        late_override_reason=override,
        state_changed_at=now,
        pin_hash=pins.hash_pin(pin),
        created_by_id=actor.id if actor else None,
    )
    claim.due_at = workflow.due_at(
        State.REPORTED, reported_at=now, changed_at=now, deadlines=operations.deadlines()
    )
    db.session.add(claim)
    db.session.flush()
    # The year the herder reported in: on New Year's night there, UTC's is still the old one.
    claim.reference = f"{claim.country_code}-{now.astimezone(where).year}-{claim.id:06d}"
    if report.harm_kind is not None:
        harm_records.attach(claim, report.harm_kind, report.harm_crop)
    audit.record(
        actor_id=actor.id if actor else None,
        object_type="claim",
        object_id=claim.id,
        action="register",
        to_state=State.REPORTED.value,
        reason=override,
        changes={
            "reference": claim.reference,
            "channel": channel.value,
            "occurred_on": report.occurred_on,
            "lines": [
                f"{ln.species.value}/{ln.age_class.value}: {ln.killed}+{ln.injured}"
                for ln in report.lines
            ],
            "late_report": late,
            **({"harm_kind": report.harm_kind.value} if report.harm_kind else {}),
        },
    )
    _flag_candidates(claim)
    notify.received(claim, pin, anonymous=actor is None)
    events.claim_reported.send(claim, actor=actor)
    # The claim is new: every flag it has was raised just now.
    for kind in db.session.scalars(select(DuplicateFlag.kind).where(
            DuplicateFlag.claim_id == claim.id).distinct().order_by(DuplicateFlag.kind)):
        events.claim_flagged.send(claim, kind=kind)
    return claim, pin


AS_GIVEN = ("guard_present", "dog_present", "measure_present", "corral_present",
            "protection_known", "reported_village")
EARLIEST_INCIDENT = date(2000, 1, 1)
MAX_HEADS_PER_LINE = 2000  # more than this in one attack is a typing error


def _validate_report(report: ReportInput, now: datetime, where: ZoneInfo) -> None:
    if report.occurred_on > now.astimezone(where).date():
        raise InvalidInput(N_("The incident date cannot be in the future."),
                           field="occurred_on")
    if report.occurred_on < EARLIEST_INCIDENT:
        raise InvalidInput(N_("The incident date must be in the year 2000 or later."),
                           field="occurred_on")
    if not report.lines and report.harm_kind is None:
        raise InvalidInput(N_("Add at least one animal killed or injured."), field="lines")
    seen: set[tuple[str, str]] = set()
    for line in report.lines:
        if line.killed < 0 or line.injured < 0:
            raise InvalidInput(N_("Counts cannot be negative."), field="lines")
        if line.killed + line.injured == 0:
            raise InvalidInput(N_("Each line needs at least one animal killed or injured."),
                               field="lines")
        if line.killed + line.injured > MAX_HEADS_PER_LINE:
            raise InvalidInput(N_("At most %(max)s animals per line; please check the numbers."),
                               field="lines", max=MAX_HEADS_PER_LINE)
        key = (line.species.value, line.age_class.value)
        if key in seen:
            raise InvalidInput(N_("Each species and age class may appear only once."),
                               field="lines")
        seen.add(key)
    if (report.latitude is None) != (report.longitude is None):
        raise InvalidInput(N_("Give both latitude and longitude, or neither."),
                           field="latitude")


def _lateness(actor: User | None, report: ReportInput, now: datetime,
              where: ZoneInfo) -> tuple[bool, str | None]:
    """Late reports are flagged, not refused; past the hard cut-off a supervisor overrides."""
    cfg = current_app.config
    occurred = timezones.start_of(report.occurred_on, where, report.occurred_time or time(0))
    age = now - occurred
    late = age > timedelta(hours=cfg["REPORT_WITHIN_HOURS"])
    override = (report.late_override_reason or "").strip() or None
    cutoff = cfg["REPORT_CUTOFF_DAYS"]
    if age > timedelta(days=cutoff):
        if actor is None:
            raise InvalidInput(
                NP_("The incident is older than %(days)s day. Please contact the office.",
                    "The incident is older than %(days)s days. Please contact the office."),
                field="occurred_on", count=cutoff, days=cutoff)
        if not actor.has_role(Role.SUPERVISOR):
            raise InvalidInput(
                NP_("The incident is older than %(days)s day. A supervisor must register it "
                    "with a reason for the exception.",
                    "The incident is older than %(days)s days. A supervisor must register it "
                    "with a reason for the exception."),
                field="occurred_on", count=cutoff, days=cutoff)
        if not override:
            raise InvalidInput(
                NP_("The incident is older than %(days)s day: give the reason for the "
                    "exception.",
                    "The incident is older than %(days)s days: give the reason for the "
                    "exception."),
                field="late_override_reason", count=cutoff, days=cutoff)
    else:
        override = None
    return late, override


def _flag_candidates(claim: Claim) -> None:
    """Flag possible duplicates and head counts above the census for the clerk."""
    cfg = current_app.config
    incident = claim.incident
    window = timedelta(days=cfg["DUPLICATE_WINDOW_DAYS"])
    # One phone (E.164) is one herder, even when the office registered them twice.
    household = db.session.get(Household, claim.household_id)
    same_herder = select(Household.id).where(Household.phone == household.phone) \
        if household is not None and household.phone else None
    rows = db.session.execute(
        select(Claim, Incident)
        .join(Incident, Claim.incident_id == Incident.id)
        .where(
            Claim.household_id.in_(same_herder) if same_herder is not None
            else Claim.household_id == claim.household_id,
            Claim.id != claim.id,
            Incident.occurred_on.between(incident.occurred_on - window,
                                         incident.occurred_on + window),
        )
    ).all()
    here = duplicates.Place(incident.occurred_on, incident.village_id, incident.latitude,
                            incident.longitude)
    for other, other_incident in rows:
        there = duplicates.Place(other_incident.occurred_on, other_incident.village_id,
                                 other_incident.latitude, other_incident.longitude)
        if duplicates.same_event(here, there, window.days, cfg["DUPLICATE_DISTANCE_KM"]):
            db.session.add(DuplicateFlag(claim_id=claim.id, other_claim_id=other.id,
                                         kind="same_household_nearby",
                                         detail=other.reference))
    claimed = Counter()
    for line in incident.lines:
        claimed[line.species.value] += line.killed + line.injured
    census_rows = db.session.scalars(
        select(HerdCensus).where(
            HerdCensus.household_id == claim.household_id,
            HerdCensus.year == incident.occurred_on.year,
        )
    ).all()
    census = {row.species.value: row.head_count for row in census_rows}
    for species, (heads, held) in duplicates.above_census(dict(claimed), census).items():
        db.session.add(DuplicateFlag(claim_id=claim.id, kind="above_census",
                                     detail=f"{species}: {heads} > {held}"))
    missing = sorted(set(claimed) - set(census))
    if missing:
        db.session.add(DuplicateFlag(claim_id=claim.id, kind="no_census",
                                     detail=", ".join(missing)))
