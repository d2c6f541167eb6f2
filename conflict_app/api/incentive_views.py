"""The API's side of cancelling a wrong incentive payment (performance, adoption or agreement
instalment) before it is paid, for scheme managers, through the scheme page's operation
(schemes.incentives.cancel): audited, its amount leaves the committed budget, and one in a
batch not yet released leaves the batch."""

from __future__ import annotations

from flask import g
from pydantic import Field

from conflict_app.api import schemas
from conflict_app.api.household_views import NAME
from conflict_app.api.payment_views import incentive_outs
from conflict_app.api.scheme_views import MANAGERS
from conflict_app.api.views import ApiError, authenticated, body, bp, idempotent, json_response
from conflict_app.core.permissions import covers
from conflict_app.extensions import db
from conflict_app.schemes import incentives
from conflict_app.schemes import scope as scheme_scope
from conflict_app.schemes.models import IncentivePayment, Scheme


class CancellationIn(schemas.Strict):
    reason: str = Field(min_length=1, max_length=500, pattern=NAME,
                        description="Why the payment is wrong; kept in the audit log")


MODELS = (CancellationIn,)


@bp.route("/incentive-payments/<int:payment_id>/cancellation", methods=["POST"])
@authenticated("schemes")
@idempotent
def cancel_incentive_payment(payment_id: int):
    user = g.api_user
    if not user.has_role(*MANAGERS):
        raise ApiError(403, "Forbidden", "Incentive payments are cancelled by scheme managers.")
    payment = db.session.get(IncentivePayment, payment_id)
    scheme = db.session.get(Scheme, payment.scheme_id) if payment is not None else None
    # Outside the jurisdiction looks exactly like "not there": ids cannot be probed.
    if scheme is None or not covers(user, payment.village) or not scheme_scope.reaches(
            user, scheme.country_code, scheme.admin1_id):
        raise ApiError(404, "Not found", "No incentive payment with this id in your area.")
    data = body(CancellationIn)
    incentives.cancel(user, payment.id, data.reason)
    db.session.expire_all()
    payment = db.session.get(IncentivePayment, payment_id)
    return json_response(incentive_outs([(payment, scheme.code)])[0])
