"""Pages of conservation agreements: the scheme's list (with signing), one agreement (its
milestones to verify, its instalments, renewal), the community's page and the household
page's panel."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from conflict_app.core.errors import DomainError
from conflict_app.core.permissions import CASE_ROLES, Role, covers
from conflict_app.core.web import attach_error, roles_required
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import Village
from conflict_app.schemes import agreement_queries, agreements, incentives
from conflict_app.schemes import scope as scheme_scope
from conflict_app.schemes.agreement_models import AgreementMilestone, ConservationAgreement
from conflict_app.schemes.forms import AgreementForm, MilestoneForm
from conflict_app.schemes.insurance_views import _households
from conflict_app.schemes.models import Scheme, Withholding
from conflict_app.schemes.params import SchemeKind
from conflict_app.schemes.views import (
    MANAGERS,
    READERS,
    _refused,
    _scheme_or_404,
    _villages,
    scheme_bp,
)

VERIFIERS = (Role.VERIFIER, Role.SCHEME_MANAGER, Role.ADMIN)


def _incentive_scheme(scheme_id: int) -> Scheme:
    scheme = _scheme_or_404(scheme_id)
    if scheme.kind is not SchemeKind.INCENTIVE:
        abort(404)
    return scheme


def _sign_form(scheme: Scheme, **kwargs: object) -> AgreementForm:
    return AgreementForm(_villages(scheme), _households(scheme), **kwargs)


def _terms(form: AgreementForm) -> agreements.Terms:
    return agreements.Terms(signed_on=form.signed_on.data, term_years=form.term_years.data,
                            amount=form.amount.data, milestones=list(form.milestones.data or []),
                            note=form.note.data)


def _list(scheme: Scheme, form: AgreementForm | None = None, status: int = 200):
    incentives.release_due()
    if form is None:
        form = _sign_form(scheme)
        form.signed_on.data = timezones.today_for(scheme)
        form.term_years.data = 3
        household = request.args.get("household", type=int)
        if household is not None:
            form.household.data = household
    whole = scheme_scope.covers_area(current_user, scheme.country_code, scheme.admin1_id)
    return render_template(
        "schemes/agreements.html", scheme=scheme, form=form,
        rows=agreement_queries.of_scheme(scheme.id, current_user),
        manager=current_user.has_role(*MANAGERS) and whole), status


@scheme_bp.route("/<int:scheme_id>/agreements")
@roles_required(*READERS)
def agreement_list(scheme_id: int):
    return _list(_incentive_scheme(scheme_id))


@scheme_bp.route("/<int:scheme_id>/agreements", methods=["POST"])
@roles_required(*MANAGERS)
def sign_agreement(scheme_id: int):
    scheme = _incentive_scheme(scheme_id)
    form = _sign_form(scheme)
    if form.validate_on_submit():
        try:
            agreement = agreements.sign(current_user, scheme.id, form.village.data,
                                        form.household.data, _terms(form))
        except DomainError as err:
            attach_error(form, err)
            return _list(scheme, form, _refused(err))
        flash(_("Agreement signed."), "success")
        return redirect(url_for("scheme.agreement", agreement_id=agreement.id))
    return _list(scheme, form, 400)


def _agreement_or_404(agreement_id: int) -> ConservationAgreement:
    agreement = db.session.get(ConservationAgreement, agreement_id)
    if agreement is None or not covers(current_user, agreement):
        abort(404)
    _scheme_or_404(agreement.scheme_id)
    return agreement


def _detail(agreement: ConservationAgreement, status: int = 200, **forms: object):
    incentives.release_due()
    db.session.refresh(agreement)
    row = agreement_queries.rows(agreement_queries.query(None).where(
        ConservationAgreement.id == agreement.id))[0]
    renew = forms.get("renew")
    if renew is None:
        renew = AgreementForm()
        renew.term_years.data = agreement.term_years
        renew.amount.data = agreement.instalments[0].amount if agreement.instalments else None
        renew.milestones.data = sorted({m.kind for m in agreement.milestones})
    renew.signed_on.data = agreement.ends_on
    verify = MilestoneForm(formdata=None)
    verify.verified_on.data = timezones.today_for(agreement.village)
    withholdings = db.session.scalars(select(Withholding).where(
        Withholding.scheme_id == agreement.scheme_id,
        Withholding.village_id == agreement.village_id)
        .order_by(Withholding.id.desc())).all()
    return render_template(
        "schemes/agreement.html", agreement=agreement, row=row, renew=renew, verify=verify,
        failed=forms.get("failed"), failed_id=forms.get("failed_id"),
        successor=agreement_queries.successor(agreement.id), withholdings=withholdings,
        renewable=agreement.state == "active" and timezones.today_for(agreement.village)
        >= agreement.ends_on - agreements.RENEW_WINDOW,
        manager=current_user.has_role(*MANAGERS) and scheme_scope.covers_area(
            current_user, agreement.country_code, agreement.scheme.admin1_id),
        verifier=current_user.has_role(*VERIFIERS)), status


@scheme_bp.route("/agreements/<int:agreement_id>")
@roles_required(*READERS)
def agreement(agreement_id: int):
    return _detail(_agreement_or_404(agreement_id))


@scheme_bp.route("/agreement-milestones/<int:milestone_id>/verify", methods=["POST"])
@roles_required(*VERIFIERS)
def verify_milestone(milestone_id: int):
    milestone = db.session.get(AgreementMilestone, milestone_id)
    if milestone is None:
        abort(404)
    agreement = _agreement_or_404(milestone.agreement_id)
    form = MilestoneForm()
    if form.validate_on_submit():
        try:
            agreements.verify_milestone(current_user, milestone.id, form.verified_on.data,
                                        form.evidence.data)
        except DomainError as err:
            attach_error(form, err)
            return _detail(agreement, _refused(err), failed=form, failed_id=milestone.id)
        flash(_("Milestone verified."), "success")
        return redirect(url_for("scheme.agreement", agreement_id=agreement.id))
    return _detail(agreement, 400, failed=form, failed_id=milestone.id)


@scheme_bp.route("/agreements/<int:agreement_id>/renew", methods=["POST"])
@roles_required(*MANAGERS)
def renew_agreement(agreement_id: int):
    agreement = _agreement_or_404(agreement_id)
    form = AgreementForm()
    # The new term starts when the old one ends: the date is not the manager's to choose.
    form.signed_on.data = agreement.ends_on
    form.signed_on.raw_data = [agreement.ends_on.isoformat()]
    if form.validate_on_submit():
        try:
            new = agreements.renew(current_user, agreement.id, _terms(form))
        except DomainError as err:
            attach_error(form, err)
            return _detail(agreement, _refused(err), renew=form)
        flash(_("Agreement renewed."), "success")
        return redirect(url_for("scheme.agreement", agreement_id=new.id))
    return _detail(agreement, 400, renew=form)


@scheme_bp.route("/villages/<int:village_id>/agreements")
@roles_required(*READERS)
def community(village_id: int):
    """The community's page: its agreements and its households', across the schemes."""
    village = db.session.get(Village, village_id)
    if village is None or not covers(current_user, village):
        abort(404)
    incentives.release_due()
    withholdings = db.session.scalars(select(Withholding).where(
        Withholding.village_id == village.id).order_by(Withholding.id.desc()).limit(50)).all()
    return render_template("schemes/community.html", village=village,
                           rows=agreement_queries.of_village(village.id, current_user),
                           withholdings=withholdings)


@scheme_bp.app_template_global()
def household_agreements(household) -> list:  # noqa: ANN001
    """The household page's panel: the household's own agreements."""
    if not current_user.has_role(*CASE_ROLES):
        return []
    return agreement_queries.of_household(household.id, current_user)
