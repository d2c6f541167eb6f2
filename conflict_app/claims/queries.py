"""Read-only queries for claim lists and pages: SQL filtering, keyset pagination."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, literal, or_, select, tuple_

from conflict_app.auth.models import User, users_with_role
from conflict_app.claims.models import Claim, DuplicateFlag, Evidence
from conflict_app.claims.workflow import QUEUES, State
from conflict_app.core import audit
from conflict_app.core.permissions import Role, scope
from conflict_app.core.types import UTCDateTime
from conflict_app.extensions import db
from conflict_app.herders.models import Household
from conflict_app.schemes.models import Assessment
from conflict_app.verification.models import VerificationReport


def queue(user: User, role: Role, after: tuple[datetime, int] | None, limit: int) -> list[Claim]:
    """Claims waiting for ``role`` in the user's area, the most urgent first."""
    query = scope(select(Claim), Claim, user).where(Claim.state.in_(QUEUES[role]))
    if role == Role.VERIFIER:
        query = query.where(Claim.verifier_id == user.id)
    if after is not None:
        due, last_id = after
        # A row-value comparison lets the index seek straight to the page.
        query = query.where(tuple_(Claim.due_at, Claim.id) > tuple_(
            literal(due, UTCDateTime()), literal(last_id)))
    query = query.order_by(Claim.due_at, Claim.id).limit(limit)
    return list(db.session.scalars(query))


def queue_count(user: User, role: Role) -> int:
    query = scope(select(func.count(Claim.id)), Claim, user).where(
        Claim.state.in_(QUEUES[role])
    )
    if role == Role.VERIFIER:
        query = query.where(Claim.verifier_id == user.id)
    return db.session.scalar(query) or 0


def search(user: User, q: str | None, state: str | None, after: int | None,
           limit: int) -> list[Claim]:
    query = scope(select(Claim), Claim, user)
    if state:
        query = query.where(Claim.state == State(state))
    if q:
        q = q.strip()
        like = f"%{q}%"
        query = query.join(Household, Claim.household_id == Household.id).where(
            or_(Claim.reference == q.upper(), Household.head_name.ilike(like),
                Household.phone.ilike(like))
        )
    if after:
        query = query.where(Claim.id < after)
    return list(db.session.scalars(query.order_by(Claim.id.desc()).limit(limit)))


def verifiers_for(claim: Claim) -> list[User]:
    """Active verifiers whose jurisdiction covers the claim, in SQL."""
    query = users_with_role(Role.VERIFIER).where(
        or_(
            User.jurisdiction_country.is_(None),
            and_(
                User.jurisdiction_country == claim.country_code,
                or_(
                    User.jurisdiction_area_id.is_(None),
                    User.jurisdiction_area_id == claim.admin1_id,
                    User.jurisdiction_area_id == claim.admin2_id,
                ),
            ),
        )
    )
    return list(db.session.scalars(query.order_by(User.name)))


def page_data(claim: Claim) -> dict[str, object]:
    """Everything the claim page shows besides the claim itself."""
    reports = db.session.scalars(
        select(VerificationReport).where(VerificationReport.claim_id == claim.id)
        .order_by(VerificationReport.id)
    ).all()
    assessments = db.session.scalars(
        select(Assessment).where(Assessment.claim_id == claim.id).order_by(Assessment.id)
    ).all()
    flags = db.session.scalars(
        select(DuplicateFlag).where(DuplicateFlag.claim_id == claim.id,
                                    DuplicateFlag.cleared_by_id.is_(None))
        .order_by(DuplicateFlag.id)
    ).all()
    evidence = db.session.scalars(
        select(Evidence).where(Evidence.claim_id == claim.id).order_by(Evidence.id)
    ).all()
    latest = assessments[-1] if assessments else None
    approvals = [a for a in claim.approvals if latest and a.assessment_id == latest.id]
    return {
        "reports": reports,
        "assessment": latest,
        "earlier_assessments": assessments[:-1],
        "approvals": approvals,
        "flags": flags,
        "evidence": evidence,
        "timeline": audit.history("claim", claim.id),
    }
