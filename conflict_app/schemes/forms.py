"""Forms of scheme managers: prices, schemes, rule versions, rates, insurance, incentives."""

from __future__ import annotations

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from conflict_app.claims.models import REPORTABLE_AGE_CLASSES
from conflict_app.core.forms import (
    ChoiceField,
    LocalisedDateField,
    LocalisedDecimalField,
    LocalisedIntegerField,
    MultiChoiceField,
    coerce_int_or_none,
    count_field,
    optional,
    reason_field,
    required,
    text_field,
)
from conflict_app.core.money import CURRENCIES
from conflict_app.herders.models import Species
from conflict_app.i18n.labels import choices, label
from conflict_app.schemes import params
from conflict_app.schemes.params import SchemeKind


class PriceForm(FlaskForm):
    country = ChoiceField(_l("Country"), validators=[required()])
    species = ChoiceField(_l("Species"), validators=[required()])
    age_class = ChoiceField(_l("Age and sex"), validators=[required()])
    amount = LocalisedDecimalField(_l("Market value of one head"), places=None, validators=[
        required(), NumberRange(min=0.01, max=10**12,
                                message=_l("Enter a positive amount."))])
    currency = ChoiceField(_l("Currency"), validators=[required()])
    valid_from = LocalisedDateField(_l("Valid from"), validators=[required()])

    def __init__(self, countries, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.country.choices = [(c.code, c.name) for c in countries]
        self.species.choices = choices("species")
        self.age_class.choices = choices("age_class", REPORTABLE_AGE_CLASSES)
        self.currency.choices = [(c, c) for c in CURRENCIES]


class SchemeEditForm(FlaskForm):
    budget = LocalisedDecimalField(_l("Budget"), places=None, validators=[
        required(), NumberRange(min=0, max=10**13, message=_l("Enter a positive amount."))])
    over_budget = ChoiceField(_l("An approval beyond the budget"), validators=[required()])
    valid_to = LocalisedDateField(_l("Valid until"), validators=[optional()])
    review_share = LocalisedDecimalField(
        _l("Share of approved items sent to a second review (0 to 1)"), places=None,
        validators=[required(), NumberRange(min=0, max=1,
                                            message=_l("Enter a share between 0 and 1."))])
    review_above = LocalisedDecimalField(
        _l("Every item above this amount goes to a second review"), places=None,
        validators=[optional(), NumberRange(min=0, max=10**13,
                                            message=_l("Enter a positive amount."))])
    funders = reason_field(_l("Funders"))
    closed = BooleanField(_l("Closed: no new claims, no more approvals"))

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.over_budget.choices = [("refuse", _l("is refused")),
                                    ("queue", _l("waits until budget is added"))]


class SchemeForm(SchemeEditForm):
    code = text_field(_l("Code"), 32, required_=True)
    name = text_field(_l("Name"), 160, required_=True)
    kind = ChoiceField(_l("Kind of scheme"), validators=[required()])
    country = ChoiceField(_l("Country"), validators=[required()])
    admin1 = ChoiceField(_l("Province (empty: the whole country)"), coerce=coerce_int_or_none,
                         validators=[optional()])
    currency = ChoiceField(_l("Currency"), validators=[required()])
    valid_from = LocalisedDateField(_l("Valid from"), validators=[required()])

    def __init__(self, countries, provinces, *args, whole_country: bool = True,  # noqa: ANN001
                 **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.kind.choices = choices("scheme_kind")
        self.country.choices = [(c.code, c.name) for c in countries]
        # The whole country is a choice only for those whose jurisdiction covers it.
        self.admin1.choices = ([("", "—")] if whole_country else []) + [
            (a.id, f"{a.country_code} · {a.name}") for a in provinces]
        self.currency.choices = [(c, c) for c in CURRENCIES]


def rule_version_form(kind: SchemeKind, formdata=None, defaults=None):  # noqa: ANN001, ANN201
    """A form with one field per parameter of the scheme kind (schemes.params.SPECS)."""

    class RuleVersionForm(FlaskForm):
        valid_from = LocalisedDateField(_l("Valid from"), validators=[required()])
        note = reason_field(_l("What changes and why"))

    for p in params.SPECS[kind]:
        label = _param_label(p)
        if p.kind is params.Kind.FLAG:
            field = BooleanField(label)
        elif p.kind is params.Kind.CODES:
            field = MultiChoiceField(label, validators=[required()])
        elif p.kind is params.Kind.COUNT:
            field = LocalisedIntegerField(label, validators=[optional()])
        else:
            field = LocalisedDecimalField(label, places=None, validators=[optional()])
        setattr(RuleVersionForm, p.name, field)
    form = RuleVersionForm(formdata=formdata)
    for p in params.SPECS[kind]:
        if p.kind is params.Kind.CODES:
            getattr(form, p.name).choices = choices(p.group, p.codes)
    if formdata is None and defaults:
        for p in params.SPECS[kind]:
            value = params.parse(kind, defaults)[p.name]
            getattr(form, p.name).data = list(value) if p.kind is params.Kind.CODES \
                else value
    return form


def _param_label(p: params.Param) -> LazyString:
    if p.name.startswith("cap_head_"):
        species = p.name.removeprefix("cap_head_")
        return LazyString(lambda: gettext(p.label, species=label("species", species)))
    if p.name.startswith("adoption_"):
        measure = p.name.removeprefix("adoption_")
        return LazyString(lambda: gettext(p.label, measure=label("measure", measure)))
    if p.name.startswith("crop_rate_"):
        crop = p.name.removeprefix("crop_rate_")
        return LazyString(lambda: gettext(p.label, crop=label("crop", crop)))
    return LazyString(lambda: gettext(p.label))


def version_values(form, kind: SchemeKind) -> dict[str, object]:  # noqa: ANN001
    """The submitted values as the strings ``params.normalise`` validates."""
    out: dict[str, object] = {}
    for p in params.SPECS[kind]:
        data = getattr(form, p.name).data
        if p.kind is params.Kind.CODES:
            out[p.name] = ",".join(data or [])
        elif p.kind is params.Kind.FLAG:
            out[p.name] = "1" if data else "0"
        else:
            out[p.name] = "" if data is None else str(data)
    return out


class RateForm(FlaskForm):
    currency = ChoiceField(_l("Currency"), validators=[required()])
    per_usd = LocalisedDecimalField(_l("Units for one US dollar"), places=None, validators=[
        required(), NumberRange(min=0.000001, max=10**12,
                                message=_l("Enter a positive amount."))])
    valid_from = LocalisedDateField(_l("Valid from"), validators=[required()])
    source = text_field(_l("Source"), 160)

    def __init__(self, *args, only: str | None = None, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.currency.choices = [(c, c) for c in CURRENCIES
                                 if c != "USD" and only in (None, c)]


class PeriodForm(FlaskForm):
    start = LocalisedDateField(_l("From"), validators=[required()])
    end = LocalisedDateField(_l("To"), validators=[required()])


class EnrolForm(FlaskForm):
    household = ChoiceField(_l("Household"), coerce=coerce_int_or_none,
                            validators=[required()])
    starts_on = LocalisedDateField(_l("Cover from"), validators=[required()])
    ends_on = LocalisedDateField(_l("Cover until"), validators=[required()])
    agreement_signed = BooleanField(_l("The conservation agreement is signed"))

    def __init__(self, households, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.household.choices = [(h.id, f"{h.head_name} · {h.village.name}")
                                  for h in households]


def insured_fields(form_class):  # noqa: ANN001, ANN201
    """Heads and value per head for each species, added to the enrolment form."""
    for s in Species:
        setattr(form_class, f"heads_{s.value}", count_field(
            LazyString(lambda s=s: gettext("Insured heads: %(species)s",
                                           species=label("species", s.value)))))
        setattr(form_class, f"value_{s.value}", LocalisedDecimalField(
            LazyString(lambda s=s: gettext("Insured value of one head: %(species)s",
                                           species=label("species", s.value))),
            places=None, validators=[optional(), NumberRange(
                min=0, max=10**12, message=_l("Enter a positive amount."))]))
    return form_class


insured_fields(EnrolForm)


class DateForm(FlaskForm):
    on = LocalisedDateField(_l("Date"), validators=[required()])
    reason = reason_field(_l("Reason"))


class PresenceForm(FlaskForm):
    village = ChoiceField(_l("Village"), coerce=coerce_int_or_none, validators=[required()])
    kind = ChoiceField(_l("What was recorded"), validators=[required()])
    observed_on = LocalisedDateField(_l("Observed on"), validators=[required()])
    evidence = reason_field(_l("Evidence"), required_=True)

    def __init__(self, villages, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.village.choices = [(v.id, v.name) for v in villages]
        self.kind.choices = choices("presence")


class PerformanceForm(FlaskForm):
    period = LocalisedIntegerField(_l("Year"), validators=[
        required(), NumberRange(min=2000, max=2100, message=_l("Enter a year."))])


class AdoptionForm(FlaskForm):
    measure = ChoiceField(_l("Verified measure"), coerce=coerce_int_or_none,
                          validators=[required()])

    def __init__(self, measures, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.measure.choices = [
            (m.id, f"{m.household.head_name} · {label('measure', m.measure.value)}")
            for m in measures]


class WithholdForm(FlaskForm):
    # Its own id: the presence form on the same page has a village field too.
    village = ChoiceField(_l("Village"), coerce=coerce_int_or_none, validators=[required()],
                          id="withhold-village")
    noticed_on = LocalisedDateField(_l("Notice given on"), validators=[required()])
    reason = reason_field(_l("Reason"), required_=True)

    def __init__(self, villages, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.village.choices = [(v.id, v.name) for v in villages]


class AppealForm(FlaskForm):
    reason = reason_field(_l("Appeal and decision"), required_=True)
    upheld = BooleanField(_l("Lift the withholding"))


class CancelForm(FlaskForm):
    reason = reason_field(_l("Why it is cancelled"), required_=True)


class AgreementForm(FlaskForm):
    """Signing (a household or a community) or renewing (the same party) an agreement."""

    household = ChoiceField(_l("Household"), coerce=coerce_int_or_none,
                            validators=[optional()], validate_choice=False)
    village = ChoiceField(_l("Community (village)"), coerce=coerce_int_or_none,
                          validators=[optional()], id="agreement-village")
    signed_on = LocalisedDateField(_l("Signed on"), validators=[required()])
    term_years = LocalisedIntegerField(_l("Term in years"), validators=[
        required(), NumberRange(min=1, max=10, message=_l("Enter a term from 1 to 10 years."))])
    amount = LocalisedDecimalField(_l("Instalment each year"), places=None, validators=[
        required(), NumberRange(min=0.01, max=10**12, message=_l("Enter a positive amount."))])
    milestones = MultiChoiceField(_l("Milestones of each year"), validators=[required()],
                                  widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput())
    note = reason_field(_l("Note"))

    def __init__(self, villages=(), households=(), *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        # Both optional, so neither is chosen for the user: an agreement with the wrong
        # household (or with a household instead of the community) would be signed.
        self.village.choices = [("", _l("Choose…")), *((v.id, v.name) for v in villages)]
        self.household.choices = [("", _l("Choose…")), *(
            (h.id, f"{h.head_name} · {h.village.name}") for h in households)]
        self.milestones.choices = choices("milestone")


class MilestoneForm(FlaskForm):
    verified_on = LocalisedDateField(_l("Verified on"), validators=[required()])
    evidence = reason_field(_l("Evidence"), required_=True)
