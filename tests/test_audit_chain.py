"""The audit chain: one gap-free line under concurrency, keyed so that rewrites and forged
entries are found, and checkpoints kept outside the database that reveal truncation."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text

from conflict_app.auth import operations as auth_ops
from conflict_app.auth.models import User
from conflict_app.claims import operations as ops
from conflict_app.core import audit
from conflict_app.core.errors import DomainError
from conflict_app.extensions import db
from tests import helpers
from tests.conftest import World


def chain_rows() -> list[tuple[int | None, str | None, str | None]]:
    return list(db.session.execute(
        select(audit.AuditEntry.seq, audit.AuditEntry.prev_hash, audit.AuditEntry.entry_hash)
        .order_by(audit.AuditEntry.seq)).all())


@pytest.mark.committed
@pytest.mark.postgres
def test_fifty_parallel_operations_of_mixed_kinds_keep_one_gap_free_chain(app, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    # Texts the operations queue are handed to the job queue, not run in this process: an
    # in-process job takes a second connection while its thread still holds the first, and
    # 50 threads on a pool of 15 would wait for each other.
    import conflict_app.jobs

    handed_over: list[str] = []
    monkeypatch.setattr(conflict_app.jobs, "submit",
                        lambda name, *args, **kw: handed_over.append(name))
    world = World()
    db.session.commit()
    to_screen = [helpers.report(world, hh=helpers.household(world, name=f"S{n}"))[0].id
                 for n in range(15)]
    to_assign = []
    for n in range(10):
        claim, _ = helpers.report(world, hh=helpers.household(world, name=f"A{n}"))
        ops.screen(claim.id, world.clerk, claim.version)
        to_assign.append(claim.id)
    to_refuse = [helpers.report(world, hh=helpers.household(world, name=f"R{n}"))[0].id
                 for n in range(10)]
    households = [helpers.household(world, name=f"N{n}") for n in range(10)]
    people = [world.clerk, world.supervisor, world.verifier, world.approver, world.finance]
    ids = {"clerk": world.clerk.id, "supervisor": world.supervisor.id,
           "verifier": world.verifier.id}
    household_ids = [h.id for h in households]
    people_ids = [p.id for p in people]
    before = db.session.scalar(select(func.count(audit.AuditEntry.id)))
    db.session.remove()

    def user(key: str) -> User:
        return db.session.get(User, ids[key])

    def new_report(n: int) -> None:
        from conflict_app.herders.models import Household

        helpers.report(None, hh=db.session.get(Household, household_ids[n]), actor=user("clerk"))

    jobs = (
        [lambda c=c: ops.screen(c, user("clerk"), None) for c in to_screen]
        + [lambda c=c: ops.assign_verifier(c, user("supervisor"), None, ids["verifier"])
           for c in to_assign]
        + [lambda c=c: ops.declare_ineligible(c, user("clerk"), None, "Not livestock")
           for c in to_refuse]
        + [lambda n=n: new_report(n) for n in range(10)]
        + [lambda p=p: auth_ops.change_locale(db.session.get(User, p), "ru")
           for p in people_ids]
    )
    assert len(jobs) == 50
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def run(job) -> None:  # noqa: ANN001
        start.wait()
        with app.app_context():
            try:
                job()
            except (DomainError, Exception) as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    # 50 threads share the pool's 15 connections; on a busy machine the last may wait longer
    # than the pool's 30 seconds, which is not what this test is about.
    pool = db.engine.pool
    patience, pool._timeout = pool._timeout, 300
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        pool._timeout = patience
    assert errors == []
    rows = chain_rows()
    assert len(rows) >= before + 50
    assert [seq for seq, _, _ in rows] == list(range(1, len(rows) + 1))
    prevs = [prev for _, prev, _ in rows]
    assert len(set(prevs)) == len(prevs), "two entries follow the same entry: a fork"
    assert audit.verify_chain() == []


@pytest.mark.committed
def test_parallel_writers_on_either_database_never_fork_or_leave_a_gap(app, monkeypatch):
    """On SQLite (one writer at a time) a writer that cannot get the lock in time is
    refused whole, "database is locked", never half-chained: whatever succeeded forms one
    gap-free chain that verifies. On PostgreSQL every one succeeds."""
    from sqlalchemy.exc import OperationalError

    import conflict_app.jobs

    monkeypatch.setattr(conflict_app.jobs, "submit", lambda *args, **kw: None)
    world = World()
    db.session.commit()
    claims = [helpers.report(world, hh=helpers.household(world, name=f"P{n}"))[0].id
              for n in range(12)]
    clerk_id = world.clerk.id
    db.session.remove()
    done, refused, other = [], [], []
    start = threading.Barrier(len(claims))

    def screen(claim_id: int) -> None:
        start.wait()
        with app.app_context():
            try:
                ops.screen(claim_id, db.session.get(User, clerk_id), None)
                done.append(claim_id)
            except OperationalError as exc:  # SQLite: another writer held the lock
                refused.append(str(exc.orig))
            except Exception as exc:  # noqa: BLE001 - reported below
                other.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=screen, args=(c,)) for c in claims]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert other == []
    assert all("locked" in reason for reason in refused)
    if db.engine.dialect.name == "postgresql":
        assert refused == []
    rows = chain_rows()
    assert [seq for seq, _, _ in rows] == list(range(1, len(rows) + 1))
    prevs = [prev for _, prev, _ in rows]
    assert len(set(prevs)) == len(prevs)
    assert audit.verify_chain() == []
    screened = db.session.scalar(select(func.count(audit.AuditEntry.id)).where(
        audit.AuditEntry.action == "screen"))
    assert screened == len(done) >= 1


def approve_some(world) -> None:
    for n in range(3):
        helpers.approved(world, hh=helpers.household(world, name=f"H{n}"))


def forge(entry: audit.AuditEntry, key: bytes = b"a key the attacker guessed") -> None:
    """What someone with write access to the database but not the key can do."""
    entry.entry_hash = entry.compute_hash(key)


def test_truncating_the_log_is_found_against_a_checkpoint(app, world, tmp_path):
    approve_some(world)
    runner = app.test_cli_runner()
    path = tmp_path / "audit-checkpoints.jsonl"
    written = runner.invoke(args=["audit", "checkpoint", str(path)])
    assert written.exit_code == 0, written.output
    assert path.stat().st_mode & 0o077 == 0
    assert runner.invoke(args=["audit", "verify", "--checkpoint", str(path)]).exit_code == 0
    last = db.session.scalar(select(func.max(audit.AuditEntry.seq)))
    # Delete the last five entries and set the head back, as an insider would.
    db.session.execute(text("DELETE FROM audit_entry WHERE seq > :s"), {"s": last - 5})
    kept = db.session.scalar(select(audit.AuditEntry.entry_hash)
                             .where(audit.AuditEntry.seq == last - 5))
    db.session.execute(text("UPDATE audit_chain_head SET seq = :s, entry_hash = :h"),
                       {"s": last - 5, "h": kept})
    assert audit.verify_chain() == []  # the database alone cannot tell
    result = runner.invoke(args=["audit", "verify", "--checkpoint", str(path)])
    assert result.exit_code != 0
    assert f"saw entry {last}, the chain ends at {last - 5}: entries deleted" in result.output


def test_deleting_the_newest_entries_without_moving_the_head_is_found(world):
    approve_some(world)
    db.session.execute(text("DELETE FROM audit_entry WHERE seq > 3"))
    assert any("entries deleted or the head altered" in p for p in audit.verify_chain())


def test_a_rewritten_amount_with_recomputed_hashes_is_found(app, world, tmp_path):
    approve_some(world)
    path = tmp_path / "checkpoints.jsonl"
    app.test_cli_runner().invoke(args=["audit", "checkpoint", str(path)])
    entries = db.session.scalars(select(audit.AuditEntry).order_by(audit.AuditEntry.seq)).all()
    target = next(e for e in entries if e.action == "approve")
    changes = target.changes
    assert '"amount"' in changes
    import json

    data = json.loads(changes)
    data["amount"] = "9999999.00"
    target.changes = json.dumps(data, sort_keys=True)
    prev = target.prev_hash
    for entry in entries[entries.index(target):]:
        entry.prev_hash = prev
        forge(entry)
        prev = entry.entry_hash
    db.session.execute(text("UPDATE audit_chain_head SET entry_hash = :h"), {"h": prev})
    db.session.flush()
    problems = audit.verify_chain()
    assert f"entry {target.seq}: content altered or not written here" in problems
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--checkpoint", str(path)])
    assert result.exit_code != 0 and "the chain was rewritten" in result.output


def test_a_forged_approval_appended_to_the_log_is_found(world):
    approve_some(world)
    head_seq, head_hash = db.session.execute(
        text("SELECT seq, entry_hash FROM audit_chain_head")).one()
    claim_id = db.session.scalar(select(func.max(audit.AuditEntry.object_id))
                                 .where(audit.AuditEntry.object_type == "claim"))
    from conflict_app.core import clock

    fake = audit.AuditEntry(seq=head_seq + 1, occurred_at=clock.now().replace(microsecond=0),
                            actor_id=world.approver.id, object_type="claim",
                            object_id=claim_id, action="approve", changes="{}",
                            prev_hash=head_hash)
    forge(fake)
    db.session.add(fake)
    db.session.flush()
    db.session.execute(text("UPDATE audit_chain_head SET seq = :s, entry_hash = :h"),
                       {"s": head_seq + 1, "h": fake.entry_hash})
    db.session.info.pop("audit_pending", None)
    assert audit.verify_chain() == [
        f"entry {head_seq + 1}: content altered or not written here"]


def test_a_checkpoint_not_signed_with_the_key_is_refused(app, world, tmp_path):
    approve_some(world)
    path = tmp_path / "checkpoints.jsonl"
    app.test_cli_runner().invoke(args=["audit", "checkpoint", str(path)])
    line = path.read_text().replace('"seq": ', '"seq": 1')
    path.write_text(line)
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--checkpoint", str(path)])
    assert result.exit_code != 0
    assert "signature does not match the audit key" in result.output


def test_production_refuses_to_start_without_an_audit_key(tmp_path, monkeypatch):
    from config import Config
    from conflict_app import create_app

    class Production(Config):
        SECRET_KEY = "x" * 40
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'p.sqlite'}"
        PIN_KEY = "p" * 40
        AUDIT_KEY = None
        AUDIT_KEY_FILE = None

    with pytest.raises(RuntimeError, match="AUDIT_KEY must be set"):
        create_app(Production)
    key_file = tmp_path / "audit.key"
    key_file.write_text("k" * 64 + "\n")
    Production.AUDIT_KEY_FILE = str(key_file)
    assert create_app(Production).config["AUDIT_KEY"] == "k" * 64


@pytest.mark.committed  # the scratch database needs its own session, not the test's
def test_the_upgrade_rechains_a_forked_legacy_log_under_the_key(scratch_app):
    """A log written before the chain had positions, with a fork from concurrent writers,
    becomes one keyed line; an entry altered before the upgrade stops it."""
    import hashlib
    import json

    import flask_migrate

    def legacy(prev: str, n: int) -> dict:
        row = {"occurred_at": f"2026-01-0{n}T10:00:00+00:00", "actor_id": None,
               "object_type": "claim", "object_id": n, "action": "screen",
               "from_state": "reported", "to_state": "screened", "reason": None,
               "changes": "{}", "prev_hash": prev}
        payload = json.dumps([row["occurred_at"], None, "claim", n, "screen", "reported",
                              "screened", None, "{}", prev], separators=(",", ":"))
        row["entry_hash"] = hashlib.sha256(payload.encode()).hexdigest()
        row["occurred_at"] = f"2026-01-0{n} 10:00:00"
        return row

    first = legacy(audit.GENESIS, 1)
    rows = [first, legacy(first["entry_hash"], 2), legacy(first["entry_hash"], 3)]  # a fork
    with scratch_app.app_context():
        flask_migrate.upgrade(revision="0009_claim_reopened_at")
        insert = text("INSERT INTO audit_entry (occurred_at, actor_id, object_type, object_id,"
                      " action, from_state, to_state, reason, changes, prev_hash, entry_hash) "
                      "VALUES (:occurred_at, :actor_id, :object_type, :object_id, :action, "
                      ":from_state, :to_state, :reason, :changes, :prev_hash, :entry_hash)")
        with db.engine.begin() as conn:
            for row in rows:
                conn.execute(insert, row)
        flask_migrate.upgrade()
        assert audit.verify_chain() == []
        assert [s for s, _, _ in chain_rows()] == [1, 2, 3]
        db.session.remove()
        flask_migrate.downgrade(revision="0009_claim_reopened_at")
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE audit_entry SET reason = 'forged' WHERE object_id = 2"))
        with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
            flask_migrate.upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
                == "0009_claim_reopened_at"


def test_a_claim_state_or_amount_changed_in_the_database_directly_is_found(app, world):
    """Someone with write access to the database moves a claim to "approved" without an
    approval, or multiplies an approved amount by ten: the chain itself is intact, but the
    claims disagree with their audited history."""
    claim = helpers.assessed(world)
    other, _ = helpers.report(world, hh=helpers.household(world, name="Other"))
    paid = helpers.approved(world, hh=helpers.household(world, name="Third"), killed=1)
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["audit", "reconcile"])
    assert clean.exit_code == 0, clean.output
    assert "every claim is in the state its audit history gives it" in clean.output
    db.session.execute(text("UPDATE claim SET state = 'approved', amount_approved = 999999 "
                            "WHERE id = :id"), {"id": claim.id})
    db.session.execute(text("DELETE FROM audit_entry WHERE object_type = 'claim' "
                            "AND object_id = :id"), {"id": other.id})
    db.session.execute(text("UPDATE claim SET amount_approved = 450000 WHERE id = :id"),
                       {"id": paid.id})
    found = runner.invoke(args=["audit", "reconcile"])
    assert found.exit_code != 0
    assert (f"claim {claim.reference}: state approved, its audit history ends at assessed"
            in found.output)
    assert f"claim {other.reference}: no audited history" in found.output
    assert (f"claim {claim.reference}: approved amount 999999.00, its audit history says none"
            in found.output)
    assert (f"claim {paid.reference}: approved amount 450000.00, its audit history says "
            "45000.00" in found.output)


def test_reconcile_reads_each_batch_s_history_alone(app, world):
    """Claims are checked a batch at a time: a claim changed directly is found in whichever
    batch it falls, and the batches' neighbours are not mixed up."""
    from conflict_app.claims.reconcile import disagreements

    claims = [helpers.assessed(world, hh=helpers.household(world, name=f"Herder {n}"))
              for n in range(5)]
    assert list(disagreements(batch=2)) == []
    # A paid claim carries an amount (the database refuses one without): both are found.
    db.session.execute(text("UPDATE claim SET state = 'paid', amount_approved = 1 "
                            "WHERE id = :id"), {"id": claims[3].id})
    assert list(disagreements(batch=2)) == [
        f"claim {claims[3].reference}: state paid, its audit history ends at assessed",
        f"claim {claims[3].reference}: approved amount 1.00, its audit history says none"]
