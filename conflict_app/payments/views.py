"""Finance pages: approved claims ready to pay, payment batches, the payment file, results."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conflict_app.auth.two_factor import recent_auth_required
from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import State
from conflict_app.core.errors import N_, DomainError, IllegalTransition, InvalidInput
from conflict_app.core.forms import coerce_int_or_none
from conflict_app.core.money import Money
from conflict_app.core.permissions import Role, covers, scope
from conflict_app.core.web import attach_error, roles_required
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import Village
from conflict_app.payments import confirmation_runs, files, operations, owed, recoveries
from conflict_app.payments import incentives as incentive_items
from conflict_app.payments.forms import (
    BatchForm,
    ConfirmationForm,
    ExportForm,
    FailedForm,
    PaidForm,
    RecoveryForm,
)
from conflict_app.payments.models import (
    ConfirmationRun,
    PaymentBatch,
    PaymentItem,
    PaymentMethod,
    PaymentRecovery,
)

bp = Blueprint("payments", __name__, url_prefix="/payments")


def _ready(after: int | None, size: int) -> list[Claim]:
    query = scope(select(Claim), Claim, current_user).where(Claim.state == State.APPROVED)
    if after:
        query = query.where(Claim.id > after)
    # The page names each payee: their households in one more query, not one per row; the
    # zone that counts a claim's days late is read with it.
    return list(db.session.scalars(query.options(selectinload(Claim.household),
                                                 timezones.with_zone(Claim))
                                   .order_by(Claim.id).limit(size)))


def _due(claim: Claim, facts: owed.PaidFacts) -> dict:
    """What a batch would pay the claim now, as the batch itself computes it: after an
    appeal only the top-up, for an insurance its settled share, with interest when late;
    or why it cannot be paid yet."""
    why = None
    if claim.budget_hold:
        why = _("Claim %(reference)s waits for budget.", reference=claim.reference)
    elif claim.review_required and claim.reviewed_at is None:
        why = _("Claim %(reference)s waits for its second review.", reference=claim.reference)
    try:
        amount, _interest = owed.payable(claim, facts)
    except DomainError as err:
        why = err.translated()
    if why:
        return {"claim": claim, "due": None, "why": why, "topup": False}
    return {"claim": claim, "due": Money(amount, claim.currency), "why": None,
            "topup": bool(facts.final)}


def _page(form: BatchForm, status: int = 200):  # noqa: ANN202
    size = current_app.config["PAGE_SIZE"] * 4
    after = coerce_int_or_none(request.args.get("after"))
    ready = _ready(after, size + 1)
    facts = owed.paid_facts(c.id for c in ready[:size])
    batches = db.session.scalars(scope(select(PaymentBatch), PaymentBatch, current_user)
                                 .order_by(PaymentBatch.id.desc()).limit(50)).all()
    # Items of the batches shown, not of every batch ever made.
    totals = dict(db.session.execute(
        select(PaymentItem.batch_id, func.count(PaymentItem.id))
        .where(PaymentItem.state != "removed",
               PaymentItem.batch_id.in_([b.id for b in batches]))
        .group_by(PaymentItem.batch_id)).all())
    # Assessed claims whose scheme pays an interim share before the decision.
    interim = owed.interim_ready(scope(select(Claim), Claim, current_user)
                                 .options(selectinload(Claim.household)))
    rewards = incentive_items.ready(scope(select(Village), Village, current_user))
    return render_template("payments/index.html", form=form,
                           ready=[_due(c, facts[c.id]) for c in ready[:size]],
                           next_after=ready[size - 1].id if len(ready) > size else None,
                           batches=batches, counts=totals, interim=interim,
                           incentives=rewards), status


@bp.route("/")
@roles_required(Role.FINANCE)
def index():
    return _page(BatchForm())


@bp.route("/batches", methods=["POST"])
@roles_required(Role.FINANCE)
def create_batch():
    form = BatchForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    ids = [i for i in (coerce_int_or_none(v) for v in request.form.getlist("claim_ids")) if i]
    rewards = [i for i in (coerce_int_or_none(v)
                           for v in request.form.getlist("incentive_ids")) if i]
    try:
        batch = operations.create_batch(current_user, ids, PaymentMethod(form.method.data),
                                        rewards)
    except DomainError as err:
        attach_error(form, err)
        return _page(form, 400)
    flash(_("Payment batch %(reference)s created.", reference=batch.reference), "success")
    return redirect(url_for("payments.batch", batch_id=batch.id))


def _load(batch_id: int) -> PaymentBatch:
    batch = db.session.get(PaymentBatch, batch_id, options=operations.WITH_PAYEES)
    if batch is None or not covers(current_user, batch):
        abort(404)
    return batch


@bp.route("/batches/<int:batch_id>")
@roles_required(Role.FINANCE)
def batch(batch_id: int):
    return _batch_page(_load(batch_id), ConfirmationForm())


def _batch_page(batch: PaymentBatch, confirm_form: ConfirmationForm, status: int = 200):  # noqa: ANN202
    return render_template("payments/batch.html", batch=batch, paid_form=PaidForm(),
                           failed_form=FailedForm(), confirm_form=confirm_form,
                           payout=files.payout_hints(batch)), status


@bp.route("/batches/<int:batch_id>/confirmations", methods=["POST"])
@roles_required(Role.FINANCE)
def confirmations(batch_id: int):
    """Record the results of a whole batch from the provider's file, all or nothing."""
    batch = _load(batch_id)
    form = ConfirmationForm()
    if form.validate_on_submit():
        raw = form.file.data.read(2 * 1024 * 1024 + 1)
        try:
            if len(raw) > 2 * 1024 * 1024:
                raise InvalidInput(N_("The file is too large."), field="file")
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InvalidInput(N_("The file must be CSV text in UTF-8."),
                                   field="file") from None
            counts = confirmation_runs.record(current_user, batch.id, text, str(get_locale()))
        except DomainError as err:
            attach_error(form, err)
        else:
            if isinstance(counts, ConfirmationRun):  # a long file: its job's page follows it
                return redirect(url_for("payments.confirmation_run", run_id=counts.id), 303)
            flash(_("Confirmations recorded: %(paid)s paid, %(failed)s failed, %(unchanged)s "
                    "already recorded.", **counts), "success")
            return redirect(url_for("payments.batch", batch_id=batch.id))
    return _batch_page(_load(batch_id), form, 400)


RUN_STATES = {"queued": _l("Waiting for its turn"), "running": _l("Recording"),
              "done": _l("Recorded"), "failed": _l("Nothing was recorded")}


@bp.route("/confirmation-runs/<int:run_id>")
@roles_required(Role.FINANCE)
def confirmation_run(run_id: int):
    """A long confirmation file's job: its state, then what it recorded or what stopped it
    (to the uploader only, while the batch is in their area)."""
    run = db.session.get(ConfirmationRun, run_id)
    if run is None or run.user_id != current_user.id or not covers(current_user, run.batch):
        abort(404)
    return render_template("payments/confirmation_run.html", run=run,
                           state=RUN_STATES[run.state])


def _export_page(batch: PaymentBatch, form: ExportForm | None = None, status: int = 200):
    """What releasing the batch will do, with the button that does it (or the plain
    download of a batch released already)."""
    form = form or ExportForm()
    form.items.data = ",".join(str(i.id) for i in batch.live_items())
    return render_template("payments/export.html", batch=batch, form=form,
                           payees=len({files.payee_key(i) for i in batch.live_items()})
                           ), status


@bp.route("/batches/<int:batch_id>/export", methods=["GET", "POST"])
@roles_required(Role.FINANCE)
@recent_auth_required
def export(batch_id: int):
    """Releasing the payment file moves money: the user confirms it is them, sees what will
    be paid, and confirms; the file downloads from the POST."""
    batch = _load(batch_id)
    form = ExportForm()
    if request.method == "GET":
        return _export_page(batch)
    if not form.validate_on_submit():
        return _export_page(batch, form, 400)
    try:
        text = operations.export_batch(current_user, batch_id, form.item_ids())
    except DomainError as err:
        flash(err.translated(), "error")
        return redirect(url_for("payments.export", batch_id=batch_id))
    batch = _load(batch_id)
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={batch.reference}.csv"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _item_action(batch_id: int, item_id: int, run) -> Response:  # noqa: ANN001
    batch = _load(batch_id)
    item = db.session.get(PaymentItem, item_id)
    if item is None or item.batch_id != batch.id:
        abort(404)
    try:
        run(item)
    except DomainError as err:
        flash(err.translated(), "error")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("payments.batch", batch_id=batch.id))


@bp.route("/batches/<int:batch_id>/items/<int:item_id>/paid", methods=["POST"])
@roles_required(Role.FINANCE)
def paid(batch_id: int, item_id: int):
    form = PaidForm()
    if not form.validate_on_submit():
        flash(_("Enter the payment reference (up to 80 characters)."), "error")
        return redirect(url_for("payments.batch", batch_id=batch_id))
    return _item_action(batch_id, item_id, lambda item: operations.record_paid(
        current_user, item.id, form.reference.data))


@bp.route("/batches/<int:batch_id>/items/<int:item_id>/failed", methods=["POST"])
@roles_required(Role.FINANCE)
def failed(batch_id: int, item_id: int):
    form = FailedForm()
    if not form.validate_on_submit():
        flash(_("Give a reason."), "error")
        return redirect(url_for("payments.batch", batch_id=batch_id))
    return _item_action(batch_id, item_id, lambda item: operations.record_failed(
        current_user, item.id, form.reason.data))


@bp.route("/batches/<int:batch_id>/items/<int:item_id>/remove", methods=["POST"])
@roles_required(Role.FINANCE)
def remove(batch_id: int, item_id: int):
    form = FailedForm()
    if not form.validate_on_submit():
        flash(_("Give a reason."), "error")
        return redirect(url_for("payments.batch", batch_id=batch_id))
    return _item_action(batch_id, item_id, lambda item: operations.remove_item(
        current_user, item.id, form.reason.data))


@bp.route("/recoveries/<int:recovery_id>", methods=["POST"])
@roles_required(Role.FINANCE)
def recovery(recovery_id: int):
    """Record that an interim payment owed back came back, or is waived."""
    item = db.session.get(PaymentRecovery, recovery_id)
    claim = db.session.get(Claim, item.claim_id) if item is not None else None
    if claim is None or not covers(current_user, claim):
        abort(404)
    form = RecoveryForm()
    if not form.validate_on_submit():
        message = next((str(m) for errs in form.errors.values() for m in errs),
                       _("The request could not be understood."))
        return render_template("errors/error.html", code=400, message=message), 400
    try:
        recoveries.settle(current_user, recovery_id, form.outcome.data, form.note.data)
    except DomainError as err:
        db.session.rollback()
        code = 409 if isinstance(err, IllegalTransition) else 400
        return render_template("errors/error.html", code=code, message=err.translated()), code
    flash(_("Saved."), "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))
