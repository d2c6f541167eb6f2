"""Portable backups: every table to JSON lines in one zip, restorable on SQLite or PostgreSQL.

A backup made on one database restores on the other, which also makes it the way to move a
pilot from SQLite to PostgreSQL. Restoring needs an empty database at the same migration
revision, so nothing is ever overwritten.
"""

from __future__ import annotations

import base64
import json
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select, text

from conflict_app.core import clock
from conflict_app.extensions import db

FORMAT = 1
BATCH = 1000


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
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


def create(path: Path) -> dict[str, int]:
    """Write every table, in primary-key order, to ``path`` (a .zip)."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive, \
            db.engine.connect() as conn:
        for table in _tables():
            order = list(table.primary_key.columns)
            lines = []
            for row in conn.execute(select(table).order_by(*order)).mappings():
                lines.append(json.dumps({k: _encode(v) for k, v in row.items()},
                                        ensure_ascii=False, sort_keys=True))
            archive.writestr(f"{table.name}.jsonl", "\n".join(lines) + ("\n" if lines else ""))
            counts[table.name] = len(lines)
        manifest = {"format": FORMAT, "revision": _revision(),
                    "created_at": clock.now().isoformat(), "tables": counts}
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return counts


def restore(path: Path) -> dict[str, int]:
    """Load a backup into an empty database at the same migration revision."""
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise BackupError("unknown backup format")
        if manifest.get("revision") != _revision():
            raise BackupError(
                f"backup is at revision {manifest.get('revision')}, the database at "
                f"{_revision()}: run `flask db upgrade` to the same revision first")
        with db.engine.begin() as conn:
            for table in _tables():
                if conn.execute(select(func.count()).select_from(table)).scalar():
                    raise BackupError(f"the database is not empty (table {table.name})")
            counts = {}
            for table in _tables():
                counts[table.name] = _load(conn, table, archive)
            if conn.dialect.name == "postgresql":
                _reset_sequences(conn)
    return counts


def _load(conn, table: Table, archive: zipfile.ZipFile) -> int:  # noqa: ANN001
    name = f"{table.name}.jsonl"
    if name not in archive.namelist():
        return 0
    decoders = {c.name: _decoder(c) for c in table.columns}
    rows = []
    for line in archive.read(name).decode("utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            rows.append({k: (decoders[k](v) if v is not None else None)
                         for k, v in raw.items() if k in decoders})
    ordered = _parents_first(table, rows)
    for start in range(0, len(ordered), BATCH):
        conn.execute(table.insert(), ordered[start:start + BATCH])
    return len(rows)


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
