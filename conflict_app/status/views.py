"""Public pages for herders (no account): start, report a loss, check status; SMS webhook.

Light pages: no JavaScript, no request to another host, one small stylesheet.
"""

from __future__ import annotations

import hmac
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from conflict_app.core.web import public
from conflict_app.extensions import csrf, limiter
from conflict_app.geo import timezones
from conflict_app.i18n import LOCALES, force_timezone, native_name
from conflict_app.status import limits, notify, operations
from conflict_app.status.figures import figures
from conflict_app.status.forms import ResendPinForm, StatusForm
from conflict_app.status.progress import progress

bp = Blueprint("status", __name__)

@bp.route("/")
@public
def start():
    languages = [(code, native_name(code)) for code in LOCALES]
    return render_template("status/start.html", languages=languages)


@bp.route("/report/receipt")
@public
def receipt():
    """Right after the report: on to the receipt's own signed link (see ``receipts``)."""
    from conflict_app.status import receipts

    data = session.pop("public_receipt", None)
    if not data:
        return redirect(url_for("status.start"))
    return receipts.start_receipt(data["reference"], data.get("sealed_pin"))


def _reference_key() -> str:
    return "ref:" + (operations.normalise_reference(request.form.get("reference")) or "-")


@bp.get("/status")
@public
def check():
    """The empty form: no limiter on the way (the limits count look-ups, not page views)."""
    return _status_form_page()


@bp.post("/status")
@public
@limiter.limit(lambda: current_app.config["STATUS_LOOKUP_LIMIT"],
               on_breach=limits.address_breached)
@limiter.limit("20 per hour", key_func=_reference_key, on_breach=limits.address_breached)
def check_post():
    form = StatusForm()
    if form.validate_on_submit():
        claim = operations.lookup(form.reference.data, form.pin.data)
        if claim is None:
            # One answer for a wrong reference, a wrong PIN and a locked reference.
            # Translators: herder's page: plain words, one polite 'you'
            form.form_errors.append(_("We could not find a claim with this reference and "
                                      "PIN. Check both and try again."))
        else:
            return _status_page(claim)
    status = 400 if form.is_submitted() else 200
    return render_template("status/check.html", form=form,
                           resend_form=ResendPinForm(formdata=None, prefix="resend")), status


def _resend_key() -> str:
    return "resend:" + (operations.normalise_reference(request.form.get("resend-reference"))
                        or "-")


@bp.post("/status/pin")
@public
@limiter.limit("10 per hour", on_breach=limits.address_breached)
@limiter.limit("5 per hour", key_func=_resend_key, on_breach=limits.address_breached)
def resend_pin():
    """Always the same answer: whether the reference exists, has a phone or is over its
    limit is not for the asker to learn."""
    form = ResendPinForm(prefix="resend")
    if not form.validate_on_submit():
        return render_template("status/check.html", form=StatusForm(formdata=None),
                               resend_form=form), 400
    operations.resend_pin(form.reference.data)
    return render_template("status/check.html", form=StatusForm(formdata=None),
                           resend_form=ResendPinForm(formdata=None, prefix="resend"),
                           resent=True)


def _status_page(claim):  # noqa: ANN001, ANN202
    from conflict_app.documents.contents import decision_outcome
    from conflict_app.status.states import state_view

    receipts.remember_checked(claim)
    steps = progress(claim)
    with force_timezone(timezones.zone_of(claim)):
        return render_template("status/progress.html", claim=claim, progress=steps,
                               figures=figures(claim), step_text=notify.step_text,
                               view=state_view(claim, steps.appeal_until),
                               decision_letter=decision_outcome(claim) is not None,
                               contact=current_app.config["OFFICE_CONTACT"])


# The empty status form is the same page for everyone with the same language and settings
# but for its CSRF token: render it once per language and put the token in per request
# (rendering it each time made the herders' busiest page several times dearer than a bare
# response).
_FORM_PAGES: dict[tuple, str] = {}
_TOKEN_MARK = "\x00csrf\x00"  # noqa: S105 - a placeholder, not a secret
# The signed CSRF token handed to a session, reused for this many seconds: signing it anew
# on each view of the form was a good part of the page's cost. A token is only ever good
# for its own session, and expires WTF_CSRF_TIME_LIMIT after it was signed, as before.
TOKEN_REUSE_SECONDS = 60
_SIGNED_TOKENS: dict[tuple[str, str], tuple[str, float]] = {}


def _form_token() -> str:
    from flask_wtf.csrf import generate_csrf

    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    raw = session.get(field)
    key = (current_app.secret_key, raw)
    known = _SIGNED_TOKENS.get(key) if raw else None
    now = time.monotonic()
    if known is not None and now - known[1] < TOKEN_REUSE_SECONDS:
        setattr(g, field, known[0])  # what generate_csrf hands any form in this request
        return known[0]
    token = generate_csrf()
    if len(_SIGNED_TOKENS) >= 4096:
        _SIGNED_TOKENS.clear()
    _SIGNED_TOKENS[(current_app.secret_key, session.get(field))] = (token, now)
    return token


def _status_form_page() -> str:
    from flask_babel import get_locale, get_translations

    token = _form_token()
    # The catalogue object itself is part of the key: reloaded translations are a new page.
    key = (str(get_locale()), get_translations(), current_app.config.get("DIGITS"),
           session.get("calendar"))
    page = None if current_app.debug else _FORM_PAGES.get(key)
    if page is None:
        html = render_template("status/check.html", form=StatusForm(),
                               resend_form=ResendPinForm(prefix="resend"))
        page = html.replace(token, _TOKEN_MARK)
        if _TOKEN_MARK in page and len(_FORM_PAGES) < 256:
            _FORM_PAGES[key] = page
        else:
            return html
    return page.replace(_TOKEN_MARK, token)


def warm(app) -> None:  # noqa: ANN001
    """Before the web workers are forked: every catalogue loaded, the herders' templates
    compiled and the status form rendered in the default language, so that a fresh (or
    recycled) worker does not spend its first requests on them. No database is touched."""
    from flask_babel import force_locale, get_translations

    with app.test_request_context("/status"):
        for code in LOCALES:
            with force_locale(code):
                get_translations()
        for name in ("status/check.html", "status/progress.html", "status/limited.html",
                     "errors/error.html"):
            app.jinja_env.get_template(name)
        _status_form_page()


@bp.route("/sms/inbound", methods=["POST"])
@public
@csrf.exempt
@limiter.limit("120 per minute")
def sms_inbound():
    """Provider webhook: ``from`` and ``text`` form fields, shared secret in a header."""
    secret = current_app.config.get("SMS_INBOUND_SECRET") or ""
    given = request.headers.get("X-Pardus-Secret", "")
    if not secret or not hmac.compare_digest(secret.encode(), given.encode()):
        abort(403)
    sender = (request.form.get("from") or "")[:30]
    text = (request.form.get("text") or "")[:500]
    from conflict_app.core import inputs

    sender = inputs.clean(sender)
    if sender[:1].isdigit() and not sender.startswith("00"):
        sender = "+" + sender  # gateways send the international number, often without "+"
    try:
        phone = inputs.parse_phone(sender, None)
    except inputs.PhoneError:
        phone = None
    if not phone:
        return {"status": "ignored"}, 200
    from conflict_app.alerts import operations as alerts

    if alerts.answer_keyword(phone, text):  # STOP or START, in any language
        return {"status": "queued"}, 200
    operations.answer_sms(phone, text)
    return {"status": "queued"}, 200


# Routes that live in their own modules, on this blueprint.
from conflict_app.status import privacy, receipts, reporting  # noqa: E402, F401
