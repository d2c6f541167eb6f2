"""The API's vouchers of a large payment batch, rendered by a background job as on the
batch page: ask for them (202 with where to follow them), follow the run, download the file.
A batch with more vouchers than ``VOUCHERS_IN_REQUEST`` is not rendered inside a request;
its ``vouchers.pdf`` answers 409 and names this route."""

from __future__ import annotations

from datetime import datetime

from flask import g, url_for
from flask_babel import get_timezone
from pydantic import BaseModel, Field

from conflict_app.api.document_views import batch_for, pdf_response, reader_locale
from conflict_app.api.payment_views import finance_reader
from conflict_app.api.views import ApiError, authenticated, bp, idempotent, json_response
from conflict_app.core.permissions import covers
from conflict_app.documents import contents, layout
from conflict_app.documents.jobs import request_vouchers
from conflict_app.documents.models import VoucherRun
from conflict_app.extensions import db
from conflict_app.jobs.records import DONE, FAILED, QUEUED, RUNNING


class VoucherRunOut(BaseModel):
    id: int
    batch_id: int
    state: str = Field(description="queued, running, done or failed",
                       json_schema_extra={"enum": [QUEUED, RUNNING, DONE, FAILED]})
    vouchers: int = Field(description="Vouchers in the file")
    language: str
    created_at: datetime
    finished_at: datetime | None
    file: str | None = Field(description="Where the PDF downloads once the run is done; it is "
                                         "kept for a day")


MODELS = (VoucherRunOut,)


def _out(run: VoucherRun) -> VoucherRunOut:
    return VoucherRunOut(
        id=run.id, batch_id=run.batch_id, state=run.state, vouchers=run.items,
        language=run.locale.replace("_", "-"), created_at=run.created_at,
        finished_at=run.finished_at,
        file=url_for("api.voucher_run_pdf", run_id=run.id) if run.state == DONE else None)


def _run_for(run_id: int) -> VoucherRun:
    user = finance_reader()
    run = db.session.get(VoucherRun, run_id)
    # Only who asked follows the run, and only while the batch is in their area.
    if run is None or run.user_id != user.id or not covers(user, run.batch):
        raise ApiError(404, "Not found", "No voucher run with this id of yours.")
    return run


@bp.route("/payment-batches/<int:batch_id>/voucher-runs", methods=["POST"])
@authenticated("payments")
@idempotent
def create_voucher_run(batch_id: int):
    batch = batch_for(batch_id)
    run = request_vouchers(g.api_user.id, batch, reader_locale(), str(get_timezone()))
    response = json_response(_out(run), 202)
    response.headers["Location"] = url_for("api.get_voucher_run", run_id=run.id)
    return response


@bp.route("/voucher-runs/<int:run_id>", methods=["GET"])
@authenticated("payments")
def get_voucher_run(run_id: int):
    return json_response(_out(_run_for(run_id)))


@bp.route("/voucher-runs/<int:run_id>/vouchers.pdf", methods=["GET"])
@authenticated("payments")
def voucher_run_pdf(run_id: int):
    run = _run_for(run_id)
    if run.pdf is None:
        raise ApiError(409, "Not ready", f"The run is {run.state}; the file downloads once "
                                         "it is done.")
    return pdf_response(run.pdf, run.locale,
                        layout.safe_filename("vouchers", contents.reference_of(run.batch)))
