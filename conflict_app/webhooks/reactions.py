"""Webhooks reacting to the other features' events; connected when the app is built.

Each handler runs inside the transaction of the change it reports and only writes the
outbox (``outbox.publish``): the HTTP requests go out after the commit.
"""

from __future__ import annotations

from sqlalchemy import select

from conflict_app.extensions import db
from conflict_app.webhooks import payloads
from conflict_app.webhooks.models import EventType
from conflict_app.webhooks.outbox import Place, publish

# The evidence on which an attack counts as a leopard's (the alerts' and analytics' filter).
ATTACK_CONFIDENCE = ("confirmed", "probable")


def _place(located) -> Place:  # noqa: ANN001 - anything with country and areas
    return Place(located.country_code, located.admin1_id, located.admin2_id)


def on_claim_moved(claim, *, actor, before, after, reason=None) -> None:  # noqa: ANN001, ARG001
    """Every move; and a verification on leopard evidence is also a verified attack. The
    reason is free text a person typed and is never sent."""
    place = _place(claim)
    publish(EventType.CLAIM_MOVED, payloads.HookClaimMoved(
        claim=claim.reference, country=claim.country_code, from_state=before.value,
        to_state=after.value, scheme_id=claim.scheme_id), place)
    from conflict_app.claims.workflow import State

    if after == State.VERIFIED and before == State.VERIFICATION_SCHEDULED:
        _attack(claim, place)


def _attack(claim, place: Place) -> None:  # noqa: ANN001
    from conflict_app.verification.models import VerificationReport

    report = db.session.scalars(select(VerificationReport).where(
        VerificationReport.claim_id == claim.id).order_by(VerificationReport.id.desc())
    ).first()
    if report is None or report.predator.value != "leopard" or \
            report.confidence.value not in ATTACK_CONFIDENCE:
        return
    incident = claim.incident
    village = incident.village
    latitude = incident.latitude if incident.latitude is not None else village.latitude
    longitude = incident.longitude if incident.longitude is not None else village.longitude
    publish(EventType.ATTACK_VERIFIED, payloads.HookAttackVerified(
        claim=claim.reference, country=claim.country_code, admin1_id=claim.admin1_id,
        admin2_id=claim.admin2_id, village_id=village.id, village=village.name,
        occurred_on=incident.occurred_on, confidence=report.confidence.value,
        grid_cell=payloads.grid_cell(latitude, longitude)), place)


def on_payment_recorded(item, *, actor) -> None:  # noqa: ANN001, ARG001
    claim = item.claim
    publish(EventType.PAYMENT_RECORDED, payloads.HookPaymentRecorded(
        payment_item_id=item.id, batch=item.batch.reference,
        country=item.batch.country_code,
        claim=claim.reference if claim is not None else None,
        part=item.part if claim is not None else None,
        incentive_payment_id=item.incentive_payment_id), _place(item.located))


def on_import_finished(record) -> None:  # noqa: ANN001
    """The importer's jurisdiction decides which subscriptions hear of it."""
    from conflict_app.auth.models import User

    user = db.session.get(User, record.user_id)
    area = user.jurisdiction_area if user is not None else None
    place = Place(user.jurisdiction_country if user is not None else None,
                  (area.id if area.level == 1 else area.parent_id) if area else None,
                  area.id if area is not None and area.level == 2 else None)
    publish(EventType.IMPORT_FINISHED, payloads.HookImportFinished(
        import_id=record.id, state=record.state, created=dict(record.created or {}),
        unchanged=dict(record.unchanged or {}),
        problems=len(record.problems or ()) + (record.hidden_problems or 0)), place)


def connect() -> None:
    from conflict_app.bundles.events import import_finished
    from conflict_app.claims.events import claim_moved
    from conflict_app.payments.events import payment_recorded

    claim_moved.connect(on_claim_moved)
    payment_recorded.connect(on_payment_recorded)
    import_finished.connect(on_import_finished)
