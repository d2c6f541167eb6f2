"""The API's side of a household's personal data beyond its record: the payout details
(bank account or IBAN, mobile-money wallet), the export of everything held about the herder,
and erasure, through the same operations as the household pages (herders.payout,
herders.privacy).

Payout details and the export are for the household pages' roles only (clerks and
supervisors), whole, as the household page shows them; every other role is refused, as the
page refuses it. The payout details' entity tag is a digest of the account numbers, so only
those roles receive it. Nothing of them reaches the audit log but the names of the fields
that changed.
"""

from __future__ import annotations

import json
from datetime import datetime

from flask import Response, g, request
from pydantic import BaseModel, Field

from conflict_app.api import schemas
from conflict_app.api.household_views import NAME, PHONE, household_answer, household_for
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    if_match,
    stale,
    tagged_response,
)
from conflict_app.core.errors import StaleObject
from conflict_app.extensions import db
from conflict_app.herders import operations, payout, privacy
from conflict_app.herders.models import Household

KEEPERS = operations.STAFF  # the household pages' roles


class PayoutIn(schemas.Strict):
    """The whole set of details, as the payout page's form sends it: a field left out or
    null is cleared."""

    account_holder: str | None = schemas.text(
        default=None, max_length=160, description="Only if not the head of household")
    iban: str | None = Field(default=None, max_length=42, pattern=r"^[0-9A-Za-z \-.]*$",
                             description="Where the country's banks use IBANs; checksum and "
                                         "country are checked")
    bank_account: str | None = Field(default=None, max_length=42,
                                     pattern=r"^[0-9A-Za-z \-.]*$",
                                     description="Where the country has no IBANs")
    bank_name: str | None = schemas.text(default=None, max_length=120)
    wallet_number: str | None = Field(default=None, max_length=30, pattern=PHONE,
                                      description="A mobile number of the household's "
                                                  "country; answered in E.164")
    wallet_provider: str | None = schemas.text(
        default=None, max_length=60, description="Required with a wallet number")


class PayoutOut(BaseModel):
    household_id: int
    uses_iban: bool = Field(description="Whether the household's country numbers accounts "
                                        "by IBAN")
    account_holder: str | None
    iban: str | None
    bank_account: str | None
    bank_name: str | None
    wallet_number: str | None
    wallet_provider: str | None
    updated_at: datetime | None
    etag: str = Field(description="Send it back in If-Match to change the details")


class ErasureIn(schemas.Strict):
    reason: str = Field(min_length=1, max_length=500, pattern=NAME,
                        description="Why, e.g. the herder asked; kept in the audit log")


MODELS = (PayoutIn, PayoutOut, ErasureIn)


def _keeper():  # noqa: ANN202
    user = g.api_user
    if not user.has_role(*KEEPERS):
        raise ApiError(403, "Forbidden", "Payout details and erasure are for clerks and "
                                         "supervisors, as on the household pages.")
    return user


def _payout_answer(household: Household) -> Response:
    db.session.expire_all()
    details = payout.details_of(household.id)
    values = {name: getattr(details, name) if details else None for name in payout.FIELDS}
    out = PayoutOut(household_id=household.id,
                    uses_iban=payout.uses_iban(household.country_code),
                    updated_at=details.updated_at if details else None,
                    etag=payout.fingerprint(household.id, details), **values)
    response = tagged_response(out)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/households/<int:household_id>/payout-details", methods=["GET"])
@authenticated("read")
def get_payout_details(household_id: int):
    user = _keeper()
    household = household_for(user, household_id)
    return _payout_answer(household).make_conditional(request)


@bp.route("/households/<int:household_id>/payout-details", methods=["PUT"])
@authenticated("claims")
def update_payout_details(household_id: int):
    user = _keeper()
    household = household_for(user, household_id)
    current = if_match(payout.fingerprint(household.id, payout.details_of(household.id)),
                       "payout details")
    data = body(PayoutIn)
    try:
        payout.save(user, household, payout.PayoutInput(**data.model_dump()), current)
    except StaleObject as exc:  # changed between the check above and the row lock
        raise stale("payout details") from exc
    return _payout_answer(household)


@bp.route("/households/<int:household_id>/personal-data", methods=["GET"])
@authenticated("read")
def export_personal_data(household_id: int):
    """Everything held about the household, for the herder who asked for it, as the
    household page's download gives it; each export is audited."""
    user = _keeper()
    household = household_for(user, household_id)
    data = privacy.export(user, household)
    response = Response(json.dumps(data), mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/households/<int:household_id>/erasure", methods=["POST"])
@authenticated("claims")
def erase_household(household_id: int):
    """Pseudonymise the household as the household page does; refused while a claim runs.
    An If-Match, when sent, must name the household as read (erasing what another user just
    corrected is refused)."""
    user = _keeper()
    household = household_for(user, household_id)
    expected = None
    if "If-Match" in request.headers:
        expected = if_match(operations.fingerprint(household), "household")
    data = body(ErasureIn)
    try:
        privacy.erase(user, household, data.reason, expected)
    except StaleObject as exc:  # changed between the check above and the row lock
        raise stale("household") from exc
    return household_answer(user, household.id)
