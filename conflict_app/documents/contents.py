"""What each document shows, as plain data classes filled from the database (the renderers
never query). Batches keep their rows as a keyset-paginated stream of plain columns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app

from conflict_app.core.money import Money
from conflict_app.i18n import LOCALES


# --- data -----------------------------------------------------------------------------
@dataclass
class LossRow:
    species: str
    age_class: str
    killed: int
    injured: int


@dataclass
class ReceiptData:
    reference: str
    household: str
    village: str
    occurred_on: date
    reported_at: datetime
    lines: list[LossRow]
    screening_by: datetime
    visit_by: datetime
    decision_by: datetime
    status_url: str
    contact: str = ""
    pin: str | None = None
    pin_texted: bool = False  # no PIN printed: the receipt text carried it


@dataclass
class AssessmentRow:
    species: str
    age_class: str
    kind: str  # killed / injured
    heads: int
    unit_value: Money
    share: Decimal
    rate: Decimal
    amount: Money
    note: str | None = None


@dataclass
class DecisionData:
    reference: str
    household: str
    village: str
    occurred_on: date
    decided_at: datetime
    outcome: str  # approved / rejected / ineligible
    appeal_by: datetime
    status_url: str
    contact: str = ""
    reason: str | None = None
    rule: str | None = None
    predator: str | None = None
    confidence: str | None = None
    rows: list[AssessmentRow] = field(default_factory=list)
    total: Money | None = None
    steps: list[dict] = field(default_factory=list)  # schemes.rules.Step.as_json()
    interim: Money | None = None
    figures: object | None = None  # status.figures.Figures: what is paid, and why
    # An injury, a death or crop damage (schemes.harm): its kind and, for an injury, the
    # category, told to the claimant (the letter is theirs; only the roles that may read
    # medical details print it).
    harm_kind: str | None = None
    severity: str | None = None
    next_of_kin: str | None = None


@dataclass
class VoucherData:
    item_id: int
    batch_reference: str
    claim_reference: str
    payee: str
    village: str
    phone: str | None
    amount: Money
    method: str
    state: str
    payment_reference: str | None = None


@dataclass
class BatchData:
    reference: str
    created_at: datetime
    created_by: str
    method: str
    state: str
    currency: str
    count: int
    total: Money
    # Called once per rendering: yields the vouchers in order, without holding them all.
    items: Callable[[], Iterable[VoucherData]]


# --- from the database ----------------------------------------------------------------
def reference_of(obj: object) -> str:
    return getattr(obj, "reference", None) or f"#{obj.id}"  # type: ignore[attr-defined]


def status_url() -> str:
    """The public status page, for the QR code; works in a request and in the CLI."""
    from flask import has_request_context, url_for

    if has_request_context():
        return url_for("status.check", _external=True)
    with current_app.test_request_context():
        return url_for("status.check", _external=True)


def herder_locale(household: object) -> str:
    code = (getattr(household, "language", None) or "").replace("-", "_")
    return code if code in LOCALES else current_app.config["BABEL_DEFAULT_LOCALE"]


def receipt_data(claim, pin: str | None = None, url: str | None = None) -> ReceiptData:  # noqa: ANN001
    from conflict_app.claims.operations import deadlines

    limits = deadlines()
    incident = claim.incident
    return ReceiptData(
        reference=reference_of(claim),
        pin=pin,
        household=claim.household.head_name,
        village=incident.village.label,
        occurred_on=incident.occurred_on,
        reported_at=claim.reported_at,
        lines=[LossRow(ln.species.value, ln.age_class.value, ln.killed, ln.injured)
               for ln in incident.lines],
        screening_by=claim.reported_at + limits.screening,
        visit_by=claim.reported_at + limits.verification,
        decision_by=claim.reported_at + limits.decision,
        status_url=url or status_url(),
        contact=current_app.config.get("OFFICE_CONTACT") or "",
    )


def decision_outcome(claim) -> str | None:  # noqa: ANN001
    """approved / rejected / ineligible, or None while the claim is not decided."""
    from conflict_app.claims.workflow import DECIDED, State

    if claim.decided_at is None:
        return None
    if claim.state == State.REJECTED:
        return "rejected"
    if claim.state == State.INELIGIBLE:
        return "ineligible"
    if claim.amount_approved is not None and claim.state in DECIDED:
        return "approved"
    return None


def decision_data(claim, url: str | None = None) -> DecisionData:  # noqa: ANN001
    from conflict_app.claims.appeals import appeal_deadline
    from conflict_app.claims.operations import latest_assessment

    outcome = decision_outcome(claim)
    if outcome is None:
        raise ValueError("the claim is not decided")
    appeal_by = appeal_deadline(claim) or claim.decided_at + timedelta(
        days=current_app.config["APPEAL_WITHIN_DAYS"])
    data = DecisionData(
        reference=reference_of(claim),
        household=claim.household.head_name,
        village=claim.incident.village.label,
        occurred_on=claim.incident.occurred_on,
        decided_at=claim.decided_at,
        outcome=outcome,
        appeal_by=appeal_by,
        status_url=url or status_url(),
        contact=current_app.config.get("OFFICE_CONTACT") or "",
        reason=claim.decision_reason,
    )
    if outcome == "approved":
        assessment = latest_assessment(claim.id)
        if assessment is not None:
            data.rule = assessment.rule
            data.predator = assessment.predator
            data.confidence = assessment.confidence
            data.rows = [
                AssessmentRow(ln.species, ln.age_class, ln.kind, ln.heads,
                              Money(ln.unit_value, assessment.currency), ln.share, ln.rate,
                              Money(ln.amount, assessment.currency), ln.note)
                for ln in assessment.lines
            ]
            data.steps = list(assessment.steps or [])
            _harm_facts(claim, data)
            if assessment.rule_version is not None:
                data.rule = assessment.rule_version.label
        from conflict_app.status.figures import figures

        data.figures = figures(claim)
        data.total = data.figures.due
    return data


def _harm_facts(claim, data: DecisionData) -> None:  # noqa: ANN001
    from conflict_app.claims.harm_records import of_claim

    row = of_claim(claim.id)
    if row is not None:
        data.harm_kind = row.kind.value
        data.severity = row.severity.value if row.severity else None
        data.next_of_kin = row.next_of_kin


def _voucher_rows(batch_id: int, reference: str, method: str,
                  item_id: int | None = None, chunk: int = 200) -> Iterator[VoucherData]:
    """Vouchers of a batch, read in keyset-paginated chunks of plain columns."""
    from sqlalchemy import func, select

    from conflict_app.claims.models import Claim
    from conflict_app.extensions import db
    from conflict_app.geo.models import Village
    from conflict_app.herders.models import Household
    from conflict_app.payments.models import ItemState, PaymentItem
    from conflict_app.schemes.models import IncentivePayment

    after = 0
    while True:
        # An item pays a claim's household, an adoption payment's household, or (a
        # performance payment) a community, named by its village.
        query = (
            select(PaymentItem.id, PaymentItem.amount, PaymentItem.currency, PaymentItem.state,
                   PaymentItem.payment_reference, Claim.id, Claim.reference,
                   func.coalesce(Household.head_name, Village.name), Household.phone,
                   Village.name, IncentivePayment.id)
            .outerjoin(Claim, Claim.id == PaymentItem.claim_id)
            .outerjoin(IncentivePayment, IncentivePayment.id == PaymentItem.incentive_payment_id)
            .outerjoin(Household, Household.id == func.coalesce(Claim.household_id,
                                                                IncentivePayment.household_id))
            .join(Village, Village.id == func.coalesce(Household.village_id,
                                                       IncentivePayment.village_id))
            .where(PaymentItem.batch_id == batch_id, PaymentItem.state != ItemState.REMOVED,
                   PaymentItem.id > after)
            .order_by(PaymentItem.id)
            .limit(chunk)
        )
        if item_id is not None:
            query = query.where(PaymentItem.id == item_id)
        rows = db.session.execute(query).all()
        for row in rows:
            (iid, amount, currency, state, payref, claim_id, claim_ref, name, phone,
             village, incentive_id) = row
            ref = claim_ref or (f"#{claim_id}" if claim_id else f"INC-{incentive_id:06d}")
            yield VoucherData(
                item_id=iid, batch_reference=reference,
                claim_reference=ref, payee=name, village=village,
                phone=phone, amount=Money(amount, currency), method=method,
                state=getattr(state, "value", state), payment_reference=payref,
            )
        if len(rows) < chunk or item_id is not None:
            return
        after = rows[-1][0]


def voucher_data(item) -> VoucherData:  # noqa: ANN001
    batch = item.batch
    found = list(_voucher_rows(batch.id, reference_of(batch), batch.method.value, item.id))
    if not found:
        raise ValueError("no such live payment item")
    return found[0]


def batch_data(batch) -> BatchData:  # noqa: ANN001
    from sqlalchemy import func, select

    from conflict_app.extensions import db
    from conflict_app.payments.models import ItemState, PaymentItem

    count, total = db.session.execute(
        select(func.count(PaymentItem.id), func.sum(PaymentItem.amount))
        .where(PaymentItem.batch_id == batch.id, PaymentItem.state != ItemState.REMOVED)
    ).one()
    reference = reference_of(batch)
    method = batch.method.value
    return BatchData(
        reference=reference,
        created_at=batch.created_at,
        created_by=batch.created_by.name if batch.created_by else "",
        method=method,
        state=batch.state.value,
        currency=batch.currency,
        count=count or 0,
        total=Money(Decimal(total or 0), batch.currency),
        items=lambda: _voucher_rows(batch.id, reference, method),
    )
