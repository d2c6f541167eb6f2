"""What a claim is owed: paid so far (interim, final, top-ups), its interim share, and what a
batch pays it now, with interest when late. ``paid_facts`` reads all of that for a page of
claims in four queries; the payments page read it one claim at a time (four queries a
claim, 400 for its 100 rows)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import aliased, joinedload

from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import State
from conflict_app.core.errors import N_, InvalidInput
from conflict_app.core.money import Money
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.payments.models import (
    ItemState,
    PaymentItem,
    PaymentRecovery,
    RecoveryState,
)
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import rules
from conflict_app.schemes.models import Assessment, SettlementItem
from conflict_app.schemes.params import SchemeKind


def _interim_sums(claim_ids: Iterable[int]) -> dict[int, Decimal]:
    """Interim amounts paid or on their way (pending), per claim; one that came back
    (recovered after the claim was rejected) no longer counts."""
    returned = select(PaymentRecovery.id).where(
        PaymentRecovery.payment_item_id == PaymentItem.id,
        PaymentRecovery.state == RecoveryState.RECOVERED).exists()
    return {claim_id: Decimal(total) for claim_id, total in db.session.execute(
        select(PaymentItem.claim_id, func.sum(PaymentItem.amount))
        .where(PaymentItem.claim_id.in_(list(claim_ids)), PaymentItem.part == "interim",
               PaymentItem.state.in_((ItemState.PENDING, ItemState.PAID)), ~returned)
        .group_by(PaymentItem.claim_id))}


def _final_sums(claim_ids: Iterable[int]) -> dict[int, Decimal]:
    """What was paid on the claims' decisions (final payments and top-ups), per claim,
    without the interest for late payment, which is owed on top of the approved amount."""
    return {claim_id: Decimal(total) for claim_id, total in db.session.execute(
        select(PaymentItem.claim_id, func.sum(PaymentItem.amount - PaymentItem.interest))
        .where(PaymentItem.claim_id.in_(list(claim_ids)), PaymentItem.part != "interim",
               PaymentItem.state == ItemState.PAID)
        .group_by(PaymentItem.claim_id))}


def interim_paid(claim_id: int) -> Decimal:
    return _interim_sums([claim_id]).get(claim_id, Decimal(0))


def final_paid(claim_id: int) -> Decimal:
    return _final_sums([claim_id]).get(claim_id, Decimal(0))


def paid_so_far(claim_id: int) -> Decimal:
    """Everything a claim received or has on its way towards its approved amount."""
    return interim_paid(claim_id) + final_paid(claim_id)


@dataclass(frozen=True)
class PaidFacts:
    """What ``payable`` reads about one claim."""

    assessment: Assessment | None  # the latest, with its rule version
    interim: Decimal
    final: Decimal
    settlement: SettlementItem | None  # an insurance claim's share of its pool


def paid_facts(claim_ids: Iterable[int]) -> dict[int, PaidFacts]:
    """``PaidFacts`` of many claims in four queries, whatever their number."""
    ids = list(claim_ids)
    if not ids:
        return {}
    latest = (select(func.max(Assessment.id)).where(Assessment.claim_id.in_(ids))
              .group_by(Assessment.claim_id))
    assessments = {a.claim_id: a for a in db.session.scalars(
        select(Assessment).where(Assessment.id.in_(latest))
        .options(joinedload(Assessment.rule_version)))}
    interim, final = _interim_sums(ids), _final_sums(ids)
    settled = {s.claim_id: s for s in db.session.scalars(
        select(SettlementItem).where(SettlementItem.claim_id.in_(ids)))}
    return {i: PaidFacts(assessments.get(i), interim.get(i, Decimal(0)),
                         final.get(i, Decimal(0)), settled.get(i)) for i in ids}


def interim_due(claim: Claim, facts: PaidFacts | None = None) -> Money | None:
    """The interim payment an assessed claim may receive now, if its scheme pays one."""
    if claim.state != State.ASSESSED or claim.scheme is None:
        return None
    facts = facts or paid_facts([claim.id])[claim.id]
    assessment = facts.assessment
    if assessment is None or not assessment.interim or facts.interim:
        return None
    return Money(assessment.interim, claim.currency)


def interim_ready(claims: Select, limit: int = 200) -> list[tuple[Claim, Money]]:
    """Of the claims selected (scoped by the caller), the assessed ones whose latest
    assessment has an interim share not yet paid or pending, with that share; one query."""
    # The latest assessment: none newer on the same claim. Answered per assessed claim from
    # the claim_id index; a GROUP BY of every claim's assessments ran on each payments page.
    newer = aliased(Assessment)
    latest = ~exists().where(newer.claim_id == Claim.id, newer.id > Assessment.id)
    live = select(PaymentItem.id).where(
        PaymentItem.claim_id == Claim.id, PaymentItem.part == "interim",
        PaymentItem.state.in_((ItemState.PENDING, ItemState.PAID))).exists()
    rows = db.session.execute(
        claims.add_columns(Assessment.interim)
        .join(Assessment, Assessment.claim_id == Claim.id)
        .where(Claim.state == State.ASSESSED, Claim.scheme_id.is_not(None), latest,
               Assessment.interim > 0, ~live)
        .order_by(Claim.id).limit(limit)).all()
    return [(claim, Money(interim, claim.currency)) for claim, interim in rows]


def payable(claim: Claim, facts: PaidFacts | None = None) -> tuple[Decimal, Decimal]:
    """What a claim is paid now: the approved amount (an insurance claim: its settled
    share of the pool) plus interest when the scheme's payment period has passed.
    ``facts`` are read for the claim when not given (a page passes them for all its rows)."""
    facts = facts or paid_facts([claim.id])[claim.id]
    scheme = claim.scheme
    if scheme is None or scheme.kind is SchemeKind.INSURANCE:
        settled = claim.amount_approved
        if scheme is not None:
            settled = _settled(claim, facts.settlement)
        rest = settled - facts.final
        if rest <= 0:
            raise InvalidInput(N_("Claim %(reference)s was paid in full already."),
                               field="claim_ids", reference=claim.reference)
        return rest, Decimal(0)
    version = facts.assessment.rule_version if facts.assessment else None
    rest = claim.amount_approved - (facts.interim + facts.final)  # the interim was paid
    if rest <= 0:
        raise InvalidInput(N_("Claim %(reference)s was paid in full by its interim "
                              "payment."), field="claim_ids", reference=claim.reference)
    if version is None or claim.decided_at is None:
        return rest, Decimal(0)
    terms = scheme_ops.rules_of(version)
    if not terms.get("late_interest"):
        return rest, Decimal(0)
    # Days as the herder counts them: a decision at 01:30 there was still yesterday in UTC,
    # which made a payment on the last day of the period one day late.
    where = timezones.zone_of(claim)
    interest = rules.late_interest(terms, Money(rest, claim.currency),
                                   timezones.local(claim.decided_at, where).date(),
                                   timezones.today_in(where))
    return rest + interest.amount, interest.amount


def _settled(claim: Claim, item: SettlementItem | None) -> Decimal:
    """An insurance claim's share of its period's pool."""
    if item is None:
        raise InvalidInput(N_("Claim %(reference)s waits for the settlement of its insurance "
                              "period."), field="claim_ids", reference=claim.reference)
    if item.payable <= 0:
        raise InvalidInput(N_("Claim %(reference)s was settled at nothing: the pool was "
                              "empty."), field="claim_ids", reference=claim.reference)
    return item.payable
