"""SMART: verified attacks as independent-incident XML (one waypoint per attack, the file SMART
desktop and SMART Connect import) and as an observation CSV; leopard observations read back
from SMART's XML or CSV exports.

Category and attribute keys belong to each Conservation Area's data model, so they are
configuration (``INTEROP_SMART_KEYS``); the defaults are those of SMART's default model.
XML is read with defusedxml's guards first (no DTD, no entities, no external references),
then with lxml for line numbers, entities and network off.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException
from flask import current_app
from lxml import etree

from conflict_app.core.errors import N_
from conflict_app.core.inputs import NUL_REFUSED, nul_position
from conflict_app.interop.attacks import Attack
from conflict_app.interop.sightings import Problem, Sighting, leopard_named, parse_time

NAMESPACE = "http://www.smartconservationsoftware.org/xml/1.0/independentincident"
DEFAULT_KEYS = {
    "category": "animals.humanwildlifeconflict.livestockdepredation",
    "species": "species",
    "species_value": "chordata_rl.mammalia_rl.carnivora_rl.felidae_rl.panthera_rl."
                     "pantherapardus_rl",
    "killed": "numberkilled",
    "injured": "numberinjured",
    "livestock": "livestocktype",
    "confidence": "confidence",
}
CSV_COLUMNS = ("id", "x", "y", "dateTime", "categoryKey", "species", "livestock", "killed",
               "injured", "confidence", "precision", "country", "village", "comment")
MAX_ROWS = 20_000


def keys() -> dict[str, str]:
    return {**DEFAULT_KEYS, **(current_app.config.get("INTEROP_SMART_KEYS") or {})}


def _comment(attack: Attack) -> str:
    return (f"Pardus claim {attack.ref}: verified leopard attack ({attack.confidence}), "
            f"{attack.killed} killed, {attack.injured} injured; location {attack.precision}.")


def _time(attack: Attack) -> str:
    return attack.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def waypoint(attack: Attack) -> bytes:
    """One independent incident document (an attack with a place; others cannot go)."""
    k = keys()
    root = etree.Element(f"{{{NAMESPACE}}}Waypoint", nsmap={None: NAMESPACE})
    root.set("id", attack.ref)
    root.set("x", str(attack.longitude))
    root.set("y", str(attack.latitude))
    root.set("dateTime", _time(attack))
    etree.SubElement(root, f"{{{NAMESPACE}}}comment").text = _comment(attack)
    observation = etree.SubElement(root, f"{{{NAMESPACE}}}observations",
                                   categoryKey=k["category"])

    def attribute(key: str, tag: str, values: Iterable[str]) -> None:
        element = etree.SubElement(observation, f"{{{NAMESPACE}}}attributes", attributeKey=key)
        for value in values:
            etree.SubElement(element, f"{{{NAMESPACE}}}{tag}").text = value

    attribute(k["species"], "itemKey", [k["species_value"]])
    attribute(k["livestock"], "itemKey", attack.species)
    attribute(k["killed"], "dValue", [str(attack.killed)])
    attribute(k["injured"], "dValue", [str(attack.injured)])
    attribute(k["confidence"], "itemKey", [attack.confidence])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True,
                          pretty_print=True)


def csv_row(attack: Attack) -> dict[str, str]:
    k = keys()
    return {"id": attack.ref, "x": str(attack.longitude), "y": str(attack.latitude),
            "dateTime": _time(attack), "categoryKey": k["category"],
            "species": k["species_value"], "livestock": " ".join(attack.species),
            "killed": str(attack.killed), "injured": str(attack.injured),
            "confidence": attack.confidence, "precision": attack.precision or "",
            "country": attack.country, "village": attack.village,
            "comment": _comment(attack)}


def csv_writer(out) -> csv.DictWriter:  # noqa: ANN001 - a text stream
    return csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")


def write_csv(attacks: Iterable[Attack], out) -> tuple[int, int]:  # noqa: ANN001
    """The observation CSV; attacks without any place are left out (SMART needs x and y).
    Returns (written, left out)."""
    writer = csv_writer(out)
    writer.writeheader()
    written = left_out = 0
    for attack in attacks:
        if attack.latitude is None:
            left_out += 1
            continue
        writer.writerow(csv_row(attack))
        written += 1
    return written, left_out


# --- import -------------------------------------------------------------------------------
def read_xml(data: bytes) -> Iterator[Sighting | Problem]:
    """Leopard observations of every Waypoint in a SMART XML (an independent incident, or a
    patrol whose legs and days hold waypoints)."""
    try:
        safe_xml.fromstring(data, forbid_dtd=True, forbid_entities=True,
                            forbid_external=True)
    except DefusedXmlException:
        yield Problem(1, "", N_("The XML declares a DTD or entities; such files are refused."))
        return
    except safe_xml.ParseError as exc:
        yield Problem(exc.position[0] if exc.position else 1, "",
                      N_("The file is not well-formed XML."))
        return
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)
    root = etree.fromstring(data, parser)
    found = 0
    for element in root.iter():
        if not isinstance(element.tag, str) or etree.QName(element).localname != "Waypoint":
            continue
        found += 1
        if found > MAX_ROWS:
            yield Problem(element.sourceline or 1, "",
                          N_("More than %(limit)s waypoints; split the file."), limit=MAX_ROWS)
            return
        yield _waypoint_sighting(element)
    if not found:
        yield Problem(1, "", N_("The file holds no SMART waypoint."))


def _waypoint_sighting(element) -> Sighting | Problem:  # noqa: ANN001 - an lxml element
    line = element.sourceline or 1
    source_id = (element.get("id") or element.get("uuid") or "").strip()
    if not source_id or len(source_id) > 120:
        return Problem(line, "", N_("The record has no id."))
    when = parse_time(element.get("dateTime"))
    if when is None:
        return Problem(line, source_id, N_("The record has no valid time."))
    try:
        longitude, latitude = float(element.get("x")), float(element.get("y"))
    except (TypeError, ValueError):
        return Problem(line, source_id, N_("The record has no valid location."))
    described = []
    for child in element.iter():
        if not isinstance(child.tag, str):
            continue
        described.extend(v for name, v in child.attrib.items() if name == "categoryKey")
        if etree.QName(child).localname in ("itemKey", "sValue"):
            described.append(child.text or "")
    if not leopard_named(described):
        return Problem(line, source_id, N_("The record does not name a leopard."))
    return Sighting(line, source_id, when, latitude, longitude,
                    f"SMART waypoint {source_id}")


# Column names SMART's observation exports use, and this module's own.
ID_COLUMNS = ("id", "waypoint id", "waypoint_id", "observation uuid", "uuid")
X_COLUMNS = ("x", "longitude", "lon")
Y_COLUMNS = ("y", "latitude", "lat")
TIME_COLUMNS = ("datetime", "date time", "waypoint date time")
DATE_COLUMNS = ("waypoint date", "date")
CLOCK_COLUMNS = ("waypoint time", "time")


def _column(header: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in header:
            return header[name]
    return None


def read_csv(data: bytes) -> Iterator[Sighting | Problem]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        yield Problem(1, "", N_("The file is not UTF-8 text."))
        return
    if (where := nul_position(text)) is not None:
        yield Problem(where[0], "", NUL_REFUSED)
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fields = reader.fieldnames or []
    except csv.Error:
        yield Problem(1, "", N_("The file must be CSV text in UTF-8."))
        return
    header = {name.strip().lower(): name for name in fields if name}
    id_col, x_col, y_col = (_column(header, names) for names in (ID_COLUMNS, X_COLUMNS,
                                                                  Y_COLUMNS))
    time_col = _column(header, TIME_COLUMNS)
    date_col, clock_col = _column(header, DATE_COLUMNS), _column(header, CLOCK_COLUMNS)
    if not (id_col and x_col and y_col and (time_col or date_col)):
        yield Problem(1, "", N_("The header needs an id, x (longitude), y (latitude) and a "
                                "date or dateTime column."))
        return
    count = 0
    try:
        for row in reader:
            count += 1
            if count > MAX_ROWS:
                yield Problem(reader.line_num, "",
                              N_("More than %(limit)s rows; split the file."), limit=MAX_ROWS)
                return
            yield _row_sighting(row, reader.line_num, id_col, x_col, y_col, time_col,
                                date_col, clock_col)
    except csv.Error:
        yield Problem(reader.line_num, "", N_("A value is longer than %(limit)s characters, "
                                              "or a quote is never closed."),
                      limit=csv.field_size_limit())


def _row_sighting(row: dict, line: int, id_col: str, x_col: str, y_col: str,
                  time_col: str | None, date_col: str | None,
                  clock_col: str | None) -> Sighting | Problem:
    source_id = (row.get(id_col) or "").strip()
    if not source_id or len(source_id) > 120:
        return Problem(line, "", N_("The record has no id."))
    stamp = (row.get(time_col) or "").strip() if time_col else ""
    if not stamp and date_col:
        stamp = (row.get(date_col) or "").strip()
        clock = (row.get(clock_col) or "").strip() if clock_col else ""
        if stamp and clock:
            stamp = f"{stamp}T{clock}"
    when = parse_time(stamp)
    if when is None:
        return Problem(line, source_id, N_("The record has no valid time."))
    try:
        longitude, latitude = float(row.get(x_col) or ""), float(row.get(y_col) or "")
    except ValueError:
        return Problem(line, source_id, N_("The record has no valid location."))
    others = [value for key, value in row.items() if key not in (id_col, x_col, y_col)]
    if not leopard_named(v for v in others if isinstance(v, str)):
        return Problem(line, source_id, N_("The record does not name a leopard."))
    return Sighting(line, source_id, when, latitude, longitude, f"SMART waypoint {source_id}")
