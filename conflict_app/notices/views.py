"""The staff member's notices, and how they want the digest."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from conflict_app.core import audit, inputs
from conflict_app.core.forms import ChoiceField, PhoneField, length, optional, required
from conflict_app.core.permissions import CASE_ROLES
from conflict_app.core.transaction import unit_of_work
from conflict_app.core.web import roles_required
from conflict_app.extensions import db
from conflict_app.i18n import examples
from conflict_app.notices import operations

bp = Blueprint("notices", __name__, url_prefix="/notices")


class DigestForm(FlaskForm):
    digest = ChoiceField(_l("Daily digest of unread notices"), validators=[required()])
    phone = PhoneField(_l("Mobile number for the SMS digest"),
                       validators=[optional(), length(30)])

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.digest.choices = [("none", _l("No digest")), ("email", _l("By e-mail")),
                               ("sms", _l("By SMS"))]


class ReadForm(FlaskForm):
    pass


def _page(form: DigestForm, status: int = 200):  # noqa: ANN202
    return render_template("notices/index.html", notices=operations.notices_of(current_user.id),
                           form=form, read_form=ReadForm()), status


@bp.route("/")
@roles_required(*CASE_ROLES)
def index():
    return _page(DigestForm(obj=current_user))


@bp.route("/read", methods=["POST"])
@roles_required(*CASE_ROLES)
def read():
    if ReadForm().validate_on_submit():
        operations.mark_read(current_user.id)
        flash(_("All notices marked as read."), "success")
    return redirect(url_for("notices.index"))


@bp.route("/digest", methods=["POST"])
@roles_required(*CASE_ROLES)
def digest():
    form = DigestForm()
    if form.validate_on_submit():
        try:
            phone = inputs.parse_phone(form.phone.data, current_user.jurisdiction_country)
        except inputs.PhoneError:
            form.phone.errors.append(_("Enter a mobile number, for example %(example)s.",
                                       example=examples.phone()))
            return _page(form, 400)
        if form.digest.data == "sms" and not phone:
            form.phone.errors.append(_("Enter the mobile number the SMS digest goes to."))
            return _page(form, 400)
        with unit_of_work():
            user = current_user._get_current_object()
            user.digest, user.phone = form.digest.data, phone
            audit.record(actor_id=user.id, object_type="user", object_id=user.id,
                         action="digest_settings", changes={"digest": form.digest.data})
        db.session.expire_all()
        flash(_("Saved."), "success")
        return redirect(url_for("notices.index"))
    return _page(form, 400)
