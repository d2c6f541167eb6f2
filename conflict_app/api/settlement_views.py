"""The API's side of settling an insurance pool for a period: the approved claims of losses
in it are paid pro rata from what the pool holds, through the scheme page's operation
(schemes.insurance.settle), for finance officers and scheme managers whose jurisdiction
covers the whole pool, with the ``funds`` scope (money leaves the pool, as a premium's comes
in with it). A settlement is never edited, so there is no If-Match: settling the same claims
twice is impossible (a claim is in one settlement only)."""

from __future__ import annotations

from datetime import date

from flask import g
from pydantic import Field

from conflict_app.api import schemas
from conflict_app.api.scheme_views import scheme_for, settlement_out
from conflict_app.api.views import ApiError, authenticated, body, bp, idempotent, json_response
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.schemes import insurance
from conflict_app.schemes.models import Settlement
from conflict_app.schemes.params import SchemeKind

SETTLERS = (Role.FINANCE, Role.SCHEME_MANAGER, Role.ADMIN)  # as the scheme page


class SettlementIn(schemas.Strict):
    period_start: date = Field(description="Losses from this day (the incident's date)")
    period_end: date = Field(description="Losses up to this day, included")


MODELS = (SettlementIn,)


@bp.route("/schemes/<int:scheme_id>/settlements", methods=["POST"])
@authenticated("funds")
@idempotent
def create_settlement(scheme_id: int):
    scheme = scheme_for(scheme_id)
    user = g.api_user
    if scheme.kind is not SchemeKind.INSURANCE:
        raise ApiError(404, "Not found", "Only an insurance scheme has settlements.")
    if not user.has_role(*SETTLERS):
        raise ApiError(403, "Forbidden", "Insurance pools are settled by finance officers and "
                                         "scheme managers.")
    data = body(SettlementIn)
    settlement = insurance.settle(user, scheme.id, data.period_start, data.period_end)
    db.session.expire_all()
    response = json_response(settlement_out(db.session.get(Settlement, settlement.id),
                                            scheme.currency, user), 201)
    response.headers["Location"] = f"/api/v1/schemes/{scheme.id}/settlements"
    return response
