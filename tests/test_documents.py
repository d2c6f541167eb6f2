"""PDF documents in every locale: they open, their text layer holds the key values, every
character drawn has a glyph in an embedded font, right-to-left text is shaped and ordered,
batches render with flat memory, and the downloads obey roles and jurisdictions."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time
import tracemalloc
import unicodedata
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

from conflict_app.claims import appeals
from conflict_app.claims import operations as ops
from conflict_app.documents import bidi_text, fonts, layout, samples, text, vouchers
from conflict_app.documents.bidi_text import ltr
from conflict_app.documents.text import Style, Typesetter
from conflict_app.extensions import db
from conflict_app.i18n import LOCALES, RTL
from conflict_app.payments.models import (
    BatchState,
    ItemState,
    PaymentBatch,
    PaymentItem,
    PaymentMethod,
)
from tests import helpers

PDFTOTEXT = shutil.which("pdftotext")


# --- reading the PDFs back ------------------------------------------------------------
def _clean(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    value = "".join(ch for ch in value if not fonts.ignorable(ch))
    return value.replace("\u00a0", " ").replace("\u202f", " ")


def _words(value: str) -> list[str]:
    # Letters and digits apart: a reader may glue a number to a right-to-left word.
    return re.findall(r"[^\W\d]+|\d+", _clean(value))


def _to_unicode(font) -> dict[int, str]:
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    table = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, value in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            table[int(code, 16)] = bytes.fromhex(value).decode("utf-16-be")
    return table


class Drawn:
    """What the content streams draw: per glyph its font, code, text and line (y)."""

    def __init__(self, pdf: bytes) -> None:
        self.reader = PdfReader(io.BytesIO(pdf))
        self.glyphs: list[tuple[str, int, str, float]] = []  # font, code, text, y
        self.fonts: dict[str, tuple[dict[int, str], TTFont]] = {}
        for page_no, page in enumerate(self.reader.pages):
            resources = page["/Resources"]["/Font"]
            content = ContentStream(page.get_contents(), self.reader)
            font, y = None, 0.0
            for operands, operator in content.operations:
                if operator == b"Tf":
                    font = str(operands[0])
                elif operator == b"Tm":
                    y = float(operands[5]) - page_no * 10000
                elif operator in (b"TJ", b"Tj"):
                    items = operands[0] if operator == b"TJ" else [operands[0]]
                    key = f"{page_no}:{font}"
                    for item in items:
                        if isinstance(item, str):  # pypdf decodes some strings to text
                            item = item.original_bytes  # noqa: PLW2901
                        if isinstance(item, bytes):
                            if key not in self.fonts:  # only fonts that draw glyphs
                                self.fonts[key] = self._load(resources[font].get_object())
                            mapping = self.fonts[key][0]
                            for code in item:
                                self.glyphs.append((key, code, mapping.get(code, ""), y))

    @staticmethod
    def _load(font) -> tuple[dict[int, str], TTFont]:
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, f"font {font['/BaseFont']} is not embedded"
        data = descriptor["/FontFile2"].get_object().get_data()
        return _to_unicode(font), TTFont(io.BytesIO(data))

    def text(self) -> str:
        return "\n".join(page.extract_text() for page in self.reader.pages)

    def check_glyphs(self) -> set[str]:
        """Every code drawn is a real glyph of its embedded subset; returns the characters
        the glyphs stand for."""
        covered: set[str] = set()
        for font, code, value, _y in self.glyphs:
            mapping, subset = self.fonts[font]
            cmap = subset["cmap"].getcmap(1, 0) or subset["cmap"].getcmap(3, 1)
            name = cmap.cmap.get(code)
            assert name and name != ".notdef", (font, code, value)
            if value.strip():
                assert subset["glyf"][name].numberOfContours != 0, (font, code, value)
            covered.update(value)
        return covered

    def lines(self) -> list[list[str]]:
        """Glyph texts of each drawn line, top to bottom, in visual (left to right) order."""
        rows: dict[float, list[str]] = {}
        for _font, _code, value, y in self.glyphs:
            rows.setdefault(round(y, 1), []).append(value)
        return [rows[y] for y in sorted(rows, reverse=True)]


def _render(kind: str, locale: str) -> tuple[bytes, list[str]]:
    out = io.BytesIO()
    log: list[str] = []
    token = text.drawn.set(log)
    try:
        samples.render_sample(kind, locale, out)
    finally:
        text.drawn.reset(token)
    return out.getvalue(), log


def _key_values(kind: str, locale: str) -> list[str]:
    """The reference, an amount and a date that the document must show."""
    from flask_babel import force_locale

    from conflict_app.i18n import date_text

    with force_locale(locale):
        if kind == "receipt":
            data = samples.sample_receipt(locale)
            return [data.reference, "482913", date_text(data.occurred_on)]
        if kind.startswith("decision"):
            data = samples.sample_decision(locale, kind.split("-")[1])
            values = [data.reference, date_text(data.decided_at), date_text(data.appeal_by)]
            if data.total is not None:
                values.append(layout.money(data.total))
            return values
        if kind == "scheme-report":
            from conflict_app.documents import report

            data = report.sample_report(locale)
            # The budget's sources: the part set on the scheme itself beside the fund's.
            return [data.code, layout.money(data.paid), date_text(data.end),
                    layout.money(data.direct), layout.money(data.sources[0][4])]
        batch = samples.sample_batch(locale, 3 if kind == "vouchers" else 30)
        first = next(iter(batch.items()))
        if kind == "voucher":
            return [first.claim_reference, layout.money(first.amount), first.batch_reference]
        values = [first.claim_reference, layout.money(first.amount), batch.reference]
        if kind == "batch-list":
            values.append(layout.money(batch.total))
        return values


# --- every kind in every locale -------------------------------------------------------
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", samples.KINDS)
def test_document_opens_holds_key_values_and_has_every_glyph(app, kind, locale):
    pdf, log = _render(kind, locale)
    drawn = Drawn(pdf)
    assert len(drawn.reader.pages) >= 1
    extracted = _clean(drawn.text())
    words = set(_words(extracted))
    for value in _key_values(kind, locale):
        # Every word of the value is in the text layer; left-to-right documents have the
        # value verbatim (readers order mixed right-to-left lines in their own ways).
        assert set(_words(value)) <= words, (value, extracted[:500])
        if locale not in RTL:
            assert _clean(value) in extracted, (value, extracted[:500])
    covered = drawn.check_glyphs()
    needed = {ch for line in log for ch in line if not ch.isspace() and not fonts.ignorable(ch)}
    assert needed, "nothing was drawn"
    assert needed <= covered, sorted(needed - covered)


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils (pdftotext) is not installed")
@pytest.mark.parametrize("locale", sorted(RTL))
def test_right_to_left_letter_extracts_in_logical_order(app, locale):
    """poppler rebuilds each right-to-left line in logical order from the glyphs' Unicode."""
    pdf, _log = _render("decision-rejected", locale)
    result = subprocess.run([PDFTOTEXT, "-", "-"], input=pdf, capture_output=True,  # noqa: S603
                            check=True)
    extracted = _clean(result.stdout.decode("utf-8"))
    # The words of the reason, in their logical order (poppler may move a sentence's final
    # full stop, a neutral character, to the other end of the line).
    reason = " ".join(_words(samples.sample_decision(locale, "rejected").reason))
    assert reason in " ".join(_words(extracted))
    assert samples.sample_receipt(locale).reference in extracted


def test_samples_writes_every_kind_in_every_locale(app, tmp_path):
    written = samples.samples(tmp_path)
    assert len(written) == len(samples.KINDS) * len(LOCALES)
    for path in written:
        assert path.read_bytes().startswith(b"%PDF-")


def test_words_go_through_gettext_in_the_documents_locale(app, monkeypatch):
    """A translation in the catalogue shows up in the document of that language only."""
    import flask_babel
    from babel.messages import Catalog
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    catalog = Catalog(locale="hy")
    catalog.add("Receipt for a loss report", "Ստացական վնասի հաղորդման համար")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    armenian = Translations(buffer)
    original = flask_babel.Domain.get_translations

    def translations(self):
        if str(flask_babel.get_locale()) == "hy":
            return armenian
        return original(self)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", translations)
    text._cache.clear()
    hy = Drawn(_render("receipt", "hy")[0]).text()
    en = Drawn(_render("receipt", "en")[0]).text()
    assert "Ստացական վնասի հաղորդման համար" in _clean(hy)
    assert "Receipt for a loss report" in en
    # Dates and month names come from CLDR in the document's locale.
    assert "նոյ" in hy


# --- right-to-left shaping and order --------------------------------------------------
def _glyph_names(word: str, letter: str) -> list[str]:
    """HarfBuzz glyph names of the glyph that carries ``letter`` in ``word``."""
    shaped = text.shape(word, 12, False, 1, "ckb")
    names = []
    for run in shaped.runs:
        for glyph in run.glyphs:
            source = word[glyph.cluster]
            if source == letter and glyph.advance > 0:
                names.append(glyph.face.hb.glyph_to_string(glyph.face.rl.face.charToGlyph[
                    ord(glyph.code)]))
    return names


@pytest.mark.parametrize(("letter", "words"), [
    ("ڵ", ["گوڵێک", "عەبدوڵڵا", "پڵنگ"]),
    ("ێ", ["پێنجوێن", "سلێمانی", "هێرش"]),
])
def test_sorani_letters_join(app, letter, words):
    isolated = _glyph_names(letter, letter)
    assert len(isolated) == 1
    for word in words:
        joined = _glyph_names(word, letter)
        assert joined, word
        for name in joined:
            assert name != isolated[0], (word, name)
            assert name.split(".")[-1] in {"init", "medi", "fina", "rlig", "wide"} or \
                ".init" in name or ".medi" in name or ".fina" in name, (word, name)


def test_sorani_joined_forms_reach_the_pdf_with_their_letters(app):
    """The joined glyphs are in the file, and their text layer says ڵ and ێ, not a
    private code."""
    pdf, _log = _render("decision-rejected", "ckb")
    drawn = Drawn(pdf)
    drawn.check_glyphs()
    texts = {value for _f, _c, value, _y in drawn.glyphs}
    assert "ڵ" in texts
    assert "ێ" in texts
    assert not any(0xE000 <= ord(ch) <= 0xF8FF or ord(ch) >= 0xF0000
                   for value in texts for ch in value)
    assert "پڵنگی" in _clean(drawn.text())


ARABIC_PARAGRAPH = ("في صباح يوم بارد خرج الراعي مع قطيعه إلى المرعى القريب من القرية "
                    "وعندما عاد في المساء وجد أن ثلاثة من الخراف قد قتلت قرب الحظيرة "
                    "فأبلغ المكتب فورا بما حدث وطلب زيارة ميدانية")
ARABIC_WORDS = ARABIC_PARAGRAPH.split(" ")


def test_wrapped_arabic_paragraph_keeps_its_line_order(app):
    """First logical words on the first line; each line reads right to left."""
    setter = Typesetter("rtl", "ar")
    paragraph = " ".join(ARABIC_WORDS)
    lines = setter.lines(paragraph, Style(size=10), 140)
    assert len(lines) >= 4
    assert [w for line in lines for w in line.text.split()] == ARABIC_WORDS
    assert lines[0].text.split()[0] == ARABIC_WORDS[0]

    out = io.BytesIO()
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(out)
    setter.draw(canvas, paragraph, 100, 800, 140, Style(size=10))
    canvas.save()
    drawn = Drawn(out.getvalue())
    drawn_lines = drawn.lines()
    assert len(drawn_lines) == len(lines)
    for visual, line in zip(drawn_lines, lines, strict=True):
        # Visual order is left to right: reversed glyph by glyph it is the logical text.
        assert "".join(reversed(visual)) == line.text
    first = "".join(reversed(drawn_lines[0]))
    assert first.startswith(" ".join(ARABIC_WORDS[:2]))


def test_numbers_and_references_stay_left_to_right_inside_arabic(app):
    setter = Typesetter("rtl", "ar")
    sentence = f"رقم المطالبة {ltr('AM-2026-000123')} والمبلغ 1,234.50 دينار"
    (line,) = setter.lines(sentence, Style(size=10), 1000)
    order = [g.cluster for g in line.glyphs if g.advance > 0]
    ref_start = sentence.index("AM")
    ref = [c for c in order if ref_start <= c < ref_start + len("AM-2026-000123")]
    assert ref == sorted(ref)  # left to right inside
    number_start = sentence.index("1,234")
    number = [c for c in order if number_start <= c < number_start + 8]
    assert number == sorted(number)
    # Whole sentence right to left: the first word is drawn rightmost, the last leftmost.
    assert order[-1] == 0
    assert order[0] >= sentence.index("دينار")
    # The reference sits between the first words and the amount.
    assert order.index(ref[0]) > order.index(number[0])


def test_missing_font_names_the_script(app, monkeypatch):
    arabic_only = fonts.face("PardusNotoArabicPkg")
    if arabic_only is None:
        pytest.skip("fontpkg-noto-sans-arabic is not installed")
    monkeypatch.setattr(fonts, "candidates", lambda script, bold=False: [arabic_only])
    with pytest.raises(fonts.MissingFont, match="Armenian"):
        text.shape("Հայաստան", 10, False, 0, "hy")
    with pytest.raises(fonts.MissingFont, match="Georgian"):
        text.shape("საქართველო", 10, False, 0, "ka")


def test_fonts_loaded_before_the_workers_fork_serve_every_letter(app, monkeypatch):
    """What the web server's master loads is all a letter in any language needs: no worker
    parses a font for its first letter."""
    assert fonts.load_all() >= 2
    monkeypatch.setattr(fonts, "_load", lambda key, bold: pytest.fail(f"loaded {key} late"))
    for locale in ("en", "fa", "hy", "ka", "ckb", "ur"):
        pdf, _log = _render("decision-approved", locale)
        assert pdf.startswith(b"%PDF")


def test_every_language_finds_a_font_for_its_letters(app):
    letters = "əğşıňýžәғқңөұүһіաբգაბგڵێہے"
    for ch in letters:
        script = bidi_text.script_of(ch) or "default"
        assert fonts.covering(ch, script).covers(ch)


# --- streaming ------------------------------------------------------------------------
def _peak(count: int, kind: str) -> tuple[int, float]:
    batch = samples.sample_batch("ckb", count)
    draw = vouchers.render_vouchers if kind == "vouchers" else vouchers.render_batch
    with io.BytesIO() as out:
        tracemalloc.start()
        started = time.perf_counter()
        try:
            draw(batch, "ckb", out)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return peak, time.perf_counter() - started


@pytest.mark.parametrize("kind", ["vouchers", "batch-list"])
def test_batches_render_with_flat_memory(app, kind):
    _peak(5, kind)  # fonts and caches loaded once, as in a running server
    small, t_small = _peak(100, kind)
    large, t_large = _peak(1000, kind)
    ratio = large / small
    print(f"\n{kind}: peak {small / 1e6:.1f} MB for 100 ({t_small:.1f} s), "
          f"{large / 1e6:.1f} MB for 1,000 ({t_large:.1f} s), ratio {ratio:.1f}")
    assert ratio < 5


# --- the downloads --------------------------------------------------------------------
@pytest.fixture
def documents(app):
    """The blueprint, registered by create_app (or here, when running this file alone)."""
    if "documents" not in app.blueprints:
        if getattr(app, "_got_first_request", False):
            pytest.fail("register the documents blueprint in create_app")
        from conflict_app.documents.views import bp

        app.register_blueprint(bp)
    return app


def _pdf_text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return _clean(Drawn(response.get_data()).text())


def test_clerk_downloads_receipt_in_the_herders_language(documents, world, browser_for):
    claim, _pin = helpers.report(world)
    browser = browser_for(world.clerk)
    response = browser.get(f"/documents/claims/{claim.id}/receipt.pdf")
    content = _pdf_text(response)
    assert claim.reference in content
    assert f'filename=receipt-{claim.reference}.pdf' in response.headers["Content-Disposition"]
    assert "Armen Petrosyan" in content
    assert "Keep the PIN secret" not in content  # a reprint has no PIN
    assert "թ." in content  # the household speaks Armenian: dates in Armenian


def test_receipt_prints_a_pin_just_issued_once(documents, world, browser_for):
    claim, _pin = helpers.report(world)
    browser = browser_for(world.clerk)
    from conflict_app.core.sealed import seal

    with browser.client.application.app_context():
        sealed = seal("246813")  # the session carries the PIN sealed, never in clear
    with browser.client.session_transaction() as session:
        session["receipt"] = {"claim_id": claim.id, "sealed_pin": sealed}
    assert "246813" in _pdf_text(browser.get(f"/documents/claims/{claim.id}/receipt.pdf"))
    assert "246813" not in _pdf_text(browser.get(f"/documents/claims/{claim.id}/receipt.pdf"))


def test_receipt_is_not_shown_outside_the_jurisdiction(documents, world, browser_for):
    claim, _pin = helpers.report(world)
    outsider = browser_for(world.other_clerk)
    assert outsider.get(f"/documents/claims/{claim.id}/receipt.pdf").status_code == 404
    assert outsider.get(f"/documents/claims/{claim.id}/decision.pdf").status_code == 404
    verifier = browser_for(world.verifier)
    assert verifier.get(f"/documents/claims/{claim.id}/receipt.pdf").status_code == 403


def test_decision_letter_only_for_decided_claims(documents, world, browser_for):
    assessed = helpers.assessed(world)
    browser = browser_for(world.approver)
    assert browser.get(f"/documents/claims/{assessed.id}/decision.pdf").status_code == 404
    ops.approve(assessed.id, world.approver, assessed.version)
    if assessed.state.value != "approved":
        ops.approve(assessed.id, world.approver2, assessed.version)
    response = browser.get(f"/documents/claims/{assessed.id}/decision.pdf")
    content = _pdf_text(response)
    assert assessed.reference in content
    assessment = ops.latest_assessment(assessed.id)
    # The itemised assessment, each line with its factors, and the rule.
    for word in ("135", "000"):
        assert word in content
    assert assessment.rule in content
    assert "75%" in content.replace(" ", "")


def test_rejection_letter_gives_reason_and_appeal_date(documents, world, browser_for):
    claim = helpers.assessed(world)
    ops.reject(claim.id, world.approver, claim.version, "No leopard signs at the carcass.")
    browser = browser_for(world.clerk)
    content = _pdf_text(browser.get(f"/documents/claims/{claim.id}/decision.pdf"))
    assert "No leopard signs at the carcass." in content
    deadline = appeals.appeal_deadline(helpers.reload(claim))
    assert str(deadline.year) in content


def _batch(world, claim) -> tuple[PaymentBatch, PaymentItem]:
    batch = PaymentBatch(reference="PAY-AM-2026-00777", country_code="AM",
                         admin1_id=world.syunik.id, currency="AMD",
                         method=PaymentMethod.CASH, state=BatchState.OPEN,
                         created_by_id=world.finance.id, created_at=datetime.now(UTC))
    db.session.add(batch)
    db.session.flush()
    item = PaymentItem(batch_id=batch.id, claim_id=claim.id, amount=claim.amount_approved,
                       currency="AMD", state=ItemState.PENDING)
    db.session.add(item)
    db.session.flush()
    return batch, item


def test_finance_downloads_voucher_and_batch_list(documents, world, browser_for):
    claim = helpers.approved(world)
    batch, item = _batch(world, claim)
    finance = browser_for(world.finance)
    voucher = _pdf_text(finance.get(f"/documents/payments/items/{item.id}/voucher.pdf"))
    assert claim.reference in voucher
    assert "PAY-AM-2026-00777" in voucher
    assert "135,000" in voucher.replace("\u00a0", " ") or "135 000" in voucher
    listing = _pdf_text(finance.get(f"/documents/payments/batches/{batch.id}/list.pdf"))
    assert claim.reference in listing
    assert "Signature" in listing
    vouchers = _pdf_text(finance.get(f"/documents/payments/batches/{batch.id}/vouchers.pdf"))
    assert claim.reference in vouchers
    assert Decimal(claim.amount_approved) == Decimal("135000")


def test_finance_documents_refuse_a_clerk_and_other_areas(documents, world, browser_for):
    claim = helpers.approved(world)
    batch, item = _batch(world, claim)
    clerk = browser_for(world.clerk)
    assert clerk.get(f"/documents/payments/items/{item.id}/voucher.pdf").status_code == 403
    assert clerk.get(f"/documents/payments/batches/{batch.id}/list.pdf").status_code == 403
    from conflict_app.core.permissions import Role

    outsider = world.user("finance@vayots.test", {Role.FINANCE}, "AM", world.vayots.id)
    other = browser_for(outsider)
    assert other.get(f"/documents/payments/items/{item.id}/voucher.pdf").status_code == 404
    assert other.get(f"/documents/payments/batches/{batch.id}/list.pdf").status_code == 404
    item.state = ItemState.REMOVED
    db.session.flush()
    finance = browser_for(world.finance)
    assert finance.get(f"/documents/payments/items/{item.id}/voucher.pdf").status_code == 404
    assert finance.get("/documents/payments/batches/999999/list.pdf").status_code == 404


def test_page_streams_are_compressed(app):
    pdf, _log = _render("voucher", "en")
    assert b"/FlateDecode" in pdf
    assert b" TJ" not in pdf  # page content is compressed as each page is finished


def test_a_missing_font_package_is_a_503_not_a_500(documents, world, browser_for, monkeypatch):
    arabic_only = fonts.face("PardusNotoArabicPkg")
    if arabic_only is None:
        pytest.skip("fontpkg-noto-sans-arabic is not installed")
    claim, _pin = helpers.report(world)
    browser = browser_for(world.clerk)
    monkeypatch.setattr(fonts, "candidates", lambda script, bold=False: [arabic_only])
    monkeypatch.setattr(text, "_cache", type(text._cache)())
    # The household reads Armenian: the month names need a font this server "lacks".
    assert browser.get(f"/documents/claims/{claim.id}/receipt.pdf").status_code == 503
