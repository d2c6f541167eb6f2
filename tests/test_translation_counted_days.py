"""Days in the implementation report's processing-time table are counted in the reader's
language: Arabic says 3 أيام and 30 يومًا, Russian 2 дня and 5 дней, not one word for
every number; a median with a fraction (12.5) keeps the wording for fractions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale

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
