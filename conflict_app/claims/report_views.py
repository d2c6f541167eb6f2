"""Reporting an incident at the office or by phone, its receipt with the PIN shown once, and
a new PIN for a herder who lost it (routes of claims_bp)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from conflict_app.claims import harm_records, intake, operations
from conflict_app.claims.forms import ActionForm, ReportForm
from conflict_app.claims.models import AgeClass, Channel, PartOfDay, Setting
from conflict_app.claims.views import bp, load_claim
from conflict_app.core.errors import DomainError
from conflict_app.core.permissions import Role
from conflict_app.core.sealed import seal, unseal
from conflict_app.core.web import attach_error, roles_required
from conflict_app.herders.models import Species
from conflict_app.herders.views import load_household, villages_in_scope
from conflict_app.schemes.harm import HarmKind


def _report_input(form: ReportForm) -> intake.ReportInput:
    lines = [
        intake.LossInput(
            species=Species(entry.form.species.data),
            age_class=AgeClass(entry.form.age_class.data),
            killed=entry.form.killed.data or 0,
            injured=entry.form.injured.data or 0,
        )
        for entry in form.lines.entries
        if not entry.form.is_empty
    ]
    return intake.ReportInput(
        occurred_on=form.occurred_on.data,
        occurred_time=form.occurred_time.data,
        part_of_day=PartOfDay(form.part_of_day.data) if form.part_of_day.data else None,
        setting=Setting(form.setting.data),
        lines=lines,
        village_id=form.village_id.data,
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        in_protected_area=form.in_protected_area.data,
        guard_present=form.guard_present.data,
        dog_present=form.dog_present.data,
        measure_present=form.measure_present.data,
        protection_known=True,  # the clerk asked: boxes left empty mean none
        description=form.description.data,
        late_override_reason=form.late_override_reason.data,
        harm_kind=HarmKind(form.harm_kind.data)
        if form.harm_kind.data not in (None, "", "livestock") else None,
    )


@bp.route("/households/<int:household_id>/report", methods=["GET", "POST"])
@roles_required(Role.CLERK, Role.SUPERVISOR)
def report(household_id: int):
    household = load_household(household_id)
    form = ReportForm(villages_in_scope(), harm_kinds=harm_records.kinds_offered(household))
    if request.method == "GET":
        form.village_id.data = household.village_id
    if form.validate_on_submit():
        channel = Channel.PHONE if request.form.get("channel") == "phone" else Channel.OFFICE
        try:
            claim, pin = intake.register_report(current_user, household,
                                                    _report_input(form), channel)
        except DomainError as err:
            attach_error(form, err)
        else:
            session["receipt"] = {"claim_id": claim.id, "sealed_pin": seal(pin)}
            return redirect(url_for("claims.receipt", claim_id=claim.id))
    status = 400 if form.is_submitted() else 200
    return render_template("claims/report.html", form=form, household=household), status


@bp.route("/claims/<int:claim_id>/receipt")
@roles_required(Role.CLERK, Role.SUPERVISOR)
def receipt(claim_id: int):
    claim = load_claim(claim_id)
    pending = session.get("receipt") or {}
    pin = None
    if pending.get("claim_id") == claim.id:
        # The PIN is shown once, on the receipt page right after it was issued; the cookie
        # carries it sealed, never in clear.
        pin = unseal(pending.get("sealed_pin"))
        session.pop("receipt", None)
    return render_template("claims/receipt.html", claim=claim, pin=pin,
                           deadlines=operations.deadlines())


@bp.route("/claims/<int:claim_id>/pin", methods=["POST"])
@roles_required(Role.CLERK, Role.SUPERVISOR)
def reissue_pin(claim_id: int):
    claim = load_claim(claim_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        pin = operations.reissue_pin(claim.id, current_user)
    except DomainError as err:
        flash(err.translated(), "error")
        return redirect(url_for("claims.detail", claim_id=claim.id))
    session["receipt"] = {"claim_id": claim.id, "sealed_pin": seal(pin)}
    return redirect(url_for("claims.receipt", claim_id=claim.id))
