"""The committee meeting form: the date, the minute and one row per member present."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, SelectField, StringField, TextAreaField

from conflict_app.core.errors import N_, InvalidInput
from conflict_app.core.forms import LocalisedDateField, length, optional, required
from conflict_app.verification.committee import VOTE_TEXT, Vote

ROWS = 9  # empty rows offered; a committee rarely has more members present


def _vote_choices() -> list[tuple[str, str]]:
    return [(v.value, _l(VOTE_TEXT[v])) for v in Vote]


class MemberRow(Form):
    name = StringField(_l("Name"), validators=[optional(), length(120)])
    role = StringField(_l("Role"), validators=[optional(), length(120)])
    # Checked in ``filled``: the empty rows have no vote to check.
    vote = SelectField(_l("Vote"), choices=_vote_choices, validate_choice=False)


class MeetingForm(FlaskForm):
    held_on = LocalisedDateField(_l("Date of the meeting"), validators=[required()])
    minute = TextAreaField(_l("Minute"), validators=[required(), length(4000)])
    members = FieldList(FormField(MemberRow), min_entries=ROWS, max_entries=ROWS)

    def filled(self) -> list[tuple[str, str, Vote]]:
        """The rows with a name or a role; a half-filled row is refused by the operation."""
        rows = [row.form for row in self.members
                if (row.form.name.data or "").strip() or (row.form.role.data or "").strip()]
        if any(row.vote.data not in set(Vote) for row in rows):
            raise InvalidInput(N_("Choose one of the options in the list."))
        return [(row.name.data or "", row.role.data or "", Vote(row.vote.data)) for row in rows]
