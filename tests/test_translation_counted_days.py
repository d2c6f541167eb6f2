"""Days in the implementation report's processing-time table are counted in the reader's
language: Arabic says 3 أيام and 30 يومًا, Russian 2 дня and 5 дней, not one word for
every number; a median with a fraction (12.5) keeps the wording for fractions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale, ngettext

from conflict_app.documents.report import _days


@pytest.mark.parametrize(("locale", "value", "word"), [
    ("ar", "1", "يوم واحد"), ("ar", "2", "يومان"), ("ar", "3", "أيام"),
    ("ar", "30", "يومًا"), ("ar", "100", "يوم"), ("ar", "12.5", "يوم"),
    ("ru", "1", "день"), ("ru", "2", "дня"), ("ru", "5", "дней"), ("ru", "21", "день"),
    ("en", "1", "1 day"), ("en", "30", "30 days"), ("en", "12.5", "12.5 days"),
])
def test_a_number_of_days_takes_the_plural_form_of_its_number(app, locale, value, word):
    with force_locale(locale):
        text = _days(Decimal(value))
    words = "".join(ch for ch in text if not ch.isdigit() and ch not in "٫.,").split()
    assert word in text if locale == "en" else " ".join(words) == word


def test_a_missing_figure_is_a_dash(app):
    with force_locale("ar"):
        assert _days(None) == "—"


DECISION = ("A decision is made within %(num)d day of the report.",
            "A decision is made within %(num)d days of the report.")
APPEAL = ("The herder may appeal within %(num)d day of the decision.",
          "The herder may appeal within %(num)d days of the decision.")


@pytest.mark.parametrize(("locale", "days", "words"), [
    ("ar", 1, "خلال يوم واحد"), ("ar", 2, "خلال يومين"), ("ar", 7, "خلال 7 أيام"),
    ("ar", 30, "خلال 30 يوماً"), ("ar", 100, "خلال 100 يوم "),
    ("ru", 1, "в течение 1 дня"), ("ru", 21, "в течение 21 дня"), ("ru", 30, "в течение 30 дней"),
    ("ps", 1, "په 1 ورځ کې"), ("ps", 30, "په 30 ورځو کې"),
])
def test_the_decision_and_appeal_deadlines_count_their_days(app, locale, days, words):
    """The receipt a herder keeps and the approver's confirmation page state the deadlines
    set in the configuration, which a deployment may shorten to a week or stretch to 100."""
    with app.test_request_context(), force_locale(locale):
        texts = [ngettext(*DECISION, days), ngettext(*APPEAL, days)]
    assert all(words in text for text in texts), texts


def test_the_receipt_and_the_confirmation_page_use_the_counted_wording():
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates" / "claims"
    assert DECISION[0] in (templates / "receipt.html").read_text(encoding="utf-8")
    assert APPEAL[0] in (templates / "confirm.html").read_text(encoding="utf-8")
