"""The forms of field form sync: a source, and a clerk's review of a held submission."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

from conflict_app.core.forms import (
    ChoiceField,
    coerce_int_or_none,
    labelled_error,
    length,
    optional,
    reason_field,
    required,
)
from conflict_app.fieldforms.models import FormKind, HeldState, Platform, RunStatus

PLATFORM_LABELS = {
    Platform.ODK_CENTRAL: "ODK Central",
    Platform.KOBO: "KoboToolbox",
}
KIND_LABELS = {
    FormKind.REPORT: _l("Loss report"),
    FormKind.VERIFICATION: _l("Field verification visit"),
}
RUN_LABELS = {
    RunStatus.RUNNING: lazy_pgettext("field sync", "Running"),
    RunStatus.OK: lazy_pgettext("field sync", "Done"),
    RunStatus.ERROR: lazy_pgettext("field sync", "Failed"),
}
HELD_LABELS = {
    HeldState.WAITING: lazy_pgettext("field submission", "Waiting"),
    HeldState.ACCEPTED: lazy_pgettext("field submission", "Accepted"),
    HeldState.DISMISSED: lazy_pgettext("field submission", "Set aside"),
}
# Why a pull failed (the technical detail is shown beside it, untranslated).
ERROR_LABELS = {
    "unauthorised": _l("The server refused the sign-in details"),
    "not_found": _l("The server has no such project or form"),
    "timeout": _l("No answer in time"),
    "network": _l("The server cannot be reached"),
    "tls": _l("The server's certificate was not accepted"),
    "not_public": _l("The address is not allowed"),
    "server": _l("The server answered with an error"),
    "answer": _l("The server's answer was not understood"),
    "credentials": _l("The sign-in details cannot be read any more: enter them again"),
    "account": _l("The account submissions are filed as is switched off"),
    "internal": _l("The pull stopped on an error in Pardus"),
}


def error_label(error: str | None) -> tuple[str, str]:
    """The translated reason and the technical detail of a stored error."""
    return labelled_error(error, ERROR_LABELS)


class SourceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[required(), length(80)])
    platform = ChoiceField(_l("Server type"), validators=[required()])
    server_url = StringField(_l("Server address (https://…)"),
                             validators=[required(), length(500)])
    project = StringField(_l("Project number (ODK Central)"), validators=[optional(),
                                                                        length(40)])
    form_id = StringField(_l("Form ID or asset UID"), validators=[required(), length(120)])
    form_kind = ChoiceField(_l("Which Pardus form"), validators=[required()])
    file_as_id = ChoiceField(_l("File the submissions as"), validators=[required()],
                             coerce=coerce_int_or_none)
    username = StringField(_l("Account e-mail (ODK Central)"),
                           validators=[optional(), length(200)])
    secret = PasswordField(_l("Password or API token"), validators=[optional(), length(500)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.platform.choices = [(p.value, label) for p, label in PLATFORM_LABELS.items()]
        self.form_kind.choices = [(k.value, label) for k, label in KIND_LABELS.items()]


class ReviewForm(FlaskForm):
    """The held answers as text fields (added per submission) and the household chosen."""

    # Chosen from a search of the page before; the operation checks it is in reach.
    household_id = ChoiceField(_l("Household"), validators=[optional()],
                               coerce=coerce_int_or_none, validate_choice=False)


class DismissForm(FlaskForm):
    reason = reason_field(_l("Why is it set aside?"), required_=True)


class ActionForm(FlaskForm):
    """The buttons (switch off, pull now): the CSRF token only."""
