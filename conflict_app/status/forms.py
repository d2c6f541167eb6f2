"""Herders' forms: short, few fields, every message translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import NumberRange, ValidationError

from conflict_app.claims.models import REPORTABLE_AGE_CLASSES
from conflict_app.core.forms import (
    ChoiceField,
    DigitsField,
    LocalisedDateField,
    LocalisedIntegerField,
    PhoneField,
    coerce_int_or_none,
    latitude_field,
    length,
    longitude_field,
    optional,
    required,
)
from conflict_app.i18n.labels import choices

# Translators: herder's report form: plain words, one polite 'you'
BLANK = [("", _l("Choose…"))]


def _count(label):  # noqa: ANN001, ANN202
    return LocalisedIntegerField(label, validators=[
        optional(), NumberRange(min=0, max=2000,
                                # Translators: herder's report form: plain words, one polite 'you'
                                message=_l("Enter a number from 0 to 2000."))])


class PublicReportForm(FlaskForm):
    # Translators: herder's report form: plain words, one polite 'you'
    name = StringField(_l("Your name"), validators=[required(), length(160)])
    # Translators: herder's report form: plain words, one polite 'you'
    phone = PhoneField(_l("Your phone number"), validators=[required(), length(30)])
    # Translators: herder's report form: plain words, one polite 'you'
    village_id = ChoiceField(_l("Village"), coerce=coerce_int_or_none,
                             validators=[required()])
    latitude = latitude_field()
    longitude = longitude_field()
    # Translators: herder's report form: plain words, one polite 'you'
    occurred_on = LocalisedDateField(_l("Day of the attack"), validators=[required()])
    # Translators: herder's report form: plain words, one polite 'you'
    part_of_day = ChoiceField(_l("Time of day"), validators=[required()])
    # Translators: herder's report form: plain words, one polite 'you'
    setting = ChoiceField(_l("Where were the animals?"), validators=[required()])
    # Translators: herder's report form: plain words, one polite 'you'
    species = ChoiceField(_l("Animal"), validators=[required()])
    # Translators: herder's report form: plain words, one polite 'you'
    age_class = ChoiceField(_l("Age"), validators=[required()])
    # Translators: herder's report form: plain words, one polite 'you'
    killed = _count(_l("How many killed"))
    # Translators: herder's report form: plain words, one polite 'you'
    injured = _count(_l("How many injured"))
    # Translators: herder's report form: plain words, one polite 'you'
    species_2 = ChoiceField(_l("Another animal (optional)"), validators=[optional()])
    # Translators: herder's report form: plain words, one polite 'you'
    age_class_2 = ChoiceField(_l("Age"), validators=[optional()])
    # Translators: herder's report form: plain words, one polite 'you'
    killed_2 = _count(_l("How many killed"))
    # Translators: herder's report form: plain words, one polite 'you'
    injured_2 = _count(_l("How many injured"))
    # Translators: herder's report form: plain words, one polite 'you'
    photo = FileField(_l("Photo (optional)"))

    def __init__(self, villages, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        # Translators: herder's report form: plain words, one polite 'you'
        self.village_id.choices = [("", _l("Choose…"))] + [(v.id, v.label) for v in villages]
        self.part_of_day.choices = BLANK + choices("part_of_day")
        self.setting.choices = BLANK + choices("setting")
        self.species.choices = BLANK + choices("species")
        self.species_2.choices = BLANK + choices("species")
        self.age_class.choices = BLANK + choices("age_class", REPORTABLE_AGE_CLASSES)
        self.age_class_2.choices = BLANK + choices("age_class", REPORTABLE_AGE_CLASSES)

    def validate_killed(self, field) -> None:  # noqa: ANN001
        if not (field.data or 0) + (self.injured.data or 0):
            # Translators: herder's report form: plain words, one polite 'you'
            raise ValidationError(_l("Give at least one animal killed or injured."))

    def validate_killed_2(self, field) -> None:  # noqa: ANN001
        if self.species_2.data and not (field.data or 0) + (self.injured_2.data or 0):
            # Translators: herder's report form: plain words, one polite 'you'
            raise ValidationError(_l("Give at least one animal killed or injured."))
        if self.species_2.data and not self.age_class_2.data:
            # Translators: herder's report form: plain words, one polite 'you'
            raise ValidationError(_l("Choose the age."))

    def validate_longitude(self, field) -> None:  # noqa: ANN001
        if (self.latitude.data is None) != (field.data is None):
            # Translators: herder's report form: plain words, one polite 'you'
            raise ValidationError(_l("Give both latitude and longitude, or neither."))


class StatusForm(FlaskForm):
    # Translators: herder's report form: plain words, one polite 'you'
    reference = StringField(_l("Claim reference"), validators=[required(), length(30)])
    # Translators: herder's report form: plain words, one polite 'you'
    pin = DigitsField(_l("PIN"), validators=[required(), length(12)])


class ResendPinForm(FlaskForm):
    """A new PIN by SMS to the phone registered for the claim; the reference only."""

    # Translators: herder's report form: plain words, one polite 'you'
    reference = StringField(_l("Claim reference"), validators=[required(), length(30)])
