"""The API's side of insurance enrolments: list and read them, enrol a household, record
its premium and exclude it from cover after a breach, through the same operations as the
scheme page (schemes.insurance).

Readers are the roles of the scheme page (those that work on claims); they see the enrolled
household's name, as the page lists it, each only for the households of their area. Enrolling
is for scheme managers, clerks and supervisors; recording the premium, money into the pool,
for finance and scheme managers (administrators too, as on the page); excluding for scheme
managers and supervisors.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import g, request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conflict_app.api import schemas
from conflict_app.api.household_views import NAME
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    idempotent,
    json_response,
    page_args,
    whole_number,
)
from conflict_app.core.permissions import CASE_ROLES, Role, covers, scope
from conflict_app.extensions import db
from conflict_app.herders.models import Household, Species
from conflict_app.schemes import insurance
from conflict_app.schemes import scope as scheme_scope
from conflict_app.schemes.models import Enrolment, Scheme
from conflict_app.schemes.params import SchemeKind

ENROLLING = (Role.SCHEME_MANAGER, Role.CLERK, Role.SUPERVISOR, Role.ADMIN)
PREMIUM = (Role.FINANCE, Role.SCHEME_MANAGER, Role.ADMIN)
EXCLUDING = (Role.SCHEME_MANAGER, Role.SUPERVISOR, Role.ADMIN)  # as the scheme page
# A positive amount with at most two decimals, at most 10^9 a head, as a decimal string.
VALUE = r"^([1-9][0-9]{0,8}(\.[0-9]{1,2})?|0\.(0[1-9]|[1-9][0-9]?))$"
CENT = Decimal("0.01")


class InsuredIn(schemas.Strict):
    heads: int = Field(ge=1, le=100000)
    value_per_head: str = Field(pattern=VALUE, description="Decimal string in the scheme's "
                                                           "currency, e.g. \"60000.00\"")


class EnrolmentIn(schemas.Strict):
    scheme_id: schemas.Id
    household_id: schemas.Id
    starts_on: date
    ends_on: date
    agreement_signed: bool = False
    # Keyed by species: a species cannot be insured twice in one enrolment.
    insured: dict[Species, InsuredIn] = Field(
        min_length=1, description="Heads and value of one head by species, e.g. "
                                  "{\"sheep\": {\"heads\": 80, \"value_per_head\": \"60000\"}}")


class PremiumIn(schemas.Strict):
    paid_on: date


class ExclusionIn(schemas.Strict):
    on: date = Field(description="Cover ends from this day")
    reason: str = Field(min_length=1, max_length=500, pattern=NAME,
                        description="The breach of the agreement, e.g. poaching")


class InsuredOut(BaseModel):
    heads: int
    value_per_head: str


class EnrolmentOut(BaseModel):
    id: int
    scheme_id: int
    scheme: str = Field(description="The scheme's code")
    currency: str
    household_id: int
    household: str = Field(description="Head of household, as the scheme page lists it")
    village: str
    starts_on: date
    ends_on: date
    agreement_signed: bool
    premium_herder: str = Field(description="Decimal string, never a float")
    premium_matching: str
    premium_paid_on: date | None
    excluded_on: date | None
    exclusion_reason: str | None
    insured: dict[Species, InsuredOut]
    created_at: datetime


class EnrolmentPage(BaseModel):
    items: list[EnrolmentOut]
    next_cursor: str | None


MODELS = (InsuredIn, EnrolmentIn, PremiumIn, ExclusionIn, InsuredOut, EnrolmentOut, EnrolmentPage)


def _money(value: Decimal | None) -> str:
    return str(Decimal(value or 0).quantize(CENT))


def _reader():  # noqa: ANN202
    user = g.api_user
    if not user.has_role(*CASE_ROLES):
        raise ApiError(403, "Forbidden", "Your role may not see enrolments.")
    return user


def _role(*roles: Role):  # noqa: ANN202
    user = g.api_user
    if not user.has_role(*roles):
        raise ApiError(403, "Forbidden", "Your role may not do this.")
    return user


def _enrolment_for(user, enrolment_id: int) -> Enrolment:  # noqa: ANN001
    enrolment = db.session.get(Enrolment, enrolment_id)
    # Outside the jurisdiction looks exactly like "not there": ids cannot be probed.
    if enrolment is None or not covers(user, enrolment.household):
        raise ApiError(404, "Not found", "No enrolment with this id in your area.")
    return enrolment


def _out(enrolment: Enrolment) -> EnrolmentOut:
    scheme = enrolment.scheme
    return EnrolmentOut(
        id=enrolment.id, scheme_id=scheme.id, scheme=scheme.code, currency=scheme.currency,
        household_id=enrolment.household_id, household=enrolment.household.head_name,
        village=enrolment.household.village.name, starts_on=enrolment.starts_on,
        ends_on=enrolment.ends_on, agreement_signed=enrolment.agreement_signed,
        premium_herder=_money(enrolment.premium_herder),
        premium_matching=_money(enrolment.premium_matching),
        premium_paid_on=enrolment.premium_paid_on, excluded_on=enrolment.excluded_on,
        exclusion_reason=enrolment.exclusion_reason,
        insured={ln.species: InsuredOut(heads=ln.heads,
                                        value_per_head=_money(ln.value_per_head))
                 for ln in enrolment.lines},
        created_at=enrolment.created_at)


def _answer(enrolment_id: int, status: int = 200):  # noqa: ANN202
    db.session.expire_all()
    response = json_response(_out(db.session.get(Enrolment, enrolment_id)), status)
    if status == 201:
        response.headers["Location"] = f"/api/v1/enrolments/{enrolment_id}"
    return response


@bp.route("/enrolments", methods=["GET"])
@authenticated("read")
def list_enrolments():
    user = _reader()
    after, limit = page_args()
    query = scope(select(Enrolment).join(Household, Enrolment.household_id == Household.id)
                  .options(selectinload(Enrolment.lines), selectinload(Enrolment.scheme),
                           selectinload(Enrolment.household).selectinload(Household.village)),
                  Household, user)
    if scheme := request.args.get("scheme_id"):
        query = query.where(Enrolment.scheme_id == whole_number("scheme_id", scheme))
    if household := request.args.get("household_id"):
        query = query.where(Enrolment.household_id == whole_number("household_id", household))
    if after:
        query = query.where(Enrolment.id < after)
    rows = list(db.session.scalars(query.order_by(Enrolment.id.desc()).limit(limit + 1)))
    return json_response(EnrolmentPage(
        items=[_out(e) for e in rows[:limit]],
        next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None))


@bp.route("/enrolments/<int:enrolment_id>", methods=["GET"])
@authenticated("read")
def get_enrolment(enrolment_id: int):
    user = _reader()
    return _answer(_enrolment_for(user, enrolment_id).id)


def scheme_for(user, scheme_id: int, kind: SchemeKind) -> Scheme:  # noqa: ANN001
    """A scheme of ``kind`` that pays in some of the user's area; any other is not there."""
    scheme = db.session.get(Scheme, scheme_id)
    if scheme is None or scheme.kind is not kind or not scheme_scope.reaches(
            user, scheme.country_code, scheme.admin1_id):
        raise ApiError(404, "Not found", f"No {kind.value} scheme with this id in your area.")
    return scheme


@bp.route("/enrolments", methods=["POST"])
@authenticated("claims")
@idempotent
def create_enrolment():
    user = _role(*ENROLLING)
    data = body(EnrolmentIn)
    scheme = scheme_for(user, data.scheme_id, SchemeKind.INSURANCE)
    household = db.session.get(Household, data.household_id)
    if household is None or not covers(user, household):
        raise ApiError(404, "Not found", "No household with this id in your area.")
    enrolment = insurance.enrol(
        user, scheme.id, household.id, data.starts_on, data.ends_on,
        [insurance.InsuredLine(species, line.heads, Decimal(line.value_per_head))
         for species, line in data.insured.items()], data.agreement_signed)
    return _answer(enrolment.id, 201)


@bp.route("/enrolments/<int:enrolment_id>/premium", methods=["POST"])
@authenticated("funds")
@idempotent
def record_premium(enrolment_id: int):
    user = _role(*PREMIUM)
    enrolment = _enrolment_for(user, enrolment_id)
    data = body(PremiumIn)
    insurance.record_premium(user, enrolment.id, data.paid_on)
    return _answer(enrolment.id)


@bp.route("/enrolments/<int:enrolment_id>/exclusion", methods=["POST"])
@authenticated("claims")
@idempotent
def exclude_enrolment(enrolment_id: int):
    """A breach of the conservation agreement ends the household's cover from a day."""
    user = _role(*EXCLUDING)
    enrolment = _enrolment_for(user, enrolment_id)
    data = body(ExclusionIn)
    insurance.exclude(user, enrolment.id, data.on, data.reason)
    return _answer(enrolment.id)
