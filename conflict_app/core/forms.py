"""Form building blocks with translated messages on every validator.

WTForms ships no messages for several of our languages (I18N-FACTS.md), so each validator
here carries an explicit lazily translated message.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError


def required():  # noqa: ANN201
    return InputRequired(message=_l("This field is required."))


def optional():  # noqa: ANN201
    return Optional()


def length(maximum: int, minimum: int = 0):  # noqa: ANN201
    return Length(min=minimum, max=maximum,
                  message=_l("Use between %(min)d and %(max)d characters."))


def count_field(label, **kw) -> IntegerField:  # noqa: ANN001
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(min=0, max=100000,
                                            message=_l("Enter a whole number from 0 to 100000."))],
        **kw,
    )


class LocalisedDecimalField(DecimalField):
    """A decimal field with a translated parse error (WTForms' own is English-only)."""

    def process_formdata(self, valuelist):  # noqa: ANN001
        if valuelist and valuelist[0].strip():
            raw = valuelist[0].strip().replace(",", ".")
            try:
                self.data = Decimal(raw)
            except ArithmeticError:
                self.data = None
                raise ValueError(_l("Enter a number, for example 12.5.")) from None
            if not self.data.is_finite():
                self.data = None
                raise ValueError(_l("Enter a number, for example 12.5."))
        else:
            self.data = None


class LocalisedIntegerField(IntegerField):
    def process_formdata(self, valuelist):  # noqa: ANN001
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError(_l("Enter a whole number.")) from None
        else:
            self.data = None


def latitude_field(label=None) -> LocalisedDecimalField:  # noqa: ANN001
    return LocalisedDecimalField(
        label or _l("Latitude"), places=None,
        validators=[Optional(), NumberRange(min=-90, max=90,
                                            message=_l("Latitude is between -90 and 90."))],
    )


def longitude_field(label=None) -> LocalisedDecimalField:  # noqa: ANN001
    return LocalisedDecimalField(
        label or _l("Longitude"), places=None,
        validators=[Optional(), NumberRange(min=-180, max=180,
                                            message=_l("Longitude is between -180 and 180."))],
    )


def reason_field(label=None, required_: bool = False) -> TextAreaField:  # noqa: ANN001
    validators = [required() if required_ else Optional(), length(2000)]
    return TextAreaField(label or _l("Reason"), validators=validators)


def text_field(label, maximum: int, required_: bool = False) -> StringField:  # noqa: ANN001
    return StringField(label, validators=[required() if required_ else Optional(),
                                          length(maximum)])


MAX_ID = 2**31 - 1  # database ids are 32-bit; a larger number names nothing


def coerce_int_or_none(value):  # noqa: ANN001, ANN201
    """Select coercion that turns garbage (or an impossible id) into None, never a 500."""
    if value in (None, "", "None"):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def pair_required(first, second) -> None:  # noqa: ANN001
    if (first.data is None) != (second.data is None):
        raise ValidationError(_l("Give both latitude and longitude, or neither."))


class LocalisedDateField(DateField):
    def process_formdata(self, valuelist):  # noqa: ANN001
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date as YYYY-MM-DD.")) from None


class LocalisedTimeField(TimeField):
    def process_formdata(self, valuelist):  # noqa: ANN001
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a time as HH:MM.")) from None


class ChoiceField(SelectField):
    """A select whose "not a valid choice" error is translated."""

    def pre_validate(self, form):  # noqa: ANN001
        if not self.validate_choice or not self.data:
            return
        values = {str(value) for value, *_rest in self.iter_choices()}
        if str(self.data) not in values:
            raise ValidationError(_l("Choose one of the options in the list."))


class MultiChoiceField(SelectMultipleField):
    def pre_validate(self, form):  # noqa: ANN001
        if not self.data:
            return
        values = {str(value) for value, *_rest in self.iter_choices()}
        if any(str(d) not in values for d in self.data):
            raise ValidationError(_l("Choose one of the options in the list."))
