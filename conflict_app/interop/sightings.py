"""What every reader of another system's file yields: a leopard sighting, or the problem
that keeps a row out, with its line. Pure: no Flask, no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

# Names a leopard goes by in the systems' data models and free-text fields (case ignored):
# the species' English and scientific names, SMART's taxonomy keys and EarthRanger's slugs.
LEOPARD_NAMES = ("leopard", "panthera pardus", "panthera_pardus", "pantherapardus",
                 "pardus_rl", "panthera.pardus")
# Never a presence of Panthera pardus, though the word is in the name.
NOT_LEOPARD = ("snow leopard", "snow_leopard", "snowleopard", "panthera uncia",
               "panthera_uncia", "clouded leopard", "clouded_leopard", "leopard cat",
               "leopard_cat", "leopardcat")


@dataclass(frozen=True)
class Sighting:
    line: int
    source_id: str
    seen_at: datetime  # aware, UTC
    latitude: float
    longitude: float
    label: str  # how the evidence names it: system, kind and id, never a person


@dataclass(frozen=True)
class Problem:
    line: int
    source_id: str
    message: str  # marked with N_, translated when shown
    params: dict = field(default_factory=dict)

    def __init__(self, line: int, source_id: str, message: str, **params: object) -> None:
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "source_id", source_id)
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "params", params)


def _strings(value: object, depth: int = 0) -> Iterable[str]:
    if depth > 8:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, depth + 1)


def leopard_named(values: Iterable[object]) -> bool:
    """True when a leopard (Panthera pardus), and no other animal called leopard, is named."""
    for text in _strings(list(values)):
        lowered = text.lower()
        for other in NOT_LEOPARD:
            lowered = lowered.replace(other, " ")
        if any(name in lowered for name in LEOPARD_NAMES):
            return True
    return False


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time as both systems write it; a time without offset is taken as UTC."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def valid_point(latitude: float, longitude: float) -> bool:
    return -90 <= latitude <= 90 and -180 <= longitude <= 180 and \
        not (latitude == 0 and longitude == 0)
