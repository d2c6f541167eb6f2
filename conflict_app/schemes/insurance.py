"""Community livestock insurance: enrolment, premiums into the pool, settlement of a period.

The pool is a ledger (``PoolEntry``): premiums and matching funds in, settled payouts out.
Its balance is the sum of its entries, so money is conserved by construction; a settlement
that cannot pay every approved claim in full pays each its pro-rata share and records the
shortfall.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conflict_app.auth.models import User
from conflict_app.claims.models import Claim, Incident
from conflict_app.claims.workflow import State
from conflict_app.core import audit
from conflict_app.core.errors import N_, InvalidInput
from conflict_app.core.money import Money
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.herders.models import Household, Species
from conflict_app.schemes import engine, rules
from conflict_app.schemes.models import (
    Enrolment,
    EnrolmentLine,
    PoolEntry,
    Scheme,
    Settlement,
    SettlementItem,
)
from conflict_app.schemes.operations import rules_on, scheme_to_act_on
from conflict_app.schemes.params import SchemeKind


def _insurance(actor: User, scheme_id: int, *roles: Role, whole: bool = False) -> Scheme:
    return scheme_to_act_on(actor, scheme_id, SchemeKind.INSURANCE, *roles, whole=whole)


@dataclass(frozen=True)
class InsuredLine:
    species: Species
    heads: int
    value_per_head: Decimal


def enrol(actor: User, scheme_id: int, household_id: int, starts_on: date, ends_on: date,
          lines: list[InsuredLine], agreement_signed: bool) -> Enrolment:
    """Enrol a household for a period; the premium is computed from the rule version."""
    with unit_of_work():
        scheme = _insurance(actor, scheme_id, Role.SCHEME_MANAGER, Role.CLERK,
                            Role.SUPERVISOR)
        household = db.session.get(Household, household_id)
        if household is None or not covers(actor, household) or (
                household.country_code != scheme.country_code):
            raise InvalidInput(N_("Choose a household of the scheme's area."),
                               field="household_id")
        if ends_on <= starts_on:
            raise InvalidInput(N_("The end date is before the start date."), field="ends_on")
        if starts_on < scheme.valid_from or (scheme.valid_to and ends_on > scheme.valid_to):
            raise InvalidInput(N_("The period must lie within the scheme's validity."),
                               field="starts_on")
        if starts_on < timezones.today_for(household):
            raise InvalidInput(N_("Cover cannot start in the past: a loss that already "
                                  "happened cannot be insured."), field="starts_on")
        lines = [ln for ln in lines if ln.heads]
        if not lines:
            raise InvalidInput(N_("Insure at least one animal."), field="lines")
        if len({ln.species for ln in lines}) != len(lines):
            raise InvalidInput(N_("List each species once."), field="lines")
        for ln in lines:
            if ln.heads < 0 or ln.value_per_head <= 0 or (
                    ln.value_per_head.as_tuple().exponent < -2):
                raise InvalidInput(N_("Insured heads and values must be positive."),
                                   field="lines")
        overlap = db.session.scalar(select(Enrolment.id).where(
            Enrolment.scheme_id == scheme.id, Enrolment.household_id == household.id,
            Enrolment.starts_on <= ends_on, Enrolment.ends_on >= starts_on))
        if overlap:
            raise InvalidInput(N_("The household is already enrolled for part of this "
                                  "period."), field="starts_on")
        values = rules_on(scheme, starts_on)
        insured = sum((Money(ln.value_per_head * ln.heads, scheme.currency) for ln in lines),
                      Money.zero(scheme.currency))
        herder, matching = rules.premium(values, insured, (ends_on - starts_on).days)
        enrolment = Enrolment(
            scheme_id=scheme.id, household_id=household.id, starts_on=starts_on,
            ends_on=ends_on, agreement_signed=agreement_signed,
            premium_herder=herder.amount, premium_matching=matching.amount,
            created_by_id=actor.id,
            lines=[EnrolmentLine(species=ln.species, heads=ln.heads,
                                 value_per_head=ln.value_per_head) for ln in lines])
        db.session.add(enrolment)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="enrolment", object_id=enrolment.id,
                     action="enrol", changes={
                         "scheme": scheme.code, "household": household.id,
                         "starts_on": starts_on, "ends_on": ends_on,
                         "insured_value": insured.amount, "premium_herder": herder.amount,
                         "premium_matching": matching.amount,
                         "agreement_signed": agreement_signed})
    return enrolment


def record_premium(actor: User, enrolment_id: int, paid_on: date) -> Enrolment:
    """The herder's premium and the matching funds go into the pool; cover can start."""
    with unit_of_work():
        enrolment = db.session.get(Enrolment, enrolment_id, with_for_update={"of": Enrolment})
        if enrolment is None:
            raise InvalidInput(N_("No such enrolment."))
        scheme = _insurance(actor, enrolment.scheme_id, Role.FINANCE, Role.SCHEME_MANAGER)
        if enrolment.premium_paid_on is not None:
            raise InvalidInput(N_("The premium was already recorded on %(date)s."),
                               date=enrolment.premium_paid_on.isoformat())
        if paid_on > timezones.today_for(enrolment.household):
            raise InvalidInput(N_("The date cannot be in the future."), field="paid_on")
        if paid_on > enrolment.ends_on:
            raise InvalidInput(N_("The cover period has already ended."), field="paid_on")
        enrolment.premium_paid_on = paid_on
        for kind, amount in (("premium", enrolment.premium_herder),
                             ("matching", enrolment.premium_matching)):
            if amount:
                db.session.add(PoolEntry(scheme_id=scheme.id, kind=kind, amount=amount,
                                         on_date=paid_on, enrolment_id=enrolment.id,
                                         created_by_id=actor.id))
        audit.record(actor_id=actor.id, object_type="enrolment", object_id=enrolment.id,
                     action="record_premium",
                     changes={"paid_on": paid_on, "herder": enrolment.premium_herder,
                              "matching": enrolment.premium_matching})
    return enrolment


def exclude(actor: User, enrolment_id: int, on: date, reason: str) -> Enrolment:
    """A breach of the conservation agreement (e.g. poaching) ends cover from that day."""
    if not (reason or "").strip():
        raise InvalidInput(N_("Give a reason."), field="reason")
    with unit_of_work():
        enrolment = db.session.get(Enrolment, enrolment_id, with_for_update={"of": Enrolment})
        if enrolment is None:
            raise InvalidInput(N_("No such enrolment."))
        _insurance(actor, enrolment.scheme_id, Role.SCHEME_MANAGER, Role.SUPERVISOR)
        if enrolment.excluded_on is not None:
            raise InvalidInput(N_("The household is already excluded."))
        enrolment.excluded_on = on
        enrolment.exclusion_reason = reason.strip()
        audit.record(actor_id=actor.id, object_type="enrolment", object_id=enrolment.id,
                     action="exclude", reason=reason.strip(), changes={"on": on})
    return enrolment


def balance(scheme_id: int) -> Decimal:
    return Decimal(db.session.scalar(select(func.coalesce(func.sum(PoolEntry.amount), 0))
                                     .where(PoolEntry.scheme_id == scheme_id)))


def settle(actor: User, scheme_id: int, period_start: date, period_end: date) -> Settlement:
    """Settle the approved claims of losses in a period against what the pool holds."""
    if period_end < period_start:
        raise InvalidInput(N_("The end date is before the start date."), field="period_end")
    with unit_of_work():
        # The pool pays every approved claim of the period pro rata: all of its area.
        scheme = _insurance(actor, scheme_id, Role.FINANCE, Role.SCHEME_MANAGER, whole=True)
        claims = db.session.scalars(
            select(Claim).join(Incident, Claim.incident_id == Incident.id).outerjoin(
                SettlementItem, SettlementItem.claim_id == Claim.id).where(
                Claim.scheme_id == scheme.id, Claim.state == State.APPROVED,
                Claim.budget_hold.is_(False), SettlementItem.id.is_(None),
                Incident.occurred_on >= period_start, Incident.occurred_on <= period_end)
            .order_by(Claim.id).with_for_update(of=Claim)).all()
        if not claims:
            raise InvalidInput(N_("No approved claims of this period wait for settlement."))
        available = Money(balance(scheme.id), scheme.currency)
        shares = rules.prorata(available, [(c.id, Money(c.amount_approved, c.currency))
                                           for c in claims])
        approved = sum((c.amount_approved for c in claims), Decimal(0))
        payable = sum((m.amount for _, m in shares), Decimal(0))
        settlement = Settlement(scheme_id=scheme.id, period_start=period_start,
                                period_end=period_end, available=available.amount,
                                approved=approved, payable=payable, created_by_id=actor.id)
        db.session.add(settlement)
        db.session.flush()
        by_id = {c.id: c for c in claims}
        settled_on = timezones.today_for(scheme)  # the pool's day, as its premiums are
        for claim_id, share in shares:
            db.session.add(SettlementItem(settlement_id=settlement.id, claim_id=claim_id,
                                          approved=by_id[claim_id].amount_approved,
                                          payable=share.amount))
            if share.amount:
                db.session.add(PoolEntry(scheme_id=scheme.id, kind="payout",
                                         amount=-share.amount, on_date=settled_on,
                                         claim_id=claim_id, settlement_id=settlement.id,
                                         created_by_id=actor.id))
        audit.record(actor_id=actor.id, object_type="settlement", object_id=settlement.id,
                     action="settle", changes={
                         "scheme": scheme.code, "period_start": period_start,
                         "period_end": period_end, "available": available.amount,
                         "approved": approved, "payable": payable,
                         "shortfall": approved - payable, "claims": len(claims)})
    return settlement


@dataclass(frozen=True)
class Ledger:
    premiums: Decimal
    matching: Decimal
    payouts: Decimal  # positive: money out
    balance: Decimal

    @property
    def money_in(self) -> Decimal:
        return self.premiums + self.matching


def ledger(scheme_id: int, start: date | None = None, end: date | None = None) -> Ledger:
    query = select(PoolEntry.kind, func.coalesce(func.sum(PoolEntry.amount), 0)).where(
        PoolEntry.scheme_id == scheme_id).group_by(PoolEntry.kind)
    if start is not None:
        query = query.where(PoolEntry.on_date >= start)
    if end is not None:
        query = query.where(PoolEntry.on_date <= end)
    sums = {kind: Decimal(total) for kind, total in db.session.execute(query).all()}
    premiums, matching = sums.get("premium", Decimal(0)), sums.get("matching", Decimal(0))
    payouts = -sums.get("payout", Decimal(0))
    return Ledger(premiums, matching, payouts, premiums + matching - payouts)


def loss_ratio(scheme_id: int, start: date, end: date) -> Decimal | None:
    """Payouts settled for losses of the period over premiums (herder and matching) of the
    period; None when no premium came in."""
    entries = ledger(scheme_id, start, end)
    if not entries.money_in:
        return None
    settled = Decimal(db.session.scalar(
        select(func.coalesce(func.sum(SettlementItem.payable), 0)).join(
            Settlement, SettlementItem.settlement_id == Settlement.id).join(
            Claim, SettlementItem.claim_id == Claim.id).join(
            Incident, Claim.incident_id == Incident.id).where(
            Settlement.scheme_id == scheme_id, Incident.occurred_on >= start,
            Incident.occurred_on <= end)))
    return settled / entries.money_in


def awaits_settlement(claim: Claim) -> bool:
    """An approved insurance claim whose period is not settled yet: nothing can be paid
    until the pool's share for it is known."""
    scheme = claim.scheme
    if claim.state != State.APPROVED or scheme is None or (
            scheme.kind is not SchemeKind.INSURANCE):
        return False
    return db.session.scalar(select(SettlementItem.id).where(
        SettlementItem.claim_id == claim.id).limit(1)) is None


def enrolments(scheme_id: int) -> list[Enrolment]:
    return list(db.session.scalars(select(Enrolment).where(Enrolment.scheme_id == scheme_id)
                                   .order_by(Enrolment.starts_on.desc(), Enrolment.id)))


def settlements(scheme_id: int, with_items: bool = False) -> list[Settlement]:
    """The pool's settlements, newest first; ``with_items``: their items (and each item's
    claim) read in one more query for them all, for a list that shows them."""
    query = select(Settlement).where(Settlement.scheme_id == scheme_id)
    if with_items:
        query = query.options(selectinload(Settlement.items))
    return list(db.session.scalars(query.order_by(Settlement.id.desc())))


def cover_of(enrolment: Enrolment) -> date | None:
    """The first day the enrolment covers, once the premium is paid."""
    scheme = db.session.get(Scheme, enrolment.scheme_id)
    try:
        values = rules_on(scheme, enrolment.starts_on)
    except InvalidInput:
        return None
    return rules.cover_starts(values, engine.enrolment_facts(enrolment))
