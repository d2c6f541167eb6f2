"""Who is told what: new reports and flags go to the clerks and supervisors of the claim's
area, an overdue claim to whoever's queue it waits in (the assigned verifier for a visit).

Notices react to claims (``claims.events``); claims know nothing of them. Each thing is told
once per person (a unique row), so running the overdue scan twice tells nobody twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from conflict_app.auth.models import User, UserRole
from conflict_app.claims.events import claim_flagged, claim_reported
from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import QUEUES, State
from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.notices.models import Notice

INTAKE = (Role.CLERK, Role.SUPERVISOR)


def responsible(claim: Claim, roles: Iterable[Role]) -> list[int]:
    """Active staff with one of ``roles`` whose jurisdiction covers the claim."""
    areas = [a for a in (claim.admin1_id, claim.admin2_id) if a is not None]
    query = (select(User.id).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.role.in_(list(roles)), User.active.is_(True),
                    User.jurisdiction_country == claim.country_code,
                    or_(User.jurisdiction_area_id.is_(None),
                        User.jurisdiction_area_id.in_(areas)))
             .distinct())
    return list(db.session.scalars(query))


def tell(user_ids: Iterable[int], kind: str, claim: Claim, key: str) -> int:
    """Add the notices not given yet, in the caller's transaction."""
    ids = set(user_ids)
    if not ids:
        return 0
    given = set(db.session.scalars(select(Notice.user_id).where(
        Notice.user_id.in_(ids), Notice.kind == kind, Notice.claim_id == claim.id,
        Notice.key == key)))
    for user_id in sorted(ids - given):
        db.session.add(Notice(user_id=user_id, kind=kind, claim_id=claim.id, key=key,
                              created_at=clock.now()))
    return len(ids - given)


def on_reported(claim: Claim, **_: object) -> None:
    tell(responsible(claim, INTAKE), "new_report", claim, State.REPORTED.value)


def on_flagged(claim: Claim, *, kind: str, **_: object) -> None:
    tell(responsible(claim, INTAKE), "flag", claim, kind)


def owners(claim: Claim) -> list[int]:
    """Whoever's queue the claim waits in now."""
    if claim.state == State.VERIFICATION_SCHEDULED:
        return [claim.verifier_id] if claim.verifier_id else responsible(
            claim, (Role.SUPERVISOR,))
    roles = [role for role, states in QUEUES.items()
             if claim.state in states and role is not Role.VERIFIER]
    return responsible(claim, roles)


def notify_overdue(limit: int = 5000) -> int:
    """Tell the responsible staff about claims past their due time (a periodic job)."""
    now = clock.now()
    told = 0
    with unit_of_work():
        claims = db.session.scalars(
            select(Claim).where(Claim.due_at < now, Claim.state.in_(
                [s for states in QUEUES.values() for s in states]))
            .order_by(Claim.due_at).limit(limit)).all()
        for claim in claims:
            told += tell(owners(claim), "overdue", claim, claim.state.value)
    return told


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count(Notice.id)).where(
        Notice.user_id == user_id, Notice.read_at.is_(None))) or 0


def notices_of(user_id: int, limit: int = 100) -> list[Notice]:
    return list(db.session.scalars(select(Notice).where(Notice.user_id == user_id)
                                   .order_by(Notice.read_at.is_not(None), Notice.id.desc())
                                   .limit(limit)))


def mark_read(user_id: int, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices (all, or those given) as read."""
    where = [Notice.user_id == user_id, Notice.read_at.is_(None)]
    if notice_ids is not None:
        where.append(Notice.id.in_(list(notice_ids)))
    with unit_of_work():
        result = db.session.execute(update(Notice).where(and_(*where))
                                    .values(read_at=clock.now()))
    return result.rowcount or 0


def safe_tell(handler):  # noqa: ANN001, ANN201
    """A notice must never make the change it reports fail: a race on the unique row only
    means the person was told already."""
    def run(sender, **kwargs):  # noqa: ANN001, ANN003, ANN202
        try:
            with db.session.begin_nested():
                handler(sender, **kwargs)
        except IntegrityError:
            pass
    return run


_handlers: list = []


def connect() -> None:
    if not _handlers:
        _handlers.extend([safe_tell(on_reported), safe_tell(on_flagged)])
    claim_reported.connect(_handlers[0])
    claim_flagged.connect(_handlers[1])
