"""Alert pages: the list of alerts in the user's area, a broadcast with its preview and
confirmation, and how alerted villages fared afterwards (for analysts)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conflict_app.alerts import effect, operations
from conflict_app.alerts.forms import BroadcastForm
from conflict_app.alerts.models import Alert
from conflict_app.core import inputs
from conflict_app.core.errors import DomainError, PermissionDenied
from conflict_app.core.permissions import Role, scope
from conflict_app.core.web import attach_error, roles_required
from conflict_app.extensions import db
from conflict_app.geo.models import Country

bp = Blueprint("alerts", __name__)
VIEWERS = (Role.SUPERVISOR, Role.SCHEME_MANAGER, Role.ADMIN)
ANALYSTS = (Role.ANALYST, Role.SCHEME_MANAGER, Role.ADMIN)


def alerts_for(user, limit: int = 100, after: int | None = None) -> list[Alert]:  # noqa: ANN001
    """Alerts inside the user's jurisdiction, newest first (keyset by id), with the place
    each names and the villages it reached read for all of them, not alert by alert."""
    query = scope(select(Alert).options(
        selectinload(Alert.village), selectinload(Alert.admin1), selectinload(Alert.admin2),
        selectinload(Alert.reached)), Alert, user).order_by(Alert.id.desc()).limit(limit)
    if after is not None:
        query = query.where(Alert.id < after)
    return list(db.session.scalars(query))


@bp.route("/alerts")
@roles_required(*VIEWERS)
def index():
    return render_template("alerts/index.html", alerts=alerts_for(current_user),
                           may_send=current_user.has_role(*operations.SENDERS))


def _area_id(form: BroadcastForm) -> int | None:
    raw = inputs.clean(form.area_id.data or "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@bp.route("/alerts/broadcast", methods=["GET", "POST"])
@roles_required(*operations.SENDERS)
def broadcast():
    form = BroadcastForm()
    form.area_id.choices = [("", "—")] + [(str(a.id), a.label)
                                          for a in operations.areas_for(current_user)]
    status = 200
    if form.validate_on_submit():
        try:
            if form.confirmed.data != "1":
                plan = operations.plan_broadcast(current_user, _area_id(form))
                return render_template("alerts/preview.html", form=form, plan=plan,
                                       text=operations.broadcast_text)
            alert = operations.send_broadcast(current_user, _area_id(form))
        except DomainError as err:
            db.session.rollback()
            attach_error(form, err)
            status = 403 if isinstance(err, PermissionDenied) else 400
        else:
            flash(_("Alert sent to %(phones)s phones.", phones=alert.phones), "success")
            return redirect(url_for("alerts.index"))
    elif form.is_submitted():
        status = 400
    return render_template("alerts/broadcast.html", form=form), status


@bp.route("/analytics/alerts")
@roles_required(*ANALYSTS)
def analytics():
    country = current_user.jurisdiction_country
    if country is None:
        code = (request.args.get("country") or "").upper()
        country = code if db.session.get(Country, code) else None
    countries = db.session.scalars(select(Country).order_by(Country.name)).all()
    weeks = request.args.get("weeks", "4")
    weeks = int(weeks) if weeks in {"2", "4", "8"} else 4
    result = effect.compare(current_user, country, weeks)
    return render_template("alerts/effect.html", result=result, country=country,
                           countries=countries, weeks=weeks)
