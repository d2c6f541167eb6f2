"""Reading conservation agreements for the pages, the API and the scheme report: each with
its state and progress (milestones verified, instalments paid), in a fixed number of
queries however many agreements a list shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from conflict_app.core.money import Money
from conflict_app.core.permissions import scope
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.schemes.agreement_models import AgreementMilestone, ConservationAgreement
from conflict_app.schemes.agreements import state_of
from conflict_app.schemes.models import Withholding

LIMIT = 200


@dataclass
class Row:
    agreement: ConservationAgreement
    state: str
    milestones: int
    verified: int
    instalments: int
    paid: int
    paid_amount: Money
    due_amount: Money  # payable or withheld, not yet paid
    withheld_amount: Money
    total: Money


def query(user) -> Select:  # noqa: ANN001
    """Agreements inside ``user``'s jurisdiction (all of them for ``user=None``)."""
    base = select(ConservationAgreement).options(
        selectinload(ConservationAgreement.instalments),
        selectinload(ConservationAgreement.household))
    return base if user is None else scope(base, ConservationAgreement, user)


def rows(select_: Select, today: date | None = None, limit: int = LIMIT) -> list[Row]:
    agreements = list(db.session.scalars(
        select_.order_by(ConservationAgreement.id.desc()).limit(limit)))
    if not agreements:
        return []
    ids = [a.id for a in agreements]
    counts = {aid: (n, v) for aid, n, v in db.session.execute(
        select(AgreementMilestone.agreement_id, func.count(AgreementMilestone.id),
               func.count(AgreementMilestone.verified_on))
        .where(AgreementMilestone.agreement_id.in_(ids))
        .group_by(AgreementMilestone.agreement_id))}
    withheld = {(s, v) for s, v in db.session.execute(
        select(Withholding.scheme_id, Withholding.village_id).where(
            Withholding.state == "active",
            Withholding.village_id.in_({a.village_id for a in agreements})))}
    # Each agreement's own today (a term ends at midnight in its village), read once for
    # each place rather than once for each agreement.
    todays: dict[tuple, date] = {}
    out = []
    for a in agreements:
        place = (a.country_code, a.admin1_id, a.admin2_id)
        if today is None and place not in todays:
            todays[place] = timezones.today_for(a)
        on = today or todays[place]
        currency = a.instalments[0].currency if a.instalments else a.scheme.currency
        zero = Decimal(0)
        paid = [i for i in a.instalments if i.state == "paid"]
        due = [i for i in a.instalments if i.state in ("approved", "scheduled", "withheld")]
        held = [i for i in a.instalments if i.state == "withheld"]
        n, v = counts.get(a.id, (0, 0))
        out.append(Row(
            agreement=a, state=state_of(a, (a.scheme_id, a.village_id) in withheld, on),
            milestones=n, verified=v, instalments=len(a.instalments), paid=len(paid),
            paid_amount=Money(sum((i.amount for i in paid), zero), currency),
            due_amount=Money(sum((i.amount for i in due), zero), currency),
            withheld_amount=Money(sum((i.amount for i in held), zero), currency),
            total=Money(sum((i.amount for i in a.instalments), zero), currency)))
    return out


def of_scheme(scheme_id: int, user) -> list[Row]:  # noqa: ANN001
    return rows(query(user).where(ConservationAgreement.scheme_id == scheme_id))


def of_village(village_id: int, user) -> list[Row]:  # noqa: ANN001
    return rows(query(user).where(ConservationAgreement.village_id == village_id))


def of_household(household_id: int, user) -> list[Row]:  # noqa: ANN001
    return rows(query(user).where(ConservationAgreement.household_id == household_id))


def successor(agreement_id: int) -> ConservationAgreement | None:
    return db.session.scalars(select(ConservationAgreement).where(
        ConservationAgreement.renews_id == agreement_id)).first()


def in_period(scheme_id: int, start: date, end: date) -> tuple[int, int, set[int]]:
    """For the scheme report: agreements in force some time in the period, milestones
    verified in it, and the households with an agreement (for small-group suppression)."""
    overlapping = (ConservationAgreement.scheme_id == scheme_id,
                   ConservationAgreement.signed_on <= end, ConservationAgreement.ends_on > start)
    in_force = db.session.scalar(select(func.count(ConservationAgreement.id)).where(
        *overlapping))
    verified = db.session.scalar(select(func.count(AgreementMilestone.id)).join(
        ConservationAgreement, ConservationAgreement.id == AgreementMilestone.agreement_id)
        .where(ConservationAgreement.scheme_id == scheme_id,
               AgreementMilestone.verified_on >= start, AgreementMilestone.verified_on <= end))
    households = set(db.session.scalars(select(ConservationAgreement.household_id).where(
        *overlapping, ConservationAgreement.household_id.is_not(None))))
    return in_force or 0, verified or 0, households
