"""The JSON API. Every handler authenticates the bearer token, loads, authorises, then calls
the same operation as the HTML page; errors are RFC 9457 problem documents."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from flask import Blueprint, Response, g, request
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from conflict_app.analytics import service as analytics
from conflict_app.analytics import store as analytics_store
from conflict_app.api import idempotency, schemas, tokens
from conflict_app.claims import appeals, harm_records, intake, queries
from conflict_app.claims import operations as ops
from conflict_app.claims.models import AgeClass, Channel, Claim, Incident
from conflict_app.claims.workflow import Action
from conflict_app.core.errors import (
    DomainError,
    IllegalTransition,
    PermissionDenied,
    StaleObject,
)
from conflict_app.core.permissions import CASE_ROLES, Role, covers
from conflict_app.core.web import public
from conflict_app.extensions import csrf, db
from conflict_app.herders.models import Household
from conflict_app.schemes import explain
from conflict_app.verification import operations as verification_ops
from conflict_app.verification.checklist import Signs

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, no cookies: nothing for a forged request to ride on
PAGE = 50


class ApiError(Exception):
    def __init__(self, status: int, title: str, detail: str | None = None,
                 errors: list[dict] | None = None) -> None:
        super().__init__(title)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors


def problem(status: int, title: str, detail: str | None = None,
            errors: list[dict] | None = None) -> Response:
    body = schemas.Problem(title=title, status=status, detail=detail, errors=errors)
    response = Response(body.model_dump_json(exclude_none=True), status=status,
                        mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="pardus"'
    return response


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    db.session.rollback()
    return problem(error.status, error.title, error.detail, error.errors)


@bp.errorhandler(analytics_store.FiguresPending)
def figures_pending(_error: analytics_store.FiguresPending):
    """Figures nobody computed yet: a job computes them; the client asks again later."""
    response = problem(503, "Figures being computed",
                       "The figures are being computed; ask again in a few seconds.")
    response.headers["Retry-After"] = "10"
    return response


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    db.session.rollback()
    status = 400
    if isinstance(error, PermissionDenied):
        status = 403
    elif isinstance(error, StaleObject | IllegalTransition):
        status = 409
    errors = [{"field": error.field, "message": error.translated()}] if error.field else None
    return problem(status, error.translated(), errors=errors)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return problem(error.code or 500, error.name, error.description)


def authenticated(needed: str) -> Callable:
    """Bearer-token authentication; the token carries its user's roles and jurisdiction (as
    they were when it was made) and must hold the ``needed`` scope."""

    def decorator(view: Callable) -> Callable:
        @public  # no session sign-in: the token is the credential
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            secret = header[7:].strip() if header.lower().startswith("bearer ") else None
            token = tokens.token_for(secret)
            if token is None:
                raise ApiError(401, "Authentication required",
                               "Send a valid personal API token: Authorization: Bearer "
                               "<token>. Tokens expire, end when the account is switched "
                               "off, and stop when the account gains a role.")
            if needed not in token.scope_set:
                raise ApiError(403, "Forbidden",
                               f"This token lacks the {needed!r} scope; make a token with it.")
            g.api_user = token.user
            return view(*args, **kwargs)

        wrapped.api_token_required = True  # type: ignore[attr-defined]
        wrapped.api_scope = needed  # type: ignore[attr-defined]
        return wrapped

    return decorator


def body(model: type[BaseModel]) -> Any:
    if not request.is_json:
        raise ApiError(415, "Unsupported media type", "Send application/json.")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # the parser recurses per level of nesting
        raise ApiError(400, "Malformed JSON", "The body is nested too deeply.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "Malformed JSON", "The body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                  for e in exc.errors(include_url=False, include_input=False)]
        raise ApiError(422, "Invalid request body", errors=errors) from exc


def idempotent(view: Callable) -> Callable:
    """Replays the answer for a repeated Idempotency-Key with the same body (concurrent
    repeats included: exactly one runs); a key reused with a different body is refused."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get("Idempotency-Key")
        if not key:
            return view(*args, **kwargs)
        if len(key) > 100:
            raise ApiError(400, "Idempotency-Key too long", "Use at most 100 characters.")
        user = g.api_user
        digest = idempotency.request_digest(request.method, request.path, request.get_data())
        try:
            answer = idempotency.reserve(user.id, key, digest)
        except idempotency.KeyReused as exc:
            raise ApiError(422, "Idempotency-Key reused",
                           "This key was used for a different request.") from exc
        except idempotency.KeyBusy as exc:
            raise ApiError(409, "Request in progress", "The first request with this "
                           "Idempotency-Key is still running; try again later.") from exc
        if answer is not None:
            return Response(answer.body, status=answer.status, mimetype="application/json")
        try:
            response = view(*args, **kwargs)
        except BaseException:
            idempotency.release(user.id, key)
            raise
        if response.status_code >= 500:
            idempotency.release(user.id, key)
        else:
            idempotency.finish(user.id, key, response.status_code,
                               response.get_data(as_text=True))
        return response

    return wrapped


def if_match(current: str, what: str) -> str:
    """The entity tag an update may proceed with: ``current`` when the client's If-Match
    names it (or ``*``); a missing header is 428 and an old tag 412, so a change made
    meanwhile is never overwritten. ``what`` names the resource in the answer."""
    if "If-Match" not in request.headers:
        raise ApiError(428, "Precondition required",
                       f"Send the {what}'s ETag in If-Match, so a change made meanwhile is "
                       "not overwritten.")
    if not (request.if_match.star_tag or request.if_match.contains(current)):
        raise stale(what)
    return current


def query_date(name: str, default: date | None = None) -> date | None:
    """The date in query parameter ``name`` (YYYY-MM-DD), ``default`` without one; anything
    else is a 400 that names the parameter."""
    value = request.args.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ApiError(400, "Bad query", f"{name} is a date: YYYY-MM-DD.") from exc


def whole_number(name: str, value: str) -> int:
    """An id from the query string; out of the database's range it names nothing."""
    try:
        number = int(value)
    except ValueError as exc:
        raise ApiError(400, "Bad query", f"{name} is a whole number.") from exc
    if not 0 < number <= schemas.MAX_ID:
        raise ApiError(400, "Bad query", f"{name} is out of range.")
    return number


def page_args() -> tuple[int | None, int]:
    """The cursor (the last id of the previous page) and the page size (1 to 200)."""
    cursor = request.args.get("cursor")
    try:
        after = int(cursor) if cursor else None
        limit = min(max(int(request.args.get("limit", PAGE)), 1), 200)
    except ValueError as exc:
        raise ApiError(400, "Bad query", "cursor and limit are whole numbers.") from exc
    if after is not None and not 0 < after <= schemas.MAX_ID:
        raise ApiError(400, "Bad query", "cursor is out of range.")
    return after, limit


def stale(what: str) -> ApiError:
    """The 412 of an update whose entity tag no longer holds."""
    return ApiError(412, "Precondition failed",
                    f"The {what} changed since this ETag was read; read it again.")


def json_response(model: BaseModel, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status=status, mimetype="application/json")


def tagged_response(model: BaseModel, status: int = 200,
                    location: str | None = None) -> Response:
    """A resource with its entity tag (what an update sends back in If-Match); a 201 also
    names where the new resource lives."""
    response = json_response(model, status)
    if model.etag:
        response.set_etag(model.etag)
    if status == 201 and location:
        response.headers["Location"] = location
    return response


def claim_for(reference: str) -> Claim:
    user = g.api_user
    claim = db.session.scalars(select(Claim).where(Claim.reference == reference.upper())).first()
    if claim is None or not covers(user, claim) or not user.has_role(*CASE_ROLES):
        raise ApiError(404, "Not found", "No claim with this reference in your area.")
    return claim


_READ = object()  # claim_out reads what it was not given


def claim_out(claim: Claim, model: type[schemas.ClaimOut] = schemas.ClaimOut, *,
              assessment: Any = _READ, harm: Any = _READ, **extra: Any) -> schemas.ClaimOut:
    """A claim as the API shows it; a list passes each claim's latest assessment and harm
    record, read for the whole page at once."""
    if assessment is _READ:
        assessment = ops.latest_assessment(claim.id)
    return model(
        reference=claim.reference, state=claim.state, version=claim.version,
        scheme=claim.scheme.code if claim.scheme else None, country=claim.country_code,
        currency=claim.currency, channel=claim.channel,
        reported_at=claim.reported_at, due_at=claim.due_at, late_report=claim.late_report,
        household_id=claim.household_id, occurred_on=claim.incident.occurred_on,
        village=claim.incident.village.name,
        setting=claim.incident.setting.value if claim.incident.setting else None,
        lines=[schemas.LossLineOut(id=ln.id, species=ln.species.value,
                                   age_class=ln.age_class.value, killed=ln.killed,
                                   injured=ln.injured) for ln in claim.incident.lines],
        verifier_id=claim.verifier_id,
        amount_approved=str(claim.amount_approved) if claim.amount_approved is not None
        else None,
        decided_at=claim.decided_at, decision_reason=claim.decision_reason,
        paid_at=claim.paid_at,
        assessment=schemas.AssessmentOut(
            rule=assessment.rule, predator=assessment.predator,
            confidence=assessment.confidence, total=str(assessment.total),
            currency=assessment.currency,
            lines=[schemas.AssessmentLineOut(
                species=al.species, age_class=al.age_class, kind=al.kind, heads=al.heads,
                unit_value=str(al.unit_value), share=str(al.share), rate=str(al.rate),
                amount=str(al.amount), note=al.note) for al in assessment.lines],
            interim=str(assessment.interim) if assessment.interim is not None else None,
            steps=[schemas.StepOut(text=s["text"], rule=s["rule"])
                   for s in explain.sentences(assessment.steps)],
        ) if assessment else None,
        harm=_harm_out(claim, harm_records.of_claim(claim.id) if harm is _READ else harm),
        **extra,
    )


def _harm_out(claim: Claim, row: Any) -> schemas.HarmOut | None:
    if row is None:
        return None
    out = schemas.HarmOut(kind=row.kind, crop=row.crop, measured_on=row.measured_on,
                          area_ha=str(row.area_ha) if row.area_ha is not None else None)
    if harm_records.is_special(row) and harm_records.may_see_special(g.get("api_user"), claim):
        out.severity, out.medical_details = row.severity, row.medical_details
        out.medical_costs = str(row.medical_costs) if row.medical_costs is not None else None
        out.next_of_kin, out.document = row.next_of_kin, row.document_key is not None
    return out


@bp.route("/claims", methods=["GET"])
@authenticated("read")
def list_claims():
    user = g.api_user
    if not user.has_role(*CASE_ROLES):
        raise ApiError(403, "Forbidden", "Your role may not list claims.")
    state = request.args.get("state")
    after, limit = page_args()
    from conflict_app.claims.workflow import State

    if state and state not in {s.value for s in State}:
        raise ApiError(400, "Bad query", f"Unknown state {state!r}.")
    rows = queries.search(user, None, state or None, after, limit + 1)
    claims = rows[:limit]
    ids = [c.id for c in claims]
    # What each claim shows, for the whole page at once (it was four queries a claim).
    assessments, harms = ops.latest_assessments(ids), harm_records.of_claims(ids)
    db.session.scalars(select(Incident).where(Incident.id.in_([c.incident_id for c in claims]))
                       .options(selectinload(Incident.lines))
                       .execution_options(populate_existing=True)).all()
    page = schemas.ClaimPage(items=[claim_out(c, assessment=assessments.get(c.id),
                                              harm=harms.get(c.id)) for c in claims],
                             next_cursor=str(rows[limit - 1].id) if len(rows) > limit
                             else None)
    return json_response(page)


@bp.route("/claims/<reference>", methods=["GET"])
@authenticated("read")
def get_claim(reference: str):
    return json_response(claim_out(claim_for(reference)))


@bp.route("/claims", methods=["POST"])
@authenticated("claims")
@idempotent
def create_claim():
    user = g.api_user
    data = body(schemas.ReportIn)
    household = db.session.get(Household, data.household_id)
    if household is None or not covers(user, household):
        raise ApiError(404, "Not found", "No household with this id in your area.")
    report = intake.ReportInput(
        occurred_on=data.occurred_on, occurred_time=data.occurred_time,
        part_of_day=data.part_of_day, setting=data.setting,
        lines=[intake.LossInput(ln.species, AgeClass(ln.age_class), ln.killed, ln.injured)
               for ln in data.lines],
        village_id=data.village_id, latitude=data.latitude, longitude=data.longitude,
        in_protected_area=data.in_protected_area, guard_present=data.guard_present,
        dog_present=data.dog_present, measure_present=data.measure_present,
        protection_known=data.guard_present or data.dog_present or data.measure_present,
        description=data.description, late_override_reason=data.late_override_reason,
        harm_kind=data.harm_kind,
    )
    claim, pin = intake.register_report(user, household, report, Channel(data.channel))
    return json_response(claim_out(claim, schemas.ClaimCreated, pin=pin), 201)


@bp.route("/claims/<reference>/transitions", methods=["POST"])
@authenticated("claims")
@idempotent
def transition(reference: str):
    user = g.api_user
    claim = claim_for(reference)
    data = body(schemas.TransitionIn)
    version, reason = data.version, data.reason
    actions: dict[Action, Callable[[], Any]] = {
        Action.SCREEN: lambda: ops.screen(claim.id, user, version, reason),
        Action.DECLARE_INELIGIBLE: lambda: ops.declare_ineligible(claim.id, user, version,
                                                                  reason or ""),
        Action.REQUEST_EVIDENCE: lambda: ops.request_evidence(claim.id, user, version,
                                                              reason or "", data.deadline),
        Action.RECEIVE_EVIDENCE: lambda: ops.receive_evidence(claim.id, user, version, reason),
        Action.ASSIGN_VERIFIER: lambda: ops.assign_verifier(claim.id, user, version,
                                                            data.verifier_id, reason),
        Action.APPEAL_TO_VERIFICATION: lambda: ops.assign_verifier(
            claim.id, user, version, data.verifier_id, reason, appeal=True),
        Action.ASSESS: lambda: ops.assess(claim.id, user, version),
        Action.APPROVE: lambda: ops.approve(claim.id, user, version, reason),
        Action.SEND_BACK: lambda: ops.send_back(claim.id, user, version, reason or ""),
        Action.REJECT: lambda: ops.reject(claim.id, user, version, reason or ""),
        Action.APPEAL: lambda: appeals.appeal(claim.id, user, version, reason or ""),
        Action.APPEAL_TO_ASSESSMENT: lambda: appeals.appeal_to_assessment(
            claim.id, user, version, reason),
        Action.DISMISS_APPEAL: lambda: appeals.dismiss_appeal(
            claim.id, user, version, reason or ""),
        Action.CLOSE: lambda: ops.close(claim.id, user, version),
        Action.WITHDRAW: lambda: ops.withdraw(claim.id, user, version, reason or ""),
        Action.MARK_DUPLICATE: lambda: ops.mark_duplicate(claim.id, user, version, reason or "",
                                                          data.original_reference or ""),
    }
    run = actions.get(data.action)
    if run is None:
        raise ApiError(400, "Not a claim transition",
                       f"{data.action.value} has its own endpoint (verification or payments).")
    run()
    db.session.expire_all()
    return json_response(claim_out(db.session.get(Claim, claim.id)))


@bp.route("/claims/<reference>/verification", methods=["POST"])
@authenticated("verification")
@idempotent
def file_verification(reference: str):
    user = g.api_user
    claim = claim_for(reference)
    data = body(schemas.VerificationIn)
    photos = []
    for i, encoded in enumerate(data.photos):
        try:
            photos.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError) as exc:
            raise ApiError(422, "Invalid request body", errors=[
                {"field": f"photos.{i}", "message": "not base64"}]) from exc
    verification_ops.file_verification(claim.id, user, data.version,
                                       verification_ops.VerificationInput(
        visited_on=data.visited_on,
        signs=Signs(**data.signs.model_dump()),
        predator=data.predator, confidence=data.confidence,
        confirmed={c.line_id: (c.killed, c.injured) for c in data.confirmed},
        latitude=data.latitude, longitude=data.longitude, notes=data.notes, photos=photos,
    ))
    db.session.expire_all()
    return json_response(claim_out(db.session.get(Claim, claim.id)), 201)


@bp.route("/analytics/effectiveness", methods=["GET"])
@authenticated("read")
def effectiveness():
    user = g.api_user
    if not user.has_role(Role.ANALYST, Role.SCHEME_MANAGER, Role.ADMIN):
        raise ApiError(403, "Forbidden", "Analytics are for analysts.")
    verification = request.args.get("filter", "confirmed_probable")
    if verification not in analytics.FILTERS:
        raise ApiError(400, "Bad query", f"Unknown filter {verification!r}.")
    country = user.jurisdiction_country or (request.args.get("country") or None)
    table = analytics.effectiveness_table(user, country, verification)
    return Response(json.dumps(table), mimetype="application/json")


@bp.route("/openapi.json", methods=["GET"])
@public
def openapi():
    from conflict_app.api.openapi import document

    return Response(json.dumps(document()), mimetype="application/json")

