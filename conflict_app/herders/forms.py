"""Household registration form."""

from __future__ import annotations

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import NumberRange

from conflict_app.core import clock
from conflict_app.core.forms import (
    ChoiceField,
    LocalisedIntegerField,
    PhoneField,
    coerce_int_or_none,
    count_field,
    latitude_field,
    length,
    longitude_field,
    optional,
    required,
    text_field,
)
from conflict_app.herders.models import Species
from conflict_app.i18n import LOCALES, native_name
from conflict_app.i18n.labels import label


class HouseholdForm(FlaskForm):
    head_name = text_field(_l("Head of household"), 160, required_=True)
    phone = PhoneField(_l("Phone"), validators=[optional(), length(30)])
    national_id = text_field(_l("National ID (optional)"), 40)
    village_id = ChoiceField(_l("Village"), coerce=coerce_int_or_none,
                             validators=[required()], validate_choice=False)
    language = ChoiceField(_l("Preferred language"), validators=[required()])
    latitude = latitude_field()
    longitude = longitude_field()
    census_year = LocalisedIntegerField(
        _l("Census year"),
        validators=[required(), NumberRange(min=1950, max=2200,
                                            message=_l("Enter a year between 1950 and 2200."))],
        default=lambda: clock.today().year,
    )

    def __init__(self, villages, *args, **kwargs):  # noqa: ANN001
        super().__init__(*args, **kwargs)
        self.village_id.choices = [("", _l("Choose…"))] + [(v.id, v.label) for v in villages]
        self.language.choices = [(code, native_name(code)) for code in LOCALES]

    def census_fields(self):  # noqa: ANN201
        return [getattr(self, f"census_{s.value}") for s in Species]


def _census_label(species: Species) -> LazyString:
    return LazyString(lambda: gettext("%(species)s (heads)", species=label("species", species)))


for _species in Species:
    setattr(HouseholdForm, f"census_{_species.value}", count_field(_census_label(_species)))


class EraseForm(FlaskForm):
    reason = TextAreaField(_l("Reason for erasing (for example: the herder asked)"),
                           validators=[required(), length(500)])


class PayoutForm(FlaskForm):
    """Where the household is paid: bank account or IBAN, mobile-money wallet."""

    account_holder = text_field(_l("Account holder (if not the head of household)"), 160)
    iban = text_field(_l("IBAN"), 42)
    bank_account = text_field(_l("Bank account number (where banks have no IBAN)"), 42)
    bank_name = text_field(_l("Bank"), 120)
    wallet_number = PhoneField(_l("Mobile-money wallet number"),
                               validators=[optional(), length(30)])
    wallet_provider = text_field(_l("Mobile-money provider"), 60)
