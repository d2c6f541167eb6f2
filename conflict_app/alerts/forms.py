"""The broadcast form: an area, then a confirmation after the preview."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired


class BroadcastForm(FlaskForm):
    area_id = SelectField(_l("Area"), validate_choice=False, validators=[
        InputRequired(message=_l("Choose a province or district from the list."))])
    confirmed = HiddenField()
