"""Conservation agreements: signing, verifying milestones, renewal.

An instalment is conditional: once every milestone of its year is verified it becomes an
incentive payment (kind ``instalment``) of the agreement's community (and household), so it
is withheld with the community's other payments after a retaliatory killing, released with
them, and paid through a payment batch by someone other than the staff member whose
verification made it due. The payments feature never learns about agreements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from conflict_app.auth.models import User
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.money import Money
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import Village
from conflict_app.herders.models import Household
from conflict_app.schemes.agreement_models import (
    MILESTONE_KINDS,
    MOST_YEARS,
    AgreementInstalment,
    AgreementMilestone,
    ConservationAgreement,
    add_years,
)
from conflict_app.schemes.incentives import _incentive, _village, _withheld
from conflict_app.schemes.models import IncentivePayment, PresenceRecord, Scheme, Withholding
from conflict_app.schemes.operations import check_budget
from conflict_app.schemes.rules import Step, money_param

# An agreement may be renewed from this long before the end of its term.
RENEW_WINDOW = timedelta(days=120)


@dataclass
class Terms:
    """What is signed: the term, the instalment of each year and the year's milestones."""

    signed_on: date
    term_years: int
    amount: Decimal
    milestones: list[str]
    note: str | None = None


def _check_terms(terms: Terms) -> None:
    if not isinstance(terms.term_years, int) or not 1 <= terms.term_years <= MOST_YEARS:
        raise InvalidInput(N_("Enter a term from 1 to 10 years."), field="term_years")
    amount = terms.amount
    if amount is None or not amount.is_finite() or amount <= 0 or amount >= Decimal(10) ** 13 \
            or amount.as_tuple().exponent < -2:
        raise InvalidInput(N_("Enter a positive amount with at most 2 decimals."),
                           field="amount")
    kinds = list(dict.fromkeys(terms.milestones or ()))
    if not kinds:
        raise InvalidInput(N_("Choose at least one milestone."), field="milestones")
    if any(k not in MILESTONE_KINDS for k in kinds):
        raise InvalidInput(N_("Choose one of the options in the list."), field="milestones")
    terms.milestones = kinds
    if terms.note is not None and len(terms.note) > 2000:
        raise InvalidInput(N_("Use between %(min)d and %(max)d characters."), field="note",
                           min=0, max=2000)


def _make(actor: User, scheme: Scheme, place: Village | Household, terms: Terms,
          renews: ConservationAgreement | None = None) -> ConservationAgreement:
    """Build the agreement, its milestones and instalments; in the caller's transaction.
    ``place``: the household of a household's agreement, or the community's village."""
    household = place if isinstance(place, Household) else None
    agreement = ConservationAgreement(
        scheme_id=scheme.id, village_id=place.village_id if household else place.id,
        household_id=household.id if household else None,
        country_code=place.country_code, admin1_id=place.admin1_id, admin2_id=place.admin2_id,
        signed_on=terms.signed_on, term_years=terms.term_years,
        ends_on=add_years(terms.signed_on, terms.term_years),
        renews_id=renews.id if renews else None, state="active",
        note=(terms.note or "").strip() or None, created_by_id=actor.id)
    db.session.add(agreement)
    db.session.flush()
    for year in range(1, terms.term_years + 1):
        for kind in terms.milestones:
            db.session.add(AgreementMilestone(agreement_id=agreement.id, year=year, kind=kind))
        db.session.add(AgreementInstalment(agreement_id=agreement.id, year=year,
                                           amount=terms.amount, currency=scheme.currency))
    db.session.flush()
    return agreement


def _in_force(scheme_id: int, village_id: int, household_id: int | None, on: date) -> int | None:
    party = (ConservationAgreement.household_id == household_id) if household_id else \
        ConservationAgreement.household_id.is_(None)
    return db.session.scalar(select(ConservationAgreement.id).where(
        ConservationAgreement.scheme_id == scheme_id,
        ConservationAgreement.village_id == village_id, party,
        ConservationAgreement.signed_on <= on, ConservationAgreement.ends_on > on).limit(1))


def sign(actor: User, scheme_id: int, village_id: int | None, household_id: int | None,
         terms: Terms) -> ConservationAgreement:
    """An agreement with a household (``household_id``) or with a community (a village)."""
    _check_terms(terms)
    with unit_of_work():
        scheme = _incentive(actor, scheme_id, Role.SCHEME_MANAGER)
        household = None
        if household_id is not None:
            household = db.session.get(Household, household_id)
            if household is None or not covers(actor, household):
                raise InvalidInput(N_("Choose a household of the scheme's area."),
                                   field="household")
            village_id = household.village_id
        if village_id is None:
            raise InvalidInput(N_("Choose a village or a household."), field="village")
        village = _village(actor, scheme, village_id)
        if terms.signed_on > timezones.today_for(village):
            raise InvalidInput(N_("The date cannot be in the future."), field="signed_on")
        if terms.signed_on < scheme.valid_from:
            raise InvalidInput(N_("The scheme starts on %(day)s."), field="signed_on",
                               day=scheme.valid_from.isoformat())
        same = _in_force(scheme.id, village.id, household_id, terms.signed_on)
        if same is not None:
            raise InvalidInput(N_("An agreement of this scheme is already in force with them "
                                  "(AGR-%(id)s)."), field="signed_on", id=f"{same:06d}")
        agreement = _make(actor, scheme, household or village, terms)
        audit.record(actor_id=actor.id, object_type="conservation_agreement",
                     object_id=agreement.id, action="sign_agreement", to_state="active",
                     changes={"scheme": scheme.code, "village": village.id,
                              "household": household_id, "signed_on": terms.signed_on,
                              "term_years": terms.term_years, "amount": terms.amount,
                              "currency": scheme.currency, "milestones": terms.milestones})
    return agreement


def _year_check(agreement: ConservationAgreement, milestone: AgreementMilestone,
                verified_on: date) -> None:
    """What the milestone's own kind requires of its year."""
    start, after = agreement.year_bounds(milestone.year)
    if verified_on < start:
        raise InvalidInput(N_("Year %(year)s of the agreement starts on %(day)s."),
                           field="verified_on", year=milestone.year, day=start.isoformat())
    if milestone.kind == "no_killing":
        if verified_on < after:
            raise InvalidInput(N_("A year without a retaliatory killing can be verified "
                                  "once the year is over, from %(day)s."),
                               field="verified_on", day=after.isoformat())
        killed = db.session.scalar(select(Withholding.id).where(
            Withholding.scheme_id == agreement.scheme_id,
            Withholding.village_id == agreement.village_id,
            Withholding.noticed_on >= start, Withholding.noticed_on < after).limit(1))
        if killed is not None:
            raise InvalidInput(N_("A retaliatory killing was recorded in the community in "
                                  "this year."), field="verified_on")
    if milestone.kind == "presence":
        seen = db.session.scalar(select(PresenceRecord.id).where(
            PresenceRecord.scheme_id == agreement.scheme_id,
            PresenceRecord.village_id == agreement.village_id,
            PresenceRecord.observed_on >= start, PresenceRecord.observed_on < after).limit(1))
        if seen is None:
            raise InvalidInput(N_("No verified presence record of the community in this "
                                  "year: record it on the scheme's page first."),
                               field="verified_on")


def verify_milestone(actor: User, milestone_id: int, verified_on: date,
                     evidence: str) -> AgreementMilestone:
    """Staff verify a milestone with evidence; the year's instalment becomes payable when it
    was the last one of its year."""
    evidence = (evidence or "").strip()
    if not evidence:
        raise InvalidInput(N_("Describe the evidence."), field="evidence")
    if len(evidence) > 2000:
        raise InvalidInput(N_("Use between %(min)d and %(max)d characters."),
                           field="evidence", min=1, max=2000)
    with unit_of_work():
        milestone = db.session.get(AgreementMilestone, milestone_id,
                                   with_for_update={"of": AgreementMilestone},
                                   populate_existing=True)
        if milestone is None or not covers(actor, milestone.agreement):
            raise InvalidInput(N_("No such milestone."))
        agreement = milestone.agreement
        scheme = _incentive(actor, agreement.scheme_id, Role.VERIFIER, Role.SCHEME_MANAGER)
        if milestone.verified_on is not None:
            raise InvalidInput(N_("This milestone was already verified."))
        if verified_on > timezones.today_for(agreement.village):
            raise InvalidInput(N_("The date cannot be in the future."), field="verified_on")
        _year_check(agreement, milestone, verified_on)
        milestone.verified_on = verified_on
        milestone.evidence = evidence
        milestone.verified_by_id = actor.id
        milestone.verified_at = clock.now()
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="conservation_agreement",
                     object_id=agreement.id, action="verify_milestone",
                     changes={"milestone": milestone.id, "year": milestone.year,
                              "kind": milestone.kind, "verified_on": verified_on})
        open_left = db.session.scalar(select(func.count(AgreementMilestone.id)).where(
            AgreementMilestone.agreement_id == agreement.id,
            AgreementMilestone.year == milestone.year,
            AgreementMilestone.verified_on.is_(None)))
        if not open_left:
            _instalment_due(actor, scheme, agreement, milestone.year)
    return milestone


def _instalment_due(actor: User, scheme: Scheme, agreement: ConservationAgreement,
                    year: int) -> None:
    instalment = db.session.scalars(select(AgreementInstalment).where(
        AgreementInstalment.agreement_id == agreement.id, AgreementInstalment.year == year)
        .with_for_update(of=AgreementInstalment)).first()
    if instalment is None or instalment.payment_id is not None:
        return
    amount = Money(instalment.amount, instalment.currency)
    # As an adoption payment: beyond the remaining budget the verification is refused and
    # nothing changes (a scheme that queues approvals has no queue for incentive payments).
    if not check_budget(scheme, amount):
        raise InvalidInput(N_("The scheme's remaining budget does not cover this payment."))
    step = Step(N_("Year %(year)s of agreement %(reference)s: its milestones are met, the "
                   "instalment of %(amount)s is due."),
                {"year": year, "reference": agreement.reference,
                 "amount": money_param(amount)})
    withheld = _withheld(scheme.id, agreement.village_id)
    payment = IncentivePayment(
        scheme_id=scheme.id, kind="instalment", village_id=agreement.village_id,
        household_id=agreement.household_id, amount=instalment.amount,
        currency=instalment.currency, steps=[step.as_json()],
        state="withheld" if withheld else "approved", created_by_id=actor.id)
    db.session.add(payment)
    db.session.flush()
    instalment.payment_id = payment.id
    audit.record(actor_id=actor.id, object_type="incentive_payment", object_id=payment.id,
                 action="instalment_due", to_state=payment.state, changes={
                     "scheme": scheme.code, "agreement": agreement.reference, "year": year,
                     "amount": instalment.amount})


def renew(actor: User, agreement_id: int, terms: Terms) -> ConservationAgreement:
    """A new agreement with the same party from the end of the old one's term."""
    _check_terms(terms)
    with unit_of_work():
        old = db.session.get(ConservationAgreement, agreement_id,
                             with_for_update={"of": ConservationAgreement},
                             populate_existing=True)
        if old is None or not covers(actor, old):
            raise InvalidInput(N_("No such agreement."))
        scheme = _incentive(actor, old.scheme_id, Role.SCHEME_MANAGER)
        if old.state == "renewed":
            raise InvalidInput(N_("This agreement was already renewed."))
        today = timezones.today_for(old.village)
        if today < old.ends_on - RENEW_WINDOW:
            raise InvalidInput(N_("An agreement can be renewed from %(day)s, near the end of "
                                  "its term."), day=(old.ends_on - RENEW_WINDOW).isoformat())
        household = old.household
        if household is not None and not covers(actor, household):
            raise PermissionDenied(N_("This village is outside your jurisdiction."))
        terms.signed_on = old.ends_on
        new = _make(actor, scheme, household or old.village, terms, renews=old)
        old.state = "renewed"
        audit.record(actor_id=actor.id, object_type="conservation_agreement", object_id=old.id,
                     action="renew_agreement", from_state="active", to_state="renewed",
                     changes={"renewed_by": new.reference})
        audit.record(actor_id=actor.id, object_type="conservation_agreement", object_id=new.id,
                     action="sign_agreement", to_state="active",
                     changes={"scheme": scheme.code, "renews": old.reference,
                              "signed_on": new.signed_on, "term_years": terms.term_years,
                              "amount": terms.amount, "currency": scheme.currency,
                              "milestones": terms.milestones})
    return new


def state_of(agreement: ConservationAgreement, withheld: bool, today: date | None = None) -> str:
    """What the list shows: renewed, withheld (the community's payments), ended, in force.
    ``today`` None: the village's own today, so a term ends at midnight there."""
    today = today or timezones.today_for(agreement)
    if agreement.state == "renewed":
        return "renewed"
    if withheld:
        return "withheld"
    if today >= agreement.ends_on:
        return "ended"
    if today < agreement.signed_on:
        return "signed"
    return "active"
