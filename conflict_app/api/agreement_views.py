"""The API's side of conservation agreements: the list and one agreement (milestones and
instalments) for the roles that work on cases; signing, renewal and the verification of a
milestone through the same operations as the agreement pages."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Literal

from flask import g, request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conflict_app.api import schemas
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    idempotent,
    if_match,
    json_response,
)
from conflict_app.core.permissions import CASE_ROLES, covers
from conflict_app.extensions import db
from conflict_app.schemes import agreement_queries, agreements
from conflict_app.schemes.agreement_models import AgreementMilestone, ConservationAgreement
from conflict_app.schemes.models import Scheme


class MilestoneOut(BaseModel):
    id: int
    year: int
    kind: str
    verified_on: date | None
    evidence: str | None


class InstalmentOut(BaseModel):
    year: int
    amount: str
    currency: str
    state: str  # waiting (milestones not met), approved, withheld, scheduled, paid, cancelled
    payment: str | None


class AgreementOut(BaseModel):
    id: int
    reference: str
    scheme: str
    village: str
    household_id: int | None
    signed_on: date
    term_years: int
    ends_on: date
    state: str
    renews: str | None
    milestones: list[MilestoneOut]
    instalments: list[InstalmentOut]


class AgreementPage(BaseModel):
    items: list[AgreementOut]


class MilestoneVerifyIn(schemas.Strict):
    verified_on: date
    evidence: str = schemas.text(min_length=1, max_length=2000)


class TermsIn(schemas.Strict):
    term_years: int = Field(ge=1, le=10)
    amount: schemas.number(0, 1e13) = Field(  # type: ignore[valid-type]
        description="The instalment of each year in the scheme's currency, above zero")
    milestones: list[Literal["corral", "guard_dog", "no_killing", "presence"]] = Field(
        min_length=1, max_length=4, description="What is verified each year")
    note: str | None = schemas.text(default=None, max_length=2000)


class AgreementIn(TermsIn):
    scheme_id: int = Field(ge=1, le=schemas.MAX_ID)
    household_id: int | None = Field(None, ge=1, le=schemas.MAX_ID, description=(
        "A household's agreement; without it, the community's (village_id)"))
    village_id: int | None = Field(None, ge=1, le=schemas.MAX_ID)
    signed_on: date


MODELS = (AgreementOut, AgreementPage, MilestoneVerifyIn, AgreementIn, TermsIn)


def _out(row: agreement_queries.Row) -> AgreementOut:
    a = row.agreement
    return AgreementOut(
        id=a.id, reference=a.reference, scheme=a.scheme.code, village=a.village.name,
        household_id=a.household_id, signed_on=a.signed_on, term_years=a.term_years,
        ends_on=a.ends_on, state=row.state, renews=a.renews.reference if a.renews else None,
        milestones=[MilestoneOut(id=m.id, year=m.year, kind=m.kind, verified_on=m.verified_on,
                                 evidence=m.evidence) for m in a.milestones],
        instalments=[InstalmentOut(year=i.year, amount=str(i.amount), currency=i.currency,
                                   state=i.state,
                                   payment=i.payment.reference if i.payment else None)
                     for i in a.instalments])


def _reader():  # noqa: ANN202
    user = g.api_user
    if not user.has_role(*CASE_ROLES):
        raise ApiError(403, "Forbidden", "Your role may not see conservation agreements.")
    return user


def _query(user):  # noqa: ANN001, ANN202 - a Select
    """The agreements of the user's area with what the API answers of each (milestones, the
    agreement renewed) read with them, not one agreement at a time."""
    return agreement_queries.query(user).options(
        selectinload(ConservationAgreement.milestones),
        selectinload(ConservationAgreement.renews))


def _one(agreement_id: int) -> AgreementOut:
    db.session.expire_all()
    found = agreement_queries.rows(_query(g.api_user).where(
        ConservationAgreement.id == agreement_id))
    if not found:
        raise ApiError(404, "Not found", "No agreement with this id in your area.")
    return _out(found[0])


@bp.route("/agreements", methods=["GET"])
@authenticated("read")
def list_agreements():
    user = _reader()
    query = _query(user)
    code = request.args.get("scheme")
    if code is not None:
        if len(code) > 32 or "\x00" in code:
            raise ApiError(400, "Bad query", "scheme is a scheme's code.")
        scheme_id = db.session.scalar(select(Scheme.id).where(Scheme.code == code))
        query = query.where(ConservationAgreement.scheme_id == (scheme_id or 0))
    return json_response(AgreementPage(
        items=[_out(r) for r in agreement_queries.rows(query)]))


def _etag(out: AgreementOut) -> str:
    return hashlib.sha256(out.model_dump_json().encode()).hexdigest()[:32]


def _answer(out: AgreementOut, status: int = 200):  # noqa: ANN202 - a Response
    response = json_response(out, status)
    response.set_etag(_etag(out))
    return response


@bp.route("/agreements/<int:agreement_id>", methods=["GET"])
@authenticated("read")
def get_agreement(agreement_id: int):
    _reader()
    return _answer(_one(agreement_id))


@bp.route("/agreements", methods=["POST"])
@authenticated("schemes")
@idempotent
def sign_agreement():
    """Sign with a household or a community (scheme managers of the scheme's area)."""
    data = body(AgreementIn)
    agreement = agreements.sign(g.api_user, data.scheme_id, data.village_id, data.household_id,
                                agreements.Terms(data.signed_on, data.term_years, data.amount,
                                                 list(data.milestones), data.note))
    return _answer(_one(agreement.id), 201)


@bp.route("/agreements/<int:agreement_id>/renewal", methods=["POST"])
@authenticated("schemes")
@idempotent
def renew_agreement(agreement_id: int):
    """A new agreement from the end of the old one's term; the old one becomes renewed, so
    the client sends the old one's ETag."""
    _reader()
    if_match(_etag(_one(agreement_id)), "agreement")
    data = body(TermsIn)
    new = agreements.renew(g.api_user, agreement_id, agreements.Terms(
        date.min, data.term_years, data.amount, list(data.milestones), data.note))
    return _answer(_one(new.id), 201)


def paths(ref, problems, json, idempotency) -> dict:  # noqa: ANN001
    """Signing and renewal (joined into openapi.document beside the reads)."""
    etag = {"ETag": {"description": "The agreement's entity tag", "schema": {"type": "string"}}}
    post = problems(400, 401, 403, 404, 409, 413, 415, 422)
    return {
        "/agreements": {"post": {
            "operationId": "signAgreement",
            "summary": "Sign a multi-year agreement with a household or a community: the "
                       "term, each year's instalment and milestones (scheme managers; same "
                       "rules as the page)",
            "parameters": [idempotency],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref(AgreementIn)}}},
            "responses": {"201": {**json(AgreementOut, "The new agreement"), "headers": etag},
                          **post},
        }},
        "/agreements/{agreement_id}/renewal": {"post": {
            "operationId": "renewAgreement",
            "summary": "Renew an agreement near the end of its term: a new one from the day "
                       "the old one ends, linked both ways",
            "parameters": [
                {"name": "agreement_id", "in": "path", "required": True,
                 "schema": {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID}},
                idempotency,
                {"name": "If-Match", "in": "header", "required": True,
                 "schema": {"type": "string", "maxLength": 200, "pattern": schemas.NO_NUL},
                 "description": "The old agreement's ETag; 412 when stale, 428 without it."}],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref(TermsIn)}}},
            "responses": {"201": {**json(AgreementOut, "The new agreement"), "headers": etag},
                          **problems(400, 401, 403, 404, 409, 412, 413, 415, 422, 428)},
        }},
    }


@bp.route("/agreement-milestones/<int:milestone_id>/verify", methods=["POST"])
@authenticated("verification")
@idempotent
def verify_milestone(milestone_id: int):
    user = _reader()
    milestone = db.session.get(AgreementMilestone, milestone_id)
    if milestone is None or not covers(user, milestone.agreement):
        raise ApiError(404, "Not found", "No milestone with this id in your area.")
    data = body(MilestoneVerifyIn)
    agreements.verify_milestone(user, milestone.id, data.verified_on, data.evidence)
    return json_response(_one(milestone.agreement_id))

