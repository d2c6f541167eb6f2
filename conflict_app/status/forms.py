"""Herders' forms: short, few fields, every message translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, RadioInput

from conflict_app.claims.models import REPORTABLE_AGE_CLASSES
from conflict_app.core.forms import (
    ChoiceField,
    DigitsField,
    LocalisedDateField,
    LocalisedIntegerField,
    MultiChoiceField,
    PhoneField,
    coerce_int_or_none,
    latitude_field,
    length,
    longitude_field,
    optional,
    required,
)
from conflict_app.i18n.labels import choices
from conflict_app.schemes.harm import CROPS, HarmKind

# Translators: herder's report form: plain words, one polite 'you'
BLANK = [("", _l("Choose…"))]


def _count(label):  # noqa: ANN001, ANN202
    return LocalisedIntegerField(label, validators=[
        optional(), NumberRange(min=0, max=2000,
                                # Translators: herder's report form: plain words, one polite 'you'
                                message=_l("Enter a number from 0 to 2000."))])


OTHER_VILLAGE = "other"
LIVESTOCK, CROPS_HARMED = "livestock", HarmKind.CROP_DAMAGE.value
HARMED = (
    # Translators: herder's report form: plain words, one polite 'you'
    (LIVESTOCK, _l("My animals")),
    # Translators: herder's report form: plain words, one polite 'you'
    (CROPS_HARMED, _l("My crops")),
)
# Asked about animals only: a crop report leaves them empty.
ANIMAL_QUESTIONS = ("setting", "species", "age_class", "protection")
PROTECTION = (
    # Translators: herder's report form: plain words, one polite 'you'
    ("corral", _l("In a closed corral")),
    # Translators: herder's report form: plain words, one polite 'you'
    ("dog", _l("A guarding dog was with them")),
    # Translators: herder's report form: plain words, one polite 'you'
    ("shepherd", _l("A shepherd was with them")),
    # Translators: herder's report form: plain words, one polite 'you'
    ("none", _l("No protection")),
)


def _village_choice(value):  # noqa: ANN001, ANN202
    return OTHER_VILLAGE if value == OTHER_VILLAGE else coerce_int_or_none(value)


class PublicReportForm(FlaskForm):
    """Every check that does not need the database runs here, so all errors come in one
    round; ``zone`` is the country's time zone (the day of the attack is a local day)."""

    # Translators: herder's report form: plain words, one polite 'you'
    name = StringField(_l("Your name"), validators=[required(), length(160)])
    # Translators: herder's report form: plain words, one polite 'you'
    phone = PhoneField(_l("Your phone number"), validators=[required(), length(30)])
    # Translators: herder's report form: plain words, one polite 'you'
    village_id = ChoiceField(_l("Village"), coerce=_village_choice,
                             validators=[required()])
    # Translators: herder's report form: plain words, one polite 'you'
    village_name = StringField(_l("Name of your village"), validators=[optional(), length(120)])
    # Translators: herder's report form: plain words, one polite 'you'
    province_id = ChoiceField(_l("Province"), coerce=coerce_int_or_none,
                              validators=[optional()])
    latitude = latitude_field()
    longitude = longitude_field()
    # Translators: herder's report form: plain words, one polite 'you'
    occurred_on = LocalisedDateField(_l("Day of the attack"), validators=[required()])
    # Translators: herder's report form: plain words, one polite 'you'
    part_of_day = ChoiceField(_l("Time of day"), validators=[required()])
    # Translators: herder's report form: plain words, one polite 'you'
    setting = ChoiceField(_l("Where were the animals?"), validators=[required()])
    # Offered only where a scheme of the country pays for crop damage (see ``__init__``).
    # Translators: herder's report form: plain words, one polite 'you'
    harm_kind = ChoiceField(_l("What did the leopard harm?"), validators=[optional()],
                            default=LIVESTOCK,
                            widget=ListWidget(prefix_label=False), option_widget=RadioInput())
    # Translators: herder's report form: plain words, one polite 'you'
    crop = ChoiceField(_l("Which crop"), validators=[optional()])
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
    protection = MultiChoiceField(_l("How were the animals protected?"),
                                  validators=[required()], widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput())
    # Translators: herder's report form: plain words, one polite 'you'
    photo = FileField(_l("Photo (optional)"))

    def __init__(self, villages, provinces=(), zone=None, country=None,  # noqa: ANN001
                 *args, crops: bool = False, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.zone, self.country, self.phone_e164 = zone, country, None
        # Injury or death of a person is not offered here: see ``crops_offered``.
        self.harm_kind.choices = list(HARMED if crops else HARMED[:1])
        self.crop.choices = BLANK + choices("crop", CROPS)
        self.protection.choices = list(PROTECTION)
        # Translators: herder's report form: plain words, one polite 'you'
        self.village_id.choices = [("", _l("Choose…"))] + [(v.id, v.label) for v in villages]
        # Translators: herder's report form: plain words, one polite 'you'
        self.village_id.choices.append((OTHER_VILLAGE, _l("My village is not in the list")))
        # Translators: herder's report form: plain words, one polite 'you'
        self.province_id.choices = [("", _l("Choose…"))] + [
            (a.id, a.display_name) for a in provinces]
        self.part_of_day.choices = BLANK + choices("part_of_day")
        self.setting.choices = BLANK + choices("setting")
        self.species.choices = BLANK + choices("species")
        self.species_2.choices = BLANK + choices("species")
        self.age_class.choices = BLANK + choices("age_class", REPORTABLE_AGE_CLASSES)
        self.age_class_2.choices = BLANK + choices("age_class", REPORTABLE_AGE_CLASSES)

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        """Counts left empty are flagged with the rest (an empty box skips its own
        validators, so the check runs here). A crop report answers no animal question."""
        if self.crops_harmed:
            for name in ANIMAL_QUESTIONS:
                getattr(self, name).validators = [optional()]
        valid = super().validate(extra_validators)
        if self.crops_harmed:
            if not self.crop.data and not self.crop.errors:
                # Translators: herder's report form: plain words, one polite 'you'
                self.crop.errors = [*self.crop.errors, _l("Choose the crop.")]
                valid = False
            return valid
        # Translators: herder's report form: plain words, one polite 'you'
        wanted = _l("Give at least one animal killed or injured.")
        if not self.killed.errors and not (self.killed.data or 0) + (self.injured.data or 0):
            self.killed.errors = [*self.killed.errors, wanted]
            valid = False
        if self.species_2.data and not self.killed_2.errors:
            if not (self.killed_2.data or 0) + (self.injured_2.data or 0):
                self.killed_2.errors = [*self.killed_2.errors, wanted]
                valid = False
            if not self.age_class_2.data and not self.age_class_2.errors:
                # Translators: herder's report form: plain words, one polite 'you'
                self.age_class_2.errors = [*self.age_class_2.errors, _l("Choose the age.")]
                valid = False
        return valid

    @property
    def crops_harmed(self) -> bool:
        return self.harm_kind.data == CROPS_HARMED and len(self.harm_kind.choices) > 1

    def validate_phone(self, field) -> None:  # noqa: ANN001
        """Read with the country's rules now, so a mistyped number is flagged in the same
        round as everything else."""
        from conflict_app.core.errors import DomainError
        from conflict_app.herders.operations import normalise_phone

        if not field.data or not self.country:
            return
        try:
            self.phone_e164 = normalise_phone(field.data, self.country)
        except DomainError as err:
            raise ValidationError(err.translated()) from None

    def validate_village_name(self, field) -> None:  # noqa: ANN001
        if self.village_id.data == OTHER_VILLAGE and not (field.data or "").strip():
            # Translators: herder's report form: plain words, one polite 'you'
            raise ValidationError(_l("Enter the name of your village."))

    def validate_province_id(self, field) -> None:  # noqa: ANN001
        if self.village_id.data == OTHER_VILLAGE and not field.data:
            # Translators: herder's report form: plain words, one polite 'you'
            raise ValidationError(_l("Choose the province of your village."))

    def validate_occurred_on(self, field) -> None:  # noqa: ANN001
        from conflict_app.claims.intake import EARLIEST_INCIDENT
        from conflict_app.geo import timezones

        if field.data is None or self.zone is None:
            return
        if field.data > timezones.today_in(self.zone):
            # Translators: herder's report form: plain words, one polite 'you'
            raise ValidationError(_l("The incident date cannot be in the future."))
        if field.data < EARLIEST_INCIDENT:
            # Translators: herder's report form: plain words, one polite 'you'
            raise ValidationError(_l("The incident date must be in the year 2000 or later."))

    def validate_protection(self, field) -> None:  # noqa: ANN001
        if "none" in (field.data or []) and len(field.data) > 1:
            # Translators: herder's report form: plain words, one polite 'you'
            raise ValidationError(_l("\u201cNo protection\u201d cannot go with another "
                                     "answer."))

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
