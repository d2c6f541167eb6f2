"""Download pages: claims and payments (staff), GeoJSON and aggregates (de-identified)."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from conflict_app.analytics import pending
from conflict_app.analytics.store import FiguresPending
from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.core.web import roles_required
from conflict_app.exports import aggregate, jobs, tables
from conflict_app.exports.models import ExportRun
from conflict_app.extensions import db
from conflict_app.jobs import percent_done

bp = Blueprint("exports", __name__, url_prefix="/exports")
CASEWORK = (Role.CLERK, Role.SUPERVISOR, Role.APPROVER, Role.FINANCE, Role.SCHEME_MANAGER,
            Role.ADMIN)
PAYMENTS = (Role.FINANCE, Role.SCHEME_MANAGER, Role.ADMIN)
DEIDENTIFIED = (Role.ANALYST, Role.SCHEME_MANAGER, Role.ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(body, mimetype: str, name: str) -> Response:  # noqa: ANN001
    """A file to save (the pages and the API alike): dated name, never cached."""
    response = Response(body, mimetype=mimetype)
    stamp = clock.today().isoformat()
    stem, _dot, extension = name.rpartition(".")  # the date before the extension
    response.headers["Content-Disposition"] = (
        f"attachment; filename=pardus-{stem}-{stamp}.{extension}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


TABLE_ROLES = {"claims": CASEWORK, "payments": PAYMENTS}


@bp.errorhandler(FiguresPending)
def figures_pending(_error: FiguresPending):
    """The incident grid nobody computed yet: a job is at it, as on the analytics pages."""
    return pending.page()


@bp.route("/")
@roles_required(*CASEWORK, *DEIDENTIFIED)
def index():
    casework, payments = current_user.has_role(*CASEWORK), current_user.has_role(*PAYMENTS)
    # Tables too large for one request are offered as a file a job prepares.
    large = {table: jobs.too_large(current_user, table)
             for table, allowed in (("claims", casework), ("payments", payments)) if allowed}
    return render_template("exports/index.html", casework=casework, payments=payments,
                           deidentified=current_user.has_role(*DEIDENTIFIED), large=large)


def _table(table: str, extension: str) -> Response:
    """A table small enough for one request, streamed (CSV) or written at once (XLSX); a
    larger one sends the user back to the exports page to have it prepared."""
    count = jobs.too_large(current_user, table)
    if count is not None:
        flash(_("This export has %(count)s rows: prepare it, and download it when it is "
                "ready.", count=count), "info")
        return redirect(url_for("exports.index"), 303)
    return table_file(current_user, table, extension)


def table_file(user, table: str, extension: str) -> Response:  # noqa: ANN001
    """The table inside ``user``'s jurisdiction as a download (pages and API alike)."""
    columns, rows = jobs.TABLES[table]
    if extension == "csv":
        return download(stream_with_context(tables.as_csv(columns, rows(user))), "text/csv",
                        f"{table}.csv")
    return download(tables.as_xlsx(columns, rows(user), table), XLSX, f"{table}.xlsx")


@bp.route("/claims.csv")
@roles_required(*CASEWORK)
def claims_csv():
    return _table("claims", "csv")


@bp.route("/claims.xlsx")
@roles_required(*CASEWORK)
def claims_xlsx():
    return _table("claims", "xlsx")


@bp.route("/payments.csv")
@roles_required(*PAYMENTS)
def payments_csv():
    return _table("payments", "csv")


@bp.route("/payments.xlsx")
@roles_required(*PAYMENTS)
def payments_xlsx():
    return _table("payments", "xlsx")


RUN_STATES = {"queued": _l("Waiting for its turn"), "running": _l("Preparing"),
              "done": _l("Ready"), "failed": _l("The file could not be prepared")}
TITLES = {"claims": _l("Claims, with the herders' names and phones"),
          "payments": _l("Payments")}


@bp.route("/runs", methods=["POST"])
@roles_required(*CASEWORK, *PAYMENTS)
def prepare():
    """Ask for a whole table as a file; a job writes it."""
    table, extension = request.form.get("table", ""), request.form.get("format", "")
    if table not in jobs.TABLES or extension not in jobs.FORMATS:
        abort(400)
    if not current_user.has_role(*TABLE_ROLES[table]):
        abort(403)
    run = jobs.request_export(current_user, table, extension)
    return redirect(url_for("exports.run", run_id=run.id), 303)


def _run(run_id: int) -> ExportRun:
    run = db.session.get(ExportRun, run_id)
    # Only who asked sees the run, and only while their role may still see the table.
    if (run is None or run.user_id != current_user.id
            or not current_user.has_role(*TABLE_ROLES[run.table])):
        abort(404)
    return run


@bp.route("/runs/<int:run_id>")
@roles_required(*CASEWORK, *PAYMENTS)
def run(run_id: int):
    export = _run(run_id)
    recorded = 100 if export.finished else 0
    percent = recorded if export.finished else percent_done(jobs.job_id(export), recorded)
    return render_template("exports/run.html", run=export, percent=percent,
                           state=RUN_STATES[export.state], title=TITLES[export.table])


@bp.route("/runs/<int:run_id>/file")
@roles_required(*CASEWORK, *PAYMENTS)
def run_file(run_id: int):
    export = _run(run_id)
    if export.state != "done" or export.data is None:
        abort(404)
    mimetype = "text/csv" if export.format == "csv" else XLSX
    return download(jobs.file_chunks(export), mimetype, f"{export.table}.{export.format}")


@bp.route("/incidents.geojson")
@roles_required(*DEIDENTIFIED)
def incidents_geojson():
    return download(json.dumps(aggregate.geojson(current_user)), "application/geo+json",
                     "incidents.geojson")


@bp.route("/aggregate.csv")
@roles_required(*DEIDENTIFIED)
def aggregate_csv():
    return download(aggregate.aggregate_csv(current_user), "text/csv", "aggregate.csv")
