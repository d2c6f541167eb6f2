"""Tajik (Cyrillic), Uzbek (Latin) and Pashto (right to left): each of them is named in its
own script, has its SMS keyword, fonts with all its letters on the page and in the PDFs, and
Pashto's own letters join in the PDFs."""

from __future__ import annotations

import subprocess

import pytest
from flask_babel import force_locale

from conflict_app.documents import bidi_text, fonts, samples, text
from conflict_app.i18n import RTL, bidi, native_name
from conflict_app.status.operations import KEYWORDS
from tests.test_documents import PDFTOTEXT, Drawn, _clean, _render, _words

TAJIK = "ғӣқӯҳҷҒӢҚӮҲҶ"
UZBEK = "ʻʼ"
# Pashto's own letters: ټ ډ ړ ښ ږ ګ ڼ ې ۍ (and ځ څ).
PASHTO = "ټډړښږګڼېۍځڅ"


def test_each_language_is_named_in_its_own_script():
    assert native_name("tg") == "Тоҷикӣ"
    assert native_name("uz") == "Oʻzbekcha"
    assert native_name("ps") == "پښتو"


def test_pashto_reads_right_to_left():
    assert "ps" in RTL and bidi.is_rtl("ps")
    assert not {"tg", "uz"} & RTL
    assert bidi.sms_text("حالت", "ps").startswith(bidi.RLM)


def test_each_language_has_its_own_status_keyword():
    assert (KEYWORDS["tg"], KEYWORDS["uz"], KEYWORDS["ps"]) == ("ҲОЛАТ", "HOLAT", "حالت")
    words = [w.upper() for w in KEYWORDS.values()]
    assert len(set(words)) == len(set(KEYWORDS.values()))  # no two keywords collide
    assert KEYWORDS["tg"].upper() == "ҲОЛАТ" and "ҳолат".upper() == KEYWORDS["tg"]


def test_an_sms_in_tajik_uzbek_or_pashto_is_answered_in_that_language(app, world):
    from sqlalchemy import select

    from conflict_app.extensions import db
    from conflict_app.status import operations
    from conflict_app.status.models import SmsMessage

    for word, code in (("ҳолат", "tg"), ("holat", "uz"), ("حالت", "ps")):
        operations.answer_sms("+992900000001", f"{word} TJ-2026-000001 1234")
        last = db.session.scalars(select(SmsMessage).where(
            SmsMessage.direction == "out").order_by(SmsMessage.id.desc())).first()
        assert (last.locale, last.kind) == (code, "not_found"), word


def test_the_fonts_cover_tajik_uzbek_and_pashto_letters(app):
    for ch in TAJIK + UZBEK + PASHTO:
        script = bidi_text.script_of(ch) or "default"
        assert fonts.covering(ch, script).covers(ch), ch
        assert fonts.covering(ch, script, bold=True).covers(ch), ch


def _shaped_names(word: str, letter: str) -> list[str]:
    """HarfBuzz glyph names of the glyphs that carry ``letter`` in ``word``."""
    shaped = text.shape(word, 12, False, 1, "ps")
    names = []
    for run in shaped.runs:
        for glyph in run.glyphs:
            if word[glyph.cluster] == letter and glyph.advance > 0:
                names.append(glyph.face.hb.glyph_to_string(
                    glyph.face.rl.face.charToGlyph[ord(glyph.code)]))
    return names


# Each letter inside words where it joins its neighbour: ډ ړ ږ (like د ر ز) join only to
# the letter before them, so they are tested in final position after a joining letter.
@pytest.mark.parametrize(("letter", "words"), [
    ("ټ", ["ټیټ", "ټولنه"]),
    ("ډ", ["ګډ", "ګاونډ"]),
    ("ړ", ["لړم", "پړانګ"]),
    ("ښ", ["ښځه", "نښه", "پښتو"]),
    ("ږ", ["تږی", "مږک"]),
    ("ګ", ["ګډ", "پړانګ", "ګڼ"]),
    ("ڼ", ["ګڼ", "پاڼه", "تڼۍ"]),
    ("ې", ["کتنې", "هېڅ", "ډېر"]),
    ("ۍ", ["تڼۍ", "سپۍ"]),
])
def test_pashto_letters_join(app, letter, words):
    isolated = _shaped_names(letter, letter)
    assert len(isolated) == 1
    for word in words:
        joined = _shaped_names(word, letter)
        assert joined, word
        for name in joined:
            assert name != isolated[0], (word, name)


def test_pashto_letter_is_drawn_with_every_glyph_and_searchable(app):
    pdf, log = _render("decision-rejected", "ps")
    drawn = Drawn(pdf)
    covered = drawn.check_glyphs()
    needed = {ch for line in log for ch in line if not ch.isspace() and not fonts.ignorable(ch)}
    assert needed <= covered, sorted(needed - covered)
    reason = samples.sample_decision("ps", "rejected").reason
    assert set("ړګښې") <= set(reason)
    texts = {value for _f, _c, value, _y in drawn.glyphs}
    assert {"ړ", "ګ", "ښ", "ې"} <= {ch for value in texts for ch in value}
    assert not any(0xE000 <= ord(ch) <= 0xF8FF or ord(ch) >= 0xF0000
                   for value in texts for ch in value)


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils (pdftotext) is not installed")
@pytest.mark.parametrize("locale", ["tg", "uz", "ps"])
def test_pdftotext_reads_the_reason_back(app, locale):
    pdf, _log = _render("decision-rejected", locale)
    result = subprocess.run([PDFTOTEXT, "-", "-"], input=pdf, capture_output=True,  # noqa: S603
                            check=True)
    extracted = " ".join(_words(_clean(result.stdout.decode("utf-8"))))
    reason = " ".join(_words(samples.sample_decision(locale, "rejected").reason))
    assert reason in extracted


@pytest.mark.parametrize("locale", ["tg", "uz", "ps"])
def test_numbers_follow_the_locale(app, locale):
    from decimal import Decimal

    from conflict_app.i18n import number

    with app.test_request_context(), force_locale(locale):
        shown = number(Decimal("1234.5"))
    assert shown.replace("\u00a0", " ") in {"1 234,5", "1.234,5", "۱٬۲۳۴٫۵", "1٬234٫5"}


def test_uzbek_texts_use_the_plain_apostrophe_and_stay_in_gsm(app):
    """oʻ and gʻ have no GSM 03.38 code: one of them would make the text UCS-2 (70 characters
    a segment), so Uzbek SMS spell them o' and g' as phones do."""
    from conflict_app.status import notify
    from conflict_app.status.segments import phone_letters, segments

    assert phone_letters("Oʻliklarni gʻalla", "uz") == "O'liklarni g'alla"
    assert phone_letters("Oʻ", "tg") == "Oʻ"
    body = notify.render("received", "uz", ref="AM-2026-000123", pin="482913",
                         privacy="https://pardus.example.org/privacy/AM")
    assert "ʻ" not in body and "ʼ" not in body
    body.encode("gsm03.38")  # every character has a GSM code
    assert segments(body) == 1
