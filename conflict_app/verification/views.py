"""Verifier pages: my visits and the verification report form."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from conflict_app.claims import queries
from conflict_app.claims.views import load_claim
from conflict_app.claims.workflow import State
from conflict_app.core.errors import DomainError
from conflict_app.core.permissions import Role
from conflict_app.core.web import attach_error, roles_required
from conflict_app.geo import timezones
from conflict_app.verification import operations
from conflict_app.verification.checklist import (
    BiteLocation,
    CameraTrap,
    CarcassHandling,
    Confidence,
    Predator,
    Signs,
    Tracks,
    suggest,
)
from conflict_app.verification.forms import form_for

bp = Blueprint("verification", __name__, url_prefix="/verification")


@bp.route("/visits")
@roles_required(Role.VERIFIER)
def visits():
    size = current_app.config["PAGE_SIZE"]
    claims = queries.queue(current_user, Role.VERIFIER, None, size * 4)
    return render_template("verification/visits.html", claims=claims)


def _signs(form) -> Signs:  # noqa: ANN001
    return Signs(
        haemorrhage=form.haemorrhage.data,
        bite_location=BiteLocation(form.bite_location.data),
        canine_spacing_cm=form.canine_spacing_cm.data,
        claw_rakes=form.claw_rakes.data,
        carcass_handling=CarcassHandling(form.carcass_handling.data),
        feeding_pattern=(form.feeding_pattern.data or "").strip() or None,
        heads_killed=form.heads_killed.data,
        tracks=Tracks(form.tracks.data),
        scat_hair_dna=form.scat_hair_dna.data,
        camera_trap=CameraTrap(form.camera_trap.data),
        hours_since_attack=form.hours_since_attack.data,
    )


def _photos() -> list[bytes]:
    return [f.read() for f in request.files.getlist("photos") if f and f.filename]


@bp.route("/claims/<int:claim_id>/report", methods=["GET", "POST"])
@roles_required(Role.VERIFIER)
def file_report(claim_id: int):
    claim = load_claim(claim_id)
    if claim.state != State.VERIFICATION_SCHEDULED or claim.verifier_id != current_user.id:
        abort(404)
    lines = claim.incident.lines
    form = form_for(lines)
    if request.method == "GET":
        form.version.data = str(claim.version)
        form.visited_on.data = timezones.today_for(claim)
        form.heads_killed.data = sum(line.killed for line in lines)
        for line in lines:
            getattr(form, f"killed_{line.id}").data = line.killed
            getattr(form, f"injured_{line.id}").data = line.injured
    suggestion = None
    if form.validate_on_submit():
        signs = _signs(form)
        suggestion = suggest(signs)
        if not form.suggest.data:
            data = operations.VerificationInput(
                visited_on=form.visited_on.data,
                signs=signs,
                predator=Predator(form.predator.data),
                confidence=Confidence(form.confidence.data),
                confirmed={
                    line.id: (getattr(form, f"killed_{line.id}").data or 0,
                              getattr(form, f"injured_{line.id}").data or 0)
                    for line in lines
                },
                latitude=form.latitude.data,
                longitude=form.longitude.data,
                notes=form.notes.data,
                photos=_photos(),
            )
            try:
                version = int(form.version.data)
            except (TypeError, ValueError):
                version = -1
            try:
                operations.file_verification(claim.id, current_user, version, data)
            except DomainError as err:
                attach_error(form, err)
            else:
                flash(_("Verification report filed."), "success")
                return redirect(url_for("claims.detail", claim_id=claim.id))
    status = 400 if form.is_submitted() and form.errors or form.form_errors else 200
    return render_template("verification/report.html", claim=claim, form=form, lines=lines,
                           suggestion=suggestion), status
