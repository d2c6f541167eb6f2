"""Download pages: claims and payments (staff), GeoJSON and aggregates (de-identified)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, stream_with_context
from flask_login import current_user

from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.core.web import roles_required
from conflict_app.exports import aggregate, tables

bp = Blueprint("exports", __name__, url_prefix="/exports")
CASEWORK = (Role.CLERK, Role.SUPERVISOR, Role.APPROVER, Role.FINANCE, Role.SCHEME_MANAGER,
            Role.ADMIN)
PAYMENTS = (Role.FINANCE, Role.SCHEME_MANAGER, Role.ADMIN)
DEIDENTIFIED = (Role.ANALYST, Role.SCHEME_MANAGER, Role.ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body, mimetype: str, name: str) -> Response:  # noqa: ANN001
    response = Response(body, mimetype=mimetype)
    stamp = clock.today().isoformat()
    stem, _dot, extension = name.rpartition(".")  # the date before the extension
    response.headers["Content-Disposition"] = (
        f"attachment; filename=pardus-{stem}-{stamp}.{extension}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/")
@roles_required(*CASEWORK, *DEIDENTIFIED)
def index():
    return render_template("exports/index.html", casework=current_user.has_role(*CASEWORK),
                           payments=current_user.has_role(*PAYMENTS),
                           deidentified=current_user.has_role(*DEIDENTIFIED))


@bp.route("/claims.csv")
@roles_required(*CASEWORK)
def claims_csv():
    rows = tables.claim_rows(current_user)
    return _download(stream_with_context(tables.as_csv(tables.CLAIM_COLUMNS, rows)),
                     "text/csv", "claims.csv")


@bp.route("/claims.xlsx")
@roles_required(*CASEWORK)
def claims_xlsx():
    data = tables.as_xlsx(tables.CLAIM_COLUMNS, tables.claim_rows(current_user), "claims")
    return _download(data, XLSX, "claims.xlsx")


@bp.route("/payments.csv")
@roles_required(*PAYMENTS)
def payments_csv():
    rows = tables.payment_rows(current_user)
    return _download(stream_with_context(tables.as_csv(tables.PAYMENT_COLUMNS, rows)),
                     "text/csv", "payments.csv")


@bp.route("/payments.xlsx")
@roles_required(*PAYMENTS)
def payments_xlsx():
    data = tables.as_xlsx(tables.PAYMENT_COLUMNS, tables.payment_rows(current_user),
                          "payments")
    return _download(data, XLSX, "payments.xlsx")


@bp.route("/incidents.geojson")
@roles_required(*DEIDENTIFIED)
def incidents_geojson():
    return _download(json.dumps(aggregate.geojson(current_user)), "application/geo+json",
                     "incidents.geojson")


@bp.route("/aggregate.csv")
@roles_required(*DEIDENTIFIED)
def aggregate_csv():
    return _download(aggregate.aggregate_csv(current_user), "text/csv", "aggregate.csv")
