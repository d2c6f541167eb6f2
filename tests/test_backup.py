"""Backups: a round trip through `backup create` and `backup restore` keeps every row and
every photo; the file is encrypted, private, and refused whole when anything is wrong."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import select

from conflict_app.core.backup import _encode
from conflict_app.extensions import db
from tests import helpers
from tests.conftest import World


def snapshot() -> dict[str, list[dict]]:
    with db.engine.connect() as conn:
        return {
            table.name: [
                {k: _encode(v) for k, v in row.items()}
                for row in conn.execute(
                    select(table).order_by(*table.primary_key.columns)).mappings()
            ]
            for table in db.metadata.sorted_tables
        }


def _photos(directory) -> dict[str, bytes]:
    from pathlib import Path

    return {p.name: p.read_bytes() for p in Path(directory).rglob("*.jpg")}


@pytest.mark.committed
def test_round_trip_keeps_every_table_and_photo_into_a_brand_new_database(
        app, scratch_app, tmp_path):
    """Backup, then restore into a database nobody has migrated (on PostgreSQL when
    TEST_DATABASE_URL names one): every row and every photo comes back, and the file on
    disk is encrypted and readable by its owner only."""
    world = World()
    db.session.commit()
    helpers.approved(world, photos=[helpers.photo_bytes(), helpers.photo_bytes((9, 9, 9))])
    original, _ = helpers.report(world, hh=helpers.household(world, name="Second"))
    copy, _ = helpers.report(world, hh=original.household, killed=1)
    from conflict_app.claims import operations as ops
    from conflict_app.claims.models import Evidence

    ops.mark_duplicate(copy.id, world.clerk, copy.version, "same", original.reference)
    before = snapshot()
    keys = db.session.scalars(select(Evidence.storage_key)).all()
    photos = {name: data for name, data in _photos(app.config["EVIDENCE_DIR"]).items()
              if name[:-4] in keys}
    assert len(photos) == 2
    secret = world.approver.totp_secret
    path = tmp_path / "backup.bin"
    result = app.test_cli_runner().invoke(args=["backup", "create", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 photos" in result.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    raw = path.read_bytes()
    assert raw.startswith(b"PARDUS-BACKUP") and b"PK\x03\x04" not in raw
    assert secret.encode() not in raw and b"Second" not in raw

    restored_dir = tmp_path / "restored-evidence"
    scratch_app.config["EVIDENCE_DIR"] = str(restored_dir)
    with scratch_app.app_context():
        restored = scratch_app.test_cli_runner().invoke(args=["backup", "restore", str(path)])
        assert restored.exit_code == 0, restored.output
        assert "2 photos" in restored.output
        after = snapshot()
        # A second restore into the now full database is refused, changing nothing.
        again = scratch_app.test_cli_runner().invoke(args=["backup", "restore", str(path)])
        assert again.exit_code != 0 and "not empty" in again.output
        assert "Traceback" not in again.output
        assert snapshot() == after
        # New rows get fresh ids after a restore (sequences follow the data), and the
        # restored audit chain still verifies.
        from conflict_app.core import audit

        audit.record(actor_id=None, object_type="backup", object_id=1, action="restore")
        db.session.commit()
        assert audit.verify_chain() == []
        db.session.remove()
    assert after == before
    assert sum(len(rows) for rows in after.values()) > 50
    assert _photos(restored_dir) == photos


@pytest.mark.committed
def test_a_wrong_key_or_a_cut_file_restores_nothing(app, scratch_app, tmp_path):
    world = World()
    db.session.commit()
    helpers.approved(world, photos=[helpers.photo_bytes()])
    path = tmp_path / "backup.bin"
    assert app.test_cli_runner().invoke(args=["backup", "create", str(path)]).exit_code == 0
    cut = tmp_path / "cut.bin"
    cut.write_bytes(path.read_bytes()[:-40])
    scratch_app.config["EVIDENCE_DIR"] = str(tmp_path / "restored-evidence")
    with scratch_app.app_context():
        runner = scratch_app.test_cli_runner()
        scratch_app.config["BACKUP_KEY"] = "another-key-of-enough-length-0123456789"
        wrong = runner.invoke(args=["backup", "restore", str(path)])
        assert wrong.exit_code == 1
        assert wrong.output.strip() == ("Error: cannot read backup.bin: wrong BACKUP_KEY, or "
                                        "the backup was changed")
        scratch_app.config["BACKUP_KEY"] = app.config["BACKUP_KEY"]
        short = runner.invoke(args=["backup", "restore", str(cut)])
        assert short.exit_code == 1 and "cannot read cut.bin" in short.output
        scratch_app.config["BACKUP_KEY"] = None
        keyless = runner.invoke(args=["backup", "restore", str(path)])
        assert keyless.exit_code == 1 and "BACKUP_KEY (or BACKUP_KEY_FILE) must be set" \
            in keyless.output
        from sqlalchemy import inspect

        assert inspect(db.engine).get_table_names() == []  # nothing was even migrated
        db.session.remove()
    assert not (tmp_path / "restored-evidence").exists()


def test_a_backup_needs_a_key(app, tmp_path):
    app.config["BACKUP_KEY"], key = None, app.config["BACKUP_KEY"]
    try:
        result = app.test_cli_runner().invoke(args=["backup", "create",
                                                    str(tmp_path / "b.bin")])
    finally:
        app.config["BACKUP_KEY"] = key
    assert result.exit_code == 1 and "BACKUP_KEY (or BACKUP_KEY_FILE) must be set" \
        in result.output
    assert not (tmp_path / "b.bin").exists()


def test_the_encryption_streams_in_chunks_and_notices_any_swap(app):
    """Several chunks (a backup larger than 1 MiB) round-trip; swapping two sealed chunks or
    dropping the last one is detected."""
    import io

    from conflict_app.core import backup_crypto as bc

    data = os.urandom(3 * bc.CHUNK + 12345)
    sealed = io.BytesIO()
    writer = bc.EncryptingWriter(sealed, b"k" * 40)
    for start in range(0, len(data), 100_000):
        writer.write(data[start:start + 100_000])
    writer.close()
    out = io.BytesIO()
    bc.decrypt(io.BytesIO(sealed.getvalue()), out, b"k" * 40)
    assert out.getvalue() == data
    raw = sealed.getvalue()
    header = len(bc.MAGIC) + 23
    size = 4 + bc.CHUNK + 16
    chunks = [raw[header + n * size:header + (n + 1) * size] for n in range(3)]
    swapped = raw[:header] + chunks[1] + chunks[0] + raw[header + 2 * size:]
    dropped = raw[:header] + b"".join(chunks)
    for bad in (swapped, dropped):
        with pytest.raises(bc.DecryptionFailed):
            bc.decrypt(io.BytesIO(bad), io.BytesIO(), b"k" * 40)
