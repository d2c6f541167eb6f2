"""Herders' own use cases: report a loss without an account, look up a claim by PIN."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, func, select, update

from conflict_app.claims import intake, pins
from conflict_app.claims.models import Channel, Claim
from conflict_app.core import clock, inputs
from conflict_app.core.errors import N_, InvalidInput
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import AdminArea, Village
from conflict_app.herders.models import Household
from conflict_app.herders.operations import normalise_phone
from conflict_app.i18n import LOCALES
from conflict_app.status.models import PinGuard, SmsMessage, SmsStatus

REFERENCE = re.compile(r"^[A-Z]{2}-\d{4}-\d{6}$")


@dataclass
class PublicReport:
    name: str
    phone: str
    village_id: int
    language: str
    report: intake.ReportInput
    photos: Sequence[bytes] = ()
    # A village not in the list: its name as typed and the province chosen.
    country_code: str | None = None
    village_name: str | None = None
    province_id: int | None = None


def report_loss(data: PublicReport) -> tuple[Claim, str]:
    """A herder's own report, in a new provisional household for a clerk to check and link.
    The phone is kept in E.164, so ``093 123456`` and ``+374 93 123456`` are one phone and a
    second report of the same attack is flagged as a duplicate."""
    from conflict_app.claims import village_link

    if data.village_id is None and data.village_name:
        with unit_of_work():
            village = village_link.typed_village(data.country_code or "", data.province_id,
                                                 data.village_name)
        data.report.reported_village = " ".join(data.village_name.split())[:120]
    else:
        village = db.session.get(Village, data.village_id) if data.village_id else None
        if village is None or not village.listed or db.session.get(
                AdminArea, village.admin1_id).synthetic:
            raise InvalidInput(N_("Choose a village from the list."), field="village_id")
    data.report.village_id = village.id
    try:
        return _report_in(village, data)
    except BaseException:
        if not village.listed:
            with unit_of_work():
                village = db.session.merge(village)
                if not village_link.in_use(village.id):
                    db.session.delete(village)
        raise


def _report_in(village: Village, data: PublicReport) -> tuple[Claim, str]:
    phone = normalise_phone(data.phone, village.country_code)
    if not phone:
        raise InvalidInput(N_("Enter your phone number so the office can reach you."),
                           field="phone")
    name = (data.name or "").strip()
    if not name:
        raise InvalidInput(N_("Enter your name."), field="name")
    language = data.language if data.language in LOCALES else "en"
    # Never the household that already has this phone: whoever knows a herder's number and
    # village could otherwise add reports to their household. A clerk links it after a check;
    # the duplicate check still compares the phone across households.
    with unit_of_work():
        household = Household(
            head_name=name[:160], phone=phone, village_id=village.id,
            country_code=village.country_code, admin1_id=village.admin1_id,
            admin2_id=village.admin2_id, language=language, provisional=True,
        )
        db.session.add(household)
    try:
        return intake.register_report(None, household, data.report, Channel.WEB,
                                         photos=data.photos)
    except BaseException:
        # Do not keep a household that was created only for a report that failed.
        if not household.census and not db.session.scalars(
            select(Claim.id).where(Claim.household_id == household.id)
        ).first():
            with unit_of_work():
                db.session.delete(db.session.merge(household))
        raise


def normalise_reference(raw: str | None) -> str | None:
    # Phones and word processors turn "-" into a dash of another kind; spaces are dropped.
    ref = re.sub(r"[\u2010-\u2015\u2212]", "-", re.sub(r"\s+", "", inputs.clean(raw))).upper()
    return ref if REFERENCE.match(ref) else None


@cache
def _lookup_statement():  # noqa: ANN202
    """Built once: building the statement (its zone expression above all) cost more CPU
    than running it, on the herders' busiest request."""
    return (select(Claim, PinGuard).outerjoin(PinGuard, PinGuard.claim_id == Claim.id)
            .where(Claim.reference == bindparam("reference"))
            .options(timezones.with_zone(Claim)))


def lookup(reference: str | None, pin: str | None) -> Claim | None:
    """The claim when reference and PIN match, else ``None`` — the same for every failure.

    Wrong PINs count against the reference; past the limit it is locked for a while, and
    even the right PIN is refused until the lock ends. A right PIN with no failures on
    record writes nothing, so the herder's answer costs one keyed hash and two reads.
    """
    cfg = current_app.config
    ref = normalise_reference(reference)
    pin = inputs.clean(pin)  # «۴۸۲۹۱۳» is the PIN 482913, not a wrong guess
    row = None
    if ref:
        # The claim and its guard in one round trip: the herder's answer is mostly waiting.
        row = db.session.execute(_lookup_statement(), {"reference": ref}).first()
    if row is None:
        pins.burn(pin or "x")  # a miss costs what a wrong PIN costs
        return None
    claim, guard = row
    now = clock.now()
    matches, rehash = pins.check_pin(claim.pin_hash, pin) if pin else (False, False)
    clean = guard is None or (not guard.failures and not (
        guard.locked_until and guard.locked_until > now))
    if matches and clean and not rehash:
        return claim
    with unit_of_work():
        # The claim's row lock first: before the first wrong PIN there is no guard row to
        # lock, and parallel guesses would each insert one (all but one failing, uncounted).
        db.session.execute(select(Claim.id).where(Claim.id == claim.id).with_for_update())
        guard = db.session.execute(
            select(PinGuard).where(PinGuard.claim_id == claim.id).with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if guard is None:
            guard = PinGuard(claim_id=claim.id, failures=0)
            db.session.add(guard)
        if guard.locked_until and guard.locked_until > now:
            return None
        if not matches:
            guard.failures += 1
            if guard.failures >= cfg["PIN_FAILURES_BEFORE_LOCK"]:
                guard.locked_until = now + timedelta(minutes=cfg["PIN_LOCK_MINUTES"])
                guard.failures = 0
            return None
        guard.failures = 0
        if rehash:
            # An old password-grade hash: replace it by the keyed one, without touching
            # the claim's version (a clerk's open form stays valid).
            db.session.execute(update(Claim).where(Claim.id == claim.id)
                               .values(pin_hash=pins.hash_pin(pin))
                               .execution_options(synchronize_session=False))
    return claim


def resend_pin(reference: str | None) -> None:
    """A herder who lost the PIN, or is locked out by someone's guesses, asks for a new one.

    It goes only to the phone registered for the claim, with the claim's step, so the herder
    learns the status even while the lock holds (the lock itself stays). At most
    ``PIN_RESENDS_PER_CLAIM`` a day per claim, and the phone's daily limit of texts the
    public can trigger applies. The caller gives every asker the same answer whatever
    happened here; what did happen is audited against the claim.
    """
    from conflict_app.core import audit
    from conflict_app.status import notify

    ref = normalise_reference(reference)
    claim = (db.session.scalars(select(Claim).where(Claim.reference == ref)).first()
             if ref else None)
    if claim is None:
        return
    cfg = current_app.config
    phone = claim.household.phone if claim.household else None
    since = clock.now() - timedelta(days=1)
    refused = None
    if phone:
        # Until this transaction ends, other requests for texts to the phone wait: the
        # counts below cannot be read by twelve parallel requests before any of them writes.
        notify.hold_phone(phone)
    if not phone:
        refused = "no registered phone"
    elif db.session.scalar(select(func.count(SmsMessage.id)).where(
            SmsMessage.claim_id == claim.id, SmsMessage.kind == "pin_resent",
            SmsMessage.created_at >= since)) >= cfg["PIN_RESENDS_PER_CLAIM"]:
        refused = "daily limit of new PINs for the claim reached"
    elif notify.texts_to(phone, notify.PUBLIC_KINDS) >= cfg["PUBLIC_TEXTS_PER_PHONE"]:
        refused = "daily limit of texts to the phone reached"
    with unit_of_work():
        if refused is None:
            pin = pins.new_pin()
            # Not a change of the claim's content: its version stays, so a clerk's open
            # form is not made stale by a herder's request.
            db.session.execute(update(Claim).where(Claim.id == claim.id)
                               .values(pin_hash=pins.hash_pin(pin))
                               .execution_options(synchronize_session=False))
            notify.pin_resent(claim, pin)
        audit.record(actor_id=None, object_type="claim", object_id=claim.id,
                     action="resend_pin" if refused is None else "resend_pin_refused",
                     from_state=claim.state.value, to_state=claim.state.value,
                     reason=refused)


# "STATUS <reference> <PIN>": the keyword in each language (any of them is accepted; it
# only chooses the reply's language when the claim is not found).
KEYWORDS = {
    "en": "STATUS", "ru": "СТАТУС", "kk": "МӘРТЕБЕ", "fa": "وضعیت", "fa_AF": "وضعیت",
    "ar": "حالة", "ckb": "دۆخ", "ur": "اسٹیٹس", "hy": "ԿԱՐԳԱՎԻՃԱԿ", "ka": "სტატუსი",
    "az": "STATUS", "tr": "DURUM", "tk": "ÝAGDAÝ", "tg": "ҲОЛАТ", "uz": "HOLAT", "ps": "حالت",
}
# A PIN as people write it: 4 to 8 digits, in one run or in groups («482 913», «482-913»).
_PIN = r"\d(?:[\s.\u2010-\u2013-]?\d){3,7}(?!\d)"
_SMS_QUERY = re.compile(rf"([A-Za-z]{{2}}-\d{{4}}-\d{{6}})\D+?({_PIN})")
# Digits that are not part of a claim reference: a PIN, or a try at one.
_PIN_LIKE = re.compile(rf"(?<![\d-]){_PIN}")


def redact_pins(text: str) -> str:
    """The text as it may be stored and shown: every PIN-like number masked."""
    return _PIN_LIKE.sub(lambda m: "*" * len(m.group(0)), text)


def answer_sms(phone: str, text: str) -> None:
    """Record an inbound text and queue the answer: the claim's step, or "not recognised"."""
    from flask_babel import force_locale

    from conflict_app.status import notify
    from conflict_app.status.progress import progress

    typed = inputs.clean(text)  # a reference and PIN in Persian or Arabic digits count too
    first_word = typed.split(maxsplit=1)[0].upper() if typed else ""
    locale = next((code for code, word in KEYWORDS.items() if word.upper() == first_word),
                  None)
    match = _SMS_QUERY.search(typed)
    claim = lookup(match.group(1), re.sub(r"\D", "", match.group(2))) if match else None
    with unit_of_work():
        if claim is not None:
            household = db.session.get(Household, claim.household_id)
            locale = household.language or locale or "en"
            from conflict_app.status.states import state_view

            steps = progress(claim)
            with force_locale(locale):
                step, _next = notify.step_text(steps.current)
                # The same next step as the status page: after a refusal, the appeal.
                next_text = state_view(claim, steps.appeal_until).next_step
            body = notify.render("status", locale, ref=claim.reference, step=step,
                                 next=next_text)
            notify.queue(phone, locale, "status", body, claim_id=claim.id)
        else:
            locale = locale or "en"
            notify.queue(phone, locale, "not_found", notify.render("not_found", locale))
        db.session.add(SmsMessage(direction="in", phone=phone, locale=locale, kind="query",
                                  body=redact_pins(text), status=SmsStatus.RECEIVED,
                                  claim_id=claim.id if claim else None))
