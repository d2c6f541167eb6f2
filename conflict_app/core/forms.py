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
from wtforms.fields.choices import Choice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import DateInput, TextInput

from conflict_app.core import inputs


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "en")


class NumberText(TextInput):
    """A text box, not ``type=number``: browsers refuse native digits and «0,75» there.
    ``inputmode`` still brings up the digit keyboard on phones."""

    def __init__(self, mode: str = "decimal") -> None:
        super().__init__()
        self.mode = mode

    def __call__(self, field, **kwargs):  # noqa: ANN001, ANN003, ANN204
        kwargs.setdefault("inputmode", self.mode)
        kwargs.setdefault("dir", "ltr")
        return super().__call__(field, **kwargs)


def required():  # noqa: ANN201
    return InputRequired(message=_l("This field is required."))


def optional():  # noqa: ANN201
    return Optional()


def length(maximum: int, minimum: int = 0):  # noqa: ANN201
    return Length(min=minimum, max=maximum,
                  message=_l("Use between %(min)d and %(max)d characters."))


def count_field(label, **kw) -> IntegerField:  # noqa: ANN001
    return LocalisedIntegerField(
        label,
        validators=[Optional(), NumberRange(min=0, max=100000,
                                            message=_l("Enter a whole number from 0 to 100000."))],
        **kw,
    )


class LocalisedDecimalField(DecimalField):
    """A decimal typed as the user writes it: any digits, the locale's separators
    (``core.inputs``); shown back in the locale's format; a translated parse error."""

    widget = NumberText("decimal")

    def process_formdata(self, valuelist):  # noqa: ANN001
        self.data = None
        if valuelist:
            try:
                self.data = inputs.parse_number(valuelist[0], _locale())
            except ValueError:
                raise ValueError(_l("Enter a number, for example 12.5.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, Decimal | int):
            return inputs.plain_number(self.data, _locale())
        return ""


class LocalisedIntegerField(IntegerField):
    """A whole number in any digits, with or without the locale's group separators."""

    widget = NumberText("numeric")

    def process_formdata(self, valuelist):  # noqa: ANN001
        self.data = None
        if valuelist:
            try:
                self.data = inputs.parse_integer(valuelist[0], _locale())
            except ValueError:
                raise ValueError(_l("Enter a whole number.")) from None


class DigitsField(StringField):
    """A code typed in any digits (a PIN): kept as Latin digits, without the spaces, dashes
    or points people put between groups («482 913» is the PIN 482913, not a wrong guess)."""

    widget = NumberText("numeric")

    def process_formdata(self, valuelist):  # noqa: ANN001
        self.data = inputs.compact_code(valuelist[0]) if valuelist else None


class PhoneField(StringField):
    """A phone number as typed (national format, spaces, any digits). The operation that
    stores it reads it with the country's rules (``inputs.parse_phone``) into E.164."""

    widget = NumberText("tel")

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        kwargs.setdefault("render_kw", {}).setdefault("autocomplete", "tel")
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):  # noqa: ANN001
        self.data = inputs.clean(valuelist[0]) if valuelist else None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return inputs.display_phone(self.data) if self.data else ""


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


class _DateWidget(DateInput):
    """The browser's date picker for Gregorian dates; a text box for a Solar Hijri date
    (browsers have no picker for it), with the digit keyboard on phones."""

    def __call__(self, field, **kwargs):  # noqa: ANN001, ANN003, ANN204
        if _solar_hijri():
            kwargs.setdefault("inputmode", "numeric")
            kwargs.setdefault("dir", "ltr")
            kwargs.setdefault("autocomplete", "off")
            return TextInput()(field, **kwargs)
        return super().__call__(field, **kwargs)


def _solar_hijri() -> bool:
    from flask import has_request_context

    from conflict_app.i18n import calendar

    return has_request_context() and calendar() == "solar_hijri"


SOLAR_HIJRI_EXAMPLE = "۱۴۰۵/۰۹/۰۳"


class LocalisedDateField(DateField):
    """A date in any digits; in the Solar Hijri calendar for the Persian and Dari users who
    chose it (``1405/09/03``, or any of ``-`` ``.`` between the parts), read and shown in
    that calendar and stored as the Gregorian day."""

    widget = _DateWidget()

    def process_formdata(self, valuelist):  # noqa: ANN001
        if _solar_hijri() and valuelist:
            self.data = inputs.parse_solar_hijri(valuelist[0])
            if self.data is None and inputs.clean(valuelist[0]):
                raise ValueError(_l("Enter a date in the Solar Hijri calendar, for example "
                                    "%(example)s.", example=SOLAR_HIJRI_EXAMPLE))
            return
        try:
            super().process_formdata([inputs.clean(v) for v in valuelist or []])
        except ValueError:
            raise ValueError(_l("Enter a date as YYYY-MM-DD.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is not None and _solar_hijri():
            from conflict_app.i18n import digits

            return digits(inputs.solar_hijri_text(self.data))
        return super()._value()


class LocalisedTimeField(TimeField):
    def process_formdata(self, valuelist):  # noqa: ANN001
        try:
            super().process_formdata([inputs.clean(v) for v in valuelist or []])
        except ValueError:
            raise ValueError(_l("Enter a time as HH:MM.")) from None


class ChoiceField(SelectField):
    """A select whose "not a valid choice" error is translated.

    A required select starts with an empty "Choose…" option (HTML requires such a
    placeholder, and nothing is chosen for the user by accident); a value the form already
    holds stays selected."""

    def iter_choices(self):  # noqa: ANN201
        options = super().iter_choices()
        if self.flags.required and not self.has_groups() and (
                not options or options[0].value not in ("", None)):
            options = [Choice(value="", label=_l("Choose…"), selected=False, render_kw={}),
                       *options]
        return options

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


def labelled_error(error: str | None, labels: dict) -> tuple[str, str]:
    """A stored error ``code: technical detail`` as the translated reason of its code and
    the detail; an unknown code is shown whole, untranslated (it is technical)."""
    if not error:
        return "", ""
    code, _sep, detail = error.partition(": ")
    label = labels.get(code)
    return (str(label), detail) if label is not None else ("", error)
