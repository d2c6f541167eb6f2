"""The administrators' review page of role grants (routes on the admin blueprint)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from conflict_app.auth import grant_review
from conflict_app.auth.admin_views import admin_bp
from conflict_app.auth.forms import TokenRevokeForm
from conflict_app.core.errors import DomainError
from conflict_app.core.permissions import Role
from conflict_app.core.web import roles_required


def _page(error: str | None = None, status: int = 200):  # noqa: ANN202
    pending, decided = grant_review.for_review(current_user)
    return render_template("admin/grants.html", pending=pending, decided=decided,
                           error=error, form=TokenRevokeForm()), status


@admin_bp.route("/grants")
@roles_required(Role.ADMIN)
def grants():
    return _page()


def _decide(grant_id: int, decide, done: str):  # noqa: ANN001, ANN202
    if not TokenRevokeForm().validate_on_submit():  # a form with only the CSRF token
        abort(400)
    try:
        decide(current_user, grant_id)
    except DomainError as err:
        return _page(err.translated(), 400)
    flash(done, "success")
    return redirect(url_for("admin.grants"))


@admin_bp.route("/grants/<int:grant_id>/confirm", methods=["POST"])
@roles_required(Role.ADMIN)
def confirm_grant(grant_id: int):
    return _decide(grant_id, grant_review.confirm, _("The role was granted."))


@admin_bp.route("/grants/<int:grant_id>/refuse", methods=["POST"])
@roles_required(Role.ADMIN)
def refuse_grant(grant_id: int):
    return _decide(grant_id, grant_review.refuse, _("The role was refused."))
