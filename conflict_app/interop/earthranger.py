"""EarthRanger: verified attacks as event bodies for ``POST /api/v1.0/activity/events``, and
leopard events or observations read back as presence sightings.

The event body follows the server's serializer (schemas/earthranger-event.schema.json);
``event_details`` carries what an event type for human-wildlife conflict records. Nothing
about the herder goes out: the claim's reference is the only key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from flask import current_app

from conflict_app.core.errors import N_
from conflict_app.interop.attacks import Attack
from conflict_app.interop.sightings import Problem, Sighting, leopard_named, parse_time

DEFAULT_EVENT_TYPE = "hwc_rep"  # EarthRanger's human-wildlife conflict report type
PRIORITY = {"confirmed": 200, "probable": 100}  # Amber, Green (0 Gray, 300 Red: urgent)
MAX_DEPTH = 16  # an event nests a few levels (details, notes, geometry); never more


def event(attack: Attack) -> dict:
    """One event body."""
    body = {
        "event_type": current_app.config.get("INTEROP_EARTHRANGER_EVENT_TYPE")
        or DEFAULT_EVENT_TYPE,
        "time": attack.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "title": "Verified leopard attack on livestock",
        "priority": PRIORITY[attack.confidence],
        "state": "resolved" if attack.resolved else "active",
        "location": None,
        "event_details": {
            "pardus_claim": attack.ref,
            "predator": "leopard",
            "confidence": attack.confidence,
            "occurred_on": attack.occurred_on.isoformat(),
            "time_known": attack.time_known,
            "part_of_day": attack.part_of_day,
            "setting": attack.setting,
            "country": attack.country,
            "village": attack.village,
            "location_precision": attack.precision,
            "species": ", ".join(attack.species),
            "killed": attack.killed,
            "injured": attack.injured,
        },
    }
    if attack.latitude is not None:
        body["location"] = {"latitude": float(attack.latitude),
                            "longitude": float(attack.longitude)}
    return body


def write_events(attacks: Iterable[Attack], out) -> int:  # noqa: ANN001 - a text stream
    """A JSON array of event bodies, one POST each; written as it goes."""
    count = 0
    out.write("[")
    for attack in attacks:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(event(attack), ensure_ascii=False, sort_keys=True))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


# --- import -------------------------------------------------------------------------------
def _brackets(text: str) -> Iterator[tuple[int, str]]:
    """The offsets and characters of the brackets outside JSON strings, in order."""
    in_string = escaped = False
    for offset, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[]{}":
            yield offset, char


def _depth_problem(text: str) -> bool:
    """Nested deeper than MAX_DEPTH: refused before the parser recurses into it."""
    depth = 0
    for _offset, char in _brackets(text):
        depth += 1 if char in "[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


def _items(document: object) -> tuple[list | None, int]:
    """The events of a file and the nesting depth they sit at: a list (1), one event (0),
    or the API's page, {"results": [...]} (2) or {"data": {"results": [...]}} (3)."""
    depth = 0
    if isinstance(document, dict) and isinstance(document.get("data"), dict | list):
        document, depth = document["data"], 1
    if isinstance(document, dict) and isinstance(document.get("results"), list):
        return document["results"], depth + 2
    if isinstance(document, dict):
        return [document], 0
    if isinstance(document, list):
        return document, depth + 1
    return None, 0


def _line_starts(text: str, item_depth: int) -> list[int]:
    """Offsets where each object at ``item_depth`` starts, to name its line."""
    starts, depth = [], 0
    for offset, char in _brackets(text):
        if char in "[{":
            if depth == item_depth and char == "{":
                starts.append(offset)
            depth += 1
        else:
            depth -= 1
    return starts


def read(data: bytes) -> Iterator[Sighting | Problem]:
    """Sightings of leopards in an EarthRanger export (events or observations)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        yield Problem(1, "", N_("The file is not UTF-8 text."))
        return
    if _depth_problem(text):
        yield Problem(1, "", N_("The JSON nests deeper than %(depth)s levels."), depth=MAX_DEPTH)
        return
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        yield Problem(getattr(exc, "lineno", 1), "", N_("The file is not valid JSON."))
        return
    items, item_depth = _items(document)
    if items is None:
        yield Problem(1, "", N_("Expected a list of EarthRanger events or observations."))
        return
    starts = _line_starts(text, item_depth) if item_depth else [0]
    if len(starts) != len(items):  # some items are not objects: no reliable line numbers
        starts = [0] * len(items)
    for index, item in enumerate(items):
        line = text.count("\n", 0, starts[index]) + 1
        yield _sighting(item, line)


def _sighting(item: object, line: int) -> Sighting | Problem:
    if not isinstance(item, dict):
        return Problem(line, "", N_("Expected an event or an observation (a JSON object)."))
    source_id = item.get("id")
    if not isinstance(source_id, str | int) or not str(source_id).strip() or \
            len(str(source_id)) > 120:
        return Problem(line, "", N_("The record has no id."))
    source_id = str(source_id).strip()
    is_event = "event_type" in item
    when = parse_time(item.get("time") if is_event else item.get("recorded_at"))
    if when is None:
        return Problem(line, source_id, N_("The record has no valid time."))
    location = item.get("location")
    try:
        latitude = float(location["latitude"])
        longitude = float(location["longitude"])
    except (TypeError, KeyError, ValueError):
        return Problem(line, source_id, N_("The record has no valid location."))
    if is_event:
        described = [item.get("event_type"), item.get("title"), item.get("event_details")]
    else:
        described = [item.get("additional"), item.get("subject_subtype"),
                     item.get("species"), item.get("subject_type")]
    if not leopard_named(described):
        return Problem(line, source_id, N_("The record does not name a leopard."))
    kind = "event" if is_event else "observation"
    serial = item.get("serial_number")
    label = f"EarthRanger {kind} {serial if isinstance(serial, int) else source_id}"
    if is_event and isinstance(item.get("event_type"), str):
        label += f" ({item['event_type'][:60]})"
    return Sighting(line, source_id, when, latitude, longitude, label)

