"""The API's side of an incentive scheme's payments, for scheme managers, through the scheme
page's operations: computing the performance payments of a year (one per community with
verified presence records), approving a household's adoption payment for a verified
measure, and cancelling a wrong payment (performance, adoption or agreement instalment)
before it is paid (schemes.incentives.cancel: audited, its amount leaves the committed
budget, and one in a batch not yet released leaves the batch)."""

from __future__ import annotations

from flask import g
from pydantic import BaseModel, Field

from conflict_app.api import schemas
from conflict_app.api.household_views import NAME
from conflict_app.api.payment_views import IncentivePaymentOut, incentive_outs
from conflict_app.api.scheme_views import MANAGERS, scheme_for
from conflict_app.api.views import ApiError, authenticated, body, bp, idempotent, json_response
from conflict_app.core.permissions import covers
from conflict_app.extensions import db
from conflict_app.schemes import incentives
from conflict_app.schemes import scope as scheme_scope
from conflict_app.schemes.models import IncentivePayment, Scheme
from conflict_app.schemes.params import SchemeKind


class CancellationIn(schemas.Strict):
    reason: str = Field(min_length=1, max_length=500, pattern=NAME,
                        description="Why the payment is wrong; kept in the audit log")


class PerformanceIn(schemas.Strict):
    period: int = Field(ge=2000, le=2100, description="The year whose verified presence "
                                                      "records are paid")


class AdoptionIn(schemas.Strict):
    measure_id: schemas.Id = Field(description="A household's measure whose installation is "
                                               "verified")


class IncentivePaymentList(BaseModel):
    items: list[IncentivePaymentOut]


MODELS = (CancellationIn, PerformanceIn, AdoptionIn, IncentivePaymentList)


def _incentive_scheme(scheme_id: int) -> Scheme:
    scheme = scheme_for(scheme_id)
    if scheme.kind is not SchemeKind.INCENTIVE:
        raise ApiError(404, "Not found", "Only an incentive scheme makes these payments.")
    if not g.api_user.has_role(*MANAGERS):
        raise ApiError(403, "Forbidden", "Incentive payments are approved by scheme "
                                         "managers.")
    return scheme


def _outs(ids: list[int], code: str) -> list[IncentivePaymentOut]:
    db.session.expire_all()
    return incentive_outs([(db.session.get(IncentivePayment, i), code) for i in ids])


@bp.route("/schemes/<int:scheme_id>/performance-payments", methods=["POST"])
@authenticated("schemes")
@idempotent
def compute_performance(scheme_id: int):
    """The year's performance payments; a community already paid for it is not paid again,
    so a repeat answers 200 with no new payment."""
    scheme = _incentive_scheme(scheme_id)
    data = body(PerformanceIn)
    made = incentives.compute_performance(g.api_user, scheme.id, data.period)
    return json_response(IncentivePaymentList(items=_outs([p.id for p in made], scheme.code)),
                         201 if made else 200)


@bp.route("/schemes/<int:scheme_id>/adoption-payments", methods=["POST"])
@authenticated("schemes")
@idempotent
def approve_adoption(scheme_id: int):
    scheme = _incentive_scheme(scheme_id)
    data = body(AdoptionIn)
    payment = incentives.adoption_payment(g.api_user, scheme.id, data.measure_id)
    return json_response(_outs([payment.id], scheme.code)[0], 201)


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
