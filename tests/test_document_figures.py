"""What a reader of the letters and vouchers sees: the percent sign on the side the
locale's pattern puts it, Urdu workings read right to left, Georgian table headers break
between words only, and three vouchers to an A4 page. Checked on the PDF itself, as
pdftotext (poppler) reads it: visual order, line by line."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf import PdfReader

from conflict_app.documents import samples, text, vouchers

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="needs pdftotext (poppler-utils)")
_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _pdf(kind: str, locale: str) -> bytes:
    out = io.BytesIO()
    samples.render_sample(kind, locale, out)
    return out.getvalue()


def _visual_lines(pdf: bytes) -> list[str]:
    result = subprocess.run(["pdftotext", "-", "-"],  # noqa: S603, S607 - a fixed local tool
                            input=pdf, capture_output=True, check=True)
    return [_MARKS.sub("", line).strip() for line in result.stdout.decode().splitlines()]


def _workings(lines: list[str]) -> list[str]:
    return [line for line in lines if "×" in line and "=" in line and any(
        ch.isdigit() for ch in line.split("=")[0])]


@pytest.mark.parametrize(("locale", "sign"), [("fa", "75%"), ("ar", "75%"), ("tr", "%75"),
                                              ("en", "75%")])
def test_percent_signs_sit_where_the_locales_pattern_puts_them(app, locale, sign):
    with app.test_request_context():
        lines = _workings(_visual_lines(_pdf("decision-approved", locale)))
    assert lines
    right, wrong = (r"\d%", r"%\d") if sign == "75%" else (r"%\d", r"\d%")
    for line in lines:
        assert re.search(right, line) and not re.search(wrong, line), line
    assert any(sign in line for line in lines)


def test_urdu_workings_read_right_to_left(app):
    with app.test_request_context():
        lines = _workings(_visual_lines(_pdf("decision-approved", "ur")))
    assert len(lines) >= 4  # under the table and in the steps, for each loss
    for line in lines:
        # Right to left: the heads counted first (at the right), the amount last (left).
        left, right = line.split("=", 1)
        assert re.fullmatch(r"Rs[\d,.]+ ", left), line
        assert re.search(r"× \d+( \.\d+)?$", right), line


@pytest.mark.parametrize("kind", ["decision-approved", "batch-list", "scheme-report"])
def test_georgian_table_headers_break_between_words(app, kind):
    lines: list[str] = []
    token = text.drawn.set(lines)
    try:
        with app.test_request_context(), force_locale("ka"):
            _pdf(kind, "ka")
            headers = [_("Market value of one head"), _("Share of value"),
                       _("Rate for the evidence"), _("Claim reference"), _("Signature")]
    finally:
        text.drawn.reset(token)
    words = {w for h in headers for w in h.split()}
    assert any(w in line for w in words for line in lines)  # the headers were drawn
    # A word cut at a line end: its first part ends one line, the rest starts the next.
    cut = [(a, b) for a, b in zip(lines, lines[1:], strict=False)
           if a.split() and b.split() and a.split()[-1] + b.split()[0] in words]
    assert not cut, cut


def test_vouchers_come_three_to_a_page(app):
    with app.test_request_context():
        out = io.BytesIO()
        vouchers.render_vouchers(samples.sample_batch("en", 9), "en", out)
        reader = PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 3
    for page in reader.pages:
        assert page.extract_text().count("Payment voucher") >= 3
