"""The API's PDF documents: the herder's receipt and decision letter, the payment voucher,
the batch list and vouchers, and a scheme's report, with the permission checks of the
document pages (documents.views) and the same renderers.

Language: the receipt and the decision letter are written to the herder, in the herder's
language as on the page, unless ``?lang=`` asks for another one (a copy for the office).
The other documents are in the reader's language: ``?lang=``, else ``Accept-Language``,
else the token owner's preferred language, else the default."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

from flask import Response, current_app, g, request

from conflict_app.api.payment_views import finance_reader, item_for
from conflict_app.api.views import ApiError, authenticated, bp, claim_for, query_date
from conflict_app.claims import harm_records
from conflict_app.core.permissions import Role, covers
from conflict_app.documents import contents, layout, render, report, vouchers
from conflict_app.documents.fonts import MissingFont
from conflict_app.documents.views import CLAIM_DOCUMENT_ROLES
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.i18n import LOCALES, _negotiated, force_timezone
from conflict_app.payments import operations as pay_ops
from conflict_app.payments.models import ItemState, PaymentBatch
from conflict_app.schemes.models import Scheme
from conflict_app.schemes.scope import reaches

PDF = "application/pdf"
LONGEST_REPORT_DAYS = 3660  # as the page


def _chosen() -> str | None:
    """The language asked for with ``?lang=`` (en, hy, fa_AF or fa-AF …), if any."""
    wanted = request.args.get("lang")
    if not wanted:
        return None
    code = wanted.replace("-", "_")
    if code not in LOCALES:
        raise ApiError(400, "Bad query", f"Unknown language {wanted!r}; one of "
                                         f"{', '.join(LOCALES)}.")
    return code


def reader_locale() -> str:
    chosen = _chosen() or _negotiated(request.headers.get("Accept-Language", ""))
    if chosen:
        return chosen
    preferred = (g.api_user.locale or "").replace("-", "_")
    return preferred if preferred in LOCALES else current_app.config["BABEL_DEFAULT_LOCALE"]


def _pdf(draw: Callable, data: object, locale: str, filename: str) -> Response:
    out = io.BytesIO()
    try:
        draw(data, locale, out)
    except MissingFont as err:
        # The server lacks a font package: said in the log, a problem document to the client.
        current_app.logger.error("PDF not rendered: %s", err)
        raise ApiError(503, "Document unavailable",
                       "The document cannot be printed on this server now.") from err
    return pdf_response(out.getvalue(), locale, filename)


def pdf_response(pdf: bytes, locale: str, filename: str) -> Response:
    """A PDF download in ``locale``, never kept by a cache (personal data)."""
    response = Response(pdf, mimetype=PDF)
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Content-Language"] = locale.replace("_", "-")
    response.headers["Cache-Control"] = "no-store"  # personal data
    return response


def _claim_document_claim(reference: str):  # noqa: ANN202 - a Claim
    claim = claim_for(reference)
    if not g.api_user.has_role(*CLAIM_DOCUMENT_ROLES):
        raise ApiError(403, "Forbidden", "Receipts and decision letters are printed by "
                                         "clerks, supervisors and approvers.")
    return claim


@bp.route("/claims/<reference>/receipt.pdf", methods=["GET"])
@authenticated("read")
def receipt_pdf(reference: str):
    claim = _claim_document_claim(reference)
    locale = _chosen() or contents.herder_locale(claim.household)
    # No PIN: it is shown once, in the answer that registered the claim.
    data = contents.receipt_data(claim)
    with force_timezone(timezones.zone_of(claim)):  # the herder's dates
        return _pdf(render.render_receipt, data, locale,
                    layout.safe_filename("receipt", data.reference))


@bp.route("/claims/<reference>/decision.pdf", methods=["GET"])
@authenticated("read")
def decision_pdf(reference: str):
    claim = _claim_document_claim(reference)
    if contents.decision_outcome(claim) is None:
        raise ApiError(404, "Not found", "The claim has no decision to write a letter about.")
    # A letter about an injury or a death names medical details: only the roles that may
    # read them print it (claims.harm_records).
    if (harm_records.is_special(harm_records.of_claim(claim.id))
            and not harm_records.may_see_special(g.api_user, claim)):
        raise ApiError(403, "Forbidden", "This letter names medical details your role may "
                                         "not read.")
    locale = _chosen() or contents.herder_locale(claim.household)
    data = contents.decision_data(claim)
    with force_timezone(timezones.zone_of(claim)):
        return _pdf(render.render_decision, data, locale,
                    layout.safe_filename("decision", data.reference))


@bp.route("/payment-items/<int:item_id>/voucher.pdf", methods=["GET"])
@authenticated("payments")
def voucher_pdf(item_id: int):
    user = finance_reader()
    item = item_for(item_id, user)
    if item.state == ItemState.REMOVED:
        raise ApiError(404, "Not found", "A removed item has no voucher.")
    data = contents.voucher_data(item)
    return _pdf(vouchers.render_voucher, data, reader_locale(),
                layout.safe_filename("voucher", data.batch_reference, str(data.item_id)))


def batch_for(batch_id: int) -> PaymentBatch:
    user = finance_reader()
    batch = db.session.get(PaymentBatch, batch_id, options=pay_ops.WITH_PAYEES)
    if batch is None or not covers(user, batch):
        raise ApiError(404, "Not found", "No payment batch with this id in your area.")
    return batch


@bp.route("/payment-batches/<int:batch_id>/list.pdf", methods=["GET"])
@authenticated("payments")
def batch_list_pdf(batch_id: int):
    data = contents.batch_data(batch_for(batch_id))
    return _pdf(vouchers.render_batch, data, reader_locale(),
                layout.safe_filename("batch", data.reference))


@bp.route("/payment-batches/<int:batch_id>/vouchers.pdf", methods=["GET"])
@authenticated("payments")
def batch_vouchers_pdf(batch_id: int):
    batch = batch_for(batch_id)
    data = contents.batch_data(batch)
    if data.count > current_app.config["VOUCHERS_IN_REQUEST"]:
        raise ApiError(409, "Too many vouchers for one request",
                       f"The batch has {data.count} vouchers: ask for them with POST "
                       f"/api/v1/payment-batches/{batch.id}/voucher-runs and download them "
                       "when the run is done.")
    return _pdf(vouchers.render_vouchers, data, reader_locale(),
                layout.safe_filename("vouchers", data.reference))


REPORT_ROLES = (Role.SCHEME_MANAGER, Role.ADMIN, Role.ANALYST)


@bp.route("/schemes/<int:scheme_id>/report.pdf", methods=["GET"])
@authenticated("read")
def scheme_report_pdf(scheme_id: int):
    """The implementation report of a scheme for a period of losses (aggregates only)."""
    user = g.api_user
    if not user.has_role(*REPORT_ROLES):
        raise ApiError(403, "Forbidden", "Scheme reports are for scheme managers and "
                                         "analysts.")
    # The page's reach: the analyst, who does not see the scheme pages, reads the report of
    # a scheme paying in their area.
    scheme = db.session.get(Scheme, scheme_id)
    if scheme is None or not reaches(user, scheme.country_code, scheme.admin1_id):
        raise ApiError(404, "Not found", "No scheme with this id in your area.")
    today = timezones.today_for(scheme)
    start = query_date("start", date(today.year, 1, 1))
    end = query_date("end", today)
    if end < start or (end - start).days > LONGEST_REPORT_DAYS:
        raise ApiError(400, "Bad query", "end must not be before start, and the period at "
                                         "most ten years.")
    # Someone who may open it only as an analyst reads it de-identified: no group of fewer
    # than 5 households, however narrow the period.
    data = report.report_data(scheme, start, end, deidentified=not user.has_role(
        Role.SCHEME_MANAGER, Role.ADMIN))
    return _pdf(report.render_scheme_report, data, reader_locale(),
                layout.safe_filename("report", scheme.code, start.isoformat(), end.isoformat()))

