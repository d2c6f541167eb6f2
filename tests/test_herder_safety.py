"""What an anonymous visitor can and cannot make the service do: texts to a phone are
limited and fixed in wording; a locked-out herder gets a new PIN on the registered phone;
the privacy notice is on every public page; the herder's photos reach the right staff."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from conflict_app.claims import intake
from conflict_app.claims import operations as ops
from conflict_app.core import audit, clock
from conflict_app.extensions import db
from conflict_app.i18n import LOCALES
from conflict_app.status.models import SmsMessage
from tests import helpers
from tests.conftest import csrf_token
from tests.test_status import public_report, sent


@pytest.fixture
def outbox(app):
    path = Path(app.config["SMS_OUTBOX_FILE"])
    path.unlink(missing_ok=True)
    yield path
    path.unlink(missing_ok=True)

NEUTRAL = "If this reference is right, a new PIN is on its way by SMS"


def _texts(phone: str, kind: str) -> list[SmsMessage]:
    return db.session.scalars(select(SmsMessage).where(SmsMessage.phone == phone,
                                                       SmsMessage.kind == kind)).all()


def test_anonymous_reports_cannot_flood_a_phone_with_texts(app, world):
    victim = "+374 94 555 666"
    for n in range(5):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.9.0.{n + 1}"
        response = public_report(client, world, phone=victim, name=f"Visit {n} call me")
        assert response.status_code == 302
    texts = _texts("+37494555666", "received")
    assert len(texts) == app.config["PUBLIC_TEXTS_PER_PHONE"]
    # Fixed words: nothing the reporter typed goes out.
    assert not any("call me" in t.body for t in texts)


def _ask_new_pin(client, reference):
    url = "/status"
    return client.post("/status/pin", data={"resend-csrf_token": csrf_token(client, url),
                                            "resend-reference": reference})


def _lock(app, client, claim, pin):
    wrong = "000000" if pin != "000000" else "111111"
    for _ in range(app.config["PIN_FAILURES_BEFORE_LOCK"]):
        client.post("/status", data={"csrf_token": csrf_token(client, "/status"),
                                     "reference": claim.reference, "pin": wrong})


def test_a_locked_out_herder_gets_a_new_pin_and_the_step_by_sms(app, world, outbox):
    claim, pin = helpers.report(world)
    ops.screen(claim.id, world.clerk, claim.version)
    client = app.test_client()
    _lock(app, client, claim, pin)
    answer = _ask_new_pin(client, claim.reference.lower())
    assert answer.status_code == 200 and NEUTRAL in answer.get_data(as_text=True)
    text = sent(outbox)[-1]
    assert text["to"] == "+37491234567" and claim.reference in text["text"]
    new_pin = re.search(r"(\d{6})", text["text"].replace(claim.reference, "")).group(1)
    assert "Ստուգվում է" in text["text"]  # the step, in the household's Armenian
    stored = _texts("+37491234567", "pin_resent")[0]
    assert new_pin not in stored.body and stored.secret is None
    # The lock holds; once it ends, the new PIN works and the old one does not.
    status = client.post("/status", data={"csrf_token": csrf_token(client, "/status"),
                                          "reference": claim.reference, "pin": new_pin})
    assert "We could not find a claim" in status.get_data(as_text=True)
    clock.freeze(clock.now() + __import__("datetime").timedelta(
        minutes=app.config["PIN_LOCK_MINUTES"] + 1))
    limiter_reset()
    ok = client.post("/status", data={"csrf_token": csrf_token(client, "/status"),
                                      "reference": claim.reference, "pin": new_pin})
    assert 'aria-current="step"' in ok.get_data(as_text=True)
    old = client.post("/status", data={"csrf_token": csrf_token(client, "/status"),
                                       "reference": claim.reference, "pin": pin})
    assert "We could not find a claim" in old.get_data(as_text=True)
    # The claim's version did not move: a clerk's open form stays valid.
    assert helpers.reload(claim).version == claim.version
    actions = [e.action for e in audit.history("claim", claim.id)]
    assert "resend_pin" in actions
    # Staff read it on the claim's timeline in words, not as a code.
    from tests.conftest import Browser

    clerk = Browser(app.test_client())
    clerk.login(world.clerk)
    timeline = clerk.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "New PIN texted at the herder&#39;s request" in timeline


def limiter_reset():
    from conflict_app.extensions import limiter

    limiter.reset()


def test_new_pins_are_limited_per_claim_with_the_same_answer(app, world, outbox):
    claim, _pin = helpers.report(world)
    answers = set()
    for n in range(app.config["PIN_RESENDS_PER_CLAIM"] + 2):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.8.0.{n + 1}"
        limiter_reset()
        response = _ask_new_pin(client, claim.reference)
        assert response.status_code == 200
        answers.add(re.sub(r'value="[^"]*"', "", response.get_data(as_text=True)))
    unknown = _ask_new_pin(app.test_client(), "AM-2026-999999")
    answers.add(re.sub(r'value="[^"]*"', "", unknown.get_data(as_text=True)))
    assert len(answers) == 1  # the same page whatever happened
    # The phone's daily limit counts the receipt text too.
    expected = min(app.config["PIN_RESENDS_PER_CLAIM"], app.config["PUBLIC_TEXTS_PER_PHONE"] - 1)
    assert len(_texts("+37491234567", "pin_resent")) == expected
    entries = [e for e in audit.history("claim", claim.id) if e.action.startswith("resend")]
    assert [e.action for e in entries].count("resend_pin_refused") >= 2
    assert all(e.actor_id is None for e in entries)


def test_privacy_notice_in_every_language_linked_from_public_pages(app, world):
    app.config["PRIVACY_OPERATORS"] = {"AM": {"name": "Ministry of Environment of Armenia",
                                              "contact": "+374 10 585 469"}}
    try:
        client = app.test_client()
        seen = set()
        for locale in LOCALES:
            for url in ("/", "/status", "/report?country=AM"):
                page = client.get(f"{url}{'&' if '?' in url else '?'}lang={locale}")
                assert 'href="/privacy"' in page.get_data(as_text=True), (url, locale)
            notice = client.get("/privacy/AM").get_data(as_text=True)
            assert "Ministry of Environment of Armenia" in notice
            assert "+374 10 585 469" in notice
            years = str(app.config["RETENTION_YEARS"])
            assert years in notice
            seen.add(re.search(r"<h1>(.*?)</h1>", notice).group(1))
        assert len(seen) >= len(LOCALES) - 1  # Persian and Dari may share a title
        assert client.get("/privacy/ZZ").status_code == 404
    finally:
        app.config["PRIVACY_OPERATORS"] = {}


def test_receipt_text_links_the_privacy_notice(app, world, outbox):
    claim, _pin = helpers.report(world)
    text = [t["text"] for t in sent(outbox) if claim.reference in t["text"]][0]
    assert "http://localhost/privacy/AM" in text


def test_herders_photos_are_shown_to_case_staff_only(app, world, browser_for):
    from datetime import timedelta

    from conflict_app.claims.models import AgeClass, Channel, Setting
    from conflict_app.herders.models import Species

    data = intake.ReportInput(occurred_on=clock.today() - timedelta(days=1),
                           setting=Setting.PASTURE,
                           lines=[intake.LossInput(Species.GOAT, AgeClass.ADULT_FEMALE, 1, 0)])
    claim, _pin = intake.register_report(None, helpers.household(world), data, Channel.WEB,
                                      photos=[helpers.photo_bytes()])
    clerk = browser_for(world.clerk)
    page = clerk.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Photos sent with the report" in page
    src = re.search(r'<img class="evidence" src="([^"]+)"', page).group(1)
    photo = clerk.get(src)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert "no-store" in photo.headers["Cache-Control"]
    finance = browser_for(world.finance)
    page = finance.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Photos sent with the report" not in page and src not in page
    assert finance.get(src).status_code == 404
    assert browser_for(world.other_clerk).get(src).status_code == 404


def test_an_example_phone_in_a_right_to_left_error_keeps_its_digit_groups(app, world):
    from conflict_app.i18n.bidi import FSI, PDI

    response = public_report(app.test_client(), world, lang="fa", phone="12")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    example = re.search(f"{FSI}([0-9 ]+){PDI}", page)
    assert example is not None and " " in example.group(1)  # "077 123456", isolated
    english = public_report(app.test_client(), world, lang="en", phone="12")
    assert FSI not in english.get_data(as_text=True)
