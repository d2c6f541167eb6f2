"""Prevention alerts through the HTTP interface: a verified leopard attack texts the
neighbours within the distance in their language, staff broadcasts are previewed before
they are sent, STOP/START work in any language, and each village is rate-limited."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from conflict_app.alerts.models import Alert, AlertOptOut
from conflict_app.api import tokens
from conflict_app.claims.workflow import State
from conflict_app.core import audit, clock
from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db
from conflict_app.geo.models import Village
from conflict_app.herders import operations as household_ops
from conflict_app.i18n import bidi
from conflict_app.status.models import SmsMessage
from tests import helpers

SECRET = "s3cret"


@pytest.fixture
def place(world):
    """Households around Shvanidzor: two neighbours within 10 km (Persian and Russian
    speakers), one 21 km away in Shikahogh, one in Vayots Dzor."""
    world.nrnadzor = Village(country_code="AM", admin1_id=world.syunik.id,
                             admin2_id=world.meghri.id, name="Nrnadzor",
                             latitude=Decimal("38.9700"), longitude=Decimal("46.3600"))
    db.session.add(world.nrnadzor)
    db.session.flush()

    def home(name, village, language, phone):
        return household_ops.register_household(
            world.clerk if village.admin1_id == world.syunik.id else world.other_clerk,
            household_ops.HouseholdInput(head_name=name, village_id=village.id,
                                         language=language, phone=phone,
                                         latitude=Decimal("38.9500"),
                                         longitude=Decimal("46.3400")))

    world.victim = helpers.household(world, name="Armen Petrosyan")  # hy, +37491234567
    world.same_village = home("Hossein Rahimi", world.shvanidzor, "fa", "+37491000001")
    world.next_village = home("Irina Volkova", world.nrnadzor, "ru", "+37491000002")
    world.pashto = home("Gul Khan", world.nrnadzor, "ps", "+37491000004")
    world.far = home("Vardan Harutyunyan", world.shikahogh, "hy", "+37491000003")
    world.other_area = home("Ani Sargsyan", world.gndevaz, "hy", "+37491000005")
    return world


def alert_texts(kind="attack") -> list[SmsMessage]:
    return list(db.session.scalars(select(SmsMessage).where(
        SmsMessage.kind == kind, SmsMessage.direction == "out").order_by(SmsMessage.id)))


def verify_by_http(world, browser_for, claim):
    from conflict_app.claims import operations as ops

    ops.screen(claim.id, world.clerk, claim.version)
    ops.assign_verifier(claim.id, world.supervisor, claim.version, world.verifier.id)
    claim = helpers.reload(claim)
    line = claim.incident.lines[0]
    response = browser_for(world.verifier).post(
        f"/verification/claims/{claim.id}/report",
        data={"version": str(claim.version), "visited_on": clock.today().isoformat(),
              "haemorrhage": "y", "bite_location": "throat_nape", "claw_rakes": "y",
              "carcass_handling": "cached", "heads_killed": "3", "tracks": "leopard",
              "camera_trap": "none", "predator": "leopard", "confidence": "confirmed",
              f"killed_{line.id}": "3", f"injured_{line.id}": "0", "submit": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    assert helpers.reload(claim).state == State.VERIFIED


def sms_in(client, phone, text):
    return client.post("/sms/inbound", data={"from": phone, "text": text},
                       headers={"X-Pardus-Secret": SECRET})


@pytest.fixture
def webhook(app):
    app.config["SMS_INBOUND_SECRET"] = SECRET
    yield app.test_client()
    app.config["SMS_INBOUND_SECRET"] = None


def test_a_verified_attack_texts_the_neighbours_within_the_distance_only(place, browser_for):
    world = place
    claim, _pin = helpers.report(world, hh=world.victim)
    verify_by_http(world, browser_for, claim)
    texts = alert_texts()
    by_phone = {t.phone: t for t in texts}
    # The neighbours within 10 km, once each, in their own language.
    assert set(by_phone) == {"+37491000001", "+37491000002", "+37491000004"}
    assert by_phone["+37491000001"].locale == "fa"
    assert by_phone["+37491000002"].locale == "ru"
    assert by_phone["+37491000004"].locale == "ps"
    # Not the village 21 km away, not another province, not the victim's own phone: the
    # victim's household gets only its own claim's texts.
    victim_texts = db.session.scalars(select(SmsMessage).where(
        SmsMessage.phone == world.victim.phone)).all()
    assert victim_texts and all(t.claim_id == claim.id for t in victim_texts)
    russian = by_phone["+37491000002"].body
    assert "Shvanidzor" in russian and "леопард" in russian.lower()
    persian = by_phone["+37491000001"].body
    assert persian.startswith(bidi.RLM) and "لغو" in persian and "Shvanidzor" in persian
    # Nothing that points at the household or the spot.
    for text in texts:
        assert text.claim_id is None
        for secret in ("Armen", "Petrosyan", claim.reference, "38.9", "46.3"):
            assert secret not in text.body
    alert = db.session.scalars(select(Alert)).one()
    assert alert.claim_id == claim.id and alert.phones == 3
    assert {r.village_id for r in alert.reached} == {world.shvanidzor.id, world.nrnadzor.id}
    entry = audit.history("alert", alert.id)[0]
    assert entry.action == "alert_attack" and '"phones": 3' in entry.changes
    # The supervisor sees it in the list, with the village and not the household.
    page = browser_for(world.supervisor).get("/alerts").get_data(as_text=True)
    assert "Shvanidzor" in page and "Petrosyan" not in page


def test_an_attack_not_by_a_leopard_sends_no_alert(place):
    from conflict_app.verification import operations as verification_ops
    from conflict_app.verification.checklist import Confidence, Predator

    claim, _pin = helpers.report(place, hh=place.victim)
    from conflict_app.claims import operations as ops

    ops.screen(claim.id, place.clerk, claim.version)
    ops.assign_verifier(claim.id, place.supervisor, claim.version, place.verifier.id)
    verification_ops.file_verification(claim.id, place.verifier, claim.version,
                                       verification_ops.VerificationInput(
                                           visited_on=clock.today(), signs=helpers.signs(),
                                           predator=Predator.WOLF,
                                           confidence=Confidence.NOT_LEOPARD,
                                           confirmed={ln.id: (ln.killed, ln.injured)
                                                      for ln in claim.incident.lines}))
    assert alert_texts() == [] and db.session.scalars(select(Alert)).all() == []


def test_each_village_gets_at_most_one_alert_in_the_window(place):
    helpers.verified(place, hh=place.victim)
    assert len(alert_texts()) == 3
    # A second attack nearby the same day: the villages were alerted already.
    second = helpers.household(place, name="Second Victim")
    helpers.verified(place, hh=second)
    assert len(alert_texts()) == 3
    alerts = db.session.scalars(select(Alert).order_by(Alert.id)).all()
    assert alerts[1].phones == 0 and alerts[1].villages_skipped == 2
    # A day later the limit has passed.
    clock.freeze(clock.now() + timedelta(hours=25))
    third = helpers.household(place, name="Third Victim")
    helpers.verified(place, hh=third, days_ago=0)
    assert len(alert_texts()) == 6


def test_the_window_and_distance_are_a_country_setting(place):
    from conflict_app.alerts import operations

    operations.set_settings("AM", 25, 48)
    helpers.verified(place, hh=place.victim)
    assert "+37491000003" in {t.phone for t in alert_texts()}  # Shikahogh, 21 km


def test_stop_and_start_in_persian_russian_and_pashto(place, webhook):
    for phone, word, locale in (("+37491000001", "لغو", "fa"),
                                ("+37491000002", "стоп", "ru"),
                                ("+37491000004", "بس", "ps")):
        assert sms_in(webhook, phone, word).status_code == 200
        reply = alert_texts("alerts_off")[-1]
        assert reply.phone == phone and reply.locale == locale
        assert db.session.scalar(select(AlertOptOut.stopped).where(
            AlertOptOut.phone == phone)) is True
    helpers.verified(place, hh=place.victim)
    assert alert_texts() == []  # every neighbour opted out
    # START again (in Persian): that phone gets the next alert, the others still none.
    assert sms_in(webhook, "+37491000001", "شروع").status_code == 200
    assert alert_texts("alerts_on")[-1].locale == "fa"
    clock.freeze(clock.now() + timedelta(hours=25))
    other = helpers.household(place, name="Another Victim")
    helpers.verified(place, hh=other, days_ago=0)
    assert {t.phone for t in alert_texts()} == {"+37491000001"}
    actions = [e.action for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "alert_opt_out"))]
    assert actions.count("alerts_off") == 3 and actions.count("alerts_on") == 1


def test_a_status_question_is_not_taken_for_a_keyword(place, webhook):
    assert sms_in(webhook, "+37491000001", "STOP please now").status_code == 200
    assert alert_texts("alerts_off") == []


def test_a_broadcast_is_previewed_then_sent(place, browser_for):
    supervisor = browser_for(place.supervisor)
    form = supervisor.get("/alerts/broadcast")
    assert form.status_code == 200 and "Meghri" in form.get_data(as_text=True)
    preview = supervisor.post("/alerts/broadcast", data={"area_id": str(place.meghri.id)})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "4 phones in 2 villages get the text" in page  # victim, fa, ru and ps
    assert "Yes, send the alert" in page and alert_texts("broadcast") == []
    done = supervisor.post("/alerts/broadcast", data={"area_id": str(place.meghri.id),
                                                     "confirmed": "1"})
    assert done.status_code == 302
    texts = alert_texts("broadcast")
    assert len(texts) == 4 and {t.locale for t in texts} == {"hy", "fa", "ru", "ps"}
    alert = db.session.scalars(select(Alert)).one()
    assert audit.history("alert", alert.id)[0].actor_id == place.supervisor.id
    # Right away again: both villages had their alert, nothing to send.
    again = supervisor.post("/alerts/broadcast", data={"area_id": str(place.meghri.id),
                                                      "confirmed": "1"})
    assert again.status_code == 400 and len(alert_texts("broadcast")) == 4


def test_a_broadcast_outside_the_jurisdiction_or_role_is_refused(place, browser_for):
    supervisor = browser_for(place.supervisor)
    response = supervisor.post("/alerts/broadcast", data={"area_id": str(place.vayots.id),
                                                         "confirmed": "1"})
    assert response.status_code == 403
    assert "This place is outside your jurisdiction." in response.get_data(as_text=True)
    assert supervisor.post("/alerts/broadcast", data={"area_id": "x"}).status_code == 400
    assert browser_for(place.clerk).get("/alerts/broadcast").status_code == 403
    assert alert_texts("broadcast") == []


def test_the_api_lists_alerts_in_the_users_area(app, place):
    helpers.verified(place, hh=place.victim)

    def get(user):
        _token, secret = tokens.issue(user, "tests", tokens.allowed_scopes(user))
        return app.test_client().get("/api/v1/alerts",
                                     headers={"Authorization": f"Bearer {secret}"})

    listed = get(place.supervisor).get_json()
    assert [a["village"] for a in listed["items"]] == ["Shvanidzor"]
    assert listed["items"][0]["phones"] == 3 and "household" not in str(listed)
    assert get(place.ge_clerk).status_code == 403  # a clerk may not list alerts
    assert get(place.manager).get_json()["items"][0]["kind"] == "attack"


def test_the_analytics_page_refuses_with_too_few_attacks(place, browser_for):
    helpers.verified(place, hh=place.victim)
    page = browser_for(place.analyst).get("/analytics/alerts")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "fewer than 10 attacks in all" in text and "C: control-impact" in text


def test_generated_households_in_a_synthetic_province_are_never_texted(place):
    from conflict_app.geo.models import AdminArea
    from conflict_app.herders.models import Household

    synthetic = AdminArea(country_code="AM", level=1, name="Landscape", synthetic=True)
    db.session.add(synthetic)
    db.session.flush()
    near = Village(country_code="AM", admin1_id=synthetic.id, name="Generated",
                   latitude=Decimal("38.9490"), longitude=Decimal("46.3430"))
    db.session.add(near)
    db.session.flush()
    db.session.add(Household(head_name="Generated", phone="+37491000099", village_id=near.id,
                             country_code="AM", admin1_id=synthetic.id, language="hy"))
    db.session.flush()
    helpers.verified(place, hh=place.victim)
    assert "+37491000099" not in {t.phone for t in alert_texts()}
    assert len(alert_texts()) == 3


def test_the_command_line_sets_a_country_and_prints_the_comparison(app, place):
    import json

    runner = app.test_cli_runner()
    result = runner.invoke(args=["alerts", "settings", "AM", "--radius-km", "25",
                                 "--window-hours", "48"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["alerts", "settings", "AM", "--radius-km", "500"]).exit_code
    helpers.verified(place, hh=place.victim)
    assert "+37491000003" in {t.phone for t in alert_texts()}  # 21 km, within 25
    out = runner.invoke(args=["alerts", "effect", "--country", "am"])
    data = json.loads(out.output)
    assert data["villages_alerted"] == 3 and data["suppressed"] == "few_events"
    assert data["grade"] == "C"
    assert "Shvanidzor" in runner.invoke(args=["alerts", "list"]).output


def test_the_broadcast_preview_in_persian_reads_right_to_left(place, browser_for):
    supervisor = browser_for(place.supervisor)
    supervisor.get("/alerts?lang=fa")
    page = supervisor.post("/alerts/broadcast", data={"area_id": str(place.meghri.id)})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'dir="rtl"' in html
    assert "پیش از ارسال بررسی کنید" in html  # "Check before you send"
    assert "لغو" in html  # the Persian household's text, with its opt-out word


def test_the_analytics_page_shows_the_ratio_with_its_interval(place, browser_for,
                                                             monkeypatch):
    from datetime import date as day

    from conflict_app.alerts import effect, views

    monday = day(2026, 3, 2)
    first = {v: monday for v in range(10)}
    attacks = [(v, monday + timedelta(days=8 + v % 14)) for v in range(10)] + \
        [(v, monday + timedelta(days=9 + v % 14)) for v in range(10, 40)]
    known = effect.tally(first, 60, attacks, 4)
    assert known.ratio is not None
    monkeypatch.setattr(views.effect, "compare", lambda user, country, weeks: known)
    html = browser_for(place.analyst).get("/analytics/alerts").get_data(as_text=True)
    assert f"{known.ratio:.2f}" in html and f"{known.ci_high:.2f}" in html
    assert "Not shown" not in html and "biased against the alerts" in html
