"""The PDF documents: receipt, decision letter, payment voucher, batch list (and all the
vouchers of a batch), in every locale.

Each kind has a plain data class (filled from the database by ``*_data`` functions, or with
synthetic values by ``samples``) and a renderer that writes a PDF to a binary file. Renderers
run inside ``force_locale(locale)``: every word goes through gettext, numbers, dates and money
through ``conflict_app.i18n``. Text is laid out by ``documents.text`` (bidi, HarfBuzz
shaping); ReportLab builds the pages.

Batches stream: flowables come from a generator and the database rows from keyset-paginated
queries of plain columns, so memory does not grow with the number of items beyond what
ReportLab keeps per finished page.
"""

from __future__ import annotations

import re
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import force_locale, format_decimal, get_locale
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
    KeepTogether,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from conflict_app.core.money import Money
from conflict_app.documents import fonts
from conflict_app.documents.text import Style, Typesetter, ltr
from conflict_app.i18n import LOCALES, RTL, date_text, datetime_text, digits
from conflict_app.i18n import money as money_text
from conflict_app.i18n.labels import label

PAGE = A4
MARGIN = 18 * mm
GREY = colors.Color(0.93, 0.93, 0.93)
LINE = colors.Color(0.55, 0.55, 0.55)
MUTED = colors.Color(0.3, 0.3, 0.3)


# --- data -----------------------------------------------------------------------------
@dataclass
class LossRow:
    species: str
    age_class: str
    killed: int
    injured: int


@dataclass
class ReceiptData:
    reference: str
    household: str
    village: str
    occurred_on: date
    reported_at: datetime
    lines: list[LossRow]
    screening_by: datetime
    visit_by: datetime
    decision_by: datetime
    status_url: str
    contact: str = ""
    pin: str | None = None
    pin_texted: bool = False  # no PIN printed: the receipt text carried it


@dataclass
class AssessmentRow:
    species: str
    age_class: str
    kind: str  # killed / injured
    heads: int
    unit_value: Money
    share: Decimal
    rate: Decimal
    amount: Money
    note: str | None = None


@dataclass
class DecisionData:
    reference: str
    household: str
    village: str
    occurred_on: date
    decided_at: datetime
    outcome: str  # approved / rejected / ineligible
    appeal_by: datetime
    status_url: str
    contact: str = ""
    reason: str | None = None
    rule: str | None = None
    predator: str | None = None
    confidence: str | None = None
    rows: list[AssessmentRow] = field(default_factory=list)
    total: Money | None = None
    steps: list[dict] = field(default_factory=list)  # schemes.rules.Step.as_json()
    interim: Money | None = None
    figures: object | None = None  # status.figures.Figures: what is paid, and why


@dataclass
class VoucherData:
    item_id: int
    batch_reference: str
    claim_reference: str
    payee: str
    village: str
    phone: str | None
    amount: Money
    method: str
    state: str
    payment_reference: str | None = None


@dataclass
class BatchData:
    reference: str
    created_at: datetime
    created_by: str
    method: str
    state: str
    currency: str
    count: int
    total: Money
    # Called once per rendering: yields the vouchers in order, without holding them all.
    items: Callable[[], Iterable[VoucherData]]


# --- from the database ----------------------------------------------------------------
def reference_of(obj: object) -> str:
    return getattr(obj, "reference", None) or f"#{obj.id}"  # type: ignore[attr-defined]


def status_url() -> str:
    """The public status page, for the QR code; works in a request and in the CLI."""
    from flask import has_request_context, url_for

    if has_request_context():
        return url_for("status.check", _external=True)
    with current_app.test_request_context():
        return url_for("status.check", _external=True)


def herder_locale(household: object) -> str:
    code = (getattr(household, "language", None) or "").replace("-", "_")
    return code if code in LOCALES else current_app.config["BABEL_DEFAULT_LOCALE"]


def receipt_data(claim, pin: str | None = None, url: str | None = None) -> ReceiptData:  # noqa: ANN001
    from conflict_app.claims.operations import deadlines

    limits = deadlines()
    incident = claim.incident
    return ReceiptData(
        reference=reference_of(claim),
        pin=pin,
        household=claim.household.head_name,
        village=incident.village.label,
        occurred_on=incident.occurred_on,
        reported_at=claim.reported_at,
        lines=[LossRow(ln.species.value, ln.age_class.value, ln.killed, ln.injured)
               for ln in incident.lines],
        screening_by=claim.reported_at + limits.screening,
        visit_by=claim.reported_at + limits.verification,
        decision_by=claim.reported_at + limits.decision,
        status_url=url or status_url(),
        contact=current_app.config.get("OFFICE_CONTACT") or "",
    )


def decision_outcome(claim) -> str | None:  # noqa: ANN001
    """approved / rejected / ineligible, or None while the claim is not decided."""
    from conflict_app.claims.workflow import State

    if claim.decided_at is None:
        return None
    if claim.state == State.REJECTED:
        return "rejected"
    if claim.state == State.INELIGIBLE:
        return "ineligible"
    if claim.amount_approved is not None and claim.state in {
        State.APPROVED, State.PAYMENT_SCHEDULED, State.PAID, State.CLOSED,
    }:
        return "approved"
    return None


def decision_data(claim, url: str | None = None) -> DecisionData:  # noqa: ANN001
    from conflict_app.claims.operations import appeal_deadline, latest_assessment

    outcome = decision_outcome(claim)
    if outcome is None:
        raise ValueError("the claim is not decided")
    appeal_by = appeal_deadline(claim) or claim.decided_at + timedelta(
        days=current_app.config["APPEAL_WITHIN_DAYS"])
    data = DecisionData(
        reference=reference_of(claim),
        household=claim.household.head_name,
        village=claim.incident.village.label,
        occurred_on=claim.incident.occurred_on,
        decided_at=claim.decided_at,
        outcome=outcome,
        appeal_by=appeal_by,
        status_url=url or status_url(),
        contact=current_app.config.get("OFFICE_CONTACT") or "",
        reason=claim.decision_reason,
    )
    if outcome == "approved":
        assessment = latest_assessment(claim.id)
        if assessment is not None:
            data.rule = assessment.rule
            data.predator = assessment.predator
            data.confidence = assessment.confidence
            data.rows = [
                AssessmentRow(ln.species, ln.age_class, ln.kind, ln.heads,
                              Money(ln.unit_value, assessment.currency), ln.share, ln.rate,
                              Money(ln.amount, assessment.currency), ln.note)
                for ln in assessment.lines
            ]
            data.steps = list(assessment.steps or [])
            if assessment.rule_version is not None:
                data.rule = assessment.rule_version.label
        from conflict_app.status.figures import figures

        data.figures = figures(claim)
        data.total = data.figures.due
    return data


def _voucher_rows(batch_id: int, reference: str, method: str,
                  item_id: int | None = None, chunk: int = 200) -> Iterator[VoucherData]:
    """Vouchers of a batch, read in keyset-paginated chunks of plain columns."""
    from sqlalchemy import func, select

    from conflict_app.claims.models import Claim
    from conflict_app.extensions import db
    from conflict_app.geo.models import Village
    from conflict_app.herders.models import Household
    from conflict_app.payments.models import ItemState, PaymentItem
    from conflict_app.schemes.models import IncentivePayment

    after = 0
    while True:
        # An item pays a claim's household, an adoption payment's household, or (a
        # performance payment) a community, named by its village.
        query = (
            select(PaymentItem.id, PaymentItem.amount, PaymentItem.currency, PaymentItem.state,
                   PaymentItem.payment_reference, Claim.id, Claim.reference,
                   func.coalesce(Household.head_name, Village.name), Household.phone,
                   Village.name, IncentivePayment.id)
            .outerjoin(Claim, Claim.id == PaymentItem.claim_id)
            .outerjoin(IncentivePayment, IncentivePayment.id == PaymentItem.incentive_payment_id)
            .outerjoin(Household, Household.id == func.coalesce(Claim.household_id,
                                                                IncentivePayment.household_id))
            .join(Village, Village.id == func.coalesce(Household.village_id,
                                                       IncentivePayment.village_id))
            .where(PaymentItem.batch_id == batch_id, PaymentItem.state != ItemState.REMOVED,
                   PaymentItem.id > after)
            .order_by(PaymentItem.id)
            .limit(chunk)
        )
        if item_id is not None:
            query = query.where(PaymentItem.id == item_id)
        rows = db.session.execute(query).all()
        for row in rows:
            (iid, amount, currency, state, payref, claim_id, claim_ref, name, phone,
             village, incentive_id) = row
            ref = claim_ref or (f"#{claim_id}" if claim_id else f"INC-{incentive_id:06d}")
            yield VoucherData(
                item_id=iid, batch_reference=reference,
                claim_reference=ref, payee=name, village=village,
                phone=phone, amount=Money(amount, currency), method=method,
                state=getattr(state, "value", state), payment_reference=payref,
            )
        if len(rows) < chunk or item_id is not None:
            return
        after = rows[-1][0]


def voucher_data(item) -> VoucherData:  # noqa: ANN001
    batch = item.batch
    found = list(_voucher_rows(batch.id, reference_of(batch), batch.method.value, item.id))
    if not found:
        raise ValueError("no such live payment item")
    return found[0]


def batch_data(batch) -> BatchData:  # noqa: ANN001
    from sqlalchemy import func, select

    from conflict_app.extensions import db
    from conflict_app.payments.models import ItemState, PaymentItem

    count, total = db.session.execute(
        select(func.count(PaymentItem.id), func.sum(PaymentItem.amount))
        .where(PaymentItem.batch_id == batch.id, PaymentItem.state != ItemState.REMOVED)
    ).one()
    reference = reference_of(batch)
    method = batch.method.value
    return BatchData(
        reference=reference,
        created_at=batch.created_at,
        created_by=batch.created_by.name if batch.created_by else "",
        method=method,
        state=batch.state.value,
        currency=batch.currency,
        count=count or 0,
        total=Money(Decimal(total or 0), batch.currency),
        items=lambda: _voucher_rows(batch.id, reference, method),
    )


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


# --- the documents --------------------------------------------------------------------
def _contact_lines(b: Builder, contact: str, url: str) -> list[Flowable]:
    return [
        # Translators: printed letter or receipt, legal weight: exact, plain
        b.p(_("Office contact"), b.s.h2),
        # Translators: printed letter or receipt, legal weight: exact, plain
        b.p(contact or _("Ask at the office that registered the report."), b.s.body),
        # Translators: printed letter or receipt, legal weight: exact, plain
        b.p(_("Check your claim at any time with the claim reference and the PIN: scan the "
              "code or open %(url)s.", url=ltr(url)), b.s.small),
    ]


def _loss_table(b: Builder, lines: list[LossRow]) -> Table:
    rows = [[label("species", ln.species), label("age_class", ln.age_class),
             number(ln.killed), number(ln.injured)] for ln in lines]
    # Translators: printed letter or receipt, legal weight: exact, plain
    return b.table([_("Species"), _("Age"), _("Killed"), _("Injured")], rows,
                   [0.34, 0.34, 0.16, 0.16], numeric={2, 3})


def render_receipt(data: ReceiptData, locale: str, out: BinaryIO) -> None:
    with force_locale(locale):
        # Translators: printed letter or receipt, legal weight: exact, plain
        b = Builder(locale, _("Receipt"), data.reference)
        flow: list[Flowable] = [
            # Translators: printed letter or receipt, legal weight: exact, plain
            b.p(_("Receipt for a loss report"), b.s.title),
            # Translators: printed letter or receipt, legal weight: exact, plain
            b.p(_("Claim reference"), b.s.label),
            b.p(ltr(data.reference), b.s.big),
        ]
        if data.pin:
            flow += [
                Spacer(1, 4),
                # Translators: printed letter or receipt, legal weight: exact, plain
                b.p(_("PIN"), b.s.label),
                b.p(ltr(data.pin), b.s.big),
                # Translators: printed letter or receipt, legal weight: exact, plain
                b.p(_("Keep the PIN secret. With the claim reference and the PIN you can "
                      "check your claim."), b.s.small),
            ]
        elif data.pin_texted:
            # Translators: printed letter or receipt, legal weight: exact, plain
            flow.append(b.p(_("Your PIN was sent to you by SMS. Keep it secret: with the claim "
                              "reference and the PIN you can check your claim."), b.s.small))
        flow += [
            Spacer(1, 8),
            b.facts([
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Household"), data.household),
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Village"), data.village),
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Incident date"), date_text(data.occurred_on)),
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Reported"), datetime_text(data.reported_at, "short")),
            ]),
            # Translators: printed letter or receipt, legal weight: exact, plain
            b.p(_("What was reported"), b.s.h2),
            _loss_table(b, data.lines),
            # Translators: printed letter or receipt, legal weight: exact, plain
            b.p(_("What happens next"), b.s.h2),
        ]
        steps = [
            # Translators: printed letter or receipt, legal weight: exact, plain
            _("The office checks the report by %(date)s.",
              date=datetime_text(data.screening_by, "short")),
            # Translators: printed letter or receipt, legal weight: exact, plain
            _("A field officer visits by %(date)s. Keep the carcasses where they are and do "
              "not move them.", date=datetime_text(data.visit_by, "short")),
            # Translators: printed letter or receipt, legal weight: exact, plain
            _("A decision is due by %(date)s.", date=date_text(data.decision_by)),
            # Translators: printed letter or receipt, legal weight: exact, plain
            _("You receive a letter with the decision. If the claim is approved, the "
              "payment follows."),
        ]
        flow += [b.p(f"{number(n)}. {step}", b.s.body) for n, step in enumerate(steps, 1)]
        qr = b.qr(data.status_url)
        flow.append(Spacer(1, 6))
        flow.append(b.beside(_contact_lines(b, data.contact, data.status_url), qr, 36 * mm))
        # Translators: printed letter or receipt, legal weight: exact, plain
        b.build(out, flow, subject=_("Receipt"))


def _formula(row: AssessmentRow) -> str:
    """One line's working. Each figure stays in one piece with its percent sign and
    currency on the side the locale's pattern puts them; in a right-to-left letter the
    working reads right to left even when no letter of the script is in it (Urdu amounts
    are 'Rs')."""
    if row.kind == "vet":
        # Translators: printed letter, legal weight: the vet invoice (up to the cap per head)
        # times the rate for the evidence
        return rtl_start(_("vet invoice paid up to the cap: %(value)s × %(rate)s = "
                           "%(amount)s", value=figure(money(row.unit_value)),
                           rate=figure(percent(row.rate)), amount=figure(money(row.amount))))
    # Translators: printed letter or receipt, legal weight: exact, plain
    return rtl_start(_("%(heads)s × %(value)s × %(share)s × %(rate)s = %(amount)s",
                       heads=figure(number(row.heads)), value=figure(money(row.unit_value)),
                       share=figure(percent(row.share)), rate=figure(percent(row.rate)),
                       amount=figure(money(row.amount))))


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


def render_decision(data: DecisionData, locale: str, out: BinaryIO) -> None:
    with force_locale(locale):
        titles = {
            # Translators: printed letter or receipt, legal weight: exact, plain
            "approved": _("Decision on your claim: approved"),
            # Translators: printed letter or receipt, legal weight: exact, plain
            "rejected": _("Decision on your claim: rejected"),
            # Translators: printed letter or receipt, legal weight: exact, plain
            "ineligible": _("Decision on your claim: not eligible"),
        }
        # Translators: printed letter or receipt, legal weight: exact, plain
        b = Builder(locale, _("Decision letter"), data.reference)
        flow: list[Flowable] = [
            b.p(titles[data.outcome], b.s.title),
            b.facts([
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Claim reference"), ltr(data.reference)),
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Household"), data.household),
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Village"), data.village),
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Incident date"), date_text(data.occurred_on)),
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Date of the decision"), date_text(data.decided_at)),
            ]),
            Spacer(1, 8),
            # Translators: printed letter or receipt, legal weight: exact, plain
            b.p(_("Dear %(name)s,", name=data.household), b.s.body),
            Spacer(1, 3),
        ]
        when = date_text(data.occurred_on)
        if data.outcome == "approved":
            # Translators: printed letter or receipt, legal weight: exact, plain
            flow.append(b.p(_("Your claim %(reference)s for the loss of %(date)s has been "
                              "approved. You will be paid %(amount)s.",
                              reference=ltr(data.reference), date=when,
                              amount=money(data.total)), b.s.body))
            flow += _assessment(b, data)
            from conflict_app.documents import amounts

            for text in amounts.sentences(data.figures, money, date_text, percent):
                flow.append(b.p(text, b.s.body))
            # Translators: printed letter or receipt, legal weight: exact, plain
            flow.append(b.p(_("If you disagree with the amount, you can appeal until "
                              "%(date)s.", date=date_text(data.appeal_by)), b.s.body))
        else:
            # Translators: printed letter or receipt, legal weight: exact, plain
            text = (_("Your claim %(reference)s for the loss of %(date)s has been rejected.",
                      reference=ltr(data.reference), date=when)
                    if data.outcome == "rejected" else
                    # Translators: printed letter or receipt, legal weight: exact, plain
                    _("Your claim %(reference)s for the loss of %(date)s is not eligible for "
                      "compensation.", reference=ltr(data.reference), date=when))
            flow += [
                b.p(text, b.s.body),
                # Translators: printed letter or receipt, legal weight: exact, plain
                b.p(_("Reason"), b.s.h2),
                # Translators: printed letter or receipt, legal weight: exact, plain
                b.p(data.reason or _("No reason was recorded."), b.s.body),
                # Translators: printed letter or receipt, legal weight: exact, plain
                b.p(_("Appeal"), b.s.h2),
                # Translators: printed letter or receipt, legal weight: exact, plain
                b.p(_("If you disagree with this decision, you can appeal until %(date)s.",
                      date=date_text(data.appeal_by)), b.s.body),
            ]
        # The closing part stays on one page with the signature block, which never sits
        # alone on a page of its own.
        flow.append(KeepTogether([
            # Translators: printed letter or receipt, legal weight: exact, plain
            b.p(_("To appeal, come to the office or call it before that date, give "
                  "the claim reference and say why you disagree. The claim is then "
                  "looked at again, with a new field visit or a new assessment."), b.s.body),
            Spacer(1, 6),
            b.beside(_contact_lines(b, data.contact, data.status_url),
                     b.qr(data.status_url), 36 * mm),
            Spacer(1, 14),
            # Translators: printed letter or receipt, legal weight: exact, plain
            b.p(_("For the office"), b.s.label),
            # Translators: printed letter or receipt, legal weight: exact, plain
            b.signatures([_("Signature and stamp"), _("Date")]),
        ]))
        b.build(out, flow, subject=titles[data.outcome])


def _assessment(b: Builder, data: DecisionData) -> list[Flowable]:
    # Translators: printed letter or receipt, legal weight: exact, plain
    flow: list[Flowable] = [b.p(_("How the amount was worked out"), b.s.h2)]
    if data.confidence:
        # Translators: printed letter or receipt, legal weight: exact, plain
        flow.append(b.p(_("The field visit found: %(predator)s, %(confidence)s.",
                          predator=label("predator", data.predator),
                          confidence=label("confidence", data.confidence)), b.s.body))
    rows: list[list] = []
    spans: list[int] = []
    for row in data.rows:
        what = ", ".join([label("species", row.species), label("age_class", row.age_class),
                          label("kind", row.kind)])
        rows.append([what, number(row.heads), money(row.unit_value), percent(row.share),
                     percent(row.rate), money(row.amount)])
        explained = _formula(row)
        if row.note:
            explained += " — " + label("note", row.note)
        rows.append([b.p(explained, b.s.small)])
        spans.append(len(rows))  # the header is row 0
    # Translators: printed letter or receipt, legal weight: exact, plain
    rows.append([_("Total"), "", "", "", "", money(data.total)])
    # Translators: printed letter or receipt, legal weight: exact, plain
    header = [_("Loss"), _("Heads"), _("Market value of one head"), _("Share of value"),
              # Translators: printed letter or receipt, legal weight: exact, plain
              _("Rate for the evidence"), _("Amount")]
    table = b.table(header, rows, [0.26, 0.09, 0.19, 0.13, 0.14, 0.19],
                    numeric={1, 2, 3, 4, 5}, spans=spans)
    flow.append(table)
    # Translators: printed letter or receipt, legal weight: exact, plain
    flow.append(b.p(_("Each line: heads × market value of one head × share of value paid × "
                      "rate for how sure the field visit was = amount."), b.s.small))
    if data.steps:
        from conflict_app.schemes.explain import rule_label, sentences

        # Translators: printed letter or receipt, legal weight: exact, plain
        flow.append(b.p(_("Step by step"), b.s.h2))
        for n, step in enumerate(sentences(data.steps, money, figure), start=1):
            text = rtl_start(f"{number(n)}. {step['text']}")
            if step["rule"]:
                # Translators: printed letter or receipt, legal weight: exact, plain
                text += " " + _("(rule: %(rule)s)", rule=rule_label(step["rule"]))
            flow.append(b.p(text, b.s.body))
    if data.rule:
        # Translators: printed letter or receipt, legal weight: exact, plain
        flow.append(b.p(_("Rule applied: %(rule)s.", rule=ltr(data.rule)), b.s.small))
    return flow


def _voucher_flowables(b: Builder, v: VoucherData) -> list[Flowable]:
    facts = [
        # Translators: printed letter or receipt, legal weight: exact, plain
        (_("Voucher number"), ltr(f"{v.batch_reference}/{v.item_id}")),
        # Translators: printed letter or receipt, legal weight: exact, plain
        (_("Payment batch"), ltr(v.batch_reference)),
        # Translators: printed letter or receipt, legal weight: exact, plain
        (_("Claim reference"), ltr(v.claim_reference)),
        # Translators: printed letter or receipt, legal weight: exact, plain
        (_("Payee"), v.payee),
        # Translators: printed letter or receipt, legal weight: exact, plain
        (_("Village"), v.village),
    ]
    if v.phone:
        # Translators: printed letter or receipt, legal weight: exact, plain
        facts.append((_("Phone"), ltr(v.phone)))
    facts += [
        # Translators: printed letter or receipt, legal weight: exact, plain
        (_("Payment method"), label("payment_method", v.method)),
        # Translators: printed letter or receipt, legal weight: exact, plain
        (_("Status"), label("payment_item_state", v.state)),
    ]
    if v.payment_reference:
        # Translators: printed letter or receipt, legal weight: exact, plain
        facts.append((_("Payment reference"), ltr(v.payment_reference)))
    return [
        # Translators: printed letter or receipt, legal weight: exact, plain
        b.p(_("Payment voucher"), b.s.title),
        # Translators: printed letter or receipt, legal weight: exact, plain
        b.p(_("Amount"), b.s.label),
        b.p(money(v.amount), b.s.big),
        Spacer(1, 6),
        b.facts(facts),
        Spacer(1, 8),
        # Translators: printed letter or receipt, legal weight: exact, plain
        b.p(_("The payee confirms with their signature that they received the amount above."),
            b.s.small),
        Spacer(1, 16),
        # Translators: printed letter or receipt, legal weight: exact, plain
        b.signatures([_("Paid by (name, signature)"), _("Received by the payee (signature)"),
                      # Translators: printed letter or receipt, legal weight: exact, plain
                      _("Date")]),
    ]


def render_voucher(data: VoucherData, locale: str, out: BinaryIO) -> None:
    with force_locale(locale):
        # Translators: printed letter or receipt, legal weight: exact, plain
        b = Builder(locale, _("Payment voucher"), f"{data.batch_reference}/{data.item_id}")
        # Translators: printed letter or receipt, legal weight: exact, plain
        b.build(out, _voucher_flowables(b, data), subject=_("Payment voucher"))


def _voucher_compact(b: Builder, v: VoucherData) -> Flowable:
    """A voucher a third of an A4 page high: the facts in two columns of pairs beside the
    amount, then the signature lines; never split across pages."""
    pairs = [
        # Translators: printed letter or receipt, legal weight: exact, plain
        (_("Voucher number"), ltr(f"{v.batch_reference}/{v.item_id}")),
        # Translators: printed letter or receipt, legal weight: exact, plain
        (_("Claim reference"), ltr(v.claim_reference)),
        # Translators: printed letter or receipt, legal weight: exact, plain
        (_("Payee"), v.payee),
        # Translators: printed letter or receipt, legal weight: exact, plain
        (_("Village"), v.village),
        # Translators: printed letter or receipt, legal weight: exact, plain
        (_("Payment method"), label("payment_method", v.method)),
        # Translators: printed letter or receipt, legal weight: exact, plain
        (_("Phone"), ltr(v.phone) if v.phone else "—"),
    ]
    if v.payment_reference:
        # Translators: printed letter or receipt, legal weight: exact, plain
        pairs.append((_("Payment reference"), ltr(v.payment_reference)))
    half = (len(pairs) + 1) // 2
    rows = []
    for left, right in zip(pairs[:half], pairs[half:] + [("", "")] * (2 * half - len(pairs)),
                           strict=True):
        rows.append(b._cols([b.p(left[0], b.s.label), b.p(left[1], b.s.cell),
                             b.p(right[0], b.s.label), b.p(right[1], b.s.cell)]))
    quarter = b.width / 4
    facts = Table(rows, colWidths=b._cols([quarter * 0.8, quarter * 1.2] * 2),
                  style=b._table_style([
                      ("VALIGN", (0, 0), (-1, -1), "TOP"),
                      ("LEFTPADDING", (0, 0), (-1, -1), 0),
                      ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                      ("TOPPADDING", (0, 0), (-1, -1), 0),
                      ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    # Translators: printed letter or receipt, legal weight: exact, plain
    heading = b.beside([b.p(_("Payment voucher"), b.s.h2)],
                       b.p(money(v.amount), b.s.big), b.width * 0.45)
    return KeepTogether([
        heading, Spacer(1, 2), facts, Spacer(1, 4),
        # Translators: printed letter or receipt, legal weight: exact, plain
        b.p(_("The payee confirms with their signature that they received the amount above."),
            b.s.small),
        Spacer(1, 10),
        # Translators: printed letter or receipt, legal weight: exact, plain
        b.signatures([_("Paid by (name, signature)"), _("Received by the payee (signature)"),
                      # Translators: printed letter or receipt, legal weight: exact, plain
                      _("Date")]),
        CutLine(b.width),
    ])


class CutLine(Flowable):
    """A dashed line to cut the vouchers of one page apart."""

    def __init__(self, width: float) -> None:
        super().__init__()
        self.width, self.height = width, 14

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.setDash(3, 3)
        self.canv.setStrokeColor(LINE)
        self.canv.line(0, self.height / 2, self.width, self.height / 2)
        self.canv.restoreState()


PER_PAGE = 3  # vouchers on an A4 page


def render_vouchers(data: BatchData, locale: str, out: BinaryIO) -> None:
    """Every voucher of a batch, three to an A4 page with cut lines, streamed."""
    with force_locale(locale):
        # Translators: printed letter or receipt, legal weight: exact, plain
        b = Builder(locale, _("Payment vouchers"), data.reference)

        def flow() -> Iterator[Flowable]:
            count = 0
            for voucher in data.items():
                if count and count % PER_PAGE == 0:
                    yield PageBreak()  # three to a page, so the cut lines fall alike
                count += 1
                yield _voucher_compact(b, voucher)
            if not count:
                # Translators: printed letter or receipt, legal weight: exact, plain
                yield b.p(_("This batch has no items."), b.s.body)

        # Translators: printed letter or receipt, legal weight: exact, plain
        b.build(out, flow(), subject=_("Payment vouchers"))


def render_batch(data: BatchData, locale: str, out: BinaryIO, rows_per_table: int = 40) -> None:
    """The batch list: one line per item with room for the payee's signature, the total, and
    signature lines for the office. Rows are streamed in tables of ``rows_per_table``."""
    with force_locale(locale):
        # Translators: printed letter or receipt, legal weight: exact, plain
        b = Builder(locale, _("Payment batch list"), data.reference)
        header = [
            # Translators: column heading, "number" of the line in the list (1, 2, 3 ...)
            _("No."), _("Claim reference"), _("Payee"), _("Village"), _("Amount"),
            # Translators: printed letter or receipt, legal weight: exact, plain
            _("Signature"),
        ]
        fractions = [0.07, 0.21, 0.22, 0.17, 0.16, 0.17]

        def flow() -> Iterator[Flowable]:
            # Translators: printed letter or receipt, legal weight: exact, plain
            yield b.p(_("Payment batch list"), b.s.title)
            yield b.facts([
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Payment batch"), ltr(data.reference)),
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Created"), datetime_text(data.created_at, "short")),
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Created by"), data.created_by),
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Payment method"), label("payment_method", data.method)),
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Status"), label("batch_state", data.state)),
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Items"), number(data.count)),
                # Translators: printed letter or receipt, legal weight: exact, plain
                (_("Total"), money(data.total)),
            ])
            yield Spacer(1, 8)
            chunk: list[list] = []
            n = 0
            for voucher in data.items():
                n += 1
                chunk.append([number(n), ltr(voucher.claim_reference), voucher.payee,
                              voucher.village, money(voucher.amount), ""])
                if len(chunk) == rows_per_table:
                    yield b.table(header, chunk, fractions, numeric={0, 4})
                    chunk = []
            if chunk or n == 0:
                yield b.table(header, chunk, fractions, numeric={0, 4})
            yield Spacer(1, 6)
            # Translators: printed letter or receipt, legal weight: exact, plain
            yield b.p(_("%(count)s items, total %(total)s", count=number(n),
                        total=money(data.total)), b.s.body)
            yield Spacer(1, 18)
            # Translators: printed letter or receipt, legal weight: exact, plain
            yield KeepTogether([b.signatures([_("Prepared by"), _("Checked by"),
                                              # Translators: printed letter or receipt, legal weight
                                              _("Approved for payment by")])])

        # Translators: printed letter or receipt, legal weight: exact, plain
        b.build(out, flow(), subject=_("Payment batch list"))


# --- samples for translators and reviewers --------------------------------------------
_SAMPLE_PEOPLE = {
    # locale: (currency, household, village, reason for a rejection, price factor)
    "en": ("AMD", "Armen Petrosyan", "Shvanidzor, Meghri",
           "The field visit found no signs of a leopard attack.", "1"),
    "ar": ("IQD", "محمد عبد الله", "بنجوين، السليمانية",
           "لم تجد الزيارة الميدانية أي علامات على هجوم نمر.", "3.4"),
    "hy": ("AMD", "Արմեն Պետրոսյան", "Շվանիձոր, Մեղրի",
           "Դաշտային այցը ընձառյուծի հարձակման հետքեր չի հայտնաբերել։", "1"),
    "az": ("AZN", "Əli Ağayev", "Qızılca, Ordubad",
           "Sahə yoxlaması bəbir hücumunun izlərini aşkar etmədi.", "0.0044"),
    "fa": ("IRR", "علی رضایی", "کلاله، گلستان",
           "بازدید میدانی هیچ نشانه‌ای از حمله پلنگ پیدا نکرد.", "100"),
    "fa_AF": ("AFN", "محمد نادر", "پنجاب، بامیان",
              "بازدید ساحوی هیچ نشانه‌ای از حمله پلنگ را نیافت.", "0.18"),
    "ka": ("GEL", "გიორგი ბერიძე", "ლაგოდეხი, კახეთი",
           "საველე ვიზიტმა ლეოპარდის თავდასხმის ნიშნები ვერ აღმოაჩინა.", "0.007"),
    "kk": ("KZT", "Нұрлан Әбдірахманов", "Қарасай, Алматы облысы",
           "Далалық тексеру қабылан шабуылының белгілерін тапқан жоқ.", "1.3"),
    "ckb": ("IQD", "ئاراس عەبدوڵڵا", "پێنجوێن، سلێمانی",
            "سەردانی مەیدانی هیچ نیشانەیەکی هێرشی پڵنگی نەدۆزییەوە.", "3.4"),
    "ru": ("RUB", "Иван Петров", "Кисловодск, Ставропольский край",
           "Выезд на место не выявил признаков нападения леопарда.", "0.23"),
    "tr": ("TRY", "Ayşe Yılmaz", "Iğdır, Aralık",
           "Saha ziyaretinde leopar saldırısına ait iz bulunamadı.", "0.1"),
    "tk": ("TMT", "Aýna Nurmyradowa", "Köýtendag, Lebap",
           "Meýdan barlagy gaplaňyň hüjüminiň yzlaryny tapmady; žurnalda ýazgy ýok.",
           "0.009"),
    "ur": ("PKR", "محمد اقبال", "چترال، خیبر پختونخوا",
           "موقع کے معائنے میں تیندوے کے حملے کی کوئی علامت نہیں ملی۔", "0.72"),
    "tg": ("TJS", "Ғуломҷон Қурбонов", "Айвоҷ, Шаҳритус",
           "Боздиди саҳроӣ дар ҷасади гӯсфандон ягон нишонаи ҳамлаи паланг наёфт.", "0.028"),
    "uz": ("UZS", "Gʻayrat Oʻrinov", "Boysun, Surxondaryo",
           "Dala tekshiruvi qoplon hujumi izlarini topmadi.", "32"),
    "ps": ("AFN", "ګل محمد ځدراڼ", "اسعدآباد، کونړ",
           "د ساحوي کتنې پر مهال د پړانګ د برید هېڅ نښه ونه موندل شوه.", "0.18"),
}

SAMPLE_NOW = datetime(2026, 11, 5, 9, 30, tzinfo=UTC)


def sample_people(locale: str) -> tuple[str, str, str, str, Decimal]:
    currency, name, village, reason, factor = _SAMPLE_PEOPLE.get(locale, _SAMPLE_PEOPLE["en"])
    return currency, name, village, reason, Decimal(factor)


def _price(base: str, currency: str, factor: Decimal) -> Money:
    return Money(Decimal(base) * factor, currency).rounded()


def sample_receipt(locale: str, pin: str | None = "482913") -> ReceiptData:
    currency, name, village, _reason, _f = sample_people(locale)
    reported = SAMPLE_NOW
    return ReceiptData(
        reference=f"AM-2026-{1000 + LOCALES.index(locale):06d}" if locale in LOCALES
        else "AM-2026-000999",
        pin=pin, household=name, village=village,
        occurred_on=(reported - timedelta(days=1)).date(), reported_at=reported,
        lines=[LossRow("sheep", "adult_female", 3, 0), LossRow("goat", "young", 0, 1)],
        screening_by=reported + timedelta(hours=24),
        visit_by=reported + timedelta(hours=48),
        decision_by=reported + timedelta(days=30),
        status_url="https://pardus.example.org/status",
        contact="Syunik office, +374 285 2 21 21",
    )


def sample_decision(locale: str, outcome: str = "approved") -> DecisionData:
    currency, name, village, reason, factor = sample_people(locale)
    receipt = sample_receipt(locale)
    decided = SAMPLE_NOW + timedelta(days=12)
    data = DecisionData(
        reference=receipt.reference, household=name, village=village,
        occurred_on=receipt.occurred_on, decided_at=decided, outcome=outcome,
        appeal_by=decided + timedelta(days=30), status_url=receipt.status_url,
        contact=receipt.contact,
    )
    if outcome != "approved":
        data.reason = reason
        return data
    from conflict_app.schemes import params, rules
    from conflict_app.schemes.params import SchemeKind

    values = params.parse(SchemeKind.COMPENSATION, params.defaults(SchemeKind.COMPENSATION))
    values["injured_share"] = Decimal("0.25")
    facts = rules.Facts(
        currency=currency, predator="leopard", confidence="confirmed",
        losses=[rules.Loss(1, "sheep", "adult_female", 3, 0),
                rules.Loss(2, "goat", "young", 0, 1)],
        prices={("sheep", "adult_female"): _price("60000", currency, factor),
                ("goat", "young"): _price("25000", currency, factor)})
    result = rules.compensate(values, facts, "EXAMPLE-AM-COMP v1")
    data.rows = [AssessmentRow(ln.species, ln.age_class, ln.kind, ln.heads, ln.unit_value,
                               ln.share, ln.rate, ln.amount, ln.note) for ln in result.lines]
    data.steps = [step.as_json() for step in result.steps]
    data.rule, data.predator, data.confidence = result.rule, "leopard", "confirmed"
    data.total = result.total
    return data


def sample_vouchers(locale: str, count: int) -> Iterator[VoucherData]:
    currency, name, village, _reason, factor = sample_people(locale)
    for n in range(1, count + 1):
        yield VoucherData(
            item_id=n, batch_reference="PAY-AM-2026-00042",
            claim_reference=f"AM-2026-{n:06d}", payee=f"{name} {n}", village=village,
            phone="+37491234567", amount=_price(str(40000 + 1000 * (n % 17)), currency, factor),
            method="cash", state="pending",
        )


def sample_batch(locale: str, count: int = 30) -> BatchData:
    currency = sample_people(locale)[0]
    total = sum((v.amount for v in sample_vouchers(locale, count)), Money.zero(currency))
    return BatchData(
        reference="PAY-AM-2026-00042", created_at=SAMPLE_NOW, created_by="Finance Officer",
        method="cash", state="open", currency=currency, count=count, total=total,
        items=lambda: sample_vouchers(locale, count),
    )


KINDS = ("receipt", "decision-approved", "decision-rejected", "voucher", "batch-list",
         "vouchers", "scheme-report")


def render_sample(kind: str, locale: str, out: BinaryIO) -> None:
    if kind == "receipt":
        render_receipt(sample_receipt(locale), locale, out)
    elif kind == "decision-approved":
        render_decision(sample_decision(locale, "approved"), locale, out)
    elif kind == "decision-rejected":
        render_decision(sample_decision(locale, "rejected"), locale, out)
    elif kind == "voucher":
        render_voucher(next(sample_vouchers(locale, 1)), locale, out)
    elif kind == "batch-list":
        render_batch(sample_batch(locale), locale, out)
    elif kind == "vouchers":
        render_vouchers(sample_batch(locale, 3), locale, out)
    elif kind == "scheme-report":
        from conflict_app.documents import report

        with force_locale(locale):
            data = report.sample_report(locale)
        report.render_scheme_report(data, locale, out)
    else:
        raise ValueError(f"unknown document kind {kind!r}")


def samples(outdir: str | Path) -> list[Path]:
    """Render every kind in every locale from synthetic data (no database) into ``outdir``;
    needs an app context (configuration and catalogues)."""
    target = Path(outdir)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for locale in LOCALES:
        for kind in KINDS:
            path = target / f"{kind}-{locale}.pdf"
            with path.open("wb") as out:
                render_sample(kind, locale, out)
            written.append(path)
    return written
