"""Dates and deadlines follow the time zone of the claim's jurisdiction; times stay UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from conflict_app.claims import operations as ops
from conflict_app.claims.models import Claim
from conflict_app.core import clock
from conflict_app.core.errors import InvalidInput
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.status.models import SmsMessage
from tests import helpers
from tests.conftest import csrf_token

# 01:30 on 3 March in Yerevan and Tbilisi (UTC+4) is still 2 March in UTC.
NIGHT = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)


@pytest.fixture
def night():
    clock.freeze(NIGHT)
    yield
    clock.freeze(None)


def _report(app, village, country="AM"):
    client = app.test_client()
    url = f"/report?country={country}&lang=en"
    return client.post(url, data={
        "csrf_token": csrf_token(client, url), "country": country, "name": "Karen",
        "phone": "094 111 222" if country == "AM" else "555 12 34 56",
        "village_id": str(village.id), "setting": "pasture", "part_of_day": "night",
        "occurred_on": "2026-03-03", "species": "sheep", "age_class": "adult_female",
        "killed": "2", "protection": "corral"}, content_type="multipart/form-data")


def test_every_range_state_has_a_zone():
    for code in ("AM", "IR", "IQ", "AF", "AZ", "GE", "KZ", "PK", "RU", "TR", "TM", "UZ",
                 "TJ"):
        assert timezones.zone(timezones.DEFAULT_TIMEZONES[code]).key != "UTC"


@pytest.mark.parametrize("country", ["AM", "GE"])
def test_last_nights_loss_after_local_midnight_is_accepted(app, world, night, country):
    village = world.shvanidzor if country == "AM" else world.samreklo
    response = _report(app, village, country)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    claim = db.session.scalars(select(Claim).order_by(Claim.id.desc())).first()
    assert claim.incident.occurred_on == date(2026, 3, 3)
    assert claim.reported_at == NIGHT  # stored in UTC
    assert not claim.late_report


def test_an_area_can_keep_its_own_zone(app, world, night):
    world.syunik.timezone = "UTC"
    db.session.flush()
    response = _report(app, world.shvanidzor)
    assert response.status_code == 400
    assert "cannot be in the future" in response.get_data(as_text=True)


def test_deadlines_in_texts_and_pages_are_local_dates(app, world, night):
    hh = helpers.household(world)
    hh.language = "en"
    db.session.flush()
    claim, pin = helpers.report(world, hh=hh, days_ago=0)
    ops.screen(claim.id, world.clerk, None)
    ops.assign_verifier(claim.id, world.supervisor, None, world.verifier.id)
    # Visit due 48 h after the report: 4 March 21:30 UTC, 5 March 01:30 in Yerevan.
    text = db.session.scalars(select(SmsMessage).where(
        SmsMessage.kind == "visit_planned")).one().body
    assert "3/5/26" in text
    client = app.test_client()
    page = client.post("/status?lang=en", data={
        "csrf_token": csrf_token(client, "/status?lang=en"), "reference": claim.reference,
        "pin": pin}).get_data(as_text=True)
    assert "Expected by Mar 5, 2026" in page
    with pytest.raises(InvalidInput, match="after today"):
        ops.request_evidence(claim.id, world.supervisor, None, "photos",
                             date(2026, 3, 3))  # already today in Yerevan


def test_a_visit_on_the_local_day_after_midnight_is_not_in_the_future(app, world, night,
                                                                        browser_for):
    """At 01:30 in Yerevan the verifier, called out at night, files today's visit."""
    w = world
    claim, _pin = helpers.report(w)
    claim.incident.occurred_on = date(2026, 3, 3)
    ops.screen(claim.id, w.clerk, claim.version)
    ops.assign_verifier(claim.id, w.supervisor, claim.version, w.verifier.id)
    db.session.commit()
    verifier = browser_for(w.verifier)
    page = verifier.get(f"/verification/claims/{claim.id}/report").get_data(as_text=True)
    assert 'value="2026-03-03"' in page  # the form offers the local day, not UTC's
    form = {"version": str(helpers.reload(claim).version), "visited_on": "2026-03-03",
            "haemorrhage": "y", "bite_location": "throat_nape", "carcass_handling": "dragged",
            "tracks": "leopard", "camera_trap": "none", "hours_since_attack": "2",
            "predator": "leopard", "confidence": "confirmed", "submit": "1",
            "heads_killed": str(sum(line.killed for line in claim.incident.lines))}
    for line in claim.incident.lines:
        form[f"killed_{line.id}"] = str(line.killed)
        form[f"injured_{line.id}"] = str(line.injured)
    response = verifier.post(f"/verification/claims/{claim.id}/report", data=form,
                             content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert helpers.reload(claim).state.value == "verified"


def test_other_dates_typed_at_night_are_local_too(app, world, night):
    """A measure installed, a leopard recorded and a premium paid 'today' at 01:30 local."""
    from conflict_app.mitigation import operations as measures
    from conflict_app.mitigation.models import MeasureType

    w = world
    household = helpers.household(w)
    measure = measures.record_measure(w.clerk, household, measures.MeasureInput(
        MeasureType.CORRAL,
        date(2026, 3, 3)))
    assert measure.installed_on == date(2026, 3, 3)
    measures.remove_measure(w.clerk, measure, date(2026, 3, 3))
    with pytest.raises(InvalidInput):  # tomorrow is still the future
        measures.record_measure(w.clerk, household, measures.MeasureInput(
            MeasureType.GUARD_DOG, date(2026, 3, 4)))


def test_the_status_page_dates_follow_the_area_s_own_zone(app, world, night):
    """The herder's status page reads the zone with the claim (one round trip): an area's
    own zone still wins over the country's."""
    world.syunik.timezone = "UTC"
    db.session.flush()
    hh = helpers.household(world)
    claim, pin = helpers.report(world, hh=hh, days_ago=1)
    ops.screen(claim.id, world.clerk, None)
    ops.assign_verifier(claim.id, world.supervisor, None, world.verifier.id)
    client = app.test_client()
    page = client.post("/status?lang=en", data={
        "csrf_token": csrf_token(client, "/status?lang=en"), "reference": claim.reference,
        "pin": pin}).get_data(as_text=True)
    # Visit due 48 h after the report: 4 March 21:30 UTC, already 5 March in Yerevan.
    assert "Expected by Mar 4, 2026" in page
