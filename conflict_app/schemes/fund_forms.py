"""Forms of the fund pages: a new fund, and one entry of its ledger."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from flask_wtf import FlaskForm
from wtforms.validators import NumberRange

from conflict_app.core.forms import (
    ChoiceField,
    LocalisedDateField,
    LocalisedDecimalField,
    coerce_int_or_none,
    optional,
    reason_field,
    required,
    text_field,
)
from conflict_app.core.money import CURRENCIES
from conflict_app.i18n.labels import choices


class FundForm(FlaskForm):
    name = text_field(_l("Name"), 160, required_=True)
    kind = ChoiceField(_l("Kind of fund"), validators=[required()])
    currency = ChoiceField(_l("Currency"), validators=[required()])
    country_code = ChoiceField(_l("Country"), validators=[required()])
    admin1_id = ChoiceField(_l("Province (empty: the whole country)"),
                            coerce=coerce_int_or_none, validators=[optional()])
    description = reason_field(_l("Description"))

    def __init__(self, countries=(), provinces=(), *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.kind.choices = choices("fund_kind")
        self.currency.choices = [(c, c) for c in CURRENCIES]
        self.country_code.choices = [(c.code, c.name) for c in countries]
        self.admin1_id.choices = [("", "—"), *((a.id, f"{a.country.name} · {a.name}")
                                              for a in provinces)]


class FundEntryForm(FlaskForm):
    """One form for every kind of entry (prefixed with the kind, so the page holds one of
    each); each kind's panel shows the fields it needs and the operation says which one is
    missing."""

    amount = LocalisedDecimalField(_l("Amount"), places=None, validators=[
        required(), NumberRange(min=0.01, max=10**13, message=_l("Enter a positive amount."))])
    direction = ChoiceField(_l("The adjustment"), validators=[optional()])
    booked_on = LocalisedDateField(_l("Booked on"), validators=[required()])
    donor = text_field(_l("Donor"), 160)
    period_from = LocalisedDateField(_l("Earned from"), validators=[optional()])
    period_to = LocalisedDateField(_l("Earned until"), validators=[optional()])
    scheme_id = ChoiceField(_l("Scheme"), coerce=coerce_int_or_none, validators=[optional()])
    pot = ChoiceField(_l("Part of the endowment"), validators=[optional()])
    note = reason_field(_l("Note"))

    def __init__(self, schemes=(), *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.direction.choices = [("in", _p("direction of a fund adjustment", "adds money")),
                                  ("out", _p("direction of a fund adjustment",
                                             "takes money out"))]
        self.scheme_id.choices = [("", _l("Choose…")),
                                  *((s.id, f"{s.code} · {s.name}") for s in schemes)]
        self.pot.choices = [("", _l("Choose…")), *choices("fund_pot")]
