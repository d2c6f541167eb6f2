"""What a reader of the PDFs notices: every font is embedded (no reference to a Helvetica
the reader's machine must supply), and the decision letter's signature block never sits
alone on a page of its own."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf import PdfReader

from conflict_app.documents import samples


def _pdf(kind: str, locale: str) -> PdfReader:
    out = io.BytesIO()
    samples.render_sample(kind, locale, out)
    return PdfReader(io.BytesIO(out.getvalue()))


def _not_embedded(reader: PdfReader) -> set[str]:
    missing = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            faces = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for face in faces:
                descriptor = face.get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor else {}
                if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    missing.add(str(face.get("/BaseFont")))
    return missing


# One locale per script and font family: Latin with its extended letters (az), Arabic
# script as Persian, Urdu and Pashto write it, Georgian, Armenian, Cyrillic with Tajik letters.
@pytest.mark.parametrize("locale", ["en", "az", "fa", "ur", "ps", "ka", "hy", "tg"])
@pytest.mark.parametrize("kind", samples.KINDS)
def test_every_font_in_every_document_is_embedded(app, kind, locale):
    with app.test_request_context():
        reader = _pdf(kind, locale)
    assert _not_embedded(reader) == set()
    # What a screen reader can have of an untagged PDF (ReportLab writes no structure
    # tree): the document's language, for the voice, and its title.
    assert reader.trailer["/Root"].get("/Lang") == locale.replace("_", "-")
    assert (reader.metadata.get("/Title") or "").strip()


@pytest.mark.parametrize("locale", ["en", "ka", "hy", "ru"])
def test_decision_letter_keeps_its_signature_block_with_the_text(app, locale):
    with app.test_request_context(), force_locale(locale):
        reader = _pdf("decision-approved", locale)
        signature, office = _("Signature and stamp"), _("For the office")
        pages = [p.extract_text() for p in reader.pages]
    last = next(i for i, t in enumerate(pages) if signature.split()[0] in t)
    text = pages[last]
    assert office.split()[0] in text
    # More than the signature block and the page's header and footer on that page.
    body = [line for line in text.splitlines() if line.strip()]
    assert len(body) > 8, text
