"""Did villages have fewer verified leopard attacks in the weeks after an alert?

A simple, honest comparison (ANALYTICS.md grade C, control-impact): attacks per
village-week in the N weeks after a village's first alert against villages of the same
area not yet alerted in the same calendar weeks, as a Poisson rate ratio with a score
interval (statsmodels). The attacks that triggered an alert are left out of both groups
(counting them among the not-yet-alerted villages would flatter the alerts). Alerts go
where an attack just happened, so alerted villages start at higher risk; the estimate is
shown with that caveat, and refused with the counts when there are too few attacks.
"""

from __future__ import annotations

import bisect
import warnings
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, String, func, select, type_coerce

from conflict_app.alerts.models import Alert, AlertVillage
from conflict_app.claims.models import Claim, Incident
from conflict_app.core.permissions import scope
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import Village
from conflict_app.verification.models import VerificationReport

MIN_EVENTS = 10  # in both groups together (ANALYTICS.md §3)
MIN_CONTROL_EVENTS = 3
CONFIDENCE = ("confirmed", "probable")
CAVEATS = ("higher_risk_where_alerted", "shared_leopards", "triggers_left_out",
           "compensation_changes_reporting")


@dataclass
class Comparison:
    weeks: int
    villages_alerted: int = 0
    villages_compared: int = 0
    exposure_alerted: int = 0  # village-weeks
    exposure_control: int = 0
    events_alerted: int = 0
    events_control: int = 0
    ratio: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    upper_bound: float | None = None  # one-sided 95 % when no attack followed an alert
    suppressed: str | None = None  # why no ratio is shown
    grade: str = "C"
    design: str = "control_impact"
    method: str = "score"
    caveats: list[str] = field(default_factory=lambda: list(CAVEATS))

    @property
    def rate_alerted(self) -> float | None:
        return 100 * self.events_alerted / self.exposure_alerted if self.exposure_alerted \
            else None

    @property
    def rate_control(self) -> float | None:
        return 100 * self.events_control / self.exposure_control if self.exposure_control \
            else None

    def as_dict(self) -> dict:
        out = dict(self.__dict__)
        out.update(rate_alerted=self.rate_alerted, rate_control=self.rate_control)
        return out


def week_of(day: date) -> int:
    """Weeks numbered from a Monday (date(1, 1, 1) is one)."""
    return (day.toordinal() - 1) // 7


def tally(first_alert: dict[int, date], villages: int,
          attacks: list[tuple[int, date]], weeks: int) -> Comparison:
    """The comparison from plain values: each alerted village's first alert date, the
    number of villages in the area, and the attacks (village, day) to count."""
    result = Comparison(weeks=weeks)
    if not first_alert:
        result.suppressed = "no_alerts"
        return result
    start = {v: week_of(d) for v, d in first_alert.items()}
    ordered = sorted(start.values())
    study = sorted({w for w0 in ordered for w in range(w0 + 1, w0 + weeks + 1)})
    for w in study:
        # Alerted within the last ``weeks`` weeks: w0 in [w - weeks, w - 1].
        treated = bisect.bisect_left(ordered, w) - bisect.bisect_left(ordered, w - weeks)
        alerted_by_now = bisect.bisect_right(ordered, w)
        result.exposure_alerted += treated
        result.exposure_control += villages - alerted_by_now
    in_study = set(study)
    for village, day in attacks:
        w = week_of(day)
        if w not in in_study:
            continue
        w0 = start.get(village)
        if w0 is not None and w0 < w <= w0 + weeks:
            result.events_alerted += 1
        elif w0 is None or w0 > w:
            result.events_control += 1
    result.villages_alerted = len(start)
    result.villages_compared = max(villages - len(start), 0) + len(
        {v for v, w0 in start.items() if w0 > min(study)})
    _estimate(result)
    return result


def _estimate(result: Comparison) -> None:
    from statsmodels.stats.rates import confint_poisson_2indep

    n_a, n_c = result.events_alerted, result.events_control
    e_a, e_c = result.exposure_alerted, result.exposure_control
    if n_a + n_c < MIN_EVENTS:
        result.suppressed = "few_events"
    elif n_c < MIN_CONTROL_EVENTS:
        result.suppressed = "few_control_events"
    elif n_a == 0:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # log(0) inside, result is fine
            _low, high = confint_poisson_2indep(0, e_a, n_c, e_c, method="score",
                                                compare="ratio", alpha=0.10)
        result.suppressed, result.upper_bound = "zero_alerted_events", float(high)
    else:
        low, high = confint_poisson_2indep(n_a, e_a, n_c, e_c, method="score",
                                           compare="ratio")
        result.ratio = (n_a / e_a) / (n_c / e_c)
        result.ci_low, result.ci_high = float(low), float(high)


def compare(user, country: str | None, weeks: int = 4) -> Comparison:  # noqa: ANN001
    """The comparison for the user's jurisdiction (and one country, when given)."""
    # The day of the first alert where the village is: sent at 01:00 on a Monday there, it
    # is still Sunday in UTC, and its week would start a week early.
    query, zone = timezones.zone_sql(
        select().select_from(AlertVillage).join(Alert, Alert.id == AlertVillage.alert_id)
        .join(Village, Village.id == AlertVillage.village_id), Village)
    alerts = scope(query.add_columns(AlertVillage.village_id, type_coerce(func.min(func.date(
        timezones.local_time(AlertVillage.sent_at, zone))), Date))
                   .group_by(AlertVillage.village_id), Alert, user)
    villages = scope(select(func.count(Village.id)), Village, user)
    if country:
        alerts = alerts.where(Alert.country_code == country)
        villages = villages.where(Village.country_code == country)
    first = dict(db.session.execute(alerts).all())
    total = db.session.scalar(villages) or 0
    attacks: list[tuple[int, date]] = []
    if first:
        latest = (select(VerificationReport.claim_id,
                         func.max(VerificationReport.id).label("report_id"))
                  .group_by(VerificationReport.claim_id).subquery())
        triggers = select(Alert.claim_id).where(Alert.claim_id.is_not(None))
        query = scope(
            select(Incident.id, Incident.village_id, Incident.occurred_on)
            .join(Claim, Claim.incident_id == Incident.id)
            .join(latest, latest.c.claim_id == Claim.id)
            .join(VerificationReport, VerificationReport.id == latest.c.report_id)
            .where(type_coerce(VerificationReport.predator, String) == "leopard",
                   type_coerce(VerificationReport.confidence, String).in_(CONFIDENCE),
                   Claim.id.not_in(triggers),
                   Incident.occurred_on >= min(first.values())), Incident, user)
        if country:
            query = query.where(Incident.country_code == country)
        attacks = [(v, d) for _id, v, d in db.session.execute(query.distinct())]
    return tally(first, total, attacks, weeks)
