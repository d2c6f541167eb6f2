"""The verification report form: the signs checklist, attribution, counts and photos."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import NumberRange, ValidationError

from conflict_app.core.forms import (
    ChoiceField,
    LocalisedDateField,
    LocalisedDecimalField,
    LocalisedIntegerField,
    count_field,
    latitude_field,
    length,
    longitude_field,
    optional,
    required,
    text_field,
)
from conflict_app.i18n.labels import choices


class VerificationForm(FlaskForm):
    version = HiddenField(validators=[required()])
    visited_on = LocalisedDateField(_l("Date of the visit"), validators=[required()])
    haemorrhage = BooleanField(_l("Haemorrhage under the skin at the bites"))
    bite_location = ChoiceField(_l("Bite location"), validators=[required()])
    canine_spacing_cm = LocalisedDecimalField(
        _l("Canine puncture spacing (cm)"), places=None,
        validators=[optional(), NumberRange(min=0, max=20,
                                            message=_l("Enter a spacing from 0 to 20 cm."))],
    )
    claw_rakes = BooleanField(_l("Claw rakes"))
    carcass_handling = ChoiceField(_l("Carcass"), validators=[required()])
    feeding_pattern = text_field(_l("Feeding pattern"), 200)
    heads_killed = LocalisedIntegerField(
        _l("Heads killed in the event"),
        validators=[required(), NumberRange(min=0, max=10000,
                                            message=_l("Enter a whole number from 0 to 10000."))],
    )
    tracks = ChoiceField(_l("Tracks"), validators=[required()])
    scat_hair_dna = BooleanField(_l("Scat, hair or DNA swab taken"))
    camera_trap = ChoiceField(_l("Camera trap at the carcass"), validators=[required()])
    hours_since_attack = LocalisedIntegerField(
        _l("Hours since the attack"),
        validators=[optional(), NumberRange(min=0, max=2000,
                                            message=_l("Enter a whole number of hours."))],
    )
    # No verdict is preselected: the verifier chooses one after reading the checklist.
    predator = ChoiceField(_l("Attributed predator"))
    confidence = ChoiceField(_l("Confidence level"))
    latitude = latitude_field(_l("GPS latitude"))
    longitude = longitude_field(_l("GPS longitude"))
    notes = TextAreaField(_l("Notes"), validators=[optional(), length(4000)])
    photos = MultipleFileField(_l("Photos (JPEG, PNG or WebP)"))
    suggest = SubmitField(_lp("button", "Show the checklist's suggestion"))
    # Translators: button; the field officer files the verification report of the visit
    submit = SubmitField(_lp("button: the field officer files the visit report", "File the report"))

    def __init__(self, lines, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.bite_location.choices = choices("bite_location")
        self.carcass_handling.choices = choices("carcass_handling")
        self.tracks.choices = choices("tracks")
        self.camera_trap.choices = choices("camera_trap")
        self.predator.choices = [("", _l("Choose…")), *choices("predator")]
        self.confidence.choices = [("", _l("Choose…")), *choices("confidence")]
        self.line_ids = [line.id for line in lines]

    def validate_predator(self, field) -> None:  # noqa: ANN001
        # Asking for the checklist's suggestion needs no verdict yet; filing does.
        if not self.suggest.data and not field.data:
            raise ValidationError(_l("This field is required."))

    validate_confidence = validate_predator


def form_for(lines, *args, **kwargs) -> VerificationForm:  # noqa: ANN001, ANN002, ANN003
    """A form class with one pair of count fields per reported loss line."""

    class Form(VerificationForm):
        pass

    for line in lines:
        setattr(Form, f"killed_{line.id}", count_field(_l("Killed confirmed")))
        setattr(Form, f"injured_{line.id}", count_field(_l("Injured confirmed")))
    return Form(lines, *args, **kwargs)
