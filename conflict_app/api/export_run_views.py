"""The API's large exports, written by a background job as on the exports page: ask for one
(202 with where to follow it), follow the run, download the file. A claims or payments table
of more than ``EXPORT_ROWS_IN_REQUEST`` rows is not written inside a request: its
``/exports/…`` download answers 409 and names this route."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Response, g, url_for
from pydantic import BaseModel, ConfigDict, Field

from conflict_app.api.export_views import allowed
from conflict_app.api.views import ApiError, authenticated, body, bp, idempotent, json_response
from conflict_app.exports import jobs
from conflict_app.exports.models import ExportRun
from conflict_app.exports.views import TABLE_ROLES, XLSX, download
from conflict_app.extensions import db
from conflict_app.jobs.records import DONE, FAILED, QUEUED, RUNNING


class ExportRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    table: Literal["claims", "payments"]
    format: Literal["csv", "xlsx"]


class ExportRunOut(BaseModel):
    id: int
    table: str
    format: str
    state: str = Field(description="queued, running, done or failed",
                       json_schema_extra={"enum": [QUEUED, RUNNING, DONE, FAILED]})
    rows: int = Field(description="Rows counted when asked; once done, rows in the file")
    created_at: datetime
    finished_at: datetime | None
    file: str | None = Field(description="Where the file downloads once the run is done; it "
                                         "is kept for a day")


MODELS = (ExportRunIn, ExportRunOut)


def _out(run: ExportRun) -> ExportRunOut:
    return ExportRunOut(
        id=run.id, table=run.table, format=run.format, state=run.state, rows=run.rows,
        created_at=run.created_at, finished_at=run.finished_at,
        file=url_for("api.export_run_file", run_id=run.id) if run.state == DONE else None)


def _run_for(run_id: int) -> ExportRun:
    run = db.session.get(ExportRun, run_id)
    # Only who asked follows the run, and only while their role may see the table.
    if (run is None or run.user_id != g.api_user.id
            or not g.api_user.has_role(*TABLE_ROLES[run.table])):
        raise ApiError(404, "Not found", "No export run with this id of yours.")
    return run


@bp.route("/export-runs", methods=["POST"])
@authenticated("exports")
@idempotent
def create_export_run():
    asked = body(ExportRunIn)
    allowed(*TABLE_ROLES[asked.table])
    run = jobs.request_export(g.api_user, asked.table, asked.format)
    response = json_response(_out(run), 202)
    response.headers["Location"] = url_for("api.get_export_run", run_id=run.id)
    return response


@bp.route("/export-runs/<int:run_id>", methods=["GET"])
@authenticated("exports")
def get_export_run(run_id: int):
    return json_response(_out(_run_for(run_id)))


@bp.route("/export-runs/<int:run_id>/file", methods=["GET"])
@authenticated("exports")
def export_run_file(run_id: int):
    run = _run_for(run_id)
    if run.state != DONE or run.data is None:
        raise ApiError(409, "Not ready", f"The run is {run.state}; the file downloads once "
                                         "it is done.")
    mimetype = "text/csv" if run.format == "csv" else XLSX
    response: Response = download(jobs.file_chunks(run), mimetype, f"{run.table}.{run.format}")
    return response

