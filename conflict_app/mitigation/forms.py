"""Form for recording a mitigation measure."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import NumberRange

from conflict_app.core.forms import (
    ChoiceField,
    LocalisedDateField,
    LocalisedDecimalField,
    length,
    optional,
    required,
)
from conflict_app.core.money import CURRENCIES
from conflict_app.i18n.labels import choices


class MeasureForm(FlaskForm):
    measure = ChoiceField(_l("Measure"), validators=[required()])
    installed_on = LocalisedDateField(_l("Installed on"), validators=[required()])
    verified_on = LocalisedDateField(_l("Installation verified on"), validators=[optional()])
    removed_on = LocalisedDateField(_l("Removed on"), validators=[optional()])
    cost = LocalisedDecimalField(_l("Cost"), places=None, validators=[
        optional(), NumberRange(min=0, max=10**9, message=_l("Enter an amount of 0 or more."))])
    currency = ChoiceField(_l("Currency"), validators=[optional()])
    funder = StringField(_l("Funder"), validators=[optional(), length(160)])
    assignment = ChoiceField(_l("Assigned by"), validators=[optional()])
    assignment_method = StringField(_l("How the draw was made"),
                                    validators=[optional(), length(160)])

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.measure.choices = choices("measure")
        self.currency.choices = [("", "—")] + [(c, c) for c in CURRENCIES]
        self.assignment.choices = [
            ("", _l("The household's own choice")),
            ("household", _l("A random draw of households")),
            ("village", _l("A random draw of villages"))]
