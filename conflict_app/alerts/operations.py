"""Alert use cases: tell herders near a verified leopard attack, plan and send a staff
broadcast to an area, and answer STOP/START texts.

Who is texted: households with a phone (not provisional ones, whose phone nobody has
checked) in villages within the country's alert distance, one text per phone in the
household's language, never the victim's household (it has its own claim texts), never a
phone that replied STOP, and never a village that had an alert within the rate-limit
window. Texts name the attack's village and date only. Each alert is audited.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale, format_date
from sqlalchemy import and_, select

from conflict_app.alerts import texts
from conflict_app.alerts.models import (
    Alert,
    AlertKind,
    AlertOptOut,
    AlertSetting,
    AlertVillage,
)
from conflict_app.auth.models import User
from conflict_app.claims.duplicates import distance_km
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import serialise, unit_of_work
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea, Village
from conflict_app.geo.names import place_name
from conflict_app.herders.models import Household
from conflict_app.i18n.collation import in_reader_order
from conflict_app.status import notify
from conflict_app.status.models import SmsMessage, SmsStatus
from conflict_app.status.segments import segments

# Staff who may send a broadcast to an area of their jurisdiction.
SENDERS = (Role.SUPERVISOR, Role.SCHEME_MANAGER)
# A leopard attack on this evidence triggers an alert (the analytics' primary filter).
ALERT_CONFIDENCE = ("confirmed", "probable")


@dataclass(frozen=True)
class Settings:
    radius_km: float
    window_hours: int


def settings_for(country_code: str) -> Settings:
    row = db.session.get(AlertSetting, country_code)
    cfg = current_app.config
    if row is None:
        return Settings(float(cfg["ALERT_RADIUS_KM"]), int(cfg["ALERT_WINDOW_HOURS"]))
    return Settings(float(row.radius_km), row.window_hours)


def set_settings(country_code: str, radius_km: float, window_hours: int) -> AlertSetting:
    """A country's own distance and rate limit (an administrator's command; the command
    checks the ranges, the table's CHECK constraints hold them too)."""
    with unit_of_work():
        row = db.session.get(AlertSetting, country_code) or AlertSetting(
            country_code=country_code)
        before = {"radius_km": row.radius_km, "window_hours": row.window_hours}
        row.radius_km = Decimal(str(round(radius_km, 1)))
        row.window_hours = window_hours
        db.session.add(row)
        audit.record(actor_id=None, object_type="alert_setting", object_id=0,
                     action="alert_settings", reason=country_code,
                     changes={"before": before, "radius_km": row.radius_km,
                              "window_hours": window_hours})
    return row


# --- who is reached -------------------------------------------------------------------
@dataclass
class Recipient:
    phone: str
    locale: str
    village_id: int


@dataclass
class Reach:
    """Who an alert would reach: villages in range, those left out by the rate limit."""

    villages: list[Village]
    skipped: list[Village]
    recipients: list[Recipient] = field(default_factory=list)

    def by_village(self) -> dict[int, int]:
        counts: dict[int, int] = defaultdict(int)
        for r in self.recipients:
            counts[r.village_id] += 1
        return counts


def villages_near(country_code: str, lat: Decimal, lon: Decimal, radius_km: float
                  ) -> list[Village]:
    """Villages of the country within ``radius_km``: a box in SQL, the distance in Python."""
    dlat = radius_km / 111.0
    dlon = radius_km / max(111.0 * math.cos(math.radians(float(lat))), 1.0)
    box = db.session.scalars(real_villages().where(
        Village.country_code == country_code,
        Village.latitude.between(float(lat) - dlat, float(lat) + dlat),
        Village.longitude.between(float(lon) - dlon, float(lon) + dlon))).all()
    return [v for v in box
            if distance_km(lat, lon, v.latitude, v.longitude) <= radius_km]


def real_villages():  # noqa: ANN201 - a Select
    """Villages outside synthetic provinces: generated test data is never texted."""
    return (select(Village).join(AdminArea, AdminArea.id == Village.admin1_id)
            .where(AdminArea.synthetic.is_(False)))


def recently_alerted(village_ids: list[int], hours: int) -> set[int]:
    if not village_ids:
        return set()
    since = clock.now() - timedelta(hours=hours)
    return set(db.session.scalars(select(AlertVillage.village_id).where(
        AlertVillage.village_id.in_(village_ids), AlertVillage.sent_at >= since)))


def reach(villages: list[Village], window_hours: int,
          exclude_household: Household | None = None) -> Reach:
    ids = [v.id for v in villages]
    limited = recently_alerted(ids, window_hours)
    result = Reach([v for v in villages if v.id not in limited],
                   [v for v in villages if v.id in limited])
    open_ids = [v.id for v in result.villages]
    if not open_ids:
        return result
    stopped = select(AlertOptOut.phone).where(AlertOptOut.stopped.is_(True))
    query = (select(Household.phone, Household.language, Household.village_id)
             .where(Household.village_id.in_(open_ids), Household.phone.is_not(None),
                    Household.phone != "", Household.provisional.is_(False),
                    Household.phone.not_in(stopped))
             .order_by(Household.id))
    if exclude_household is not None:
        query = query.where(Household.id != exclude_household.id)
        if exclude_household.phone:
            query = query.where(Household.phone != exclude_household.phone)
    seen: set[str] = set()
    for phone, language, village_id in db.session.execute(query):
        if phone in seen:
            continue
        seen.add(phone)
        result.recipients.append(Recipient(phone, language or "en", village_id))
    return result


# --- sending --------------------------------------------------------------------------
def _send(alert: Alert, found: Reach, body_for) -> None:  # noqa: ANN001
    """Queue one text per recipient, record the villages reached, audit the alert."""
    now = clock.now()
    bodies: dict[str, str] = {}
    total = 0
    for recipient in found.recipients:
        if recipient.locale not in bodies:
            bodies[recipient.locale] = body_for(recipient.locale)
        body = bodies[recipient.locale]
        total += segments(body)
        notify.queue(recipient.phone, recipient.locale, alert.kind.value, body)
    alert.phones = len(found.recipients)
    alert.segments = total
    alert.villages_skipped = len(found.skipped)
    for village_id, phones in found.by_village().items():
        alert.reached.append(AlertVillage(village_id=village_id, phones=phones, sent_at=now))
    db.session.add(alert)
    db.session.flush()
    audit.record(actor_id=alert.created_by_id, object_type="alert", object_id=alert.id,
                 action=f"alert_{alert.kind.value}",
                 changes={"villages": len(alert.reached), "phones": alert.phones,
                          "segments": alert.segments, "skipped": alert.villages_skipped,
                          "radius_km": alert.radius_km, "area": alert.admin2_id
                          or alert.admin1_id, "claim": alert.claim_id})


def alert_for_attack(claim, actor: User | None) -> Alert | None:  # noqa: ANN001
    """Tell herders near the claim's attack; inside the claim's own transaction."""
    if db.session.scalar(select(Alert.id).where(Alert.claim_id == claim.id)) is not None:
        return None  # verified again after an appeal: the neighbours were told already
    incident = claim.incident
    village = incident.village
    settings = settings_for(claim.country_code)
    lat = incident.latitude if incident.latitude is not None else village.latitude
    lon = incident.longitude if incident.longitude is not None else village.longitude
    if db.session.get(AdminArea, village.admin1_id).synthetic:
        return None  # generated test data
    if lat is None or lon is None:
        villages = [village]  # no coordinates: the attack's own village only
    else:
        villages = villages_near(claim.country_code, lat, lon, settings.radius_km)
        if village not in villages:
            villages.append(village)
    serialise(f"alerts:{claim.country_code}")  # the window holds for parallel alerts
    found = reach(villages, settings.window_hours, exclude_household=claim.household)
    alert = Alert(kind=AlertKind.ATTACK, claim_id=claim.id, country_code=claim.country_code,
                  admin1_id=claim.admin1_id, admin2_id=claim.admin2_id,
                  village_id=village.id, occurred_on=incident.occurred_on,
                  radius_km=Decimal(str(settings.radius_km)),
                  created_by_id=actor.id if actor else None, created_at=clock.now())
    _send(alert, found, lambda locale: attack_text(locale, place_name(village, locale),
                                                   incident.occurred_on))
    return alert


def attack_text(locale: str, village_name: str, occurred_on: date) -> str:
    with force_locale(locale):
        when = format_date(occurred_on, "short")
    return texts.render("attack", locale, village=village_name, date=when)


def on_claim_moved(claim, *, actor, before, after, reason=None) -> None:  # noqa: ANN001
    """A claim filed as verified on leopard evidence triggers an alert to its neighbours."""
    from conflict_app.claims.workflow import State
    from conflict_app.verification.models import VerificationReport

    if after != State.VERIFIED or before != State.VERIFICATION_SCHEDULED:
        return
    report = db.session.scalars(select(VerificationReport).where(
        VerificationReport.claim_id == claim.id).order_by(VerificationReport.id.desc())
    ).first()
    if report is None or report.predator.value != "leopard" or \
            report.confidence.value not in ALERT_CONFIDENCE:
        return
    alert_for_attack(claim, actor)


def connect() -> None:
    from conflict_app.claims.events import claim_moved

    claim_moved.connect(on_claim_moved)


# --- broadcasts -----------------------------------------------------------------------
@dataclass
class Plan:
    """What a broadcast would do, for the page that asks to confirm it."""

    area: AdminArea
    found: Reach
    window_hours: int
    languages: list[tuple[str, int, int]]  # locale, phones, segments per text

    @property
    def phones(self) -> int:
        return len(self.found.recipients)

    @property
    def segments(self) -> int:
        return sum(phones * each for _locale, phones, each in self.languages)


class _Place:
    def __init__(self, area: AdminArea) -> None:
        self.country_code = area.country_code
        self.admin1_id = area.id if area.level == 1 else area.parent_id
        self.admin2_id = area.id if area.level == 2 else None


def areas_for(actor: User) -> list[AdminArea]:
    """Provinces and districts a sender may broadcast to."""
    query = select(AdminArea)
    if actor.jurisdiction_country:
        query = query.where(AdminArea.country_code == actor.jurisdiction_country)
    areas = [a for a in db.session.scalars(query) if covers(actor, _Place(a))
             and not a.synthetic and not (a.parent and a.parent.synthetic)]
    return sorted(in_reader_order(areas, lambda a: a.label), key=lambda a: a.country_code)


def _area(actor: User, area_id: int | None) -> AdminArea:
    if not actor.has_role(*SENDERS):
        raise PermissionDenied(N_("Your role may not do this."))
    area = db.session.get(AdminArea, area_id) if area_id else None
    if area is None:
        raise InvalidInput(N_("Choose a province or district from the list."), field="area_id")
    if not covers(actor, _Place(area)):
        raise PermissionDenied(N_("This place is outside your jurisdiction."))
    return area


def broadcast_text(locale: str, area: AdminArea) -> str:
    return texts.render("broadcast", locale, area=place_name(area, locale))


def plan_broadcast(actor: User, area_id: int | None) -> Plan:
    area = _area(actor, area_id)
    column = Village.admin1_id if area.level == 1 else Village.admin2_id
    villages = list(db.session.scalars(real_villages().where(column == area.id)
                                       .order_by(Village.name)))
    window = settings_for(area.country_code).window_hours
    found = reach(villages, window)
    counts: dict[str, int] = defaultdict(int)
    for r in found.recipients:
        counts[r.locale] += 1
    languages = [(locale, n, segments(broadcast_text(locale, area)))
                 for locale, n in sorted(counts.items())]
    return Plan(area, found, window, languages)


def send_broadcast(actor: User, area_id: int | None,
                   confirm: Callable[[Plan], object] | None = None) -> Alert:
    """Send to the area's phones. Parallel sends (a double click, two supervisors, a retried
    call) run one at a time, so the second finds the villages already alerted in the
    window. ``confirm(plan)`` may refuse the plan as it stands under that lock (the API's
    If-Match on the preview)."""
    with unit_of_work():
        serialise(f"alerts:{_area(actor, area_id).country_code}")
        plan = plan_broadcast(actor, area_id)
        if confirm is not None:
            confirm(plan)
        if not plan.phones:
            raise InvalidInput(N_("No phone in this area can get the alert: nothing was "
                                  "sent."))
        area = plan.area
        place = _Place(area)
        alert = Alert(kind=AlertKind.BROADCAST, country_code=area.country_code,
                      admin1_id=place.admin1_id, admin2_id=place.admin2_id,
                      created_by_id=actor.id, created_at=clock.now())
        _send(alert, plan.found, lambda locale: broadcast_text(locale, area))
    return alert


# --- STOP and START -------------------------------------------------------------------
def answer_keyword(phone: str, text: str) -> bool:
    """Handle an inbound STOP/START in any language; False when the text is neither."""
    found = texts.keyword(text)
    if found is None:
        return False
    action, keyword_locale = found
    household_locale = db.session.scalar(select(Household.language).where(
        and_(Household.phone == phone, Household.provisional.is_(False)))
        .order_by(Household.id).limit(1))
    locale = household_locale or keyword_locale
    with unit_of_work():
        row = db.session.scalar(select(AlertOptOut).where(AlertOptOut.phone == phone))
        if row is None:
            row = AlertOptOut(phone=phone)
            db.session.add(row)
        row.stopped = action == "stop"
        row.changed_at = clock.now()
        db.session.flush()
        kind = "alerts_off" if row.stopped else "alerts_on"
        db.session.add(SmsMessage(direction="in", phone=phone, locale=locale, kind=kind,
                                  body=text[:40], status=SmsStatus.RECEIVED))
        notify.queue(phone, locale, kind, texts.render(kind, locale))
        # The phone itself stays out of the audit log (personal data).
        audit.record(actor_id=None, object_type="alert_opt_out", object_id=row.id,
                     action=kind, changes={"language": locale})
    return True
