"""Read-only queries for claim lists and pages: SQL filtering, keyset pagination."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import and_, case, func, literal, or_, select, tuple_, union_all
from sqlalchemy.orm import joinedload, selectinload

from conflict_app.auth.models import User, users_with_role
from conflict_app.claims.models import Claim, DuplicateFlag, Evidence, Incident
from conflict_app.claims.workflow import QUEUES, State
from conflict_app.core import audit
from conflict_app.core.permissions import Role, scope
from conflict_app.core.types import UTCDateTime
from conflict_app.extensions import db
from conflict_app.herders.models import Household
from conflict_app.schemes.models import Assessment
from conflict_app.verification.models import VerificationReport

# What a list of claims shows (claims/_list.html): loaded in two extra queries per page,
# not joined into every claim query.
LIST_LOAD = (selectinload(Claim.household),
             selectinload(Claim.incident).selectinload(Incident.village))
# One claim by its whole reference: its household, incident and village joined on their
# primary keys in the same query (one round trip instead of four).
ONE_LOAD = (joinedload(Claim.household, innerjoin=True),
            joinedload(Claim.incident, innerjoin=True).joinedload(Incident.village))
# A queue's badge counts up to here and then says "more than"; counting every waiting claim
# on each page was a scan of the whole queue.
COUNT_CAP = 500
# A search by name or phone shows the best matches, this many at most.
SEARCH_CAP = 100
_REFERENCE_PREFIX = re.compile(r"^[A-Z]{2}(-\d{0,4}(-\d{0,6})?)?$")
_FULL_REFERENCE = re.compile(r"^[A-Z]{2}-\d{4}-\d{6}$")
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-().]{6,}$")


def _queue_filter(query, user: User, role: Role):  # noqa: ANN001, ANN202
    query = scope(query, Claim, user)
    if role == Role.VERIFIER:
        query = query.where(Claim.verifier_id == user.id)
    return query


def queue(user: User, role: Role, after: tuple[datetime, int] | None, limit: int) -> list[Claim]:
    """Claims waiting for ``role`` in the user's area, the most urgent first.

    One index walk per state of the queue (state, jurisdiction, due date), each stopping
    after a page; the pages are merged in due order. The cost does not grow with the table.
    """
    parts = []
    for state in sorted(QUEUES[role], key=lambda s: s.value):
        part = _queue_filter(select(Claim.id.label("id"), Claim.due_at.label("due_at")),
                             user, role).where(Claim.state == state)
        if after is not None:
            due, last_id = after
            # A row-value comparison lets the index seek straight to the page.
            part = part.where(tuple_(Claim.due_at, Claim.id) > tuple_(
                literal(due, UTCDateTime()), literal(last_id)))
        part = part.order_by(Claim.due_at, Claim.id).limit(limit).subquery()
        parts.append(select(part.c.id, part.c.due_at))
    merged = union_all(*parts).subquery()
    ids = list(db.session.scalars(
        select(merged.c.id).order_by(merged.c.due_at, merged.c.id).limit(limit)))
    if not ids:
        return []
    return list(db.session.scalars(
        select(Claim).where(Claim.id.in_(ids)).options(*LIST_LOAD)
        .order_by(Claim.due_at, Claim.id)))


def queue_count(user: User, role: Role) -> int:
    """How many claims wait, counted up to ``COUNT_CAP + 1`` (the page says "more than")."""
    waiting = _queue_filter(select(Claim.id), user, role).where(
        Claim.state.in_(QUEUES[role])).limit(COUNT_CAP + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(waiting)) or 0


def search(user: User, q: str | None, state: str | None, after: int | None,
           limit: int) -> list[Claim]:
    """Claims by reference (an index lookup, whole or leading part), phone (exact) or name
    (ranked, at most ``SEARCH_CAP``); without a query, the newest first."""
    query = scope(select(Claim), Claim, user)
    if state:
        query = query.where(Claim.state == State(state))
    q = (q or "").strip()
    reference = re.sub(r"\s+", "", q).upper()
    if _FULL_REFERENCE.match(reference):
        return list(db.session.scalars(
            query.options(*ONE_LOAD).where(Claim.reference == reference).limit(limit)))
    query = query.options(*LIST_LOAD)
    if not q:
        if after:
            query = query.where(Claim.id < after)
        return list(db.session.scalars(query.order_by(Claim.id.desc()).limit(limit)))
    if _REFERENCE_PREFIX.match(reference) and "-" in reference:
        # A range on the unique index, plus LIKE for collations that sort "-" differently.
        query = query.where(Claim.reference >= reference, Claim.reference < reference + "~",
                            Claim.reference.like(reference + "%"))
        if after:
            query = query.where(Claim.id < after)
        return list(db.session.scalars(query.order_by(Claim.id.desc()).limit(limit)))
    ranked = _ranked_ids(user, query, q)
    if after in ranked:
        ranked = ranked[ranked.index(after) + 1:]
    page = ranked[:limit]
    if not page:
        return []
    by_id = {c.id: c for c in db.session.scalars(
        select(Claim).where(Claim.id.in_(page)).options(*LIST_LOAD))}
    return [by_id[i] for i in page if i in by_id]


def _ranked_ids(user: User, query, q: str) -> list[int]:  # noqa: ANN001
    """Ids of the claims of the best-matching households, best first, at most SEARCH_CAP."""
    households = select(Household.id)
    if _PHONE_LIKE.match(q):
        phone = re.sub(r"[\s\-().]", "", q)
        phone = "+" + phone[2:] if phone.startswith("00") else phone
        households = households.where(Household.phone == phone)
        rank = literal(1.0)
    elif db.engine.dialect.name == "postgresql":
        # pg_trgm: substring matches and near misses both use the trigram index.
        households = households.where(or_(Household.head_name.ilike(f"%{_escape(q)}%"),
                                          Household.head_name.op("%")(q)))
        rank = func.similarity(Household.head_name, q)
    else:
        households = households.where(Household.head_name.ilike(f"%{_escape(q)}%",
                                                                escape="\\"))
        rank = case((Household.head_name.ilike(f"{_escape(q)}%", escape="\\"), 1.0),
                    else_=0.5)
    households = scope(households.add_columns(rank.label("rank")), Household, user)
    best = households.order_by(rank.desc(), Household.id.desc()).limit(SEARCH_CAP).subquery()
    claims = (query.with_only_columns(Claim.id)
              .join(best, best.c.id == Claim.household_id)
              .order_by(best.c.rank.desc(), Claim.id.desc()).limit(SEARCH_CAP))
    return list(db.session.scalars(claims))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
        # The page links each claim it is flagged against: one query for all of them.
        .options(selectinload(DuplicateFlag.other_claim))
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
