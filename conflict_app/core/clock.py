"""The one source of "now", so tests can move time and every timestamp is UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def today() -> date:
    return now().date()


def freeze(at: datetime | None) -> None:
    """Pin the clock (tests only); ``None`` releases it."""
    global _frozen
    _frozen = at.astimezone(UTC) if at is not None else None
