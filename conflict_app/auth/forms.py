"""Forms for signing in, the own account, and the administration of users and places."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from conflict_app.core.forms import (
    ChoiceField,
    MultiChoiceField,
    coerce_int_or_none,
    latitude_field,
    length,
    longitude_field,
    optional,
    pair_required,
    required,
    text_field,
)
from conflict_app.core.permissions import Role
from conflict_app.i18n import LOCALES, native_name
from conflict_app.i18n.labels import choices

# The value of the jurisdiction (and place) selects: "*" the whole range, "AM" a country,
# "AM:12" an area of it. One select works without JavaScript; the operation checks that the
# area belongs to the country, whatever a tampered form says.
WHOLE_RANGE = "*"
_PLACE = re.compile(r"^([A-Z]{2})(?::([0-9]{1,9}))?$")


def place_value(country_code: str | None, area_id: int | None) -> str:
    if country_code is None:
        return WHOLE_RANGE
    return f"{country_code}:{area_id}" if area_id is not None else country_code


def parse_place(value: str | None) -> tuple[str | None, int | None] | None:
    """(country, area id) from a select value, or None when it is not one of ours."""
    if value == WHOLE_RANGE:
        return None, None
    match = _PLACE.match(value or "")
    if not match:
        return None
    return match.group(1), int(match.group(2)) if match.group(2) else None


def _validate_place(form, field) -> None:  # noqa: ANN001
    if parse_place(field.data) is None:
        raise ValidationError(_l("Choose one of the options in the list."))


def password_field(label, required_: bool) -> PasswordField:  # noqa: ANN001
    # The length rule is repeated in the operation (check_password_rules), which also
    # refuses common passwords; the form catches the obvious case before a round trip.
    return PasswordField(label, validators=[
        required() if required_ else optional(),
        Length(min=12, max=256,
               message=_l("Use between %(min)d and %(max)d characters.")),
    ])


def _locale_choices() -> list[tuple[str, str]]:
    return [(code, native_name(code)) for code in LOCALES]


class LoginForm(FlaskForm):
    email = StringField(_l("Email"), validators=[required(), length(254)])
    # No length minimum here: a wrong password gets the same answer as any other.
    password = PasswordField(_l("Password"), validators=[required(), length(1024)])


class LanguageForm(FlaskForm):
    locale = ChoiceField(_l("Language of the pages"), validators=[required()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.locale.choices = _locale_choices()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[required(), length(1024)])
    new_password = password_field(_l("New password"), required_=True)
    confirm_password = PasswordField(_l("New password again"), validators=[
        required(),
        EqualTo("new_password", message=_l("The two new passwords are not the same.")),
    ])


class UserForm(FlaskForm):
    name = text_field(_l("Name"), 120, required_=True)
    email = StringField(_l("Email"), validators=[required(), length(254)])
    roles = MultiChoiceField(
        _l("Roles"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    jurisdiction = ChoiceField(_l("Jurisdiction"), validators=[required(), _validate_place],
                               validate_choice=False)
    locale = ChoiceField(_l("Language"), validators=[required()])
    active = BooleanField(_l("Account active (may sign in)"), default=True)
    new_password = password_field(_l("Password"), required_=False)

    def __init__(self, places: list[tuple[str, str]], *args, new: bool = False,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.roles.choices = choices("role", list(Role))
        self.jurisdiction.choices = places
        self.locale.choices = _locale_choices()
        if new:
            self.new_password.validators = [required(), *self.new_password.validators[1:]]
            self.new_password.flags.required = True

    @property
    def place(self) -> tuple[str | None, int | None]:
        return parse_place(self.jurisdiction.data) or (None, None)


class AreaForm(FlaskForm):
    place = ChoiceField(_l("Where"), validators=[required(), _validate_place],
                        validate_choice=False)
    name = text_field(_l("Name"), 120, required_=True)
    local_name = text_field(_l("Name in the country's own language (optional)"), 120)
    region = ChoiceField(_l("Leopard region"), validators=[optional()])

    def __init__(self, places: list[tuple[str, str]], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.place.choices = places
        self.region.choices = [("", _l("Same as the province, or none"))] + choices("region")

    def validate_place(self, field) -> None:  # noqa: ANN001
        if field.data == WHOLE_RANGE:
            raise ValidationError(_l("Choose one of the options in the list."))


class VillageForm(FlaskForm):
    name = text_field(_l("Name of the village"), 120, required_=True)
    local_name = text_field(_l("Name in the country's own language (optional)"), 120)
    area_id = ChoiceField(_l("Province or district"), coerce=coerce_int_or_none,
                          validators=[required()], validate_choice=False)
    latitude = latitude_field()
    longitude = longitude_field()
    protected_area = text_field(_l("Protected area nearby (optional)"), 120)

    def __init__(self, areas: list[tuple[int, str]], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.area_id.choices = [("", _l("Choose…")), *areas]

    def validate_latitude(self, field) -> None:  # noqa: ANN001
        pair_required(self.latitude, self.longitude)


class CodeForm(FlaskForm):
    code = StringField(_l("6-digit code from your authenticator app"),
                       validators=[required(), length(12)])


class TwoFactorForm(FlaskForm):
    """Setting up or replacing the authenticator key: the password and the code of the key
    in use (if any) first, then a code of the new key."""

    password = PasswordField(_l("Password"), validators=[required(), length(256)])
    current_code = StringField(_l("6-digit code of the authenticator app in use now"),
                               validators=[optional(), length(12)])
    code = StringField(_l("6-digit code from your authenticator app"),
                       validators=[required(), length(12)])


class ReauthForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[required(), length(256)])
    code = StringField(_l("6-digit code (if two-factor sign-in is on)"),
                       validators=[optional(), length(12)])


class TokenForm(FlaskForm):
    name = StringField(_l("Name of the token (what uses it)"),
                       validators=[required(), length(80)])
    scopes = MultiChoiceField(_l("What the token may do"), validators=[required()],
                              widget=ListWidget(prefix_label=False),
                              option_widget=CheckboxInput())
    days = ChoiceField(_l("Valid for"), validators=[required()], default="90")

    def __init__(self, scopes: list[tuple[str, str]], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scopes.choices = scopes
        self.days.choices = [("30", _l("30 days")), ("90", _l("90 days")),
                             ("365", _l("365 days"))]


class TokenRevokeForm(FlaskForm):
    pass
