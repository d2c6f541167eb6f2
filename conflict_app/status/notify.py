"""Texts to herders at the steps they can see, queued in the claim's own transaction.

A text is written once the use case has made all its changes (``when_complete``), so every
amount in it is the claim's settled figure (``status.figures``), never a value from before
the operation set it. Each text is in the household's language and kept within two SMS
segments in every language (a test measures it). Each text is a job run after the commit
(``send_job``, never in the web request when a job queue is configured); texts the herder is
waiting for right now go to the front. A gateway failure is retried by the periodic
``dispatch_job`` and never undoes or blocks the claim change.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, format_date, gettext
from sqlalchemy import case, func, or_, select

from conflict_app import jobs
from conflict_app.claims.workflow import HerderStep, State
from conflict_app.core import clock
from conflict_app.core.sealed import seal, unseal
from conflict_app.core.transaction import serialise, when_complete
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.i18n import bidi, force_timezone, money
from conflict_app.observability import metrics
from conflict_app.status.figures import Figures, figures
from conflict_app.status.gateways import GatewayError, from_config
from conflict_app.status.models import SmsMessage, SmsStatus
from conflict_app.status.segments import phone_letters

MAX_ATTEMPTS = 6
# Answers to something the herder just did (a report, a status question): they are waiting
# with the phone in hand, so these jump the queue ahead of older notifications.
HERDER_WAITING = ("received", "status", "not_found", "pin_resent", "alerts_off", "alerts_on")

# The states whose arrival a herder is told about, and the kind of text for each (the
# receipt, with its PIN, is sent by ``received``).
KIND_FOR_STATE = {
    State.VERIFICATION_SCHEDULED: "visit_planned",
    State.APPROVED: "approved",
    State.REJECTED: "rejected",
    State.INELIGIBLE: "rejected",
    State.PAID: "paid",
}


# Parameters that are Latin tokens (kept left to right) and those whose direction is their
# own (an amount with a currency name, a date with a month name), for right-to-left texts.
_LTR_PARAMS = frozenset({"ref", "pin", "payref", "hours", "privacy"})
_AUTO_PARAMS = frozenset({"amount", "approved", "paid", "rest", "interest", "date"})


def render(kind: str, locale: str, **params: object) -> str:
    """The text of one message in ``locale``; messages are marked for translation here.

    Right-to-left texts begin with RLM and isolate each reference, PIN and amount, so a
    phone lays them out right to left with every number in its place."""
    if bidi.is_rtl(locale):
        params = {key: bidi.ltr(value) if key in _LTR_PARAMS else
                  bidi.auto(value) if key in _AUTO_PARAMS else value
                  for key, value in params.items()}
    return bidi.sms_text(phone_letters(_render(kind, locale, params), locale), locale)


def _render(kind: str, locale: str, params: dict[str, object]) -> str:
    with force_locale(locale):
        texts = {
            # Translators: SMS to a herder: short, plain words
            "received": lambda: gettext(
                "Pardus %(ref)s: report received, PIN %(pin)s. Keep the carcasses in place. "
                "Privacy: %(privacy)s", **params),
            # Translators: SMS to a herder: short, plain words
            "pin_resent": lambda: gettext(
                "Pardus %(ref)s: your new PIN is %(pin)s. Now: %(step)s.", **params),
            # Translators: SMS to a herder: short, plain words
            "visit_planned": lambda: gettext(
                "Pardus %(ref)s: a field officer will visit by %(date)s. Keep the carcasses "
                "in place.", **params),
            # Translators: SMS to a herder: short, plain words
            "approved": lambda: gettext(
                "Pardus %(ref)s: approved, %(amount)s. Payment follows.", **params),
            # Translators: SMS to a herder: short, plain words
            "approved_after_interim": lambda: gettext(
                "Pardus %(ref)s: approved, %(amount)s. After the first part already paid, "
                "%(rest)s follows.", **params),
            # Translators: SMS to a herder: short, plain words
            "interim_paid": lambda: gettext(
                "Pardus %(ref)s: first part paid, %(amount)s. The rest follows the decision.",
                **params),
            # Translators: SMS to a herder: short, plain words
            "rejected": lambda: gettext(
                "Pardus %(ref)s: not approved. You may appeal at the office until %(date)s.",
                **params),
            # Translators: SMS to a herder: short, plain words
            "paid": lambda: gettext(
                "Pardus %(ref)s: %(amount)s paid. Payment reference %(payref)s.", **params),
            # Translators: SMS to a herder: short, plain words
            "paid_interest": lambda: gettext(
                "Pardus %(ref)s: %(amount)s paid, with %(interest)s interest for the delay.",
                **params),
            # Translators: SMS to a herder: short, plain words
            "paid_rest": lambda: gettext(
                "Pardus %(ref)s: the rest, %(amount)s, paid. Payment reference %(payref)s.",
                **params),
            # Translators: SMS to a herder: short, plain words
            "paid_rest_interest": lambda: gettext(
                "Pardus %(ref)s: the rest, %(amount)s, paid, with %(interest)s interest for "
                "the delay.", **params),
            # Translators: SMS to a herder: short, plain words
            "paid_shortfall": lambda: gettext(
                "Pardus %(ref)s: %(amount)s paid of the %(approved)s approved; the insurance "
                "fund was short.", **params),
            # Translators: SMS to a herder: short, plain words
            "status": lambda: gettext("Pardus %(ref)s: %(step)s. %(next)s", **params),
            # Translators: SMS to a herder: short, plain words
            "not_found": lambda: gettext(
                "Pardus: reference or PIN not recognised. Send: STATUS reference PIN"),
        }
        return texts[kind]()


def step_text(step: HerderStep) -> tuple[str, str]:
    """The step's name and what comes next, in the current locale (only the step asked
    for is translated: the status page asks for each of its six steps)."""
    names = {
        # Translators: SMS to a herder: short, plain words
        HerderStep.RECEIVED: lambda: (gettext("Received"),
                                      # Translators: SMS to a herder: short, plain words
                                      gettext("The office checks the report.")),
        # Translators: SMS to a herder: short, plain words
        HerderStep.BEING_CHECKED: lambda: (gettext("Being checked"),
                                           # Translators: SMS to a herder: short, plain words
                                           gettext("A field visit is planned next.")),
        # Translators: SMS to a herder: short, plain words
        HerderStep.FIELD_VISIT: lambda: (gettext("Field visit"),
                                         # Translators: SMS to a herder: short, plain words
                                         gettext("A decision follows the visit.")),
        # Translators: SMS to a herder: short, plain words
        HerderStep.DECISION: lambda: (gettext("Decision"),
                                      # Translators: SMS to a herder: short, plain words
                                      gettext("The office decides the claim.")),
        # Translators: SMS to a herder: short, plain words
        HerderStep.PAYMENT: lambda: (gettext("Payment"), gettext("The payment is being made.")),
        # Translators: SMS to a herder: short, plain words
        HerderStep.DONE: lambda: (gettext("Done"), gettext("Nothing more to do.")),
    }
    return names[step]()


def _kind_for(kind: str, figs: Figures) -> str:
    """The variant of a text that explains the claim's figures."""
    if kind == "approved" and figs.interim:
        return "approved_after_interim"
    if kind == "paid":
        if figs.shortfall:
            return "paid_shortfall"
        if figs.in_parts:
            return "paid_rest_interest" if figs.interest else "paid_rest"
        if figs.interest:
            return "paid_interest"
    return kind


def _params(claim, kind: str, figs: Figures, locale: str) -> dict[str, object]:  # noqa: ANN001
    params: dict[str, object] = {"ref": claim.reference}
    with force_locale(locale):
        if kind == "received":
            params["hours"] = current_app.config["VERIFICATION_WITHIN_HOURS"]
        elif kind == "visit_planned":
            due = claim.due_at or clock.now()
            params["date"] = format_date(due, "short")
        elif kind in {"approved", "approved_after_interim"}:
            params.update(amount=money(figs.approved), paid=money(figs.interim),
                          rest=money(figs.rest))
        elif kind == "interim_paid":
            params.update(amount=money(figs.interim),
                          payref=(figs.interim_reference or "")[:20])
        elif kind.startswith("paid"):
            params.update(amount=money(figs.paid), interest=money(figs.interest),
                          approved=money(figs.approved),
                          payref=(figs.payment_reference or "")[:20])
        elif kind == "rejected":
            days = current_app.config["APPEAL_WITHIN_DAYS"]
            params["date"] = format_date((claim.decided_at or clock.now())
                                         + timedelta(days=days), "short")
    return params


def claim_moved(claim, state: State, changes: dict | None = None) -> None:  # noqa: ANN001
    """Tell the herder the claim reached ``state``, once the use case is complete."""
    kind = KIND_FOR_STATE.get(state)
    if kind == "paid" and not (changes or {}).get("payment_reference"):
        return  # back to paid after an appeal was dismissed: nothing new was paid
    if kind is not None:
        when_complete(lambda: _tell(claim, kind))


def interim_paid(claim) -> None:  # noqa: ANN001
    """Tell the herder an interim part was paid, once the payment is recorded."""
    when_complete(lambda: _tell(claim, "interim_paid"))


def received(claim, pin: str, anonymous: bool) -> None:  # noqa: ANN001
    """The receipt text, with the PIN (sealed until it is sent) and the privacy notice.

    An anonymous report can name any phone: such a receipt goes to a phone only while it
    has had fewer than ``PUBLIC_TEXTS_PER_PHONE`` texts of that kind in a day, and its
    words are fixed (nothing the reporter typed is in it)."""
    when_complete(lambda: _tell(claim, "received", pin=pin, limited=anonymous))


def pin_resent(claim, pin: str) -> bool:  # noqa: ANN001
    """Send a new PIN, with the claim's step, to the household's registered phone."""
    from conflict_app.status.progress import progress

    household = claim.household
    if household is None or not household.phone:
        return False
    locale = household.language or "en"
    with force_locale(locale):
        step, _next = step_text(progress(claim).current)
    body = render("pin_resent", locale, ref=claim.reference, pin=PIN_MARK, step=step)
    queue(household.phone, locale, "pin_resent", body, claim_id=claim.id, secret=pin)
    return True


# Texts to a phone that the anonymous public can trigger (a report, a new PIN).
PUBLIC_KINDS = ("received", "pin_resent")


def hold_phone(phone: str) -> None:
    """Serialise, until the current transaction ends, the work that counts the texts to
    ``phone`` against a daily limit and then queues one (parallel requests, workers)."""
    serialise(f"texts:{phone}")


def texts_to(phone: str, kinds: tuple[str, ...], hours: int = 24) -> int:
    """How many texts of ``kinds`` were queued to ``phone`` in the last ``hours``."""
    since = clock.now() - timedelta(hours=hours)
    return db.session.scalar(
        select(func.count(SmsMessage.id)).where(
            SmsMessage.phone == phone, SmsMessage.direction == "out",
            SmsMessage.kind.in_(kinds), SmsMessage.created_at >= since)) or 0


def privacy_url(country: str | None) -> str:
    """The privacy notice of the claim's country, as a full address for a text."""
    from flask import has_request_context, url_for

    if current_app.config.get("PRIVACY_URL"):
        return current_app.config["PRIVACY_URL"]
    if has_request_context():
        return url_for("status.privacy", country=country, _external=True)
    with current_app.test_request_context():
        return url_for("status.privacy", country=country, _external=True)


def _tell(claim, kind: str, pin: str | None = None,  # noqa: ANN001
          limited: bool = False) -> None:
    household = claim.household
    if household is None or not household.phone:
        return
    if limited:
        hold_phone(household.phone)
    if limited and texts_to(household.phone, PUBLIC_KINDS) >= current_app.config[
            "PUBLIC_TEXTS_PER_PHONE"]:
        current_app.logger.warning("receipt text to a phone over its daily limit not sent")
        return
    locale = household.language or "en"
    figs = figures(claim)
    kind = _kind_for(kind, figs)
    with force_timezone(timezones.zone_of(claim)):  # dates as the herder's clock has them
        params = _params(claim, kind, figs, locale)
        if kind == "received":
            params.update(pin=PIN_MARK, privacy=privacy_url(claim.country_code))
        body = render(kind, locale, **params)
    queue(household.phone, locale, kind, body, claim_id=claim.id, secret=pin)


# A PIN is never stored in clear: the stored body shows this mask, and the PIN itself is
# kept sealed beside it until the text has been handed to the gateway.
PIN_MARK = "******"
SECRET_MAX_AGE = 2 * 24 * 3600  # seconds: longer than all the retries of a text


def queue(phone: str, locale: str, kind: str, body: str, claim_id: int | None = None,
          secret: str | None = None) -> None:
    message = SmsMessage(
        claim_id=claim_id, direction="out", phone=phone, locale=locale, kind=kind, body=body,
        status=SmsStatus.QUEUED, next_attempt_at=clock.now(),
        secret=seal(secret) if secret else None,
    )
    db.session.add(message)
    jobs.enqueue("sms.send", message, queue="sms", front=kind in HERDER_WAITING)


def _outgoing_text(message: SmsMessage) -> str:
    """The text handed to the gateway: the stored body with its PIN unsealed."""
    if not message.secret:
        return message.body
    pin = unseal(message.secret, max_age=SECRET_MAX_AGE)
    if pin is None:
        raise GatewayError("the sealed PIN could not be opened")
    return message.body.replace(PIN_MARK, pin, 1)


def send_job(message_id: int) -> str:
    """Send one text now (the job queued with it); a failure leaves it for the retries."""
    message = db.session.execute(
        select(SmsMessage).where(SmsMessage.id == message_id,
                                 SmsMessage.status == SmsStatus.QUEUED)
        .with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    if message is None:  # already sent by a retry run, or taken by another worker
        db.session.rollback()
        return "skipped"
    gateway = from_config(current_app.config)
    sent = _send(gateway, message, clock.now())
    db.session.commit()
    return "sent" if sent else "failed"


def dispatch_job() -> tuple[int, int]:
    return dispatch_due(limit=500)


def _send(gateway, message: SmsMessage, now) -> bool:  # noqa: ANN001
    message.attempts += 1
    try:
        gateway.send(message.phone, _outgoing_text(message))
    except GatewayError as exc:
        metrics.SMS.labels("failed").inc()
        message.last_error = str(exc)[:200]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = SmsStatus.FAILED
            message.secret = None
        else:
            message.next_attempt_at = now + timedelta(minutes=2 ** message.attempts)
        return False
    metrics.SMS.labels("sent").inc()
    message.status = SmsStatus.SENT
    message.sent_at = now
    message.secret = None  # handed over: nothing left to open
    return True


def dispatch_due(limit: int = 50) -> tuple[int, int]:
    """Send queued texts that are due, the ones a herder waits for first; returns (sent,
    failed attempts). Own transaction."""
    gateway = from_config(current_app.config)
    now = clock.now()
    sent = failed = 0
    waiting_first = case((SmsMessage.kind.in_(HERDER_WAITING), 0), else_=1)
    query = (
        select(SmsMessage)
        .where(SmsMessage.status == SmsStatus.QUEUED,
               or_(SmsMessage.next_attempt_at.is_(None), SmsMessage.next_attempt_at <= now))
        .order_by(waiting_first, SmsMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    try:
        for message in db.session.scalars(query).all():
            if _send(gateway, message, now):
                sent += 1
            else:
                failed += 1
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return sent, failed
