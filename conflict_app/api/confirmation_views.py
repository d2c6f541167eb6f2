"""A long confirmation file sent to the API is recorded by a job, as on the batch page: the
POST answers 202 with the run and ``Location``; the run says what was recorded, or which line
stopped the file (nothing recorded)."""

from __future__ import annotations

from datetime import datetime

from flask import Response, url_for
from pydantic import BaseModel, Field

from conflict_app.api.payment_views import finance_reader
from conflict_app.api.views import ApiError, authenticated, bp, json_response
from conflict_app.core.permissions import covers
from conflict_app.extensions import db
from conflict_app.jobs.records import DONE, FAILED, QUEUED, RUNNING
from conflict_app.payments.models import ConfirmationRun


class ConfirmationRunOut(BaseModel):
    id: int
    batch_id: int
    state: str = Field(description="queued, running, done or failed",
                       json_schema_extra={"enum": [QUEUED, RUNNING, DONE, FAILED]})
    lines: int
    paid: int | None = None
    failed: int | None = None
    unchanged: int | None = None
    problem: str | None = Field(None, description="Why nothing was recorded (failed runs), "
                                                  "in the language the file was sent in")
    created_at: datetime
    finished_at: datetime | None


MODELS = (ConfirmationRunOut,)


def run_answer(run: ConfirmationRun, status: int = 200) -> Response:
    counts = run.counts or {}
    response = json_response(ConfirmationRunOut(
        id=run.id, batch_id=run.batch_id, state=run.state, lines=run.lines,
        paid=counts.get("paid"), failed=counts.get("failed"),
        unchanged=counts.get("unchanged"), problem=run.problem, created_at=run.created_at,
        finished_at=run.finished_at), status)
    if status == 202:
        response.headers["Location"] = url_for("api.get_confirmation_run", run_id=run.id)
    return response


@bp.route("/confirmation-runs/<int:run_id>", methods=["GET"])
@authenticated("payments")
def get_confirmation_run(run_id: int):
    user = finance_reader()
    run = db.session.get(ConfirmationRun, run_id)
    # Only who sent the file follows it, and only while the batch is in their area.
    if run is None or run.user_id != user.id or not covers(user, run.batch):
        raise ApiError(404, "Not found", "No confirmation run with this id of yours.")
    return run_answer(run)
