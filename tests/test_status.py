"""Herders: report without an account, receipt, status by PIN, SMS out and in."""

from __future__ import annotations

import gzip
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conflict_app.claims import operations as ops
from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import State
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.herders.models import Household
from conflict_app.status.models import SmsMessage, SmsStatus
from tests import helpers
from tests.conftest import csrf_token


@pytest.fixture
def outbox(app):
    path = Path(app.config["SMS_OUTBOX_FILE"])
    path.unlink(missing_ok=True)
    yield path
    path.unlink(missing_ok=True)


def sent(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def public_report(client, world, lang="en", **overrides):
    url = f"/report?country=AM&lang={lang}"
    data = {
        "csrf_token": csrf_token(client, url), "country": "AM",
        "name": "Karen Sargsyan", "phone": "+374 94 111 222",
        "village_id": str(world.shvanidzor.id), "setting": "pasture",
        "occurred_on": (clock.today() - timedelta(days=1)).isoformat(),
        "part_of_day": "evening", "species": "goat", "age_class": "adult_female",
        "killed": "2", "injured": "", "protection": "shepherd",
    }
    data.update(overrides)
    return client.post(url, data=data, content_type="multipart/form-data")


def test_start_page_offers_every_language_in_its_own_script(app):
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    for name in ("English", "Հայերեն", "ქართული", "Русский", "Türkçe", "فارسی"):
        assert name in page
    assert 'href="/login"' in page
    rtl = client.get("/?lang=fa").get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in rtl
    # The choice is remembered.
    assert 'dir="rtl"' in client.get("/status").get_data(as_text=True)


def test_browser_language_is_the_first_guess(app):
    page = app.test_client().get("/", headers={"Accept-Language": "ar-IQ,en;q=0.5"})
    assert '<html lang="ar" dir="rtl">' in page.get_data(as_text=True)


def test_herder_reports_gets_receipt_and_clerk_sees_it(app, world, browser_for, outbox):
    client = app.test_client()
    response = public_report(client, world)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    receipt = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    reference = re.search(r"<bdi>(AM-\d{4}-\d{6})</bdi>", receipt).group(1)
    pin = re.search(r"<bdi>(\d{6})</bdi>", receipt).group(1)
    assert "Keep the carcasses" in receipt
    claim = db.session.scalars(select(Claim).where(Claim.reference == reference)).one()
    assert claim.channel.value == "web" and claim.state == State.REPORTED
    assert reference in browser_for(world.clerk).get("/queue").get_data(as_text=True)
    texts = sent(outbox)
    assert texts and texts[-1]["to"] == "+37494111222" and reference in texts[-1]["text"]
    # Status with reference and PIN shows the plain step, and nothing about the household.
    client = app.test_client()
    page = client.post("/status", data={"csrf_token": csrf_token(client, "/status"),
                                        "reference": reference.lower(), "pin": pin})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'aria-current="step"' in text and "Received" in text
    assert "Karen" not in text and "+374" not in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"occurred_on": "2999-01-01"}, "cannot be in the future"),
        ({"occurred_on": "1999-12-31"}, "2000 or later"),
        ({"killed": "0", "injured": "0"}, "at least one animal"),
        ({"killed": "999999"}, "from 0 to 2000"),
        ({"photo": (io.BytesIO(b"%PDF-1.4 not a photo"), "x.jpg")}, "not a readable photo"),
    ],
)
def test_bad_reports_are_explained_and_store_nothing(app, world, overrides, message):
    before = (db.session.scalar(select(func.count(Claim.id))),
              db.session.scalar(select(func.count(Household.id))))
    response = public_report(app.test_client(), world, **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert (db.session.scalar(select(func.count(Claim.id))),
            db.session.scalar(select(func.count(Household.id)))) == before


def test_wrong_pin_and_unknown_reference_look_the_same_and_lock(app, world):
    claim, pin = helpers.report(world)
    client = app.test_client()

    def ask(reference, p):
        return client.post("/status", data={"csrf_token": csrf_token(client, "/status"),
                                            "reference": reference, "pin": p})

    wrong = ask(claim.reference, "000000" if pin != "000000" else "111111")
    unknown = ask("AM-2026-999999", pin)
    assert wrong.status_code == unknown.status_code == 400
    message = "We could not find a claim with this reference and PIN"
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    for _ in range(4):
        ask(claim.reference, "999999" if pin != "999999" else "888888")
    locked = ask(claim.reference, pin)
    assert message in locked.get_data(as_text=True)
    # The claim itself is untouched: no staff form goes stale because of a guesser.
    assert helpers.reload(claim).version == claim.version


def test_status_lookups_are_rate_limited(app, world):
    client = app.test_client()
    token = csrf_token(client, "/status")
    codes = [client.post("/status", data={"csrf_token": token, "reference": "AM-2026-000001",
                                          "pin": "123456"}).status_code for _ in range(12)]
    assert 429 in codes
    # The herder is told how long to wait, in their language.
    page = client.post("/status?lang=ru", data={"csrf_token": token,
                                                "reference": "AM-2026-000001", "pin": "1"})
    assert page.status_code == 429
    assert "Попробуйте снова через" in page.get_data(as_text=True)
    # ...and when, for a program; no header counts down the guesses left.
    assert 0 < int(page.headers["Retry-After"]) <= 3600
    assert not [k for k, _v in page.headers.items() if k.lower().startswith("x-ratelimit")]


def test_sms_at_each_visible_step_in_the_herders_language(world, outbox, app):
    hh = helpers.household(world)
    hh.language = "ru"
    db.session.commit()
    claim = helpers.approved(world, hh=hh)
    from conflict_app.status.notify import dispatch_due

    dispatch_due()
    kinds = [m.kind for m in db.session.scalars(
        select(SmsMessage).where(SmsMessage.claim_id == claim.id).order_by(SmsMessage.id))]
    assert kinds == ["received", "visit_planned", "approved"]
    assert all(m["to"] == "+37491234567" for m in sent(outbox))


def test_gateway_failure_keeps_the_claim_change_and_retries(world, app, monkeypatch):
    from conflict_app.status import notify
    from conflict_app.status.gateways import GatewayError

    class Down:
        def send(self, phone, text):
            raise GatewayError("provider down")

    monkeypatch.setattr(notify, "from_config", lambda config: Down())
    claim, _ = helpers.report(world)
    # The receipt text was tried right after the report committed, and failed.
    message = db.session.scalars(select(SmsMessage).where(SmsMessage.claim_id == claim.id)).one()
    assert message.status == SmsStatus.QUEUED and message.last_error == "provider down"
    assert message.attempts == 1
    assert notify.dispatch_due() == (0, 0)  # the retry waits its back-off
    assert helpers.reload(claim).state == State.REPORTED
    monkeypatch.undo()
    clock.freeze(clock.now() + timedelta(minutes=5))
    assert notify.dispatch_due() == (1, 0)


def test_sms_status_query_with_secret(app, world, outbox):
    app.config["SMS_INBOUND_SECRET"] = "s3cret"
    try:
        claim, pin = helpers.report(world)
        ops.screen(claim.id, world.clerk, claim.version)
        client = app.test_client()
        refused = client.post("/sms/inbound", data={"from": "+37491234567", "text": "x"},
                              headers={"X-Pardus-Secret": "wrong"})
        assert refused.status_code == 403
        response = client.post("/sms/inbound",
                               data={"from": "+37491234567",
                                     "text": f"STATUS {claim.reference} {pin}"},
                               headers={"X-Pardus-Secret": "s3cret"})
        assert response.status_code == 200
        reply = sent(outbox)[-1]
        assert reply["to"] == "+37491234567"
        # The answer is in the household's language (Armenian): "Being checked".
        assert claim.reference in reply["text"] and "Ստուգվում է" in reply["text"]
        client.post("/sms/inbound", data={"from": "+37491234567",
                                          "text": f"СТАТУС {claim.reference} 000000"},
                    headers={"X-Pardus-Secret": "s3cret"})
        not_found = sent(outbox)[-1]["text"]
        assert claim.reference not in not_found
        # Asked in Russian, answered in Russian, with the Russian keyword to use.
        assert "СТАТУС" in not_found
    finally:
        app.config["SMS_INBOUND_SECRET"] = None


def test_public_pages_are_light_and_self_contained(app, world):
    client = app.test_client()
    response = client.get("/static/public.css")
    css = response.get_data()
    response.close()
    for url in ("/", "/report?country=AM", "/status"):
        response = client.get(url)
        html = response.get_data()
        weight = len(gzip.compress(html)) + len(gzip.compress(css))
        assert weight <= 30 * 1024, (url, weight)
        text = html.decode()
        assert "<script" not in text
        assert not re.search(r'(src|href)="(https?:)?//', text), url
