"""Steps nobody has to take by hand: a paid claim closes once its appeal period is over.

Run daily by the job system (``claims.close_paid``); each claim moves in its own small
transaction under its row lock, audited with no actor ("system"), and other features react
to the move as to any other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from conflict_app.claims import events
from conflict_app.claims.models import Claim
from conflict_app.claims.operations import deadlines, lock_claim
from conflict_app.claims.workflow import Action, State
from conflict_app.core import audit, clock
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db


def closes_on(claim: Claim) -> datetime | None:
    """When a paid claim closes by itself (the appeal period over, plus the configured
    days); ``None`` when paid claims are closed by hand."""
    extra = current_app.config.get("CLOSE_PAID_AFTER_APPEAL_DAYS")
    if extra is None or claim.state != State.PAID:
        return None
    start = claim.decided_at or claim.paid_at or claim.state_changed_at
    return max(start + deadlines().appeal, claim.paid_at or start) + timedelta(days=extra)


def close_paid(limit: int = 1000) -> int:
    """Close the paid claims whose appeal period is over; returns how many closed."""
    extra = current_app.config.get("CLOSE_PAID_AFTER_APPEAL_DAYS")
    if extra is None:
        return 0
    # Decided before this, the appeal period (and the days after it) are over.
    cutoff = clock.now() - deadlines().appeal - timedelta(days=extra)
    ids = db.session.scalars(select(Claim.id).where(
        Claim.state == State.PAID, Claim.decided_at < cutoff)
        .order_by(Claim.id).limit(limit)).all()
    closed = 0
    for claim_id in ids:
        with unit_of_work():
            claim = lock_claim(claim_id)
            due = closes_on(claim)
            if claim.state != State.PAID or due is None or due > clock.now():
                continue
            now = clock.now()
            claim.state = State.CLOSED
            claim.state_changed_at = now
            claim.due_at = None
            audit.record(actor_id=None, object_type="claim", object_id=claim.id,
                         action=Action.CLOSE.value, from_state=State.PAID.value,
                         to_state=State.CLOSED.value)
            events.claim_moved.send(claim, actor=None, before=State.PAID,
                                    after=State.CLOSED, reason=None)
            closed += 1
    return closed

