"""Claims checked against their audit history: what the hash chain cannot show.

The chain proves that the audit log was not rewritten; it says nothing of a row changed in
the database directly, which writes no entry at all. Every change of a claim's state goes
through one operation that records the new state (``to_state``), so a claim whose state is
not the last one its history records, or that has no history, was changed behind the
application's back (or its entries were deleted, which ``audit verify`` reports too). The
same holds for the approved amount: the last ``approve`` entry sets it, an ``appeal`` of an
approval clears it, nothing else touches it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy import func, select

from conflict_app.claims.models import Claim
from conflict_app.core.audit import AuditEntry
from conflict_app.core.heap import settled
from conflict_app.extensions import db


def disagreements(batch: int = 5000) -> Iterator[str]:
    """One line per claim whose state or approved amount its audit history does not give
    it (keyset pages)."""
    after = 0
    with settled():  # a walk of every claim: see core/heap
        while rows := db.session.execute(
                select(Claim.id, Claim.reference, Claim.state, Claim.amount_approved)
                .where(Claim.id > after).order_by(Claim.id).limit(batch)).all():
            yield from _batch_disagreements(rows)
            after = rows[-1][0]


def _batch_disagreements(rows: list) -> Iterator[str]:
    """The disagreements of one batch of (id, reference, state, approved) rows."""
    audited_states = _audited_states(rows[0][0], rows[-1][0])
    amounts = _audited_amounts([row[0] for row in rows])
    for claim_id, reference, state, approved in rows:
        audited = audited_states.get(claim_id)
        name = reference or f"#{claim_id}"
        if audited is None:
            yield f"claim {name}: no audited history"
        elif audited != state.value:
            yield f"claim {name}: state {state.value}, its audit history ends at {audited}"
        expected = amounts.get(claim_id)
        if approved != expected:
            yield (f"claim {name}: approved amount {_text(approved)}, its audit history says "
                   f"{_text(expected)}")


def _text(amount: Decimal | None) -> str:
    return "none" if amount is None else f"{amount:.2f}"


def _audited_states(first: int, last: int) -> dict[int, str]:
    """The last state the history of each claim from ``first`` to ``last`` records. Read for
    the batch's claims alone (the object index): the latest entry of every claim, grouped
    again for each batch, made a check of half a million claims grow with the square."""
    latest = (select(AuditEntry.object_id, func.max(AuditEntry.seq).label("seq"))
              .where(AuditEntry.object_type == "claim", AuditEntry.to_state.is_not(None),
                     AuditEntry.object_id.between(first, last))
              .group_by(AuditEntry.object_id).subquery())
    return dict(db.session.execute(
        select(latest.c.object_id, AuditEntry.to_state)
        .join(AuditEntry, AuditEntry.seq == latest.c.seq)).all())


def _audited_amounts(claim_ids: list[int]) -> dict[int, Decimal | None]:
    """The approved amount each claim's history leaves it with (absent: none)."""
    amounts: dict[int, Decimal | None] = {}
    for claim_id, action, changes in db.session.execute(
            select(AuditEntry.object_id, AuditEntry.action, AuditEntry.changes)
            .where(AuditEntry.object_type == "claim", AuditEntry.object_id.in_(claim_ids),
                   AuditEntry.action.in_(("approve", "appeal")))
            .order_by(AuditEntry.seq)):
        values = json.loads(changes or "{}")
        if action == "approve" and values.get("amount") is not None:
            amounts[claim_id] = Decimal(str(values["amount"]))
        elif action == "appeal" and values.get("appealed_amount") is not None:
            amounts[claim_id] = None  # the approval no longer stands
    return amounts
