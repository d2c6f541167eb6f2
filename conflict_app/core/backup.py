"""Portable backups: every table as JSON lines and every evidence photo in one zip,
encrypted with BACKUP_KEY, restorable on SQLite or PostgreSQL.

A backup made on one database restores on the other, which also makes it the way to move a
pilot from SQLite to PostgreSQL. Restoring needs an empty database, so nothing is ever
overwritten: a brand-new one is migrated by the restore itself. Tables and photos are
streamed, never held whole in memory; the file is written 0600 and appears only complete.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import flask_migrate
from alembic.util.exc import CommandError
from flask import current_app
from sqlalchemy import Table, bindparam, func, inspect, select, text

from conflict_app.core import backup_crypto, clock
from conflict_app.extensions import db

FORMAT = 2  # 1: tables only, unencrypted; 2: encrypted, with the evidence photos
BATCH = 1000
CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _decoder(column):  # noqa: ANN001, ANN202
    try:
        kind = column.type.python_type
    except NotImplementedError:
        kind = str
    if column.type.__class__.__name__ == "UTCDateTime":
        kind = datetime
    if kind is datetime:
        return lambda v: datetime.fromisoformat(v)
    if kind is date:
        return date.fromisoformat
    if kind is time:
        return time.fromisoformat
    if kind is Decimal:
        return Decimal
    if kind is bytes:
        return base64.b64decode
    return lambda v: v


def _revision() -> str | None:
    """The database's migration revision; None for a brand-new database (no tables)."""
    if not inspect(db.engine).has_table("alembic_version"):
        return None
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


def _open_private(path: Path) -> BinaryIO:
    """A new file only its owner can read (0600 whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")


def create(path: Path) -> dict[str, int]:
    """Write every table, in primary-key order, and every evidence photo to ``path``:
    a zip, encrypted with BACKUP_KEY as it is written (see ``backup_crypto``)."""
    from conflict_app.claims.evidence import path_for
    from conflict_app.claims.models import Evidence

    secret = backup_crypto.configured_key()
    counts: dict[str, int] = {}
    partial = path.with_name(path.name + ".part")
    photos = missing = 0
    with _open_private(partial) as raw:
        sealed = backup_crypto.EncryptingWriter(raw, secret)
        with zipfile.ZipFile(sealed, "w", compression=zipfile.ZIP_DEFLATED) as archive, \
                db.engine.connect() as conn:
            for table in _tables():
                order = list(table.primary_key.columns)
                rows = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
                    select(table).order_by(*order)).mappings()
                n = 0
                with archive.open(f"{table.name}.jsonl", "w", force_zip64=True) as out:
                    for row in rows:
                        out.write(json.dumps({k: _encode(v) for k, v in row.items()},
                                             ensure_ascii=False, sort_keys=True)
                                  .encode() + b"\n")
                        n += 1
                counts[table.name] = n
            directory = current_app.config["EVIDENCE_DIR"]
            for key in conn.execute(select(Evidence.storage_key).order_by(Evidence.id)).scalars():
                source = path_for(directory, key)
                if not source.is_file():
                    missing += 1
                    continue
                with open(source, "rb") as f, \
                        archive.open(f"photos/{key}.jpg", "w", force_zip64=True) as out:
                    shutil.copyfileobj(f, out, CHUNK)
                photos += 1
            manifest = {"format": FORMAT, "revision": _revision(),
                        "created_at": clock.now().isoformat(), "tables": counts,
                        "photos": photos, "photos_missing": missing}
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        sealed.close()
    os.replace(partial, path)
    return {**counts, "photos": photos, "photos_missing": missing}


def restore(path: Path) -> dict[str, int]:
    """Load a backup into an empty database; a brand-new one is migrated first, to the
    backup's revision, and to the newest after loading. Photos go to EVIDENCE_DIR."""
    if not backup_crypto.is_encrypted(path):
        if not zipfile.is_zipfile(path):
            raise BackupError("this file is not a Pardus backup")
        return _restore_zip(path)  # an unencrypted backup of an earlier version
    secret = backup_crypto.configured_key()
    with tempfile.TemporaryDirectory(prefix="pardus-restore-") as workdir:
        plain = Path(workdir) / "backup.zip"  # the directory is 0700
        try:
            with open(path, "rb") as source, _open_private(plain) as out:
                backup_crypto.decrypt(source, out, secret)
        except backup_crypto.DecryptionFailed as exc:
            raise BackupError(f"cannot read {path.name}: {exc}") from exc
        return _restore_zip(plain)


def _restore_zip(path: Path) -> dict[str, int]:
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") not in (1, FORMAT):
            raise BackupError("unknown backup format")
        wanted = manifest.get("revision")
        _prepare_schema(wanted)
        written: list[Path] = []
        try:
            with db.engine.begin() as conn:
                for table in _tables():
                    if conn.execute(select(func.count()).select_from(table)).scalar():
                        raise BackupError(f"the database is not empty (table {table.name})")
                counts = {}
                later: list[tuple[Table, list[dict]]] = []
                for table in _tables():
                    counts[table.name], pointers = _load(conn, table, archive)
                    later.append((table, pointers))
                for table, pointers in later:
                    _point(conn, table, pointers)
                if conn.dialect.name == "postgresql":
                    _reset_sequences(conn)
                counts["photos"] = _restore_photos(conn, archive, written)
        except BaseException:
            for done in written:  # the database kept nothing: neither do the photos
                done.unlink(missing_ok=True)
            raise
    flask_migrate.upgrade()  # the restored data follows this version's newest schema
    return counts


def _prepare_schema(wanted: str | None) -> None:
    current = _revision()
    if current is None:
        if inspect(db.engine).get_table_names():
            raise BackupError("the database has tables but no migration revision: restore "
                              "into a new, empty database")
        try:
            flask_migrate.upgrade(revision=wanted or "head")
        except CommandError as exc:
            raise BackupError(f"the backup is at revision {wanted}, which this version of "
                              "Pardus does not know: restore it with the version that made "
                              "it") from exc
    elif current != wanted:
        raise BackupError(f"the backup is at revision {wanted}, the database at {current}: "
                          "restore into a new, empty database (the restore migrates it "
                          "itself)")


def _restore_photos(conn, archive: zipfile.ZipFile, written: list[Path]) -> int:  # noqa: ANN001
    """Every photo of the backup back in EVIDENCE_DIR (the encryption already proved it
    unchanged); a photo already there must be the same."""
    from conflict_app.claims.evidence import path_for
    from conflict_app.claims.models import Evidence

    directory = current_app.config["EVIDENCE_DIR"]
    names = set(archive.namelist())
    restored = 0
    for key in conn.execute(select(Evidence.storage_key)).scalars():
        name = f"photos/{key}.jpg"
        if name not in names:
            continue
        target = path_for(directory, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        partial = target.with_name(target.name + ".part")
        with archive.open(name) as source, open(partial, "wb") as out:
            while block := source.read(CHUNK):
                digest.update(block)
                out.write(block)
        if target.exists():
            same = hashlib.sha256(target.read_bytes()).hexdigest() == digest.hexdigest()
            partial.unlink()
            if not same:
                raise BackupError(f"a different photo {key} is already in EVIDENCE_DIR")
        else:
            os.replace(partial, target)
            written.append(target)
        restored += 1
    return restored


def _later_columns(table: Table) -> list[str]:
    """Columns whose reference closes a cycle of tables (``use_alter``: an incident's
    verdict is a report on its claim): loaded empty, and set once every table is in."""
    return [c.name for c in table.columns for fk in c.foreign_keys if fk.use_alter]


def _load(conn, table: Table, archive: zipfile.ZipFile) -> tuple[int, list[dict]]:  # noqa: ANN001
    """The table's rows inserted; returns their count and the values of ``_later_columns``
    (with the primary key) still to be set."""
    name = f"{table.name}.jsonl"
    if name not in archive.namelist():
        return 0, []
    decoders = {c.name: _decoder(c) for c in table.columns}
    self_referring = any(fk.column.table is table for c in table.columns
                         for fk in c.foreign_keys)
    later = _later_columns(table)
    key = [c.name for c in table.primary_key.columns]
    pointers: list[dict] = []
    rows: list[dict] = []
    count = 0
    with archive.open(name) as stream:
        for line in io.TextIOWrapper(stream, encoding="utf-8"):
            if not line.strip():
                continue
            raw = json.loads(line)
            row = {k: (decoders[k](v) if v is not None else None)
                   for k, v in raw.items() if k in decoders}
            if later and any(row.get(c) is not None for c in later):
                pointers.append({**{f"_{k}": row[k] for k in key},
                                 **{c: row.get(c) for c in later}})
                row.update(dict.fromkeys(later))
            rows.append(row)
            count += 1
            if len(rows) >= BATCH and not self_referring:
                conn.execute(table.insert(), rows)
                rows = []
    ordered = _parents_first(table, rows) if self_referring else rows
    for start in range(0, len(ordered), BATCH):
        conn.execute(table.insert(), ordered[start:start + BATCH])
    return count, pointers


def _point(conn, table: Table, pointers: list[dict]) -> None:  # noqa: ANN001
    """Set the ``_later_columns`` values ``_load`` held back, now that they can refer."""
    if not pointers:
        return
    key = list(table.primary_key.columns)
    statement = (table.update().where(*(c == bindparam(f"_{c.name}") for c in key))
                 .values({c: bindparam(c) for c in _later_columns(table)}))
    for start in range(0, len(pointers), BATCH):
        conn.execute(statement, pointers[start:start + BATCH])


def _parents_first(table: Table, rows: list[dict]) -> list[dict]:
    """Order rows so a row referring to its own table (a district's province, a duplicate's
    original claim) comes after the row it refers to."""
    refs = [(c.name, fk.column.name) for c in table.columns for fk in c.foreign_keys
            if fk.column.table is table]
    if not refs:
        return rows
    key = refs[0][1]
    done: set[object] = set()
    ordered: list[dict] = []
    pending = rows
    while pending:
        ready = [r for r in pending
                 if all(r[col] is None or r[col] in done for col, _ in refs)]
        if not ready:  # a cycle: cannot happen with our constraints; keep going as is
            ready = pending
        ordered.extend(ready)
        done.update(r[key] for r in ready)
        ready_ids = {id(r) for r in ready}
        pending = [r for r in pending if id(r) not in ready_ids]
    return ordered


def _reset_sequences(conn) -> None:  # noqa: ANN001
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}
        ).scalar()
        if sequence:
            highest = conn.execute(select(func.max(pk[0]))).scalar() or 0
            conn.execute(text("SELECT setval(:seq, :next, false)"),
                         {"seq": sequence, "next": highest + 1})
