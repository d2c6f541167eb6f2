"""PDF downloads: the herder's receipt and decision letter (in the herder's language), the
payment voucher, the batch list and the batch's vouchers (in the user's language)."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from conflict_app.claims import harm_records
from conflict_app.claims.views import load_claim
from conflict_app.core.permissions import Role, covers
from conflict_app.core.sealed import unseal
from conflict_app.core.web import roles_required
from conflict_app.documents import contents, layout, render, vouchers
from conflict_app.documents.fonts import MissingFont
from conflict_app.documents.jobs import job_id, request_vouchers
from conflict_app.documents.models import VoucherRun
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.i18n import force_timezone
from conflict_app.jobs import percent_done
from conflict_app.payments import operations as pay_ops
from conflict_app.payments.models import ItemState, PaymentBatch, PaymentItem

bp = Blueprint("documents", __name__, url_prefix="/documents")

CLAIM_DOCUMENT_ROLES = (Role.CLERK, Role.SUPERVISOR, Role.APPROVER)


def _pdf(draw: Callable, data: object, locale: str, filename: str):  # noqa: ANN202
    # ReportLab assembles the file in memory when it saves anyway; a batch of 1,000
    # vouchers is under 2 MB.
    out = io.BytesIO()
    try:
        draw(data, locale, out)
    except MissingFont as err:
        # The server lacks a font package: say which in the log, not a 500 to the user.
        current_app.logger.error("PDF not rendered: %s", err)
        abort(503)
    out.seek(0)
    return _download(out, filename)


def _download(pdf: io.BytesIO, filename: str):  # noqa: ANN202
    response = send_file(pdf, mimetype="application/pdf", as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"  # personal data
    return response


def _user_locale() -> str:
    return str(get_locale())


@bp.route("/claims/<int:claim_id>/receipt.pdf")
@roles_required(*CLAIM_DOCUMENT_ROLES)
def receipt(claim_id: int):
    claim = load_claim(claim_id)
    pin = None
    pending = session.get("receipt") or {}
    if pending.get("claim_id") == claim.id and pending.get("sealed_pin"):
        # A PIN just issued is printed once, like the receipt page shows it once.
        pin = unseal(pending["sealed_pin"])
        session.pop("receipt", None)
    data = contents.receipt_data(claim, pin=pin)
    with force_timezone(timezones.zone_of(claim)):  # the herder's dates
        return _pdf(render.render_receipt, data, contents.herder_locale(claim.household),
                    layout.safe_filename("receipt", data.reference))


@bp.route("/claims/<int:claim_id>/decision.pdf")
@roles_required(*CLAIM_DOCUMENT_ROLES)
def decision(claim_id: int):
    claim = load_claim(claim_id)
    if contents.decision_outcome(claim) is None:
        abort(404)
    # A letter about an injury or a death names medical details: only the roles that may
    # read them print it (claims.harm_records).
    if (harm_records.is_special(harm_records.of_claim(claim.id))
            and not harm_records.may_see_special(current_user, claim)):
        abort(403)
    data = contents.decision_data(claim)
    with force_timezone(timezones.zone_of(claim)):
        return _pdf(render.render_decision, data, contents.herder_locale(claim.household),
                    layout.safe_filename("decision", data.reference))


def _batch(batch_id: int) -> PaymentBatch:
    batch = db.session.get(PaymentBatch, batch_id, options=pay_ops.WITH_PAYEES)
    if batch is None or not covers(current_user, batch):
        abort(404)
    return batch


@bp.route("/payments/items/<int:item_id>/voucher.pdf")
@roles_required(Role.FINANCE)
def voucher(item_id: int):
    item = db.session.get(PaymentItem, item_id)
    if item is None or item.state == ItemState.REMOVED:
        abort(404)
    _batch(item.batch_id)
    if not covers(current_user, item.located):
        abort(404)
    data = contents.voucher_data(item)
    return _pdf(vouchers.render_voucher, data, _user_locale(),
                layout.safe_filename("voucher", data.batch_reference, str(data.item_id)))


@bp.route("/payments/batches/<int:batch_id>/list.pdf")
@roles_required(Role.FINANCE)
def batch_list(batch_id: int):
    batch = _batch(batch_id)
    data = contents.batch_data(batch)
    return _pdf(vouchers.render_batch, data, _user_locale(),
                layout.safe_filename("batch", data.reference))


@bp.route("/payments/batches/<int:batch_id>/vouchers.pdf")
@roles_required(Role.FINANCE)
def batch_vouchers(batch_id: int):
    """A small batch's vouchers at once; a large one's are prepared by a job (POST)."""
    batch = _batch(batch_id)
    data = contents.batch_data(batch)
    if data.count > current_app.config["VOUCHERS_IN_REQUEST"]:
        flash(_("This batch has %(count)s vouchers: prepare them, and download them when "
                "they are ready.", count=data.count), "info")
        return redirect(url_for("payments.batch", batch_id=batch.id), 303)
    return _pdf(vouchers.render_vouchers, data, _user_locale(),
                layout.safe_filename("vouchers", data.reference))


RUN_STATES = {"queued": _l("Waiting for its turn"), "running": _l("Preparing"),
              "done": _l("Ready"), "failed": _l("The vouchers could not be prepared")}


@bp.route("/payments/batches/<int:batch_id>/vouchers", methods=["POST"])
@roles_required(Role.FINANCE)
def prepare_vouchers(batch_id: int):
    """Ask for every voucher of a batch; a job renders them in the asker's language."""
    run = request_vouchers(current_user.id, _batch(batch_id), _user_locale(),
                           str(get_timezone()))
    return redirect(url_for("documents.voucher_run", run_id=run.id), 303)


def _run(run_id: int) -> VoucherRun:
    run = db.session.get(VoucherRun, run_id)
    # Only who asked sees the run, and only while the batch is still in their area.
    if run is None or run.user_id != current_user.id or not covers(current_user, run.batch):
        abort(404)
    return run


@bp.route("/vouchers/<int:run_id>")
@roles_required(Role.FINANCE)
def voucher_run(run_id: int):
    run = _run(run_id)
    percent = run.percent if run.finished else percent_done(job_id(run), run.percent)
    return render_template("documents/voucher_run.html", run=run, percent=percent,
                           state=RUN_STATES[run.state])


@bp.route("/vouchers/<int:run_id>/vouchers.pdf")
@roles_required(Role.FINANCE)
def voucher_run_file(run_id: int):
    run = _run(run_id)
    if run.pdf is None:
        abort(404)
    return _download(io.BytesIO(run.pdf),
                     layout.safe_filename("vouchers", contents.reference_of(run.batch)))


@bp.route("/schemes/<int:scheme_id>/report.pdf")
@roles_required(Role.SCHEME_MANAGER, Role.ADMIN, Role.ANALYST)
def scheme_report(scheme_id: int):
    """The implementation report of a scheme for a period of losses (aggregates only)."""
    from datetime import date

    from conflict_app.documents import report
    from conflict_app.schemes.models import Scheme
    from conflict_app.schemes.scope import reaches

    scheme = db.session.get(Scheme, scheme_id)
    if scheme is None or not reaches(current_user, scheme.country_code, scheme.admin1_id):
        abort(404)
    today = timezones.today_for(scheme)
    try:
        start = date.fromisoformat(request.args.get("start") or f"{today.year}-01-01")
        end = date.fromisoformat(request.args.get("end") or today.isoformat())
    except ValueError:
        abort(400)
    if end < start or (end - start).days > 3660:
        abort(400)
    # Someone who may open it only as an analyst reads it de-identified: no group of fewer
    # than 5 households, however narrow the period.
    data = report.report_data(scheme, start, end, deidentified=not current_user.has_role(
        Role.SCHEME_MANAGER, Role.ADMIN))
    return _pdf(report.render_scheme_report, data, _user_locale(),
                layout.safe_filename("report", scheme.code, start.isoformat(),
                                     end.isoformat()))
