"""The typesetter of every PDF: page, styles, locale figures (money, numbers, percents,
right-to-left marks) and the streaming page builder that keeps long batches in flat memory."""

from __future__ import annotations

import re
import zlib
from collections import deque
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import BinaryIO

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFArray, PDFName, PDFStream
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Table,
    TableStyle,
)

from conflict_app.core.money import Money
from conflict_app.documents import fonts
from conflict_app.documents.bidi_text import ltr
from conflict_app.documents.text import Style, Typesetter
from conflict_app.i18n import RTL, digits
from conflict_app.i18n import money as money_text

PAGE = A4
MARGIN = 18 * mm
GREY = colors.Color(0.93, 0.93, 0.93)
LINE = colors.Color(0.55, 0.55, 0.55)
MUTED = colors.Color(0.3, 0.3, 0.3)



# --- formatting -----------------------------------------------------------------------
def money(value: Money | None) -> str:
    """Locale money; the ISO code instead of a sign no installed font has (֏ ₾ ₼ ...)."""
    if value is None:
        return ""
    text = money_text(value)
    if fonts.covered(text):
        return text
    from babel.numbers import format_currency
    from babel.numbers import get_currency_symbol as symbol

    locale = get_locale()
    sign = symbol(value.currency, locale=locale)
    pattern = locale.currency_formats["standard"].pattern
    iso = format_currency(value.amount, value.currency, locale=locale,
                          format=pattern.replace("¤", "¤¤")) if sign else text
    return digits(iso)


def number(value: int | Decimal) -> str:
    return digits(format_decimal(value))


def percent(value: Decimal) -> str:
    """The locale's percent pattern: a rule's share exactly (18.75 %, not 19 %), a computed
    ratio to one decimal (19.2 %, not its 28 digits)."""
    from babel.numbers import parse_pattern

    value = Decimal(value)
    locale = get_locale()
    pattern = parse_pattern(locale.percent_formats[None].pattern)
    exact = (value * 100).normalize().as_tuple().exponent >= -2
    pattern.frac_prec = (0, 2) if exact else (0, 1)
    return digits(pattern.apply(value, locale))


def safe_filename(*parts: str) -> str:
    name = "-".join(re.sub(r"[^A-Za-z0-9._-]+", "_", p).strip("._") for p in parts if p)
    return (name or "document")[:100] + ".pdf"


# --- building blocks ------------------------------------------------------------------

def _rtl() -> bool:
    return get_locale().character_order == "right-to-left"


def rtl_start(text: str) -> str:
    """A right-to-left mark first in right-to-left locales: the paragraph runs right to
    left whatever its first strong letter."""
    return "\u200f" + text if _rtl() else text


def figure(text: str) -> str:
    """A number, amount or percentage kept in one left-to-right piece. In right-to-left
    text, marks on both sides keep the signs between figures (×, =) right to left: the
    layout engine treats isolates as embeddings (UBA 6), which would otherwise pull them
    into the figures' direction."""
    if not _rtl():
        return text
    return f"\u200f{ltr(text)}\u200f"




class Styles:
    def __init__(self) -> None:
        self.body = Style(size=10, space_after=2)
        self.small = Style(size=8.5, color=MUTED)
        self.cell = Style(size=9)
        self.cell_end = Style(size=9, align="end")
        self.head = Style(size=9, bold=True)
        self.head_end = Style(size=9, bold=True, align="end")
        self.title = Style(size=16, bold=True, space_after=4)
        self.h2 = Style(size=12, bold=True, space_before=8, space_after=3)
        self.big = Style(size=15, bold=True)
        self.label = Style(size=9, color=MUTED)


class Builder:
    """Helpers for one document in one locale."""

    def __init__(self, locale: str, title: str, reference: str) -> None:
        self.locale = locale
        self.rtl = locale in RTL
        self.ts = Typesetter("rtl" if self.rtl else "ltr", locale)
        self.s = Styles()
        self.title = title
        self.reference = reference
        self.width = PAGE[0] - 2 * MARGIN

    @staticmethod
    def _table_style(commands: list) -> TableStyle:
        """A table style whose cells start in an embedded font: ReportLab's default is
        Helvetica, which would be referenced, never embedded, in every PDF with a table."""
        default = fonts.candidates("default")
        base = [("FONTNAME", (0, 0), (-1, -1), default[0].key)] if default else []
        return TableStyle([*base, *commands])

    def p(self, text: object, style: Style | None = None):  # noqa: ANN201
        return self.ts.para(text, style or self.s.body)

    def _cols(self, row: list) -> list:
        return list(reversed(row)) if self.rtl else list(row)

    def table(self, header: list[str] | None, rows: Iterable[list], fractions: list[float],
              numeric: set[int] | frozenset[int] = frozenset(), spans: Iterable[int] = (),
              repeat: bool = True) -> Table:
        """A ruled table; columns run right to left in RTL documents. ``spans`` are row
        numbers (counting the header) whose first cell spans the whole row."""
        widths = [self.width * f for f in fractions]
        data = []
        if header:
            data.append(self._cols([
                self.p(h, self._fit_words(h, self.s.head_end if i in numeric
                                          else self.s.head, widths[i] - 8))
                for i, h in enumerate(header)]))
        span_rows = set(spans)
        for n, row in enumerate(rows, start=len(data)):
            if n in span_rows:  # a spanned cell shows what its top-left cell holds
                data.append([row[0]] + [""] * (len(fractions) - 1))
                continue
            data.append(self._cols([
                c if isinstance(c, Flowable) else
                self.p(c, self._fit_words(c, self.s.cell_end, widths[i] - 8, " ")
                       if i in numeric else self.s.cell)
                for i, c in enumerate(row)]))
        style = [
            ("GRID", (0, 0), (-1, -1), 0.4, LINE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), GREY))
        for n in span_rows:
            style.append(("SPAN", (0, n), (-1, n)))
        return Table(data, colWidths=self._cols(widths), style=self._table_style(style),
                     repeatRows=1 if header and repeat else 0)

    def _fit_words(self, text: str, style: Style, width: float, sep: str | None = None
                   ) -> Style:
        """The style, smaller if need be, at which every word of a header fits its column:
        a header breaks between words, never inside one (long Georgian and Kazakh words).
        With ``sep=" "`` an amount joined by no-break spaces counts as one word, so a long
        figure with its currency name (1 696 000,00 soʻm) shrinks instead of breaking."""
        widest = max((self.ts.width(word, style) for word in str(text).split(sep) if word),
                     default=0)
        if widest <= width:
            return style
        size = max(style.size * width / widest, 5.5)
        return replace(style, size=size, leading=(style.leading or style.size * 1.3)
                       * size / style.size)

    def facts(self, pairs: list[tuple[str, object]], fraction: float = 0.32) -> Table:
        """Label / value pairs without rules."""
        widths = self._cols([self.width * fraction, self.width * (1 - fraction)])
        data = [self._cols([self.p(k, self.s.label), v if isinstance(v, Flowable)
                            else self.p(v, self.s.body)]) for k, v in pairs]
        return Table(data, colWidths=widths, style=self._table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ]))

    def signatures(self, labels: list[str]) -> Table:
        """Signature lines: room to sign above a rule, the role and 'date' below."""
        n = len(labels)
        gap = 10
        col = (self.width - gap * (n - 1)) / n
        widths, top, bottom = [], [], []
        for i, text in enumerate(labels):
            if i:
                widths.append(gap)
                top.append("")
                bottom.append("")
            widths.append(col)
            top.append("")
            bottom.append(self.p(text, self.s.small))
        style = [("LINEABOVE", (i, 1), (i, 1), 0.6, colors.black)
                 for i in range(0, len(widths), 2)]
        style += [("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
        return Table([self._cols(top), self._cols(bottom)], colWidths=self._cols(widths),
                     rowHeights=[34, None], style=self._table_style(style))

    def qr(self, url: str, size: float = 32 * mm) -> Drawing:
        widget = QrCodeWidget(url, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(widget)
        # The graphics renderer starts in Helvetica, a font no PDF of ours embeds; the QR
        # code draws no text, but the font would be referenced all the same.
        default = fonts.candidates("default")
        if default:
            drawing.initialFontName = default[0].key
        return drawing

    def beside(self, main: list[Flowable], side: Flowable, side_width: float) -> Table:
        """Main text and a narrow column (the QR code) at the end of the line."""
        widths = self._cols([self.width - side_width, side_width])
        return Table([self._cols([main, side])], colWidths=widths, style=self._table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]))

    # --- page frame and building ----------------------------------------------------
    def _decorate(self, canv, doc) -> None:  # noqa: ANN001
        width = self.width
        top = PAGE[1] - MARGIN + 8 * mm
        head = Style(size=8.5, color=MUTED)
        start, end = (MARGIN + width / 2, MARGIN) if self.rtl else (MARGIN, MARGIN + width / 2)
        # Translators: printed letter or receipt, legal weight: exact, plain
        self.ts.draw(canv, _("Pardus — livestock loss compensation"), start, top, width / 2,
                     Style(size=8.5, color=MUTED, align="start"))
        self.ts.draw(canv, self.title, end, top, width / 2,
                     Style(size=8.5, color=MUTED, align="end"))
        canv.saveState()
        canv.setStrokeColor(LINE)
        canv.setLineWidth(0.4)
        canv.line(MARGIN, top - 6 * mm, MARGIN + width, top - 6 * mm)
        canv.restoreState()
        # Translators: printed letter or receipt, legal weight: exact, plain
        footer = _("%(reference)s · page %(page)s", reference=ltr(self.reference),
                   page=number(doc.page))
        self.ts.draw(canv, footer, MARGIN, MARGIN - 4 * mm, width, head)

    def build(self, out: BinaryIO, flowables: Iterable[Flowable], subject: str = "") -> None:
        doc = BaseDocTemplate(
            out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
            topMargin=MARGIN + 6 * mm, bottomMargin=MARGIN + 4 * mm,
            title=self.title, author="Pardus", subject=subject,
            creator="Pardus (ReportLab)", lang=self.locale.replace("_", "-"),
            initialFontName=fonts.candidates("default")[0].key if fonts.candidates("default")
            else "Helvetica",
        )
        frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])
        doc.build(FlowStream(flowables), canvasmaker=CompactCanvas)


class CompactCanvas(Canvas):
    """Compresses each page's content when the page is finished instead of when the file is
    written, so a long batch keeps kilobytes per page in memory, not the drawing code."""

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        super().showPage()
        page = self._doc.Pages.pages[-1]
        stream = getattr(page, "stream", None)
        if stream and page.compression and not page.Contents:
            packed = PDFStream()
            raw = stream.encode("utf-8") if isinstance(stream, str) else stream
            packed.content = zlib.compress(raw)
            packed.dictionary["Filter"] = PDFArray([PDFName("FlateDecode")])
            packed.__Comment__ = "page stream"
            page.Contents = packed
            page.stream = None


class FlowStream:
    """The list interface ReportLab's ``build`` uses, fed from an iterator: flowables are
    made only when the page layout reaches them, and dropped once drawn."""

    LOOKAHEAD = 8  # for keepWithNext, which looks a few flowables ahead

    def __init__(self, flowables: Iterable[Flowable]) -> None:
        self._source = iter(flowables)
        self._buffer: deque[Flowable] = deque()

    def _fill(self, n: int) -> None:
        while len(self._buffer) < n:
            try:
                self._buffer.append(next(self._source))
            except StopIteration:
                return

    def __len__(self) -> int:
        self._fill(self.LOOKAHEAD)
        return len(self._buffer)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __getitem__(self, index):  # noqa: ANN001, ANN204
        if isinstance(index, slice):
            self._fill(index.stop if index.stop is not None else self.LOOKAHEAD)
            return list(self._buffer)[index]
        self._fill(index + 1)
        return self._buffer[index]

    def __delitem__(self, index) -> None:  # noqa: ANN001
        if isinstance(index, slice):
            self._fill(index.stop if index.stop is not None else self.LOOKAHEAD)
            items = list(self._buffer)
            del items[index]
            self._buffer = deque(items)
        else:
            self._fill(index + 1)
            del self._buffer[index]

    def __setitem__(self, index, value) -> None:  # noqa: ANN001
        if isinstance(index, slice) and index.start in (0, None) and index.stop == 0:
            self._buffer.extendleft(reversed(list(value)))
            return
        items = list(self._buffer)
        items[index] = value
        self._buffer = deque(items)

    def insert(self, index: int, value: Flowable) -> None:
        if index == 0:
            self._buffer.appendleft(value)
        else:
            self._fill(index)
            self._buffer.insert(index, value)
