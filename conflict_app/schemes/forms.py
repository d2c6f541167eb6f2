"""Market price form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import NumberRange

from conflict_app.claims.models import REPORTABLE_AGE_CLASSES
from conflict_app.core.forms import (
    ChoiceField,
    LocalisedDateField,
    LocalisedDecimalField,
    required,
)
from conflict_app.core.money import CURRENCIES
from conflict_app.i18n.labels import choices


class PriceForm(FlaskForm):
    country = ChoiceField(_l("Country"), validators=[required()])
    species = ChoiceField(_l("Species"), validators=[required()])
    age_class = ChoiceField(_l("Age and sex"), validators=[required()])
    amount = LocalisedDecimalField(_l("Market value of one head"), places=None, validators=[
        required(), NumberRange(min=0.01, max=10**12,
                                message=_l("Enter a positive amount."))])
    currency = ChoiceField(_l("Currency"), validators=[required()])
    valid_from = LocalisedDateField(_l("Valid from"), validators=[required()])

    def __init__(self, countries, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.country.choices = [(c.code, c.name) for c in countries]
        self.species.choices = choices("species")
        self.age_class.choices = choices("age_class", REPORTABLE_AGE_CLASSES)
        self.currency.choices = [(c, c) for c in CURRENCIES]
