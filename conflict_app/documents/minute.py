"""The minute of a committee meeting, in the reader's language: the claim, who was present
with their role and vote, the tally against the scheme's quorum and the minute text.

It carries the members' names, so it is served only to staff who may open the claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO

from flask_babel import force_locale, get_locale, pgettext
from flask_babel import gettext as _
from reportlab.platypus import Flowable, Spacer

from conflict_app.documents.bidi_text import ltr
from conflict_app.documents.contents import reference_of
from conflict_app.documents.layout import Builder, number, safe_filename
from conflict_app.i18n import date_text
from conflict_app.verification import committee
from conflict_app.verification.committee import Tally, Vote

__all__ = ["MinuteData", "minute_data", "render_minute", "safe_filename", "user_locale"]


@dataclass
class MinuteData:
    reference: str
    village: str
    occurred_on: date
    held_on: date
    minute: str
    tally: Tally
    members: list[tuple[str, str, Vote]] = field(default_factory=list)


def user_locale() -> str:
    return str(get_locale())


def minute_data(claim, meeting) -> MinuteData:  # noqa: ANN001
    return MinuteData(
        reference=reference_of(claim), village=claim.incident.village.label,
        occurred_on=claim.incident.occurred_on, held_on=meeting.held_on,
        minute=meeting.minute, tally=meeting.tally,
        members=[(m.name, m.role, m.vote) for m in meeting.members])


def render_minute(data: MinuteData, locale: str, out: BinaryIO) -> None:
    with force_locale(locale):
        title = _("Minute of the committee meeting")
        b = Builder(locale, title, data.reference)
        outcome = (committee.CONFIRMED_TEXT if data.tally.confirmed
                   else committee.NOT_CONFIRMED_TEXT)
        flow: list[Flowable] = [
            b.p(title, b.s.title),
            b.facts([
                (_("Claim reference"), ltr(data.reference)),
                (_("Village"), data.village),
                (_("Incident date"), date_text(data.occurred_on)),
                (_("Date of the meeting"), date_text(data.held_on)),
            ]),
            b.p(_("Members present"), b.s.h2),
            b.table([pgettext("column header", "Name"), pgettext("column header", "Role"),
                     pgettext("column header", "Vote")],
                    [[name, role, _(committee.VOTE_TEXT[vote])]
                     for name, role, vote in data.members], [0.4, 0.3, 0.3]),
            Spacer(1, 6),
            b.p(_(committee.TALLY_TEXT, **committee.tally_params(data.tally, number))),
            b.p(_(outcome), b.s.h2),
            b.p(_("Minute"), b.s.h2),
            *[b.p(para) for para in data.minute.splitlines() if para.strip()],
        ]
        b.build(out, flow, subject=title)
