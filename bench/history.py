"""The history a claim has by the time it is closed, added to a bench database in SQL.

``scale.py`` writes claims, incidents and loss lines only. A real claim past its field visit
also has a verification report (its verdict decides whether the losses count as a leopard's),
audit entries for each step (the processing times and the herder's status page read them)
and its household a herd census (the loss rates' exposure). Without them the overview's
figures at range-wide scale skip their dearest parts. PostgreSQL only, one
``INSERT … SELECT`` per table, added once.

The audit entries made here have positions and unique hashes but are not chained: a bench
database's audit chain does not verify, and is not meant to.
"""

from __future__ import annotations

VISITED = ("verified", "assessed", "approved", "payment_scheduled", "paid", "closed",
           "rejected", "more_evidence_requested", "appealed")
DECIDED = ("approved", "payment_scheduled", "paid", "closed", "rejected", "appealed")
PAID = ("paid", "closed")

REPORTS = """
INSERT INTO verification_report (claim_id, verifier_id, visited_on, signs, predator,
    confidence, suggested_predator, suggested_confidence, suggestion_reasons, filed_at)
SELECT c.id, :verifier, CAST(c.reported_at + make_interval(days => 1 + c.id % 9) AS date),
    '{}', v.predator, v.confidence, v.predator, v.confidence, '',
    c.reported_at + make_interval(days => 1 + c.id % 9, hours => 2 + c.id % 7)
FROM claim c JOIN incident i ON i.id = c.incident_id
CROSS JOIN LATERAL (SELECT CASE WHEN c.id % 12 = 0 THEN 'wolf' ELSE 'leopard' END AS predator,
    CASE WHEN i.recorded_confidence IN ('confirmed', 'probable', 'possible')
         THEN i.recorded_confidence ELSE 'unknown' END AS confidence) v
WHERE c.state IN :visited
"""

# Each incident's verdict: its latest report (what filing a report keeps).
VERDICTS = """
UPDATE incident SET verdict_report_id = latest.id
FROM (SELECT c.incident_id, max(vr.id) AS id FROM claim c
      JOIN verification_report vr ON vr.claim_id = c.id GROUP BY c.incident_id) latest
WHERE latest.incident_id = incident.id
"""

ENTRIES = """
INSERT INTO audit_entry (seq, occurred_at, actor_id, object_type, object_id, action,
    from_state, to_state, changes, entry_hash)
SELECT :first + row_number() OVER (ORDER BY e.at, e.claim_id, e.action), e.at, e.actor,
    'claim', e.claim_id, e.action, e.from_state, e.to_state, '{}',
    encode(sha256(convert_to('bench ' || e.claim_id || ' ' || e.action, 'UTF8')), 'hex')
FROM (
    SELECT c.id AS claim_id, c.reported_at AS at, 'report' AS action,
        CAST(NULL AS varchar) AS from_state, 'reported' AS to_state, :clerk AS actor
    FROM claim c
    UNION ALL
    SELECT vr.claim_id, vr.filed_at, 'file_verification', 'verification_scheduled',
        'verified', :verifier
    FROM verification_report vr
    UNION ALL
    SELECT c.id, vr.filed_at + make_interval(days => 2 + c.id % 20, hours => c.id % 5),
        CASE WHEN c.state = 'rejected' THEN 'reject' ELSE 'approve' END, 'assessed',
        CASE WHEN c.state = 'rejected' THEN 'rejected' ELSE 'approved' END, :approver
    FROM claim c JOIN verification_report vr ON vr.claim_id = c.id
    WHERE c.state IN :decided
    UNION ALL
    SELECT c.id, vr.filed_at + make_interval(days => 9 + c.id % 20 + c.id % 31),
        'record_payment', 'payment_scheduled', 'paid', :finance
    FROM claim c JOIN verification_report vr ON vr.claim_id = c.id
    WHERE c.state IN :paid
) e
"""

CENSUS = """
INSERT INTO herd_census (household_id, year, species, head_count)
SELECT h.id, y, 'sheep', 40 + (h.id * 7 + y) % 160
FROM household h CROSS JOIN generate_series(2020, 2025) AS y
ON CONFLICT DO NOTHING
"""


def add_history() -> bool:
    """Add the reports, audit entries and herd census once; True when they were added."""
    from sqlalchemy import bindparam, func, select, text

    from conflict_app.auth.models import User
    from conflict_app.core.audit import AuditEntry
    from conflict_app.extensions import db
    from conflict_app.verification.models import VerificationReport

    if db.session.scalar(select(func.count(VerificationReport.id))):
        return False
    users = dict(db.session.execute(select(User.email, User.id)).all())
    ids = {"clerk": users["clerk@am.test"], "verifier": users["verifier@am.test"],
           "approver": users["approver@am.test"], "finance": users["finance@am.test"]}
    expanding = [bindparam(name, expanding=True) for name in ("visited", "decided", "paid")]
    db.session.execute(text(REPORTS).bindparams(expanding[0]),
                       {"verifier": ids["verifier"], "visited": list(VISITED)})
    db.session.execute(text(VERDICTS))
    first = db.session.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0)))
    db.session.execute(text(ENTRIES).bindparams(*expanding[1:]),
                       {**ids, "first": first, "decided": list(DECIDED), "paid": list(PAID)})
    db.session.execute(text(CENSUS))
    db.session.commit()
    return True
