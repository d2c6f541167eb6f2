"""Numbers and phones as people type them: Latin, Arabic-Indic (٠-٩) and Persian (۰-۹)
digits, the locale's separators («0,75»), national phone formats; one normaliser for every
form, the SMS webhook and the API."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import flask_migrate
import pytest
from sqlalchemy import select, text

from conflict_app.claims.models import Claim, DuplicateFlag
from conflict_app.core import clock, inputs
from conflict_app.extensions import db
from conflict_app.herders.models import Household
from conflict_app.i18n import LOCALES
from conflict_app.schemes.models import MarketPrice
from conflict_app.status.models import SmsMessage
from tests.conftest import csrf_token

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# How a herder in each locale types digits (Latin in the others).
NATIVE = {"fa": PERSIAN, "fa_AF": PERSIAN, "ur": PERSIAN, "ar": ARABIC, "ckb": ARABIC}


def native(locale: str, value: str) -> str:
    return value.translate(NATIVE.get(locale, {}))


@pytest.mark.parametrize(("typed", "locale", "expected"), [
    ("0,75", "kk", "0.75"), ("0,75", "ru", "0.75"), ("0,75", "az", "0.75"),
    ("0,75", "tr", "0.75"), ("0,75", "tk", "0.75"), ("0,75", "hy", "0.75"),
    ("0,75", "ka", "0.75"), ("1 234,5", "ru", "1234.5"), ("1\u00a0234,5", "kk", "1234.5"),
    ("1.234,5", "tr", "1234.5"), ("12.5", "ru", "12.5"), ("1,234.5", "en", "1234.5"),
    ("۰٫۷۵", "fa", "0.75"), ("۱۲۳٬۴۵۶", "fa", "123456"), ("١٬٢٣٤٫٥", "ar", "1234.5"),
    ("٢", "ckb", "2"), ("۲", "ur", "2"), (" 7 ", "en", "7"),
])
def test_numbers_in_every_script_and_format(typed, locale, expected):
    assert inputs.parse_number(typed, locale) == Decimal(expected)


@pytest.mark.parametrize("typed", ["abc", "1e5", "NaN", "Infinity", "--1", "1..2", "۱a"])
def test_what_is_not_a_number_is_refused(typed):
    with pytest.raises(ValueError):  # noqa: PT011
        inputs.parse_number(typed, "en")


def test_phones_are_read_with_the_countrys_rules():
    assert inputs.parse_phone("093 123456", "AM") == "+37493123456"
    assert inputs.parse_phone("+374 93 123456", "AM") == "+37493123456"
    assert inputs.parse_phone("00374 93-12-34-56", "AM") == "+37493123456"
    assert inputs.parse_phone("۰۹۱۲ ۳۴۵ ۶۷۸۹", "IR") == "+989123456789"
    assert inputs.parse_phone("٠٧٩١ ٢٣٤ ٥٦٧٨", "IQ") == "+9647912345678"
    assert inputs.display_phone("+37493123456", "AM") == "093 123456"
    with pytest.raises(inputs.PhoneError):
        inputs.parse_phone("12", "AM")


def _report(client, world, locale, **overrides):
    url = f"/report?country=AM&lang={locale}"
    data = {"csrf_token": csrf_token(client, url), "country": "AM", "name": "Karen",
            "phone": native(locale, "094 111 222"), "village_id": str(world.shvanidzor.id),
            "setting": "pasture", "part_of_day": "evening", "species": "sheep",
            "age_class": "adult_female", "killed": native(locale, "2"),
            "injured": native(locale, "1"), "protection": "dog",
            "occurred_on": native(locale, (clock.today() - timedelta(days=1)).isoformat())}
    data.update(overrides)
    return client.post(url, data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("locale", LOCALES)
def test_herder_types_their_own_digits_in_every_locale(app, world, locale):
    client = app.test_client()
    response = _report(client, world, locale)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    claim = db.session.scalars(select(Claim).order_by(Claim.id.desc())).first()
    assert [(ln.killed, ln.injured) for ln in claim.incident.lines] == [(2, 1)]
    assert claim.household.phone == "+37494111222"  # E.164, from the national format
    receipt = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    pin = re.search(r"<bdi>(\d{6})</bdi>", receipt).group(1)
    # The PIN typed back in the herder's digits opens the status page, again and again:
    # never counted as a wrong guess.
    for _ in range(6):
        page = client.post(f"/status?lang={locale}", data={
            "csrf_token": csrf_token(client, f"/status?lang={locale}"),
            "reference": native(locale, claim.reference), "pin": native(locale, pin)})
        assert page.status_code == 200, page.get_data(as_text=True)[:1000]
        assert 'aria-current="step"' in page.get_data(as_text=True)


def test_one_phone_is_one_herder_and_the_second_report_is_a_duplicate(app, world):
    client = app.test_client()
    first = _report(client, world, "hy", phone="093 123456")
    second = _report(app.test_client(), world, "hy", phone="+374 93 123456")
    assert first.status_code == second.status_code == 302
    # Each public report opens its own provisional household (a clerk links them after a
    # check), both under the one E.164 phone ...
    households = db.session.scalars(select(Household).where(
        Household.phone == "+37493123456").order_by(Household.id)).all()
    assert len(households) == 2 and all(h.provisional for h in households)
    claims = db.session.scalars(select(Claim).where(
        Claim.household_id.in_([h.id for h in households])).order_by(Claim.id)).all()
    assert len(claims) == 2
    # ... so the second report of the same attack is flagged against the first.
    flags = db.session.scalars(select(DuplicateFlag).where(
        DuplicateFlag.claim_id == claims[1].id)).all()
    assert [(f.kind, f.detail) for f in flags if f.kind == "same_household_nearby"] == [
        ("same_household_nearby", claims[0].reference)]


def test_a_phone_that_cannot_be_is_refused_with_a_translated_hint(app, world):
    response = _report(app.test_client(), world, "ru", phone="12")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "077 123456" in page  # an Armenian example, in the national format
    assert db.session.scalar(select(Household.id).where(Household.phone == "12")) is None


def test_sms_question_in_persian_digits_is_answered(app, world):
    from tests import helpers

    claim, pin = helpers.report(world)
    app.config["SMS_INBOUND_SECRET"] = "s3cret"
    try:
        response = app.test_client().post("/sms/inbound", data={
            "from": "37491234567",
            "text": f"وضعیت {claim.reference.translate(PERSIAN)} {pin.translate(PERSIAN)}"},
            headers={"X-Pardus-Secret": "s3cret"})
    finally:
        app.config["SMS_INBOUND_SECRET"] = None
    assert response.status_code == 200
    reply = db.session.scalars(select(SmsMessage).where(SmsMessage.direction == "out")
                               .order_by(SmsMessage.id.desc())).first()
    assert reply.kind == "status" and reply.phone == "+37491234567"


@pytest.mark.parametrize(("locale", "typed"), [
    ("kk", "55 000,50"), ("ru", "55 000,50"), ("tr", "55.000,50"), ("az", "55.000,50"),
    ("fa", "۵۵٬۰۰۰٫۵۰"), ("ar", "٥٥٬٠٠٠٫٥٠"), ("ur", "۵۵,۰۰۰.۵۰"), ("en", "55,000.50"),
    ("hy", "55000,50"), ("ka", "55 000,50"), ("tk", "55 000,50"), ("ckb", "٥٥٠٠٠٫٥٠"),
    ("fa_AF", "۵۵۰۰۰٫۵۰"),
])
def test_staff_money_inputs_in_the_locales_format(world, browser_for, locale, typed):
    world.manager.locale = locale
    db.session.flush()
    manager = browser_for(world.manager)
    response = manager.post("/prices/new", data={
        "country": "AM", "species": "goat", "age_class": "adult_male", "amount": typed,
        "currency": "AMD", "valid_from": native(locale, "2026-01-01")})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    price = db.session.scalars(select(MarketPrice).order_by(MarketPrice.id.desc())).first()
    assert price.amount == Decimal("55000.50")


def test_api_takes_canonical_json_numbers_only(app, world):
    from conflict_app.api import tokens
    from tests import helpers

    hh = helpers.household(world)
    secret = tokens.issue(world.clerk, "test", tokens.allowed_scopes(world.clerk))[1]
    body = {"household_id": hh.id, "occurred_on": clock.today().isoformat(),
            "setting": "pasture",
            "lines": [{"species": "sheep", "age_class": "young", "killed": "٢", "injured": 0}]}
    response = app.test_client().post("/api/v1/claims", json=body,
                                      headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 422


def test_migration_stores_known_phones_in_e164(scratch_app):
    with scratch_app.app_context():
        flask_migrate.upgrade(revision="0005_token_scopes")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO country (code, name, currency, default_locale) "
                              "VALUES ('AM', 'Armenia', 'AMD', 'hy')"))
            conn.execute(text("INSERT INTO admin_area (id, country_code, level, name) "
                              "VALUES (1, 'AM', 1, 'Syunik')"))
            conn.execute(text("INSERT INTO village (id, country_code, admin1_id, name) "
                              "VALUES (1, 'AM', 1, 'Shvanidzor')"))
            for n, phone in enumerate(("093 123456", "+374 93 123456", "not a phone"), 1):
                conn.execute(text(
                    "INSERT INTO household (id, head_name, phone, village_id, country_code, "
                    "admin1_id, language, created_at) VALUES (:id, 'H', :phone, 1, 'AM', 1, "
                    "'hy', CURRENT_TIMESTAMP)"), {"id": n, "phone": phone})
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            phones = conn.execute(text("SELECT phone FROM household ORDER BY id")).scalars()
            assert list(phones) == ["+37493123456", "+37493123456", "not a phone"]
