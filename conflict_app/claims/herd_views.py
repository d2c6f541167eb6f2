"""The claim page's forms for missing animals (herd counts, the verifier's signs in the
area) and vet costs (the invoice's photo and amount); thin: parse, call one operation."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField

from conflict_app.claims import herd_evidence
from conflict_app.claims.views import bp, load_claim
from conflict_app.core.errors import DomainError
from conflict_app.core.forms import (
    LocalisedDateField,
    LocalisedDecimalField,
    count_field,
    optional,
    reason_field,
    required,
    text_field,
)
from conflict_app.core.permissions import Role
from conflict_app.core.web import roles_required


class _LineForm(FlaskForm):
    loss_line_id = IntegerField(validators=[required()])
    version = HiddenField()


class SeasonCountForm(_LineForm):
    count_before = count_field(_l("Heads counted before the season"))
    counted_before_on = LocalisedDateField(_l("Date of that count"), validators=[optional()])
    count_after = count_field(_l("Heads counted after the season"))
    counted_after_on = LocalisedDateField(_l("Date of that count"), validators=[optional()])
    explained = count_field(_l("Heads gone for other known reasons (sold, slaughtered, "
                               "found dead of another cause)"))
    explanation = reason_field(_l("Those reasons"))


class SignsForm(_LineForm):
    signs_on = LocalisedDateField(_l("Date the signs were seen"), validators=[required()])
    signs_note = text_field(_l("Leopard signs in the area (tracks, scat, kills, camera "
                               "trap)"), 500, required_=True)


class VetInvoiceForm(_LineForm):
    amount = LocalisedDecimalField(_l("Amount of the vet invoice"), places=None,
                                   validators=[required()])
    invoiced_on = LocalisedDateField(_l("Date of the invoice"), validators=[required()])
    photo = FileField(_l("Photo of the invoice (JPEG, PNG or WebP)"))


@bp.app_template_global()
def herd_evidence_page(claim):  # noqa: ANN001, ANN201
    """What the claim page shows and offers for missing animals and vet costs."""
    recorded = herd_evidence.for_claim(claim.id)
    can_record = (claim.state in herd_evidence.OPEN
                  and current_user.has_role(*herd_evidence.RECORDERS))
    return {
        **recorded,
        "can_record": can_record,
        "can_sign": can_record and claim.verifier_id == current_user.id,
        "counts_form": SeasonCountForm(formdata=None),
        "signs_form": SignsForm(formdata=None),
        "invoice_form": VetInvoiceForm(formdata=None),
    }


def _back(claim_id: int):  # noqa: ANN202
    return redirect(url_for("claims.detail", claim_id=claim_id) + "#herd-h")


def _refused(form: FlaskForm) -> None:
    for name, errors in form.errors.items():
        field = getattr(form, name, None)
        label = field.label.text if field is not None else ""
        for error in errors:
            flash(f"{label}: {error}" if label else str(error), "error")


def _version(form: _LineForm) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


@bp.route("/claims/<int:claim_id>/season-counts", methods=["POST"])
@roles_required(*herd_evidence.RECORDERS)
def season_counts(claim_id: int):
    claim = load_claim(claim_id)
    form = SeasonCountForm()
    if not form.validate_on_submit():
        _refused(form)
        return _back(claim.id)
    try:
        herd_evidence.record_counts(claim.id, current_user._get_current_object(),
                                    _version(form), herd_evidence.CountsInput(
            loss_line_id=form.loss_line_id.data, count_before=form.count_before.data,
            counted_before_on=form.counted_before_on.data, count_after=form.count_after.data,
            counted_after_on=form.counted_after_on.data, explained=form.explained.data or 0,
            explanation=form.explanation.data))
    except DomainError as err:
        flash(err.translated(), "error")
    else:
        flash(_("Herd counts recorded: this line is valued as missing animals."), "success")
    return _back(claim.id)


@bp.route("/claims/<int:claim_id>/leopard-signs", methods=["POST"])
@roles_required(Role.VERIFIER)
def leopard_signs(claim_id: int):
    claim = load_claim(claim_id)
    form = SignsForm()
    if not form.validate_on_submit():
        _refused(form)
        return _back(claim.id)
    try:
        herd_evidence.record_signs(claim.id, current_user._get_current_object(),
                                   _version(form), form.loss_line_id.data,
                                   form.signs_on.data, form.signs_note.data)
    except DomainError as err:
        flash(err.translated(), "error")
    else:
        flash(_("Leopard signs in the area recorded."), "success")
    return _back(claim.id)


@bp.route("/claims/<int:claim_id>/vet-invoice", methods=["POST"])
@roles_required(*herd_evidence.RECORDERS)
def vet_invoice(claim_id: int):
    claim = load_claim(claim_id)
    form = VetInvoiceForm()
    if not form.validate_on_submit():
        _refused(form)
        return _back(claim.id)
    photo = form.photo.data.read() if form.photo.data else b""
    try:
        herd_evidence.record_vet_invoice(claim.id, current_user._get_current_object(),
                                         _version(form), form.loss_line_id.data,
                                         form.amount.data, form.invoiced_on.data, photo)
    except DomainError as err:
        flash(err.translated(), "error")
    else:
        flash(_("Vet invoice recorded."), "success")
    return _back(claim.id)

