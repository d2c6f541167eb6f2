"""The clerk's side of a village a herder typed: link it to a listed one, or list it."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from conflict_app.claims import village_link
from conflict_app.claims.views import bp, load_claim
from conflict_app.core.errors import DomainError
from conflict_app.core.forms import coerce_int_or_none
from conflict_app.core.permissions import Role
from conflict_app.core.web import roles_required


@bp.app_template_global()
def village_link_choices(claim):  # noqa: ANN001, ANN201
    """Listed villages the clerk may link a typed village to."""
    return village_link.candidates(claim)


@bp.route("/claims/<int:claim_id>/village", methods=["POST"])
@roles_required(Role.CLERK, Role.SUPERVISOR)
def link_village(claim_id: int):
    claim = load_claim(claim_id)
    if not FlaskForm().validate_on_submit():
        flash(_("The form has expired or was sent twice. Please reload the page and try "
                "again."), "error")
        return redirect(url_for("claims.detail", claim_id=claim.id))
    choice = request.form.get("village_id", "")
    version = coerce_int_or_none(request.form.get("version"))
    try:
        village_link.link_village(claim.id, current_user._get_current_object(), version,
                                  None if choice == "new" else coerce_int_or_none(choice) or -1)
    except DomainError as err:
        flash(err.translated(), "error")
    else:
        flash(_("The claim's village is set."), "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))
