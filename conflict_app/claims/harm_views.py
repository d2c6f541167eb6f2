"""The claim page's part for an injury, a death or crop damage: what is recorded, the form
to record it, and the medical document, shown only to the roles that may read it; thin:
parse, call one operation."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField

from conflict_app.claims import harm_records
from conflict_app.claims.evidence import path_for
from conflict_app.claims.views import bp, load_claim
from conflict_app.core.errors import DomainError
from conflict_app.core.forms import (
    ChoiceField,
    LocalisedDateField,
    LocalisedDecimalField,
    optional,
    reason_field,
    text_field,
)
from conflict_app.core.web import roles_required
from conflict_app.i18n.labels import choices
from conflict_app.schemes.harm import CROPS, HarmKind, Severity


class HarmForm(FlaskForm):
    version = HiddenField()
    severity = ChoiceField(_l("Category of the injury"), validators=[optional()])
    medical_details = reason_field(_l("Medical details (the injury, or the cause of death)"))
    medical_costs = LocalisedDecimalField(_l("Documented medical costs"), places=None,
                                          validators=[optional()])
    next_of_kin = text_field(_l("Next of kin who receives the payment"), 120)
    crop = ChoiceField(_l("Crop"), validators=[optional()])
    area_ha = LocalisedDecimalField(_l("Damaged area measured in the field (hectares)"),
                                    places=None, validators=[optional()])
    measured_on = LocalisedDateField(_l("Date of the measurement"), validators=[optional()])
    document = FileField(_l("Photo of the medical report or death certificate (JPEG, PNG "
                            "or WebP)"))

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.severity.choices = [("", _l("Choose…"))] + choices("severity", list(Severity))
        self.crop.choices = [("", _l("Choose…"))] + choices("crop", CROPS)


@bp.app_template_global()
def harm_page(claim):  # noqa: ANN001, ANN201
    """What the claim page shows of a harm claim; the medical details only to the roles
    that may read them."""
    row = harm_records.of_claim(claim.id)
    if row is None:
        return None
    special = harm_records.is_special(row)
    return {
        "row": row,
        "special": special,
        "may_see": not special or harm_records.may_see_special(current_user, claim),
        "can_record": (claim.state in harm_records.OPEN
                       and current_user.has_role(*harm_records.RECORDERS)),
        "form": HarmForm(formdata=None),
        "kinds": HarmKind,
    }


def _back(claim_id: int):  # noqa: ANN202
    return redirect(url_for("claims.detail", claim_id=claim_id) + "#harm-h")


@bp.route("/claims/<int:claim_id>/harm", methods=["POST"])
@roles_required(*harm_records.RECORDERS)
def record_harm(claim_id: int):
    claim = load_claim(claim_id)
    form = HarmForm()
    if not form.validate_on_submit():
        for name, errors in form.errors.items():
            label = getattr(form, name).label.text if hasattr(form, name) else ""
            for error in errors:
                flash(f"{label}: {error}" if label else str(error), "error")
        return _back(claim.id)
    try:
        version = int(form.version.data)
    except (TypeError, ValueError):
        version = None
    document = form.document.data.read() if form.document.data else None
    try:
        harm_records.record(claim.id, current_user._get_current_object(), version,
                            harm_records.HarmInput(
                                severity=Severity(form.severity.data)
                                if form.severity.data else None,
                                medical_details=form.medical_details.data,
                                medical_costs=form.medical_costs.data,
                                next_of_kin=form.next_of_kin.data, crop=form.crop.data or None,
                                area_ha=form.area_ha.data, measured_on=form.measured_on.data),
                            document)
    except DomainError as err:
        flash(err.translated(), "error")
    else:
        flash(_("Recorded."), "success")
    return _back(claim.id)


@bp.route("/claims/<int:claim_id>/harm/document")
@roles_required(*harm_records.SPECIAL_ROLES)
def harm_document(claim_id: int):
    """The medical report or death certificate: only to the roles that may read it."""
    claim = load_claim(claim_id)
    row = harm_records.of_claim(claim.id)
    if (row is None or row.document_key is None
            or not harm_records.may_see_special(current_user, claim)):
        abort(404)
    path = path_for(current_app.config["EVIDENCE_DIR"], row.document_key)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = f"inline; filename=document-{claim.id}.jpg"
    return response
