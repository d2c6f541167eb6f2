"""Incentive pages of a scheme: presence records, performance and adoption payments,
withholding after a retaliatory killing and its appeal, cancelling a wrong payment (routes of
scheme_bp)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from conflict_app.core.errors import DomainError
from conflict_app.core.permissions import Role, covers
from conflict_app.core.web import attach_error, roles_required
from conflict_app.extensions import db
from conflict_app.schemes import incentives
from conflict_app.schemes.forms import (
    AdoptionForm,
    AppealForm,
    CancelForm,
    PerformanceForm,
    PresenceForm,
    WithholdForm,
)
from conflict_app.schemes.models import IncentivePayment, Scheme, Withholding
from conflict_app.schemes.params import SchemeKind
from conflict_app.schemes.views import (
    MANAGERS,
    _act,
    _detail,
    _household_measures,
    _refused,
    _scheme_or_404,
    _villages,
    scheme_bp,
)


def _incentive_form(scheme_id: int, name: str, make, run, done: str):  # noqa: ANN001, ANN202
    scheme = _scheme_or_404(scheme_id)
    if scheme.kind is not SchemeKind.INCENTIVE:
        abort(404)
    form = make(scheme)
    if form.validate_on_submit():
        try:
            run(scheme, form)
        except DomainError as err:
            attach_error(form, err)
            return _detail(scheme, _refused(err), **{name: form})
        else:
            flash(done, "success")
            return redirect(url_for("scheme.detail", scheme_id=scheme.id))
    return _detail(scheme, 400, **{name: form})


@scheme_bp.route("/<int:scheme_id>/presence", methods=["POST"])
@roles_required(Role.VERIFIER, Role.SCHEME_MANAGER, Role.ADMIN)
def presence(scheme_id: int):
    return _incentive_form(
        scheme_id, "presence", lambda s: PresenceForm(_villages(s)),
        lambda s, f: incentives.record_presence(current_user, s.id, f.village.data,
                                                f.kind.data, f.observed_on.data,
                                                f.evidence.data),
        _("Record saved."))


@scheme_bp.route("/<int:scheme_id>/performance", methods=["POST"])
@roles_required(*MANAGERS)
def performance(scheme_id: int):
    return _incentive_form(
        scheme_id, "performance", lambda s: PerformanceForm(),
        lambda s, f: incentives.compute_performance(current_user, s.id, f.period.data),
        _("Performance payments computed."))


@scheme_bp.route("/<int:scheme_id>/adoption", methods=["POST"])
@roles_required(*MANAGERS)
def adoption(scheme_id: int):
    def make(scheme: Scheme) -> AdoptionForm:
        # Any household measure is a valid choice here, so that an unverified or already
        # paid one gets the operation's own explanation.
        return AdoptionForm(db.session.scalars(_household_measures(scheme).limit(1000)).all())

    return _incentive_form(
        scheme_id, "adoption", make,
        lambda s, f: incentives.adoption_payment(current_user, s.id, f.measure.data),
        _("Adoption payment approved."))


@scheme_bp.route("/<int:scheme_id>/withhold", methods=["POST"])
@roles_required(*MANAGERS)
def withhold(scheme_id: int):
    return _incentive_form(
        scheme_id, "withhold", lambda s: WithholdForm(_villages(s)),
        lambda s, f: incentives.withhold(current_user, s.id, f.village.data, f.reason.data,
                                         f.noticed_on.data),
        _("Payments withheld until the end of the cycle."))


@scheme_bp.route("/withholdings/<int:withholding_id>/appeal", methods=["POST"])
@roles_required(*MANAGERS)
def appeal(withholding_id: int):
    item = db.session.get(Withholding, withholding_id)
    if item is None:
        abort(404)
    _scheme_or_404(item.scheme_id)
    form = AppealForm()
    if not form.validate_on_submit():
        flash(_("Give a reason."), "error")
        return redirect(url_for("scheme.detail", scheme_id=item.scheme_id))
    return _act(item.scheme_id, lambda: incentives.appeal(
        current_user, item.id, form.reason.data, form.upheld.data), _("Appeal decided."))


@scheme_bp.route("/incentive-payments/<int:payment_id>/cancel", methods=["POST"])
@roles_required(*MANAGERS)
def cancel_incentive(payment_id: int):
    """Cancel a wrong incentive payment before it is paid (finance pays through batches)."""
    payment = db.session.get(IncentivePayment, payment_id)
    if payment is None or not covers(current_user, payment.village):
        abort(404)
    _scheme_or_404(payment.scheme_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Give a reason."), "error")
        return redirect(url_for("scheme.detail", scheme_id=payment.scheme_id))
    return _act(payment.scheme_id, lambda: incentives.cancel(
        current_user, payment.id, form.reason.data), _("Payment cancelled."))
