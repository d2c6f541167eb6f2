"""Payment vouchers (one, or every voucher of a batch, three to a page with cut lines) and
the batch list, streamed page by page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Spacer,
    Table,
)

from conflict_app.documents.bidi_text import ltr
from conflict_app.documents.contents import BatchData, VoucherData
from conflict_app.documents.layout import LINE, Builder, money, number
from conflict_app.i18n import datetime_text
from conflict_app.i18n.labels import label


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


def render_vouchers(data: BatchData, locale: str, out: BinaryIO,
                    progress: Callable[[int], None] | None = None) -> None:
    """Every voucher of a batch, three to an A4 page with cut lines, streamed;
    ``progress`` hears how many are laid out so far (a job's progress bar)."""
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
                if progress is not None and count % 50 == 0:
                    progress(count)
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
