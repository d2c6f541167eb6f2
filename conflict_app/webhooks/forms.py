"""The subscription form and the labels of event types and delivery states."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.widgets import CheckboxInput, ListWidget

from conflict_app.core.forms import MultiChoiceField, labelled_error, length, required
from conflict_app.webhooks.models import SUBSCRIBABLE, DeliveryState, EventType

EVENT_LABELS = {
    EventType.CLAIM_MOVED: _l("A claim moved to another step"),
    EventType.PAYMENT_RECORDED: _l("A payment was recorded as paid"),
    EventType.ATTACK_VERIFIED: _l("A leopard attack was verified"),
    EventType.IMPORT_FINISHED: _l("A data import finished"),
    EventType.TEST: _l("Test message"),
}

STATE_LABELS = {
    DeliveryState.PENDING: lazy_pgettext("webhook delivery", "Waiting"),
    DeliveryState.RETRYING: lazy_pgettext("webhook delivery", "Will retry"),
    DeliveryState.DELIVERED: lazy_pgettext("webhook delivery", "Delivered"),
    DeliveryState.FAILED: lazy_pgettext("webhook delivery", "Failed"),
}

# Why an attempt got no answer (the technical detail is shown beside it, untranslated).
ERROR_LABELS = {
    "timeout": _l("No answer in time"),
    "refused": _l("The receiver refused the connection"),
    "tls": _l("The receiver's certificate was not accepted"),
    "network": _l("Network error"),
    "not_public": _l("The address is not allowed"),
    "secret": _l("The secret cannot be read any more: rotate it"),
    "switched_off": _l("The subscription is switched off"),
}


def error_label(error: str | None) -> tuple[str, str]:
    """The translated reason and the technical detail of a stored error."""
    return labelled_error(error, ERROR_LABELS)


class SubscriptionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[required(), length(80)])
    url = StringField(_l("Receiver's address (https://…)"),
                      validators=[required(), length(500)])
    event_types = MultiChoiceField(_l("Events"), validators=[required()],
                                   widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.event_types.choices = [(e.value, EVENT_LABELS[e]) for e in SUBSCRIBABLE]


class ActionForm(FlaskForm):
    """The buttons (switch off, rotate, test, send again): the CSRF token only."""
