"""The API's side of conservation agreements: the list and one agreement (milestones and
instalments) for the roles that work on cases, and the verification of a milestone through
the same operation as the agreement's page."""

from __future__ import annotations

from datetime import date

from flask import g, request
from pydantic import BaseModel
from sqlalchemy import select

from conflict_app.api import schemas
from conflict_app.api.views import ApiError, authenticated, body, bp, idempotent, json_response
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


MODELS = (AgreementOut, AgreementPage, MilestoneVerifyIn)


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


def _one(agreement_id: int) -> AgreementOut:
    db.session.expire_all()
    found = agreement_queries.rows(agreement_queries.query(g.api_user).where(
        ConservationAgreement.id == agreement_id))
    if not found:
        raise ApiError(404, "Not found", "No agreement with this id in your area.")
    return _out(found[0])


@bp.route("/agreements", methods=["GET"])
@authenticated("read")
def list_agreements():
    user = _reader()
    query = agreement_queries.query(user)
    code = request.args.get("scheme")
    if code is not None:
        if len(code) > 32 or "\x00" in code:
            raise ApiError(400, "Bad query", "scheme is a scheme's code.")
        scheme_id = db.session.scalar(select(Scheme.id).where(Scheme.code == code))
        query = query.where(ConservationAgreement.scheme_id == (scheme_id or 0))
    return json_response(AgreementPage(
        items=[_out(r) for r in agreement_queries.rows(query)]))


@bp.route("/agreements/<int:agreement_id>", methods=["GET"])
@authenticated("read")
def get_agreement(agreement_id: int):
    _reader()
    return json_response(_one(agreement_id))


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

