"""Conservation incentives: performance payments to communities for verified leopard
presence and reproduction, collective withholding after a retaliatory killing, and
adoption payments for verified mitigation measures.

A withholding holds the community's payments until it ends: lifted on appeal, or released
automatically after the cycle (``release_due``: on every incentive page, before a payment
of the community, and by ``flask schemes release-withholdings`` for a daily job). A payment
is paid through a payment batch like a claim (the payments feature puts approved payments in
batches and records them paid), at most once, never while withheld; a wrong one is cancelled
and its budget released.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conflict_app.auth.models import User
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied, StaleObject
from conflict_app.core.money import Money
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import Village
from conflict_app.mitigation.models import Measure
from conflict_app.schemes import incentive_rules
from conflict_app.schemes.events import incentive_stopped
from conflict_app.schemes.models import (
    IncentivePayment,
    PresenceRecord,
    Scheme,
    Withholding,
)
from conflict_app.schemes.operations import check_budget, rules_on, scheme_to_act_on
from conflict_app.schemes.params import SchemeKind


def _incentive(actor: User, scheme_id: int, *roles: Role, whole: bool = False) -> Scheme:
    return scheme_to_act_on(actor, scheme_id, SchemeKind.INCENTIVE, *roles, whole=whole)


def _village(actor: User, scheme: Scheme, village_id: int) -> Village:
    village = db.session.get(Village, village_id)
    if village is None or village.country_code != scheme.country_code or not covers(
            actor, village) or (scheme.admin1_id and village.admin1_id != scheme.admin1_id):
        raise InvalidInput(N_("Choose a village of the scheme's area."), field="village_id")
    return village


def record_presence(actor: User, scheme_id: int, village_id: int, kind: str,
                    observed_on: date, evidence: str) -> PresenceRecord:
    """A verified record (camera trap, tracks, den with cubs) that counts for a period."""
    if kind not in incentive_rules.PRESENCE_KINDS:
        raise InvalidInput(N_("Choose what was recorded from the list."), field="kind")
    if not (evidence or "").strip():
        raise InvalidInput(N_("Describe the evidence."), field="evidence")
    with unit_of_work():
        scheme = _incentive(actor, scheme_id, Role.VERIFIER, Role.SCHEME_MANAGER)
        village = _village(actor, scheme, village_id)
        if observed_on > timezones.today_for(village):
            raise InvalidInput(N_("The date cannot be in the future."), field="observed_on")
        same = db.session.scalar(select(PresenceRecord.id).where(
            PresenceRecord.scheme_id == scheme.id, PresenceRecord.village_id == village.id,
            PresenceRecord.kind == kind, PresenceRecord.observed_on == observed_on).limit(1))
        if same is not None:
            raise InvalidInput(N_("This was already recorded for the village on that day "
                                  "(record %(id)s)."), field="observed_on", id=same)
        record = PresenceRecord(scheme_id=scheme.id, village_id=village.id,
                                period=observed_on.year, kind=kind, observed_on=observed_on,
                                evidence=evidence.strip(), verified_by_id=actor.id)
        db.session.add(record)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="presence_record", object_id=record.id,
                     action="record_presence", changes={
                         "scheme": scheme.code, "village": village.id, "kind": kind,
                         "observed_on": observed_on})
    return record


def _withheld(scheme_id: int, village_id: int) -> bool:
    return db.session.scalar(select(Withholding.id).where(
        Withholding.scheme_id == scheme_id, Withholding.village_id == village_id,
        Withholding.state == "active")) is not None


def compute_performance(actor: User, scheme_id: int, period: int) -> list[IncentivePayment]:
    """One payment per community with verified records in the period (once per period)."""
    with unit_of_work():
        # Every community of the scheme is paid: its whole area is the actor's.
        scheme = _incentive(actor, scheme_id, Role.SCHEME_MANAGER, whole=True)
        values = rules_on(scheme, date(period, 12, 31))
        # Records of one scheme and year: a few per community, counted as events.
        rows = db.session.execute(
            select(PresenceRecord.village_id, PresenceRecord.kind, PresenceRecord.observed_on)
            .where(PresenceRecord.scheme_id == scheme.id, PresenceRecord.period == period)
        ).all()
        records: dict[int, list[tuple[str, date]]] = {}
        for village_id, kind, observed_on in rows:
            records.setdefault(village_id, []).append((kind, observed_on))
        counts = {village_id: incentive_rules.presence_events(items)
                  for village_id, items in records.items()}
        done = set(db.session.scalars(select(IncentivePayment.village_id).where(
            IncentivePayment.scheme_id == scheme.id, IncentivePayment.kind == "performance",
            IncentivePayment.period == period)))
        made = []
        for village_id in sorted(set(counts) - done):
            amount, steps = incentive_rules.performance(values, counts[village_id], scheme.currency)
            if amount.amount <= 0:
                continue
            if not check_budget(scheme, amount):
                raise InvalidInput(N_("The scheme's remaining budget does not cover the "
                                      "performance payments."))
            payment = IncentivePayment(
                scheme_id=scheme.id, kind="performance", village_id=village_id,
                period=period, amount=amount.amount, currency=scheme.currency,
                steps=[s.as_json() for s in steps],
                state="withheld" if _withheld(scheme.id, village_id) else "approved",
                created_by_id=actor.id)
            db.session.add(payment)
            db.session.flush()
            made.append(payment)
            audit.record(actor_id=actor.id, object_type="incentive_payment",
                         object_id=payment.id, action="performance_payment",
                         to_state=payment.state, changes={
                             "scheme": scheme.code, "village": village_id, "period": period,
                             "amount": amount.amount, **counts[village_id]})
        if not made and not done:
            raise InvalidInput(N_("No verified presence records in %(period)s."),
                               period=period)
    return made


def adoption_payment(actor: User, scheme_id: int, measure_id: int) -> IncentivePayment:
    """Pay a household for a mitigation measure once its installation is verified."""
    with unit_of_work():
        scheme = _incentive(actor, scheme_id, Role.SCHEME_MANAGER)
        measure = db.session.get(Measure, measure_id)
        if measure is None or measure.household_id is None or not covers(actor, measure) or (
                measure.country_code != scheme.country_code):
            raise InvalidInput(N_("Choose a household's measure of the scheme's area."),
                               field="measure_id")
        if measure.verified_on is None:
            raise InvalidInput(N_("The installation has not been verified yet."),
                               field="measure_id")
        if db.session.scalar(select(IncentivePayment.id).where(
                IncentivePayment.measure_id == measure.id,
                IncentivePayment.state != "cancelled")):
            raise InvalidInput(N_("This measure already has an adoption payment."),
                               field="measure_id")
        values = rules_on(scheme, measure.verified_on)
        count_before, paid_before = db.session.execute(
            select(func.count(IncentivePayment.id),
                   func.coalesce(func.sum(IncentivePayment.amount), 0)).where(
                IncentivePayment.scheme_id == scheme.id, IncentivePayment.kind == "adoption",
                IncentivePayment.household_id == measure.household_id,
                IncentivePayment.state != "cancelled")).one()
        amount, steps = incentive_rules.adoption(values, measure.measure.value,
                                       Money(Decimal(paid_before), scheme.currency),
                                       int(count_before))
        if amount.amount <= 0:
            raise InvalidInput(N_("The household has reached the cap of adoption payments."),
                               field="measure_id")
        if not check_budget(scheme, amount):
            raise InvalidInput(N_("The scheme's remaining budget does not cover this "
                                  "payment."))
        payment = IncentivePayment(
            scheme_id=scheme.id, kind="adoption", village_id=measure.village_id,
            household_id=measure.household_id, measure_id=measure.id,
            amount=amount.amount, currency=scheme.currency,
            steps=[s.as_json() for s in steps],
            state="withheld" if _withheld(scheme.id, measure.village_id) else "approved",
            created_by_id=actor.id)
        db.session.add(payment)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="incentive_payment", object_id=payment.id,
                     action="adoption_payment", to_state=payment.state, changes={
                         "scheme": scheme.code, "measure": measure.id,
                         "amount": amount.amount})
    return payment


def withhold(actor: User, scheme_id: int, village_id: int, reason: str,
             noticed_on: date) -> Withholding:
    """A confirmed retaliatory killing: the community's payments are held for the cycle."""
    if not (reason or "").strip():
        raise InvalidInput(N_("Give a reason."), field="reason")
    with unit_of_work():
        scheme = _incentive(actor, scheme_id, Role.SCHEME_MANAGER)
        village = _village(actor, scheme, village_id)
        if _withheld(scheme.id, village.id):
            raise InvalidInput(N_("The community's payments are already withheld."),
                               field="village_id")
        values = rules_on(scheme, noticed_on)
        item = Withholding(scheme_id=scheme.id, village_id=village.id, reason=reason.strip(),
                           noticed_on=noticed_on,
                           ends_on=noticed_on + timedelta(days=int(values["withholding_days"])),
                           state="active", created_by_id=actor.id)
        db.session.add(item)
        db.session.flush()
        held = 0
        for payment in db.session.scalars(select(IncentivePayment).where(
                IncentivePayment.scheme_id == scheme.id,
                IncentivePayment.village_id == village.id,
                IncentivePayment.state.in_(("approved", "scheduled")))):
            if payment.state == "scheduled":
                # In a batch: held only while its file has not gone to the bank.
                incentive_stopped.send(payment, actor=actor, after="withheld",
                                       reason=reason.strip())
                if payment.state == "scheduled":
                    continue
            payment.state = "withheld"
            held += 1
        audit.record(actor_id=actor.id, object_type="withholding", object_id=item.id,
                     action="withhold", to_state="active", reason=reason.strip(), changes={
                         "scheme": scheme.code, "village": village.id,
                         "ends_on": item.ends_on, "payments_held": held})
    return item


def _today_at(item: Withholding) -> date:
    """Today in the withholding's village: the day it is lifted or released on."""
    return timezones.today_for(db.session.get(Village, item.village_id))


def _end(actor_id: int | None, item: Withholding, state: str, reason: str | None,
         today: date | None = None) -> None:
    item.state = state
    item.closed_on = today or _today_at(item)
    released = 0
    for payment in db.session.scalars(select(IncentivePayment).where(
            IncentivePayment.scheme_id == item.scheme_id,
            IncentivePayment.village_id == item.village_id,
            IncentivePayment.state == "withheld")):
        payment.state = "approved"
        released += 1
    audit.record(actor_id=actor_id, object_type="withholding", object_id=item.id,
                 action=state, from_state="active", to_state=state, reason=reason,
                 changes={"payments_released": released})


def withholding_fingerprint(item: Withholding) -> str:
    """The withholding as it stands, as an entity tag: a decided appeal or its end changes
    it, so a decision made from an old copy can be refused."""
    text = f"{item.id}|{item.state}|{item.appeal or ''}|{item.closed_on or ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def appeal(actor: User, withholding_id: int, reason: str, upheld: bool,
           expected: str | None = None) -> Withholding:
    """Decide the community's appeal: lift the withholding, or keep it to the cycle's end.
    ``expected``: the fingerprint the decision was made from; when the withholding changed
    meanwhile nothing is done."""
    if not (reason or "").strip():
        raise InvalidInput(N_("Give a reason."), field="reason")
    with unit_of_work():
        item = db.session.get(Withholding, withholding_id,
                               with_for_update={"of": Withholding}, populate_existing=True)
        if item is None:
            raise InvalidInput(N_("No such withholding."))
        _incentive(actor, item.scheme_id, Role.SCHEME_MANAGER)
        if not covers(actor, item.village):
            raise PermissionDenied(N_("This village is outside your jurisdiction."))
        if expected is not None and withholding_fingerprint(item) != expected:
            raise StaleObject(N_("Someone else changed this record at the same time. "
                                 "Nothing was saved; please look at it again."))
        if item.state != "active":
            raise InvalidInput(N_("This withholding has already ended."))
        item.appeal = reason.strip()
        if upheld:
            _end(actor.id, item, "lifted", reason.strip())
        else:
            audit.record(actor_id=actor.id, object_type="withholding", object_id=item.id,
                         action="appeal_dismissed", reason=reason.strip())
    return item


def _release_expired(today: date | None, *where: object) -> int:
    """End the active withholdings (of ``where``) whose cycle is over; in the caller's
    transaction. ``today`` None: each village's own today, so a cycle ends at midnight
    there, not hours later when UTC's day turns."""
    # No zone is a whole day ahead of UTC: these are all the candidates.
    latest = today or clock.today() + timedelta(days=1)
    count = 0
    for item in db.session.scalars(select(Withholding).where(
            Withholding.state == "active", Withholding.ends_on < latest, *where)
            .with_for_update(of=Withholding)):
        day = today or _today_at(item)
        if item.ends_on >= day:
            continue
        _end(None, item, "released", None, day)
        count += 1
    return count


def release_due(today: date | None = None) -> int:
    """Release every withholding whose cycle has ended (by each village's today)."""
    with unit_of_work():
        return _release_expired(today)


def cancel(actor: User, payment_id: int, reason: str) -> IncentivePayment:
    """Cancel a wrong payment not yet paid: audited, and its amount leaves the committed
    budget. One in a batch is taken out of it, unless its payment file was already sent."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise InvalidInput(N_("Give a reason."), field="reason")
    with unit_of_work():
        payment = db.session.get(IncentivePayment, payment_id,
                                 with_for_update={"of": IncentivePayment},
                                 populate_existing=True)
        if payment is None or not covers(actor, payment.village):
            raise InvalidInput(N_("No such payment."))
        _incentive(actor, payment.scheme_id, Role.SCHEME_MANAGER)
        if payment.state == "paid":
            raise InvalidInput(N_("This payment was already paid and cannot be cancelled."))
        if payment.state == "cancelled":
            raise InvalidInput(N_("This payment was already cancelled."))
        before = payment.state
        if before == "scheduled":
            incentive_stopped.send(payment, actor=actor, after="cancelled", reason=reason)
        payment.state = "cancelled"
        payment.cancel_reason = reason
        audit.record(actor_id=actor.id, object_type="incentive_payment", object_id=payment.id,
                     action="cancel", from_state=before, to_state="cancelled", reason=reason,
                     changes={"amount": payment.amount, "currency": payment.currency,
                              "kind": payment.kind})
    return payment


def payments(scheme_id: int, with_households: bool = False) -> list[IncentivePayment]:
    """The scheme's payments, newest first; ``with_households``: the household of each
    (the scheme page names it) read in one more query for them all, not one a payment."""
    query = select(IncentivePayment).where(IncentivePayment.scheme_id == scheme_id)
    if with_households:
        query = query.options(selectinload(IncentivePayment.household))
    return list(db.session.scalars(query.order_by(IncentivePayment.id.desc())))


def withholdings(scheme_id: int) -> list[Withholding]:
    return list(db.session.scalars(select(Withholding).where(
        Withholding.scheme_id == scheme_id).order_by(Withholding.id.desc())))
