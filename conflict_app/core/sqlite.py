"""The embedded SQLite database made to behave as PostgreSQL does where the app relies on it:
foreign keys enforced, transactions (and SAVEPOINTs) opened by SQLAlchemy, not pysqlite,
and local wall-clock time for periods (``geo.timezones.local_time``)."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def _on_connect(dbapi_connection, connection_record) -> None:  # noqa: ANN001
    if "sqlite" not in type(dbapi_connection).__module__:
        return
    from conflict_app.geo.timezones import sqlite_local_time

    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    dbapi_connection.create_function("pardus_local_time", 2, sqlite_local_time,
                                     deterministic=True)


def _on_begin(conn) -> None:  # noqa: ANN001
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")


def listen() -> None:
    """Every engine's connections get these (once, however many apps are created)."""
    if not event.contains(Engine, "connect", _on_connect):
        event.listen(Engine, "connect", _on_connect)
        event.listen(Engine, "begin", _on_begin)
