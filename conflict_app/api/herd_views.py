"""The API's side of missing animals and vet costs: the same operations as the claim page
(claims.herd_evidence), answering with the claim."""

from __future__ import annotations

import base64
import binascii

from flask import g

from conflict_app.api import schemas
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    claim_for,
    claim_out,
    idempotent,
    json_response,
)
from conflict_app.claims import herd_evidence
from conflict_app.claims.models import Claim
from conflict_app.extensions import db


def _answer(claim_id: int):  # noqa: ANN202
    db.session.expire_all()
    return json_response(claim_out(db.session.get(Claim, claim_id)))


@bp.route("/claims/<reference>/season-counts", methods=["POST"])
@authenticated("claims")
@idempotent
def season_counts(reference: str):
    claim = claim_for(reference)
    data = body(schemas.SeasonCountIn)
    herd_evidence.record_counts(claim.id, g.api_user, data.version, herd_evidence.CountsInput(
        loss_line_id=data.line_id, count_before=data.count_before,
        counted_before_on=data.counted_before_on, count_after=data.count_after,
        counted_after_on=data.counted_after_on, explained=data.explained,
        explanation=data.explanation))
    return _answer(claim.id)


@bp.route("/claims/<reference>/leopard-signs", methods=["POST"])
@authenticated("verification")
@idempotent
def leopard_signs(reference: str):
    claim = claim_for(reference)
    data = body(schemas.LeopardSignsIn)
    herd_evidence.record_signs(claim.id, g.api_user, data.version, data.line_id,
                               data.signs_on, data.signs_note)
    return _answer(claim.id)


@bp.route("/claims/<reference>/vet-invoice", methods=["POST"])
@authenticated("claims")
@idempotent
def vet_invoice(reference: str):
    claim = claim_for(reference)
    data = body(schemas.VetInvoiceIn)
    try:
        photo = base64.b64decode(data.photo, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(422, "Invalid request body", errors=[
            {"field": "photo", "message": "not base64"}]) from exc
    herd_evidence.record_vet_invoice(claim.id, g.api_user, data.version, data.line_id,
                                     data.amount, data.invoiced_on, photo)
    return _answer(claim.id)
