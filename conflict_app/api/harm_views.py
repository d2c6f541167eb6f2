"""The API's side of injury, death and crop damage claims: the same operation as the claim
page (claims.harm_records), answering with the claim (its medical fields only for the roles
that may read them)."""

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
from conflict_app.claims import harm_records
from conflict_app.claims.models import Claim
from conflict_app.extensions import db


@bp.route("/claims/<reference>/harm", methods=["POST"])
@authenticated("verification")
@idempotent
def record_harm(reference: str):
    claim = claim_for(reference)
    data = body(schemas.HarmIn)
    document = None
    if data.document is not None:
        try:
            document = base64.b64decode(data.document, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ApiError(422, "Invalid request body", errors=[
                {"field": "document", "message": "not base64"}]) from exc
    harm_records.record(claim.id, g.api_user, data.version, harm_records.HarmInput(
        severity=data.severity, medical_details=data.medical_details,
        medical_costs=data.medical_costs, next_of_kin=data.next_of_kin, crop=data.crop,
        area_ha=data.area_ha, measured_on=data.measured_on), document)
    db.session.expire_all()
    return json_response(claim_out(db.session.get(Claim, claim.id)))
