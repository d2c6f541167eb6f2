"""The alerted vs not-yet-alerted comparison recovers a known rate ratio at the rate its
interval promises, counts the right village-weeks, and refuses on too few attacks."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from conflict_app.alerts.effect import tally, week_of

MONDAY = date(2026, 3, 2)


def test_village_weeks_are_counted_by_calendar_week():
    # Three villages; village 1 alerted in week 0: weeks 1-2 are alerted, village 2 and 3
    # are not yet alerted then; village 2 alerted in week 1: its weeks 2-3 are alerted.
    first = {1: MONDAY, 2: MONDAY + timedelta(days=8)}
    attacks = [(1, MONDAY + timedelta(days=9)),   # village 1, week 1: alerted
               (2, MONDAY + timedelta(days=3)),   # week 0: not a study week
               (3, MONDAY + timedelta(days=10)),  # week 1: not yet alerted
               (2, MONDAY + timedelta(days=15))]  # village 2, week 2: alerted
    result = tally(first, 3, attacks, weeks=2)
    # Study weeks 1, 2, 3. Alerted: w1 {1}, w2 {1, 2}, w3 {2} -> 4 village-weeks.
    # Not yet alerted: w1 {3} (2 was alerted in w1), w2 {3}, w3 {3} -> 3.
    assert (result.exposure_alerted, result.exposure_control) == (4, 3)
    assert (result.events_alerted, result.events_control) == (2, 1)
    assert result.suppressed == "few_events" and result.ratio is None
    assert result.grade == "C"


def test_no_alert_no_estimate():
    assert tally({}, 10, [], weeks=4).suppressed == "no_alerts"


def test_the_interval_covers_the_true_ratio_as_often_as_it_promises():
    rng = np.random.default_rng(19)
    true_ratio, base, villages, weeks = 0.5, 0.08, 120, 4
    covered = runs = 0
    first_week = week_of(MONDAY)
    span = np.arange(first_week, first_week + 26)
    for _ in range(200):
        alerted = rng.choice(villages, size=40, replace=False)
        offsets = rng.integers(0, 20, size=40)
        first = {int(v): MONDAY + timedelta(weeks=int(k))
                 for v, k in zip(alerted, offsets, strict=True)}
        w0 = np.full(villages, -10**6)
        w0[alerted] = first_week + offsets
        inside = (w0[:, None] < span[None, :]) & (span[None, :] <= w0[:, None] + weeks)
        counts = rng.poisson(base * np.where(inside, true_ratio, 1.0))
        attacks = [(int(v), date.fromordinal(int(span[w]) * 7 + 1))
                   for v, w in zip(*np.nonzero(counts), strict=True) for _k in range(counts[v, w])]
        result = tally(first, villages, attacks, weeks)
        if result.ratio is None:
            continue
        runs += 1
        covered += result.ci_low <= true_ratio <= result.ci_high
    assert runs >= 150
    assert covered / runs >= 0.90  # a 95 % interval, with Monte Carlo slack


def test_an_alert_after_midnight_starts_its_village_s_weeks_on_that_day(world, monkeypatch):
    """Sent at 01:00 on Monday in Yerevan (21:00 on Sunday in UTC): its weeks start with
    that Monday's week. Read as Sunday, the week in which the alert went out (after the
    attack that triggered it) counted as a week after the alert."""
    from datetime import UTC, datetime

    from conflict_app.alerts import effect
    from conflict_app.alerts.models import Alert, AlertKind, AlertVillage
    from conflict_app.extensions import db

    alert = Alert(kind=AlertKind.BROADCAST, country_code="AM",
                  admin1_id=world.shvanidzor.admin1_id)
    db.session.add(alert)
    db.session.flush()
    db.session.add(AlertVillage(alert_id=alert.id, village_id=world.shvanidzor.id,
                                sent_at=datetime(2026, 3, 1, 21, 0, tzinfo=UTC)))
    db.session.commit()
    seen = {}

    def counted(first_alert, villages, attacks, weeks):  # noqa: ANN001, ANN202
        seen.update(first_alert)
        return tally(first_alert, villages, attacks, weeks)

    monkeypatch.setattr(effect, "tally", counted)
    effect.compare(world.admin, "AM")
    assert seen == {world.shvanidzor.id: MONDAY}
    assert week_of(seen[world.shvanidzor.id]) == week_of(MONDAY + timedelta(days=6))
