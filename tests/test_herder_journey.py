"""A herder's whole journey in English, Persian and Georgian: report, receipt, the status
at each step, texts out in their language and a STATUS question by SMS."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from conflict_app.claims import operations as ops
from conflict_app.claims.models import Claim
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod
from conflict_app.status.models import SmsMessage
from conflict_app.verification import operations as verification_ops
from conflict_app.verification.checklist import Confidence, Predator
from tests import helpers
from tests.conftest import csrf_token

STEPS = ("Received", "Being checked", "Field visit", "Decision", "Payment", "Done")


def in_locale(locale: str, text: str) -> str:
    with force_locale(locale):
        return _(text)


@pytest.mark.parametrize("locale", ["en", "fa", "ka"])
def test_herder_journey(app, world, locale):
    app.config["SMS_INBOUND_SECRET"] = "s3cret"
    client = app.test_client()
    url = f"/report?country=AM&lang={locale}"
    response = client.post(url, data={
        "csrf_token": csrf_token(client, url), "country": "AM", "name": "Karen Sargsyan",
        "phone": "+374 94 111 222", "village_id": str(world.shvanidzor.id),
        "setting": "pasture", "occurred_on": (clock.today() - timedelta(days=1)).isoformat(),
        "part_of_day": "evening", "species": "sheep", "age_class": "adult_female",
        "killed": "2", "protection": "dog"}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    receipt = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    direction = "rtl" if locale == "fa" else "ltr"
    assert f'<html lang="{locale}" dir="{direction}">' in receipt
    assert in_locale(locale, "Your report was received") in receipt
    reference = re.search(r"<bdi>(AM-\d{4}-\d{6})</bdi>", receipt).group(1)
    pin = re.search(r"<bdi>(\d{6})</bdi>", receipt).group(1)
    claim = db.session.scalars(select(Claim).where(Claim.reference == reference)).one()

    def status_step() -> str:
        page = client.post("/status", data={"csrf_token": csrf_token(client, "/status"),
                                             "reference": reference, "pin": pin})
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        current = re.search(r'aria-current="step">\s*<strong>([^<]+)</strong>', text)
        return current.group(1)

    def v() -> int:
        return helpers.reload(claim).version

    assert status_step() == in_locale(locale, "Received")
    ops.screen(claim.id, world.clerk, v())
    assert status_step() == in_locale(locale, "Being checked")
    ops.assign_verifier(claim.id, world.supervisor, v(), world.verifier.id)
    assert status_step() == in_locale(locale, "Field visit")
    lines = helpers.reload(claim).incident.lines
    verification_ops.file_verification(claim.id, world.verifier, v(),
                                       verification_ops.VerificationInput(
        visited_on=clock.today(), signs=helpers.signs(), predator=Predator.LEOPARD,
        confidence=Confidence.CONFIRMED, confirmed={ln.id: (ln.killed, 0) for ln in lines}))
    ops.assess(claim.id, world.clerk, v())
    assert status_step() == in_locale(locale, "Decision")
    ops.approve(claim.id, world.approver, v())
    assert status_step() == in_locale(locale, "Payment")
    helpers.payout(claim.household)
    batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.MOBILE_MONEY)
    pay.export_batch(world.finance, batch.id)
    pay.record_paid(world.finance, batch.items[0].id, "MM-778899")
    assert status_step() == in_locale(locale, "Done")

    from conflict_app.status.notify import dispatch_due

    dispatch_due()
    texts = db.session.scalars(select(SmsMessage).where(SmsMessage.claim_id == claim.id)
                               .order_by(SmsMessage.id)).all()
    assert [t.kind for t in texts] == ["received", "visit_planned", "approved", "paid"]
    assert {t.locale for t in texts} == {locale}  # the language the herder reported in
    assert all(t.status.value == "sent" for t in texts)
    assert "MM-778899" in texts[-1].body
    answer = client.post("/sms/inbound", data={"from": "+37494111222",
                                               "text": f"STATUS {reference} {pin}"},
                         headers={"X-Pardus-Secret": "s3cret"})
    assert answer.status_code == 200
    reply = db.session.scalars(select(SmsMessage).where(SmsMessage.kind == "status")
                               .order_by(SmsMessage.id.desc())).first()
    assert reply.locale == locale and in_locale(locale, "Done") in reply.body
    app.config["SMS_INBOUND_SECRET"] = None
