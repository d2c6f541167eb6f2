"""The herder's receipt and letters: a receipt page that survives a reload and can be
printed, its PDF, and the decision letter once the herder has given the PIN.

The receipt lives at a signed, short-lived link (``RECEIPT_LINK_MINUTES``): anyone who
reloads, prints or downloads within that time sees the same receipt; nobody can make a link
for another claim. The PIN is shown once, on the first view, from the sealed session value
the report left; the receipt text carries it too. The decision letter is served only for
the one claim whose reference and PIN were checked in this browser session, for a short
while after the check.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, session, url_for
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from conflict_app.claims import operations as claim_ops
from conflict_app.claims.models import Claim
from conflict_app.core import clock
from conflict_app.core.sealed import seal, unseal
from conflict_app.core.web import public
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.i18n import force_timezone
from conflict_app.status.models import SmsMessage
from conflict_app.status.views import bp

_SALT = "pardus-herder-receipt"
_CHECKED = "status_checked_claim"


class _ClockSigner(TimestampSigner):
    """Link ages on the app's clock, like every other deadline."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT,
                                  signer=_ClockSigner)


def receipt_link(claim: Claim) -> str:
    return url_for("status.receipt_page", token=_serializer().dumps(claim.id))


def _claim_for(token: str) -> Claim:
    try:
        claim_id = _serializer().loads(
            token, max_age=current_app.config["RECEIPT_LINK_MINUTES"] * 60)
    except BadSignature:
        abort(404)  # forged, altered or expired: the same for all
    claim = db.session.get(Claim, claim_id) if isinstance(claim_id, int) else None
    if claim is None:
        abort(404)
    return claim


def start_receipt(reference: str, sealed_pin: str | None):  # noqa: ANN201
    """From the report to its receipt link; the PIN waits, sealed, for the first view."""
    claim = db.session.scalars(select(Claim).where(Claim.reference == reference)).first()
    if claim is None:
        abort(404)
    if sealed_pin:
        session["receipt_pin"] = {"claim_id": claim.id, "sealed_pin": sealed_pin}
    return redirect(receipt_link(claim))


def _pin_once(claim: Claim) -> str | None:
    pending = session.get("receipt_pin") or {}
    if pending.get("claim_id") != claim.id:
        return None
    session.pop("receipt_pin", None)
    return unseal(pending.get("sealed_pin"))


def _pin_texted(claim: Claim) -> bool:
    return db.session.scalar(select(SmsMessage.id).where(
        SmsMessage.claim_id == claim.id, SmsMessage.kind == "received").limit(1)) is not None


@bp.route("/report/receipt/<token>")
@public
def receipt_page(token: str):
    claim = _claim_for(token)
    with force_timezone(timezones.zone_of(claim)):
        return render_template(
            "status/receipt.html", claim=claim, reference=claim.reference,
            pin=_pin_once(claim), pin_texted=_pin_texted(claim), token=token,
            minutes=current_app.config["RECEIPT_LINK_MINUTES"],
            deadlines=claim_ops.deadlines(), contact=current_app.config["OFFICE_CONTACT"])


@bp.route("/report/receipt/<token>/receipt.pdf")
@public
def receipt_pdf(token: str):
    from flask_babel import get_locale

    from conflict_app.documents import contents, layout, render
    from conflict_app.documents.views import _pdf

    claim = _claim_for(token)
    data = contents.receipt_data(claim)
    data.pin_texted = _pin_texted(claim)
    with force_timezone(timezones.zone_of(claim)):
        return _pdf(render.render_receipt, data, str(get_locale()),
                    layout.safe_filename("receipt", data.reference))


def remember_checked(claim: Claim) -> None:
    """The herder gave this claim's reference and PIN: its letters may be downloaded."""
    session[_CHECKED] = seal(str(claim.id))


def checked_claim() -> Claim | None:
    claim_id = unseal(session.get(_CHECKED))
    return db.session.get(Claim, int(claim_id)) if claim_id else None


@bp.route("/status/decision.pdf")
@public
def decision_letter():
    from flask_babel import get_locale

    from conflict_app.documents import contents, layout, render
    from conflict_app.documents.views import _pdf

    claim = checked_claim()
    if claim is None or contents.decision_outcome(claim) is None:
        abort(404)
    data = contents.decision_data(claim)
    with force_timezone(timezones.zone_of(claim)):
        return _pdf(render.render_decision, data, str(get_locale()),
                    layout.safe_filename("decision", data.reference))
