"""A version number of the data the figures are read from, raised by every transaction that
writes to those tables, as part of that transaction.

The analytics and the public statistics keep their figures until the data change. They
used to learn of a change by counting seven tables and reading their newest rows: exact,
but 120–210 ms at 500,000 claims on every view, growing with the tables. The version is one
row read by its key. It is exact where the counters of the database's statistics are not
(those lag and miss): any statement that inserts into, updates or deletes from a tracked
table marks its connection (``before_cursor_execute`` sees every statement, ORM or not),
and the session raises the version just before that transaction commits, so the new
version becomes visible together with the change, never before or after it. Writers hold
the row's lock only from that update to their commit (as every audited change holds the
audit chain's head), so long transactions do not queue behind each other.

Bulk paths that bypass statements (PostgreSQL ``COPY``) call ``touched`` themselves.
Within a transaction that has written but not committed, the fingerprint carries a token of
that transaction, so its own uncommitted figures are never taken for anyone else's.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import BigInteger, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from conflict_app.extensions import db

# Every table a figure is read from (the analytics, the public statistics, their outcomes
# and processing times, the map's villages), and the audit trail, which every change writes.
TRACKED = frozenset({
    "household", "herd_census", "incident", "loss_line", "measure", "verification_report",
    "claim", "payment_item", "assessment", "village", "admin_area", "country", "audit_entry",
})
_WRITE = re.compile(r'\s*(?:insert\s+into|update|delete\s+from)\s+"?(\w+)"?', re.IGNORECASE)
_KEY = "data_changes"  # in the connection's info: (this transaction's token, writes)


class DataVersion(db.Model):
    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    version: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)


def touched(connection: Connection) -> None:
    """Note that this connection's transaction wrote to a tracked table."""
    token, writes = connection.info.get(_KEY) or (uuid.uuid4().hex, 0)
    connection.info[_KEY] = (token, writes + 1)


def _seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
    found = _WRITE.match(statement)
    if found and found.group(1).lower() in TRACKED:
        touched(conn)


def _ended(conn: Connection) -> None:
    conn.info.pop(_KEY, None)


def _before_commit(session: Session) -> None:
    session.flush()  # the commit's own flush comes after this hook: its writes count too
    connection = session.connection()
    if not connection.info.get(_KEY):
        return
    # One statement whether the row is there yet or not (a new database has none, so a
    # backup restores into it): the first two writers cannot both insert it.
    upsert = (postgresql.insert if connection.dialect.name == "postgresql"
              else sqlite.insert)(DataVersion).values(id=1, version=1)
    connection.execute(upsert.on_conflict_do_update(
        index_elements=[DataVersion.id], set_={"version": DataVersion.version + 1}))


def fingerprint() -> tuple:
    """Changes whenever tracked data change: the committed version, and inside a
    transaction that has written, its own token and number of writes."""
    connection = db.session.connection()
    version = connection.execute(select(DataVersion.version).where(DataVersion.id == 1))
    return (version.scalar(), connection.info.get(_KEY))


def listen() -> None:
    """Once for every engine and session, however many apps are created."""
    if not event.contains(Engine, "before_cursor_execute", _seen):
        event.listen(Engine, "before_cursor_execute", _seen)
        event.listen(Engine, "commit", _ended)
        event.listen(Engine, "rollback", _ended)
        event.listen(Session, "before_commit", _before_commit)
