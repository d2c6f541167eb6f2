"""The sentences of a decision letter that tell the herder what is paid, from the claim's
settled figures (``status.figures``): a pool's pro-rata share and its shortfall, the interim
part, the payment made and its interest. The same figures as the texts and the status page.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from conflict_app.documents.bidi_text import ltr


def sentences(figs, money: Callable, date_text: Callable,  # noqa: ANN001
              percent: Callable) -> list[str]:
    out: list[str] = []
    if figs is None:
        # Translators: printed letter or receipt, legal weight: exact, plain
        return [_("You will be told when the payment is made.")]
    if figs.shortfall:
        # Translators: printed letter or receipt, legal weight: exact, plain
        out.append(_("The insurance fund could not pay all approved claims of this period in "
                     "full. You receive %(paid)s of the %(approved)s approved (%(share)s); "
                     "%(shortfall)s cannot be paid.", paid=money(figs.settled),
                     approved=money(figs.approved), share=percent(figs.settled_share),
                     shortfall=money(figs.shortfall)))
    if figs.interim:
        if figs.paid:
            # Translators: printed letter or receipt, legal weight: exact, plain
            out.append(_("A first part of %(amount)s was paid on %(date)s.",
                         amount=money(figs.interim), date=date_text(figs.interim_paid_at)))
        else:
            # Translators: printed letter or receipt, legal weight: exact, plain
            out.append(_("A first part of %(amount)s was paid on %(date)s; the rest, "
                         "%(rest)s, follows.", amount=money(figs.interim),
                         date=date_text(figs.interim_paid_at), rest=money(figs.rest)))
    if figs.paid:
        # Translators: printed letter or receipt, legal weight: exact, plain
        out.append(_("%(amount)s was paid on %(date)s (payment reference %(reference)s).",
                     amount=money(figs.paid), date=date_text(figs.paid_at),
                     reference=ltr(figs.payment_reference or "")))
        if figs.interest:
            # Translators: printed letter or receipt, legal weight: exact, plain
            out.append(_("This includes %(amount)s interest for the late payment.",
                         amount=money(figs.interest)))
    else:
        # Translators: printed letter or receipt, legal weight: exact, plain
        out.append(_("You will be told when the payment is made."))
    return out
