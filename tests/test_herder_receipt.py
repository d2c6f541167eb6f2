"""A herder's receipt and letters: a receipt page that survives a reload (the PIN shown
once, and texted), its PDF with a QR code, and the decision letter after the PIN."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from conflict_app.claims import operations as ops
from conflict_app.claims import pins
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.i18n.bidi import LRI, PDI, RLM
from conflict_app.status.models import SmsMessage
from tests import helpers
from tests.conftest import csrf_token
from tests.test_documents import _pdf_text
from tests.test_status import public_report, sent


@pytest.fixture
def outbox(app):
    path = Path(app.config["SMS_OUTBOX_FILE"])
    path.unlink(missing_ok=True)
    yield path
    path.unlink(missing_ok=True)

REF = re.compile(r"AM-\d{4}-\d{6}")


def _report_and_follow(client, world, **kw):
    response = public_report(client, world, **kw)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    first = client.get(response.headers["Location"])
    assert first.status_code == 302  # on to the receipt's own link
    link = first.headers["Location"]
    return link, client.get(link).get_data(as_text=True)


def test_receipt_page_can_be_reloaded_and_shows_the_pin_once(app, world, outbox):
    client = app.test_client()
    link, page = _report_and_follow(client, world)
    reference = REF.search(page).group(0)
    pin = re.search(r"<bdi>(\d{6})</bdi>", page).group(1)
    assert "we also sent it to you by SMS" in page
    again = client.get(link)
    assert again.status_code == 200
    text = again.get_data(as_text=True)
    assert reference in text and pin not in text
    assert "The PIN was shown once, when you sent the report. We also sent it to you by SMS." \
        in text
    # Another browser with the link (a print shop, a relative) sees the receipt, no PIN.
    other = app.test_client().get(link).get_data(as_text=True)
    assert reference in other and pin not in other
    # The receipt text carried the PIN to the herder's phone.
    texts = [t for t in sent(outbox) if reference in t["text"]]
    assert texts and pin in texts[0]["text"] and texts[0]["to"] == "+37494111222"


def test_receipt_link_is_signed_and_short_lived(app, world):
    client = app.test_client()
    link, _page = _report_and_follow(client, world)
    token = link.rsplit("/", 1)[1]
    assert client.get(link[:-3] + ("abc" if not link.endswith("abc") else "xyz")).status_code \
        == 404
    assert client.get("/report/receipt/" + token[::-1]).status_code == 404
    clock.freeze(clock.now() + timedelta(minutes=app.config["RECEIPT_LINK_MINUTES"] + 1))
    assert client.get(link).status_code == 404
    assert client.get(link + "/receipt.pdf").status_code == 404


def test_reference_never_wraps_at_its_hyphen(app, world):
    client = app.test_client()
    _link, page = _report_and_follow(client, world, lang="fa")
    assert re.search(r'class="big ref"><bdi>AM-\d{4}-\d{6}</bdi>', page)
    css = client.get("/static/public.css").get_data(as_text=True)
    rule = re.search(r"\.ref\{([^}]*)\}", css).group(1)
    assert "white-space:nowrap" in rule


def test_receipt_pdf_for_the_herder_has_the_reference_and_the_status_qr(app, world):
    client = app.test_client()
    link, page = _report_and_follow(client, world)
    reference = REF.search(page).group(0)
    pin = re.search(r"<bdi>(\d{6})</bdi>", page).group(1)
    assert f'href="{link}/receipt.pdf"' in page
    response = client.get(link + "/receipt.pdf")
    assert response.headers["Cache-Control"] == "no-store"
    content = _pdf_text(response)
    assert reference in content and pin not in content
    assert "Your PIN was sent to you by SMS" in content
    assert "http://localhost/status" in content  # the address the QR code holds
    from tests.test_documents import Drawn

    page_ops = Drawn(response.get_data()).reader.pages[0].get_contents().get_data()
    assert page_ops.count(b" re") > 100  # the QR code's dark modules


def _check(client, reference, pin):
    return client.post("/status", data={"csrf_token": csrf_token(client, "/status"),
                                         "reference": reference, "pin": pin})


def _approved(world):
    claim = helpers.assessed(world)
    ops.approve(claim.id, world.approver, claim.version)
    if claim.state.value != "approved":
        ops.approve(claim.id, world.approver2, claim.version)
    return claim


def test_decision_letter_only_after_the_pin_and_only_for_that_claim(app, world):
    claim = _approved(world)
    pin = "135790"
    claim.pin_hash = pins.hash_pin(pin)
    other = _approved(world)
    db.session.commit()
    client = app.test_client()
    assert client.get("/status/decision.pdf").status_code == 404  # no PIN given yet
    page = _check(client, claim.reference, pin).get_data(as_text=True)
    assert 'href="/status/decision.pdf"' in page
    content = _pdf_text(client.get("/status/decision.pdf"))
    assert claim.reference in content and other.reference not in content
    # A wrong PIN for another claim does not open that one, nor keep the first one.
    _check(client, other.reference, "000000")
    content = _pdf_text(client.get("/status/decision.pdf"))
    assert other.reference not in content
    # The permission ends with the sealed value's age.
    clock.freeze(clock.now() + timedelta(minutes=16))
    assert client.get("/status/decision.pdf").status_code == 404


def test_no_decision_letter_before_a_decision(app, world):
    claim, pin = helpers.report(world)
    client = app.test_client()
    page = _check(client, claim.reference, pin).get_data(as_text=True)
    assert "decision.pdf" not in page
    assert client.get("/status/decision.pdf").status_code == 404


def test_the_pin_is_texted_but_never_stored_in_clear(app, world, outbox):
    claim, pin = helpers.report(world)
    message = db.session.scalars(select(SmsMessage).where(
        SmsMessage.claim_id == claim.id, SmsMessage.kind == "received")).one()
    assert pin not in message.body and "******" in message.body
    assert message.secret is None  # sent: the sealed PIN is gone too
    assert any(pin in t["text"] for t in sent(outbox))


def test_rtl_receipt_text_starts_with_rlm_and_isolates_latin(app, world, outbox):
    household = helpers.household(world)
    household.language = "fa"
    db.session.commit()
    claim, pin = helpers.report(world, hh=household)
    text = [t["text"] for t in sent(outbox) if claim.reference in t["text"]][0]
    assert text.startswith(RLM)
    assert f"{LRI}{claim.reference}{PDI}" in text and f"{LRI}{pin}{PDI}" in text
    assert "گزارش" in text or "دریافت" in text  # in Persian, not English
