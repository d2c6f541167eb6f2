"""A herder's PIN is never kept in clear: not in idempotency records, not in stored texts,
not in the (signed but readable) session cookie, and so not in backups either."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from conflict_app.api import tokens
from conflict_app.api.models import IdempotencyRecord
from conflict_app.core import clock
from conflict_app.core.backup import _encode
from conflict_app.extensions import db
from conflict_app.status.models import SmsMessage
from tests import helpers
from tests.test_api import report_body
from tests.test_status import public_report


def session_text(app, client) -> str:
    """What anyone holding the cookie can read (it is signed, not encrypted)."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    data = SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie.value)
    return repr(data)


def every_row_text() -> str:
    """Every value of every table: what a backup holds."""
    conn = db.session.connection()
    return "\n".join(repr({k: _encode(v) for k, v in row.items()})
                     for table in db.metadata.sorted_tables
                     for row in conn.execute(select(table)).mappings())


def holds(text: str, pin: str) -> bool:
    """The PIN as a number of its own: not six digits inside a coordinate ('38.948000'),
    an id or a timestamp, which a random PIN matches now and then."""
    return re.search(rf"(?<![\d.]){pin}(?!\d)", text) is not None


def test_a_clerks_session_cookie_never_holds_the_pin(app, world, browser_for):
    clerk = browser_for(world.clerk)
    household = helpers.household(world)
    url = f"/households/{household.id}/report"
    response = clerk.post(url, data={
        "occurred_on": (clock.today() - timedelta(days=1)).isoformat(),
        "setting": "pasture", "part_of_day": "night", "village_id": str(household.village_id),
        "lines-0-species": "sheep", "lines-0-age_class": "adult_female",
        "lines-0-killed": "2", "lines-0-injured": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    cookie = session_text(app, clerk.client)
    page = clerk.get(response.headers["Location"]).get_data(as_text=True)
    pin = re.search(r'class="pin"><bdi>(\d{6})</bdi>', page).group(1)
    assert not holds(cookie, pin)
    assert not holds(every_row_text(), pin)


def test_a_herders_receipt_cookie_never_holds_the_pin(app, world):
    client = app.test_client()
    response = public_report(client, world)
    assert response.status_code == 302
    cookie = session_text(app, client)
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    pin = re.search(r"<bdi>(\d{6})</bdi>", page).group(1)
    assert not holds(cookie, pin)
    assert not holds(every_row_text(), pin)


def test_an_inbound_status_text_is_stored_without_the_pin(app, world):
    claim, pin = helpers.report(world)
    app.config["SMS_INBOUND_SECRET"] = "s3cret"
    try:
        answer = app.test_client().post(
            "/sms/inbound", data={"from": "+37491234567",
                                  "text": f"STATUS {claim.reference} {pin}"},
            headers={"X-Pardus-Secret": "s3cret"})
    finally:
        app.config["SMS_INBOUND_SECRET"] = None
    assert answer.status_code == 200
    stored = db.session.scalars(select(SmsMessage).where(SmsMessage.direction == "in")).one()
    assert pin not in stored.body and claim.reference in stored.body
    assert stored.body == f"STATUS {claim.reference} ******"
    # The herder's reply still came: the PIN was checked before it was redacted.
    reply = db.session.scalars(select(SmsMessage).where(SmsMessage.kind == "status")).one()
    assert claim.reference in reply.body
    assert not holds(every_row_text(), pin)


def test_a_pin_texted_in_groups_answers_and_is_not_stored(app, world, monkeypatch):
    """«482 913» or «۴۸۲ ۹۱۳»: the same PIN as 482913. It opens the claim, and the stored
    text masks it like an unbroken one (before, it was neither read nor masked)."""
    claim, pin = helpers.report(world)
    monkeypatch.setitem(app.config, "SMS_INBOUND_SECRET", "s3cret")
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    texts = [f"STATUS {claim.reference} {pin[:3]} {pin[3:]}",
             f"STATUS {claim.reference} PIN {pin[:3]}-{pin[3:]}".translate(persian)]
    for text in texts:
        answer = app.test_client().post(
            "/sms/inbound", data={"from": "+37491234567", "text": text},
            headers={"X-Pardus-Secret": "s3cret"})
        assert answer.status_code == 200
    replies = db.session.scalars(select(SmsMessage).where(SmsMessage.kind == "status")).all()
    assert len(replies) == 2 and all(claim.reference in r.body for r in replies)
    stored = db.session.scalars(select(SmsMessage).where(SmsMessage.direction == "in")).all()
    assert [s.body for s in stored] == [
        f"STATUS {claim.reference} *******",
        f"STATUS {claim.reference} PIN *******".translate(persian)]
    backup = every_row_text()
    for digits in (pin, pin.translate(persian)):
        assert not re.search(rf"(?<![\d.]){'[ -]?'.join(digits)}(?!\d)", backup)


def test_idempotency_records_keep_no_pin_and_expire(app, world):
    household = helpers.household(world)
    _token, secret = tokens.issue(world.clerk, "tests", tokens.allowed_scopes(world.clerk))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "report-7"}
    created = client.post("/api/v1/claims", json=report_body(household.id), headers=headers)
    assert created.status_code == 201
    pin = created.get_json()["pin"]
    record = db.session.scalars(select(IdempotencyRecord)).one()
    assert pin not in record.body
    assert not holds(every_row_text(), pin)
    # A retry gets the same claim; the PIN was given once and is not repeated.
    again = client.post("/api/v1/claims", json=report_body(household.id), headers=headers)
    assert again.status_code == 201
    assert again.get_json()["reference"] == created.get_json()["reference"]
    assert again.get_json()["pin"] is None
    # After the retention time the record is purged by the daily job's command.
    clock.freeze(clock.now() + timedelta(hours=app.config["IDEMPOTENCY_HOURS"] + 1))
    result = app.test_cli_runner().invoke(args=["jobs", "run", "api.purge_idempotency"])
    assert result.exit_code == 0, result.output
    assert "api.purge_idempotency: 1" in result.output
    assert db.session.scalars(select(IdempotencyRecord)).first() is None


def test_an_expired_idempotency_key_is_not_replayed(app, world):
    household = helpers.household(world)
    _token, secret = tokens.issue(world.clerk, "tests", tokens.allowed_scopes(world.clerk))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "report-8"}
    first = client.post("/api/v1/claims", json=report_body(household.id), headers=headers)
    clock.freeze(clock.now() + timedelta(hours=app.config["IDEMPOTENCY_HOURS"] + 1))
    later = client.post("/api/v1/claims", json=report_body(household.id), headers=headers)
    assert later.status_code == 201 and later.get_json()["pin"]
    assert later.get_json()["reference"] != first.get_json()["reference"]


def test_a_reissued_pin_is_shown_once_and_never_held_by_the_cookie(app, world, browser_for):
    clerk = browser_for(world.clerk)
    claim, _ = helpers.report(world)
    response = clerk.post(f"/claims/{claim.id}/pin", data={"version": str(claim.version)})
    assert response.status_code == 302
    cookie = session_text(app, clerk.client)
    page = clerk.get(response.headers["Location"]).get_data(as_text=True)
    pin = re.search(r'class="pin"><bdi>(\d{6})</bdi>', page).group(1)
    assert not holds(cookie, pin)
    assert pin not in clerk.get(response.headers["Location"]).get_data(as_text=True)
