"""The herder's letters: the receipt and the decision letter, in the herder's language.

Every document kind has a data class in ``contents`` (filled from the database, or with
invented values by ``samples``) and a renderer that writes a PDF to a binary file; vouchers and
batch lists are in ``vouchers``. Renderers run inside ``force_locale(locale)``: every word goes
through gettext, numbers, dates and money through ``conflict_app.i18n`` and ``layout``. Text is
laid out by ``documents.text`` (bidi, HarfBuzz shaping); ReportLab builds the pages.
"""

from __future__ import annotations

from typing import BinaryIO

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Spacer,
    Table,
)

from conflict_app.documents.bidi_text import ltr
from conflict_app.documents.contents import AssessmentRow, DecisionData, LossRow, ReceiptData
from conflict_app.documents.layout import Builder, figure, money, number, percent, rtl_start
from conflict_app.i18n import date_text, datetime_text
from conflict_app.i18n.labels import label


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
    flow += _harm(b, data)
    if data.rows:
        flow += _livestock(b, data)
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


def _livestock(b: Builder, data: DecisionData) -> list[Flowable]:
    flow: list[Flowable] = []
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
    return flow


def _harm(b: Builder, data: DecisionData) -> list[Flowable]:
    """The harm to a person or to crops the claim is for, in plain, respectful words."""
    if data.harm_kind == "human_injury":
        # Translators: decision letter after a person was injured: plain, respectful words
        text = _("Your claim is for an injury to a person, recorded by the verifier as: "
                 "%(category)s. The scheme pays a fixed amount for each category of injury, "
                 "and documented medical costs where the scheme reimburses them.",
                 category=label("severity", data.severity))
    elif data.harm_kind == "human_death":
        # Translators: decision letter after a person was killed: plain, respectful words
        text = _("Your claim is for the death of a person. We are deeply sorry for your "
                 "loss. The scheme pays a fixed ex-gratia amount to the next of kin, "
                 "%(name)s.", name=data.next_of_kin or "")
    elif data.harm_kind == "crop_damage":
        # Translators: printed letter or receipt, legal weight: exact, plain
        text = _("Your claim is for crop damage: the area measured in the field is paid at "
                 "the scheme's rate per hectare of the crop.")
    else:
        return []
    return [b.p(text, b.s.body)]
