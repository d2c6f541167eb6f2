"""A herder's whole journey in English, Persian and Georgian: report, receipt, the status
at each step, texts out in their language and a STATUS question by SMS."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

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


# --- the whole journey in each herder language, to the right amount -----------------------
JOURNEY_LOCALES = ["en", "fa", "ar", "ckb", "ur", "hy", "ru"]
# 01:30 on 12 April in Yerevan (UTC+4) is still 11 April in UTC.
NIGHT = datetime(2026, 4, 11, 21, 30, tzinfo=UTC)
LOSS_DAY = date(2026, 4, 12)
_SEPARATED = re.compile(r"(?<=\d)[\s,.'’\u066b\u066c\u00a0\u202f](?=\d)")
_BIDI = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def typed(locale: str, text: str) -> str:
    """What a herder types on a phone set to the language: its own digits."""
    from conflict_app.i18n import NATIVE_DIGITS

    table = NATIVE_DIGITS.get(locale)
    return text.translate(str.maketrans("0123456789", table)) if table else text


def told(locale: str, amount: str) -> str:
    """The amount as the herder reads it: the locale's format and digits."""
    from decimal import Decimal

    from conflict_app.core.money import Money
    from conflict_app.i18n import money

    with force_locale(locale):
        return _BIDI.sub("", money(Money(Decimal(amount), "AMD")))


def figures_in(text: str) -> set[str]:
    """Every number in a text as its digits (any script, group and decimal signs dropped):
    a letter's right-to-left lines may place signs around a number differently."""
    from conflict_app.core.inputs import latin_digits

    return set(re.findall(r"\d+", _SEPARATED.sub("", latin_digits(_BIDI.sub("", text)))))


def digits_of(amount_text: str) -> str:
    from conflict_app.core.inputs import latin_digits

    return re.sub(r"\D", "", latin_digits(amount_text))


def _scheme(app, world, browser_for, kind: str, herder_household):  # noqa: ANN001, ANN202
    """At the season's start: the scheme the loss falls under (none: the core rule)."""
    from conflict_app.schemes import insurance
    from tests.test_schemes import START, _create, _version

    clock.freeze(START)
    if kind == "compensation":
        return None
    manager = browser_for(world.manager)
    if kind == "interim":
        scheme = _create(manager)
        _version(manager, scheme, interim_share="0.3")
        return scheme
    scheme = _create(manager, code="AM-INS", kind="insurance", name="Meghri insurance",
                     budget="0", admin1=str(world.syunik.id))
    _version(manager, scheme, payout_share="0.8", rate_confirmed="1", rate_probable="0.75",
             rate_possible="0", injured_share="0.5", premium_rate="0.02",
             herder_share="0.5", waiting_days="30")
    clerk = browser_for(world.clerk)
    assert clerk.post(f"/schemes/{scheme.id}/enrol", data={
        "household": str(herder_household.id), "starts_on": "2026-03-02",
        "ends_on": "2027-03-02", "heads_sheep": "50", "value_sheep": "60000",
        "agreement_signed": "y"}).status_code == 302
    enrolment = insurance.enrolments(scheme.id)[0]
    assert browser_for(world.finance).post(f"/schemes/enrolments/{enrolment.id}/premium",
                                           data={"on": "2026-03-02"}).status_code == 302
    return scheme  # its pool: 60000


def _report_at_night(app, world, locale: str) -> tuple[str, str]:
    """The herder's own report, typed as they would: native digits, a national phone, a
    village that is not in the list; checked, then sent."""
    client = app.test_client()
    url = f"/report?country=AM&lang={locale}"
    data = {"csrf_token": csrf_token(client, url), "country": "AM", "name": "Karen Sargsyan",
            "phone": typed(locale, "094 111 222"), "village_id": "other",
            "village_name": "Tsav", "province_id": str(world.syunik.id),
            "setting": "night_corral", "occurred_on": typed(locale, LOSS_DAY.isoformat()),
            "part_of_day": "night", "species": "sheep", "age_class": "adult_female",
            "killed": typed(locale, "2"), "protection": ["corral", "dog"], "step": "check"}
    check = client.post(url, data=data, content_type="multipart/form-data")
    assert check.status_code == 200, check.get_data(as_text=True)[:3000]
    assert in_locale(locale, "Check your answers") in check.get_data(as_text=True)
    sent = client.post(url, data={**data, "step": "send"}, content_type="multipart/form-data")
    assert sent.status_code == 302, sent.get_data(as_text=True)[:3000]
    receipt = client.get(sent.headers["Location"], follow_redirects=True).get_data(as_text=True)
    reference = re.search(r"<bdi>(AM-\d{4}-\d{6})</bdi>", receipt).group(1)
    pin = re.search(r"<bdi>(\d{6})</bdi>", receipt).group(1)
    return reference, pin


@pytest.mark.parametrize("kind", ["compensation", "insurance", "interim"])
@pytest.mark.parametrize("locale", JOURNEY_LOCALES)
def test_herder_journey_ends_with_the_right_amount(app, world, browser_for, locale, kind):
    from conflict_app.documents import contents, render
    from conflict_app.herders import operations as household_ops
    from conflict_app.herders.models import Species
    from tests.test_documents import Drawn, _clean
    from tests.test_herder_figures import by_kind, pay_claim

    app.config["DIGITS"] = "native"
    try:
        herder = household_ops.register_household(world.clerk, household_ops.HouseholdInput(
            head_name="Karen Sargsyan", village_id=world.shvanidzor.id, language=locale,
            phone="+37494111222", census={(2026, Species.SHEEP): 50}))
        scheme = _scheme(app, world, browser_for, kind, herder)
        clock.freeze(NIGHT)
        reference, pin = _report_at_night(app, world, locale)
        claim = db.session.scalars(select(Claim).where(Claim.reference == reference)).one()
        assert claim.incident.occurred_on == LOSS_DAY and not claim.late_report
        assert claim.incident.reported_village == "Tsav"
        # The clerk links the typed village and the herder's household, then screens.
        clerk = browser_for(world.clerk)
        token = csrf_token(clerk, f"/claims/{claim.id}")
        assert clerk.post(f"/claims/{claim.id}/village", data={
            "csrf_token": token, "version": str(helpers.reload(claim).version),
            "village_id": str(world.shvanidzor.id)}).status_code == 302
        provisional = helpers.reload(claim).household_id
        assert clerk.post(f"/households/{provisional}/link", data={
            "csrf_token": token, "target_id": str(herder.id)}).status_code == 302
        claim = helpers.reload(claim)
        assert claim.household_id == herder.id
        assert claim.scheme_id == (scheme.id if scheme else None)
        assert helpers.post_action(clerk, claim, "screen").status_code == 302

        def v() -> int:
            return helpers.reload(claim).version

        ops.assign_verifier(claim.id, world.supervisor, v(), world.verifier.id)
        clock.freeze(NIGHT + timedelta(days=1))  # the field visit, the next day
        lines = helpers.reload(claim).incident.lines
        verification_ops.file_verification(claim.id, world.verifier, v(),
                                           verification_ops.VerificationInput(
            visited_on=clock.today(), signs=helpers.signs(), predator=Predator.LEOPARD,
            confidence=Confidence.CONFIRMED,
            confirmed={ln.id: (ln.killed, 0) for ln in lines}))
        ops.assess(claim.id, world.clerk, v())
        if kind == "interim":  # 30 % of 2 × 60000 × 0.75 before the decision
            pay_claim(world, helpers.reload(claim), "INT-7")
        ops.approve(claim.id, world.approver, v())
        if kind == "insurance":
            other, _pin = helpers.report(world, hh=herder, killed=3, days_ago=2)
            other = helpers.verified(world, claim=other)
            ops.assess(other.id, world.clerk, None)  # 144000
            ops.approve(other.id, world.approver, None)
            assert browser_for(world.finance).post(f"/schemes/{scheme.id}/settle", data={
                "start": "2026-03-01", "end": "2026-12-31"}).status_code == 302
        pay_claim(world, helpers.reload(claim), "MM-778899")
        from conflict_app.status.notify import dispatch_due

        with app.test_request_context():
            dispatch_due()
            expected = {
                "compensation": {"approved": ["90000"], "paid": ["90000"]},
                "interim": {"interim_paid": ["27000"],
                            "approved_after_interim": ["90000", "63000"],
                            "paid_rest": ["63000"]},
                "insurance": {"approved": ["96000"], "paid_shortfall": ["24000", "96000"]},
            }[kind]
            texts = by_kind(claim)
            for text_kind, amounts in expected.items():
                body = _BIDI.sub("", texts[text_kind])
                for amount in amounts:
                    assert told(locale, amount) in body, (text_kind, amount, body)
            assert {t.locale for t in db.session.scalars(select(SmsMessage).where(
                SmsMessage.claim_id == claim.id))} == {locale}
            # No text tells a full payment that did not happen.
            assert kind == "compensation" or "paid" not in texts
            import io

            out = io.BytesIO()
            with force_locale(locale):
                render.render_decision(contents.decision_data(helpers.reload(claim)), locale,
                                       out)
            # Each drawn line in visual order: a number reads left to right in any script.
            drawn = Drawn(out.getvalue()).lines()
            letter = figures_in(_clean("\n".join("".join(line) for line in drawn)))
            letter_amounts = {"compensation": ["90000"], "interim": ["27000", "63000"],
                              "insurance": ["24000", "72000"]}[kind]
            for amount in letter_amounts:
                assert digits_of(told(locale, amount)) in letter, (amount, sorted(letter))
            if kind == "insurance":
                assert digits_of(told(locale, "96000")) not in letter or \
                    digits_of(told(locale, "24000")) in letter
    finally:
        app.config["DIGITS"] = "latin"
        clock.freeze(None)
