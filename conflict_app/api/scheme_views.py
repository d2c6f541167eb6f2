"""The API's side of schemes and their rule versions: the list and one scheme with its budget
for the roles that see the scheme pages; for scheme managers a draft rule version and its
publication, through the same operations as the pages (schemes.operations). A version's
entity tag is the fingerprint of what it records; publishing must name it in ``If-Match``,
so a version read before someone else published it is not published again blindly. Creating
and changing a scheme itself is in api.scheme_edit_views."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from flask import Response, g, request
from pydantic import BaseModel, Field, WithJsonSchema

from conflict_app.api import schemas
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    idempotent,
    if_match,
    json_response,
    query_date,
    stale,
    tagged_response,
)
from conflict_app.auth.models import User
from conflict_app.core.errors import StaleObject
from conflict_app.core.permissions import CASE_ROLES, Role, covers
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.schemes import dry_run as dry_runs
from conflict_app.schemes import insurance, params
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import scope as scheme_scope
from conflict_app.schemes.models import RuleVersion, Scheme, Settlement
from conflict_app.schemes.params import SchemeKind

READERS = tuple(CASE_ROLES)  # as the scheme pages
MANAGERS = (Role.SCHEME_MANAGER, Role.ADMIN)
# Every parameter name of every kind: a value's name outside its kind's list is refused.
PARAM_NAMES = sorted({p.name for spec in params.SPECS.values() for p in spec})
Value = Annotated[str, Field(max_length=400, pattern=schemas.NO_NUL)]
NAME = r"^[a-z0-9_]+$"
Name = Annotated[str, Field(max_length=40, pattern=NAME)]


class BudgetSourceOut(BaseModel):
    fund_id: int
    fund: str
    kind: str = Field(description="allocation or return")
    amount: str = Field(description="What the budget received (a return is negative)")
    booked_on: date


class BudgetOut(BaseModel):
    currency: str
    allocated: str = Field(description="Decimal string, never a float")
    committed: str
    disbursed: str
    remaining: str
    held: str = Field(description="Approvals queued beyond the budget")
    to_recover: str | None
    from_funds: str = Field(description="The part of the budget allocated from funds")
    direct: str = Field(description="The part set on the scheme itself")
    sources: list[BudgetSourceOut] = Field(description="Where the money came from: each "
                                                       "fund's allocations and returns")


class SchemeOut(BaseModel):
    id: int
    code: str
    name: str
    kind: SchemeKind
    country: str
    admin1_id: int | None
    province: str | None
    currency: str
    funders: str | None
    over_budget: str
    valid_from: date
    valid_to: date | None
    closed: bool
    example: bool
    review_share: str
    review_above: str | None
    version_in_force: int | None = Field(description="Number of the published version in "
                                                     "force today")
    budget: BudgetOut
    etag: str = Field(description="Send it back in If-Match to change the scheme")


class SchemePage(BaseModel):
    items: list[SchemeOut]


class RuleVersionOut(BaseModel):
    id: int
    scheme_id: int
    scheme: str
    number: int
    valid_from: date
    values: dict[str, str] = Field(description="Rule values as stored: decimals and whole "
                                               "numbers as strings, flags \"1\"/\"0\", lists "
                                               "comma-separated")
    note: str | None
    published: bool
    published_at: datetime | None
    created_at: datetime
    etag: str = Field(description="Send it back in If-Match to publish the version")


class RuleVersionPage(BaseModel):
    items: list[RuleVersionOut]


class RuleVersionIn(schemas.Strict):
    valid_from: date
    values: Annotated[dict[Name, Value], WithJsonSchema({
        "type": "object", "maxProperties": len(PARAM_NAMES),
        "propertyNames": {"enum": PARAM_NAMES},
        "additionalProperties": {"type": "string", "maxLength": 400,
                                 "pattern": schemas.NO_NUL}})] = Field(
        default_factory=dict, max_length=len(PARAM_NAMES),
        description="Rule values by name, as strings (\"0.75\", \"1\" for a flag, "
                    "\"leopard,wolf\" for a list, \"\" to leave an optional value empty); "
                    "those not given are taken from the latest version, or the documented "
                    "defaults for the first one, as the page's form starts from them")
    note: str | None = schemas.text(default=None, max_length=2000)


def _reader() -> User:
    user = g.api_user
    if not user.has_role(*READERS):
        raise ApiError(403, "Forbidden", "Your role may not see schemes.")
    return user


def scheme_for(scheme_id: int) -> Scheme:
    """A scheme that pays in some of the user's area; any other does not exist for them."""
    user = _reader()
    scheme = db.session.get(Scheme, scheme_id)
    if scheme is None or not scheme_scope.reaches(user, scheme.country_code, scheme.admin1_id):
        raise ApiError(404, "Not found", "No scheme with this id in your area.")
    return scheme


def _version_for(version_id: int) -> RuleVersion:
    version = db.session.get(RuleVersion, version_id)
    if version is None:
        _reader()
        raise ApiError(404, "Not found", "No rule version with this id in your area.")
    scheme_for(version.scheme_id)
    return version


def _money(value: Decimal | None) -> str | None:
    return str(Decimal(value).quantize(Decimal("0.01"))) if value is not None else None


def _sources(found) -> dict:  # noqa: ANN001 - a funds.Sources
    """Where the budget came from, as the scheme page and its report show it."""
    return {"from_funds": _money(found.from_funds.amount),
            "direct": _money(found.direct.amount),
            "sources": [BudgetSourceOut(fund_id=e.fund_id, fund=e.fund.name, kind=e.kind.value,
                                        amount=_money(-e.amount), booked_on=e.booked_on)
                        for e in found.entries]}


def _scheme_outs(schemes: list[Scheme]) -> list[SchemeOut]:
    """Schemes as the API answers them; their budgets, versions in force and fund sources
    are each read for all of them at once, so a list costs what one scheme does."""
    from conflict_app.schemes import funds

    budgets = scheme_ops.budgets(schemes)
    in_force = scheme_ops.versions_in_force(schemes)
    sources = funds.sources_of(schemes)
    return [_scheme_out(s, budgets[s.id], in_force.get(s.id), sources[s.id]) for s in schemes]


def _scheme_out(scheme: Scheme, budget: scheme_ops.Budget, in_force: RuleVersion | None,
                sources) -> SchemeOut:  # noqa: ANN001 - a funds.Sources
    return SchemeOut(
        id=scheme.id, code=scheme.code, name=scheme.name, kind=scheme.kind,
        country=scheme.country_code, admin1_id=scheme.admin1_id,
        province=scheme.admin1.name if scheme.admin1 else None, currency=scheme.currency,
        funders=scheme.funders, over_budget=scheme.over_budget, valid_from=scheme.valid_from,
        valid_to=scheme.valid_to, closed=scheme.closed, example=scheme.example,
        review_share=str(scheme.review_share), review_above=_money(scheme.review_above),
        version_in_force=in_force.number if in_force else None,
        budget=BudgetOut(
            currency=scheme.currency, allocated=_money(budget.allocated.amount),
            committed=_money(budget.committed.amount),
            disbursed=_money(budget.disbursed.amount),
            remaining=_money(budget.remaining.amount), held=_money(budget.held.amount),
            to_recover=_money(budget.to_recover.amount) if budget.to_recover else None,
            **_sources(sources)),
        etag=scheme_ops.scheme_fingerprint(scheme))


def scheme_answer(scheme_id: int, status: int = 200) -> Response:
    db.session.expire_all()
    return tagged_response(_scheme_outs([db.session.get(Scheme, scheme_id)])[0], status,
                           f"/api/v1/schemes/{scheme_id}")


def _version_out(version: RuleVersion) -> RuleVersionOut:
    return RuleVersionOut(
        id=version.id, scheme_id=version.scheme_id, scheme=version.scheme.code,
        number=version.number, valid_from=version.valid_from,
        values={k: str(v) for k, v in (version.values or {}).items()}, note=version.note,
        published=version.published_at is not None, published_at=version.published_at,
        created_at=version.created_at, etag=scheme_ops.version_fingerprint(version))


def _version_answer(version_id: int, status: int = 200) -> Response:
    db.session.expire_all()
    return tagged_response(_version_out(db.session.get(RuleVersion, version_id)), status,
                           f"/api/v1/rule-versions/{version_id}")


@bp.route("/schemes", methods=["GET"])
@authenticated("read")
def list_schemes():
    user = _reader()
    kind = request.args.get("kind")
    if kind and kind not in {k.value for k in SchemeKind}:
        raise ApiError(400, "Bad query", f"Unknown kind {kind!r}.")
    schemes = [s for s in scheme_ops.visible_schemes(user) if not kind or s.kind == kind]
    return json_response(SchemePage(items=_scheme_outs(schemes)))


@bp.route("/schemes/<int:scheme_id>", methods=["GET"])
@authenticated("read")
def get_scheme(scheme_id: int):
    return scheme_answer(scheme_for(scheme_id).id).make_conditional(request)


@bp.route("/schemes/<int:scheme_id>/versions", methods=["GET"])
@authenticated("read")
def list_versions(scheme_id: int):
    scheme = scheme_for(scheme_id)
    return json_response(RuleVersionPage(items=[_version_out(v) for v in scheme.versions]))


@bp.route("/rule-versions/<int:version_id>", methods=["GET"])
@authenticated("read")
def get_version(version_id: int):
    version = _version_for(version_id)
    return _version_answer(version.id).make_conditional(request)


def _manager_of(scheme: Scheme) -> User:
    """As the page: a manager whose jurisdiction covers the scheme's whole area."""
    user = g.api_user
    if not user.has_role(*MANAGERS):
        raise ApiError(403, "Forbidden", "Rule versions are made by scheme managers.")
    if not scheme_scope.covers_area(user, scheme.country_code, scheme.admin1_id):
        raise ApiError(403, "Forbidden", "This scheme covers more than your area: it is "
                                         "configured by a manager whose jurisdiction covers "
                                         "all of it.")
    return user


@bp.route("/schemes/<int:scheme_id>/versions", methods=["POST"])
@authenticated("schemes")
@idempotent
def create_version(scheme_id: int):
    scheme = scheme_for(scheme_id)
    user = _manager_of(scheme)
    data = body(RuleVersionIn)
    names = {p.name for p in params.SPECS[scheme.kind]}
    if unknown := sorted(set(data.values) - names):
        raise ApiError(422, "Invalid request body", errors=[
            {"field": f"values.{name}", "message": f"not a rule of a {scheme.kind.value} "
                                                   "scheme"} for name in unknown])
    latest = scheme.versions[-1].values if scheme.versions else params.defaults(scheme.kind)
    version = scheme_ops.add_version(user, scheme.id, data.valid_from,
                                     {**latest, **data.values}, data.note)
    return _version_answer(version.id, 201)


@bp.route("/rule-versions/<int:version_id>/publish", methods=["POST"])
@authenticated("schemes")
@idempotent
def publish_version(version_id: int):
    version = _version_for(version_id)
    user = _manager_of(version.scheme)
    current = if_match(scheme_ops.version_fingerprint(version), "rule version")
    try:
        scheme_ops.publish_version(user, version.id, expected=current)
    except StaleObject as exc:  # changed between the check above and the row lock
        raise stale("rule version") from exc
    return _version_answer(version.id)


class DryRunRowOut(BaseModel):
    claim_reference: str
    before: str = Field(description="The amount the claim was valued at")
    after: str | None = Field(description="What the version would value it at")
    problem: str | None = Field(description="Why the version would refuse it")


class DryRunOut(BaseModel):
    version_id: int
    start: date
    end: date
    currency: str
    before: str
    after: str
    rows: list[DryRunRowOut]


LONGEST_DRY_RUN_DAYS = 3660


@bp.route("/rule-versions/<int:version_id>/dry-run", methods=["GET"])
@authenticated("read")
def dry_run(version_id: int):
    """The page's trial of a version on past claims: what each would have been under it,
    next to what it was. Nothing is stored."""
    version = _version_for(version_id)
    user = _manager_of(version.scheme)
    today = timezones.today_for(version.scheme)
    start = query_date("start", date(today.year - 1, 1, 1))
    end = query_date("end", today)
    if (end - start).days > LONGEST_DRY_RUN_DAYS:
        raise ApiError(400, "Bad query", "The period is at most ten years.")
    rows = dry_runs.dry_run(user, version.id, start, end)
    return json_response(DryRunOut(
        version_id=version.id, start=start, end=end, currency=version.scheme.currency,
        before=_money(sum((r.before.amount for r in rows), Decimal(0))),
        after=_money(sum((r.after.amount for r in rows if r.after), Decimal(0))),
        rows=[DryRunRowOut(claim_reference=r.claim.reference, before=_money(r.before.amount),
                           after=_money(r.after.amount) if r.after else None,
                           problem=r.problem) for r in rows]))


class SettlementItemOut(BaseModel):
    claim_reference: str
    approved: str
    payable: str


class SettlementOut(BaseModel):
    id: int
    period_start: date
    period_end: date
    currency: str
    available: str = Field(description="What the pool held: decimal string")
    approved: str
    payable: str
    shortfall: str
    items: list[SettlementItemOut] = Field(description="The claims settled, those in your "
                                                       "area")


class SettlementPage(BaseModel):
    items: list[SettlementOut]


@bp.route("/schemes/<int:scheme_id>/settlements", methods=["GET"])
@authenticated("read")
def list_settlements(scheme_id: int):
    """An insurance pool's settlements, as its page shows them."""
    scheme = scheme_for(scheme_id)
    user = g.api_user
    if scheme.kind is not SchemeKind.INSURANCE:
        raise ApiError(404, "Not found", "Only an insurance scheme has settlements.")
    return json_response(SettlementPage(items=[
        settlement_out(s, scheme.currency, user)
        for s in insurance.settlements(scheme.id, with_items=True)]))


def settlement_out(s: Settlement, currency: str, user: User) -> SettlementOut:
    return SettlementOut(
        id=s.id, period_start=s.period_start, period_end=s.period_end,
        currency=currency, available=_money(s.available), approved=_money(s.approved),
        payable=_money(s.payable), shortfall=_money(s.shortfall),
        items=[SettlementItemOut(claim_reference=i.claim.reference, approved=_money(i.approved),
                                 payable=_money(i.payable))
               for i in s.items if covers(user, i.claim)])


MODELS = (BudgetOut, SchemeOut, SchemePage, RuleVersionOut, RuleVersionPage, RuleVersionIn,
          SettlementOut, SettlementPage, DryRunRowOut, DryRunOut)
