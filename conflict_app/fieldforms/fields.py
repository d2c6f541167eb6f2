"""The answers of a field form a held submission keeps, and those a clerk may correct."""

from __future__ import annotations

from conflict_app.fieldforms.xlsform import REPORT, VERIFICATION

_SKIP = ("begin_group", "end_group", "calculate", "note")


def _names(questions) -> list[str]:  # noqa: ANN001
    return [q.name for q in questions if q.type.split()[0] not in _SKIP]


EDITABLE = {
    "report": [n for n in _names(REPORT) if n != "photo"],
    "verification": [n for n in _names(VERIFICATION) if n != "photo"],
}
KEPT = ("instanceID", "form_version", "photo")


def keep(row: dict, kind: str) -> dict[str, str]:
    """The form's own answers as text (no server metadata, no nested groups)."""
    out = {}
    for name in (*EDITABLE[str(kind)], *KEPT):
        value = row.get(name)
        if value is not None and str(value).strip() != "":
            out[name] = str(value).strip()[:2000]
    return out
