"""Forms for reporting an incident and for acting on a claim."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, ValidationError

from conflict_app.claims.models import REPORTABLE_AGE_CLASSES
from conflict_app.core.forms import (
    MAX_ID,
    ChoiceField,
    LocalisedDateField,
    LocalisedIntegerField,
    LocalisedTimeField,
    coerce_int_or_none,
    count_field,
    latitude_field,
    length,
    longitude_field,
    optional,
    required,
)
from conflict_app.i18n.labels import choices

BLANK = [("", _l("Choose…"))]


class LossLineForm(Form):
    """One species and age class; a row left empty is ignored."""

    species = ChoiceField(_l("Species"), validators=[optional()])
    age_class = ChoiceField(_l("Age and sex"), validators=[optional()])
    killed = count_field(_l("Killed"))
    injured = count_field(_l("Injured"))

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.species.choices = BLANK + choices("species")
        self.age_class.choices = BLANK + choices("age_class", REPORTABLE_AGE_CLASSES)

    @property
    def is_empty(self) -> bool:
        return not self.species.data and not self.killed.data and not self.injured.data


class ReportForm(FlaskForm):
    occurred_on = LocalisedDateField(_l("Date of the incident"), validators=[required()])
    occurred_time = LocalisedTimeField(_l("Time (if known)"), validators=[optional()])
    part_of_day = ChoiceField(_l("Part of day (if the time is not known)"),
                              validators=[optional()])
    village_id = ChoiceField(_l("Village"), coerce=coerce_int_or_none, validators=[required()],
                             validate_choice=False)
    latitude = latitude_field()
    longitude = longitude_field()
    in_protected_area = BooleanField(_l("Inside a protected area"))
    setting = ChoiceField(_l("Where were the animals?"), validators=[required()])
    guard_present = BooleanField(_l("A herder or guard was present"))
    dog_present = BooleanField(_l("A guarding dog was present"))
    measure_present = BooleanField(_l("Another protective measure was in place"))
    description = TextAreaField(_l("What happened"), validators=[optional(), length(4000)])
    late_override_reason = TextAreaField(
        _l("Reason for accepting a late report (supervisors only)"),
        validators=[optional(), length(2000)],
    )
    lines = FieldList(FormField(LossLineForm), min_entries=4, max_entries=12)
    # Offered only when the scheme of the household's place enables a kind of harm.
    harm_kind = ChoiceField(_l("What the claim is for"), validators=[optional()])

    def __init__(self, villages, *args, harm_kinds=(), **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.village_id.choices = [("", _l("Choose…"))] + [(v.id, v.label) for v in villages]
        self.harm_kind.choices = choices("harm_kind", ["livestock", *harm_kinds])
        self.part_of_day.choices = BLANK + choices("part_of_day")
        self.setting.choices = BLANK + choices("setting")

    def validate_lines(self, field) -> None:  # noqa: ANN001
        filled = [entry.form for entry in field.entries if not entry.form.is_empty]
        if not filled and self.harm_kind.data in (None, "", "livestock"):
            raise ValidationError(_l("Add at least one animal killed or injured."))
        for line in filled:
            if not line.species.data or not line.age_class.data:
                raise ValidationError(_l("Each line needs a species and an age class."))
            if not (line.killed.data or 0) + (line.injured.data or 0):
                raise ValidationError(_l("Each line needs at least one animal killed or "
                                         "injured."))

    def validate_longitude(self, field) -> None:  # noqa: ANN001
        if (self.latitude.data is None) != (field.data is None):
            raise ValidationError(_l("Give both latitude and longitude, or neither."))


class ActionForm(FlaskForm):
    """One form for every claim action; each action shows only the fields it needs."""

    version = HiddenField(validators=[required()])
    reason = TextAreaField(_l("Reason"), validators=[optional(), length(2000)])
    deadline = LocalisedDateField(_l("Deadline for the evidence"), validators=[optional()])
    verifier_id = ChoiceField(_l("Verifier"), coerce=coerce_int_or_none,
                              validators=[optional()], validate_choice=False)
    original_reference = StringField(_l("Reference of the original claim"),
                                     validators=[optional(), length(24)])
    # A decision is confirmed on a second page that says what it will do (claims.decisions).
    confirmed = HiddenField(validators=[optional()])

    def version_number(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class ClaimSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Reference, name or phone"), validators=[optional(), length(100)])
    state = ChoiceField(_l("State"), validators=[optional()])
    after = LocalisedIntegerField(validators=[optional(), NumberRange(
        min=1, max=MAX_ID, message=_l("Enter a whole number."))])

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.state.choices = [("", _l("Any"))] + choices("state")
