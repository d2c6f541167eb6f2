"""Claims checked against their audit history: what the hash chain cannot show.

The chain proves that the audit log was not rewritten; it says nothing of a row changed in
the database directly, which writes no entry at all. Every change of a claim's state goes
through one operation that records the new state (``to_state``), so a claim whose state is
not the last one its history records, or that has no history, was changed behind the
application's back (or its entries were deleted, which ``audit verify`` reports too).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import and_, func, select

from conflict_app.claims.models import Claim
from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db


def disagreements(batch: int = 5000) -> Iterator[str]:
    """One line per claim whose state its audit history does not give it (keyset pages)."""
    last = (select(AuditEntry.object_id, func.max(AuditEntry.seq).label("seq"))
            .where(AuditEntry.object_type == "claim", AuditEntry.to_state.is_not(None))
            .group_by(AuditEntry.object_id).subquery())
    after = 0
    while True:
        rows = db.session.execute(
            select(Claim.id, Claim.reference, Claim.state, AuditEntry.to_state)
            .outerjoin(last, last.c.object_id == Claim.id)
            .outerjoin(AuditEntry, and_(AuditEntry.seq == last.c.seq))
            .where(Claim.id > after).order_by(Claim.id).limit(batch)).all()
        if not rows:
            return
        for claim_id, reference, state, audited in rows:
            name = reference or f"#{claim_id}"
            if audited is None:
                yield f"claim {name}: no audited history"
            elif audited != state.value:
                yield (f"claim {name}: state {state.value}, its audit history ends at "
                       f"{audited}")
        after = rows[-1][0]
