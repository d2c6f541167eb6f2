"""Display labels for domain codes. Codes are stored; words are translated at display.
The words live in one module a topic; this one joins them into the table looked up here."""

from __future__ import annotations

from flask_babel import gettext

from conflict_app.i18n.analysis_labels import ANALYSIS_LABELS
from conflict_app.i18n.claim_labels import CLAIM_LABELS
from conflict_app.i18n.harm_labels import HARM_LABELS
from conflict_app.i18n.money_labels import MONEY_LABELS
from conflict_app.i18n.verification_labels import VERIFICATION_LABELS

LABELS: dict[str, dict[str, object]] = {
    **CLAIM_LABELS, **VERIFICATION_LABELS, **MONEY_LABELS, **ANALYSIS_LABELS, **HARM_LABELS,
}


def label(group: str, code: object) -> str:
    """The translated word for a stored code; unknown codes show as they are."""
    if code is None:
        return ""
    key = getattr(code, "value", code)
    text = LABELS.get(group, {}).get(key)
    return str(text) if text is not None else str(key)


def choices(group: str, codes=None) -> list[tuple[str, str]]:  # noqa: ANN001
    """(code, label) pairs for a select field, lazily translated."""
    table = LABELS[group]
    keys = [getattr(c, "value", c) for c in codes] if codes is not None else list(table)
    return [(k, table[k]) for k in keys]


def translate_domain(message: str, **params: object) -> str:
    text = gettext(message)
    return text % params if params else text
