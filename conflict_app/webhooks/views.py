"""The administration pages of webhooks: subscriptions, their delivery log, and the
messages as sent (payloads are shown to administrators only: every route here needs the
admin role and the subscription inside the admin's jurisdiction, else 404)."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from conflict_app.core import clock
from conflict_app.core.errors import DomainError
from conflict_app.core.forms import coerce_int_or_none
from conflict_app.core.permissions import Role
from conflict_app.core.web import attach_error, button_action, roles_required
from conflict_app.extensions import db
from conflict_app.webhooks import operations
from conflict_app.webhooks.forms import (
    EVENT_LABELS,
    STATE_LABELS,
    ActionForm,
    SubscriptionForm,
    error_label,
)
from conflict_app.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookMessage,
    WebhookSubscription,
)

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")
LOG_SIZE = 50


def _load(subscription_id: int) -> WebhookSubscription:
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None or not operations.visible(current_user, subscription):
        abort(404)
    return subscription


def _input(form: SubscriptionForm) -> operations.SubscriptionInput:
    return operations.SubscriptionInput(name=form.name.data or "", url=form.url.data or "",
                                        event_types=list(form.event_types.data or []))


def _globals() -> dict:
    return {"event_labels": EVENT_LABELS, "state_labels": STATE_LABELS,
            "error_label": error_label}


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    rows = [s for s in db.session.scalars(select(WebhookSubscription)
                                          .order_by(WebhookSubscription.id))
            if operations.visible(current_user, s)]
    counts: dict[int, dict[str, int]] = {}
    if rows:
        query = (select(WebhookDelivery.subscription_id, WebhookDelivery.state, func.count())
                 .where(WebhookDelivery.subscription_id.in_([s.id for s in rows]))
                 .group_by(WebhookDelivery.subscription_id, WebhookDelivery.state))
        for subscription_id, state, count in db.session.execute(query):
            counts.setdefault(subscription_id, {})[state.value] = count
    return render_template("webhooks/index.html", subscriptions=rows, counts=counts,
                           **_globals())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    form = SubscriptionForm()
    if form.validate_on_submit():
        try:
            subscription, secret = operations.create(current_user, _input(form))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Subscription %(name)s created.", name=subscription.name), "success")
            return _page(subscription, secret=secret)
    status = 400 if form.is_submitted() else 200
    return render_template("webhooks/new.html", form=form, **_globals()), status


def _page(subscription: WebhookSubscription, form: SubscriptionForm | None = None,
          secret: str | None = None, error: str | None = None, status: int = 200):  # noqa: ANN202
    if form is None:
        form = SubscriptionForm(data={"name": subscription.name, "url": subscription.url,
                                      "event_types": subscription.event_types})
    before = coerce_int_or_none(request.args.get("before"))
    query = (select(WebhookAttempt, WebhookDelivery, WebhookMessage)
             .join(WebhookDelivery, WebhookAttempt.delivery_id == WebhookDelivery.id)
             .join(WebhookMessage, WebhookDelivery.message_id == WebhookMessage.id)
             .where(WebhookDelivery.subscription_id == subscription.id))
    if before:
        query = query.where(WebhookAttempt.id < before)
    log = db.session.execute(query.order_by(WebhookAttempt.id.desc())
                             .limit(LOG_SIZE + 1)).all()
    waiting = db.session.execute(
        select(WebhookDelivery, WebhookMessage)
        .join(WebhookMessage, WebhookDelivery.message_id == WebhookMessage.id)
        .where(WebhookDelivery.subscription_id == subscription.id,
               WebhookDelivery.attempts == 0)
        .order_by(WebhookDelivery.id.desc()).limit(LOG_SIZE)).all()
    more = len(log) > LOG_SIZE
    log = log[:LOG_SIZE]
    return render_template(
        "webhooks/subscription.html", subscription=subscription, form=form, secret=secret,
        error=error, log=log, waiting=waiting, action_form=ActionForm(), now=clock.now(),
        next_before=log[-1][0].id if more else None, **_globals()), status


@bp.route("/<int:subscription_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def subscription(subscription_id: int):
    found = _load(subscription_id)
    form = SubscriptionForm()
    if request.method == "GET":
        return _page(found)
    if form.validate_on_submit():
        try:
            operations.update(current_user, found, _input(form))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Subscription %(name)s saved.", name=found.name), "success")
            return redirect(url_for("webhooks.subscription", subscription_id=found.id))
    return _page(found, form=form, status=400)


def _action(subscription_id: int, act, done: str):  # noqa: ANN001, ANN202
    return button_action(_load(subscription_id), act, done, page=_page,
                         back=url_for("webhooks.subscription", subscription_id=subscription_id))


@bp.route("/<int:subscription_id>/disable", methods=["POST"])
@roles_required(Role.ADMIN)
def disable(subscription_id: int):
    return _action(subscription_id, lambda s: operations.set_active(current_user, s, False),
                   _("The subscription is switched off: nothing more is sent to it."))


@bp.route("/<int:subscription_id>/enable", methods=["POST"])
@roles_required(Role.ADMIN)
def enable(subscription_id: int):
    return _action(subscription_id, lambda s: operations.set_active(current_user, s, True),
                   _("The subscription is switched on."))


@bp.route("/<int:subscription_id>/test", methods=["POST"])
@roles_required(Role.ADMIN)
def test(subscription_id: int):
    return _action(subscription_id, lambda s: operations.send_test(current_user, s),
                   _("A test message was sent; its result is in the delivery log."))


@bp.route("/<int:subscription_id>/rotate", methods=["POST"])
@roles_required(Role.ADMIN)
def rotate(subscription_id: int):
    found = _load(subscription_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    secret = operations.rotate_secret(current_user, found)
    flash(_("A new secret was made. The previous one also signs for the next 24 hours."),
          "success")
    return _page(found, secret=secret)


def _load_delivery(subscription: WebhookSubscription, delivery_id: int) -> WebhookDelivery:
    found = db.session.get(WebhookDelivery, delivery_id)
    if found is None or found.subscription_id != subscription.id:
        abort(404)
    return found


@bp.route("/<int:subscription_id>/deliveries/<int:delivery_id>")
@roles_required(Role.ADMIN)
def delivery(subscription_id: int, delivery_id: int):
    found = _load(subscription_id)
    item = _load_delivery(found, delivery_id)
    attempts = db.session.scalars(select(WebhookAttempt).where(
        WebhookAttempt.delivery_id == item.id).order_by(WebhookAttempt.id)).all()
    payload = json.dumps(item.message.payload, ensure_ascii=False, indent=2, sort_keys=True)
    return render_template("webhooks/delivery.html", subscription=found, delivery=item,
                           attempts=attempts, payload=payload, action_form=ActionForm(),
                           **_globals())


@bp.route("/<int:subscription_id>/deliveries/<int:delivery_id>/redeliver", methods=["POST"])
@roles_required(Role.ADMIN)
def redeliver(subscription_id: int, delivery_id: int):
    found = _load(subscription_id)
    _load_delivery(found, delivery_id)
    return _action(subscription_id,
                   lambda s: operations.redeliver(current_user, s, delivery_id),
                   _("The message is being sent again."))
