"""Column types, and SQL expressions over them, shared by all features."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, Enum, Numeric, func
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: identical behaviour on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):  # noqa: ANN001
        return value.replace(tzinfo=UTC) if value is not None else None


def enum_column(enum_cls: type[StrEnum], name: str) -> Enum:
    """A VARCHAR with a CHECK constraint listing the values (portable, migration-friendly)."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


# Money amounts: 18 digits with 2 decimals covers IRR totals and cents alike.
MONEY = Numeric(18, 2)


def days(value):  # noqa: ANN001, ANN201 - an SQL expression
    """A date or timestamp as days since an epoch (a float), for durations and percentiles
    in SQL on the database in use. On PostgreSQL ``date_part``, a float: ``EXTRACT``
    computes a numeric and made the overview's processing times a fifth slower at
    range-wide scale."""
    from conflict_app.extensions import db

    if db.engine.dialect.name == "postgresql":
        return func.date_part("epoch", value) / 86400.0
    return func.julianday(value)
