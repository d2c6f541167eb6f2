"""Forms of the payment pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField, TextAreaField

from conflict_app.core.forms import ChoiceField, length, optional, required
from conflict_app.i18n.labels import choices


class BatchForm(FlaskForm):
    method = ChoiceField(_l("Payment method"), validators=[required()])

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.method.choices = choices("payment_method")


class PaidForm(FlaskForm):
    reference = StringField(_l("Payment reference"), validators=[required(), length(80)])


class FailedForm(FlaskForm):
    reason = TextAreaField(_l("Why it failed"), validators=[required(), length(500)])


class ExportForm(FlaskForm):
    # The items the user was shown, so that a batch changed meanwhile is not released.
    items = HiddenField(validators=[optional()])

    def item_ids(self) -> list[int] | None:
        raw = (self.items.data or "").split(",")
        if not all(part.strip().isdigit() for part in raw):
            return None  # no list shown (an old page): the export checks nothing more
        return [int(part) for part in raw]


class ConfirmationForm(FlaskForm):
    file = FileField(_l("Confirmation file from the bank or provider (CSV)"),
                     validators=[FileRequired(message=_l("Choose a file."))])


class RecoveryForm(FlaskForm):
    outcome = ChoiceField(_l("Outcome"), validators=[required()])
    note = TextAreaField(_l("Receipt, or why the scheme waives it"),
                         validators=[required(), length(500)])

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.outcome.choices = choices("recovery_state", ("recovered", "waived"))
