"""Between claims and the pure rules: which scheme and rule version a claim runs under, and
the facts the rules need, gathered from the database.

A claim without a scheme (a country that has configured none yet) is valued by the core
compensation rule built from the configuration, so every assessment is explained the same way.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, or_, select

from conflict_app.claims.models import Claim, Incident, PartOfDay, Setting
from conflict_app.claims.workflow import DECIDED
from conflict_app.core.errors import N_, InvalidInput
from conflict_app.core.money import Money
from conflict_app.extensions import db
from conflict_app.mitigation.models import Measure, MeasureType
from conflict_app.schemes import herd, params, rules
from conflict_app.schemes.harm_models import ClaimHarm
from conflict_app.schemes.herd_models import SeasonCount, VetInvoice
from conflict_app.schemes.models import (
    Assessment,
    AssessmentLine,
    Enrolment,
    MarketPrice,
    RuleVersion,
    Scheme,
)
from conflict_app.schemes.params import SchemeKind
from conflict_app.verification import committee
from conflict_app.verification.committee_models import latest_tally

CORE_RULE = "core-compensation"


def core_rules() -> dict[str, object]:
    cfg = current_app.config
    values = params.parse(SchemeKind.COMPENSATION, {})
    values.update(share_of_value=cfg["SHARE_OF_VALUE"], injured_share=cfg["INJURED_SHARE"],
                  predators=tuple(cfg["ELIGIBLE_PREDATORS"]), corral_modifier=Decimal(1))
    for level, rate in cfg["RATE_BY_CONFIDENCE"].items():
        values[f"rate_{level}"] = rate
    return values


def scheme_for(country_code: str, admin1_id: int, household_id: int, on: date
               ) -> Scheme | None:
    """The open insurance the household is enrolled in on that day, else the open
    compensation scheme of the place."""
    candidates = db.session.scalars(
        select(Scheme).where(
            Scheme.country_code == country_code, Scheme.closed.is_(False),
            Scheme.kind.in_((SchemeKind.INSURANCE, SchemeKind.COMPENSATION)),
            or_(Scheme.admin1_id.is_(None), Scheme.admin1_id == admin1_id),
            Scheme.valid_from <= on, or_(Scheme.valid_to.is_(None), Scheme.valid_to >= on))
        .order_by(Scheme.admin1_id.is_(None), Scheme.id)
    ).all()
    for scheme in candidates:
        if scheme.kind is SchemeKind.INSURANCE and cover_gap(scheme, household_id, on) is None:
            return scheme
    return next((s for s in candidates if s.kind is SchemeKind.COMPENSATION), None)


def cover_gap(scheme: Scheme, household_id: int, on: date) -> tuple[str, dict] | None:
    """Why the insurance does not cover the household's loss on that day (message and
    parameters), or None when it does: enrolment alone is not cover (premium, waiting
    period, agreement, exclusion)."""
    from conflict_app.schemes.operations import version_for

    version = version_for(scheme, on)
    if version is None:
        return (N_("The scheme %(scheme)s has no published rule version for %(date)s."),
                {"scheme": scheme.code, "date": on.isoformat()})
    values = params.parse(scheme.kind, version.values)
    return rules.cover_problem(values, enrolment_facts(enrolment_for(scheme, household_id, on)),
                               on)


def enrolment_for(scheme: Scheme, household_id: int, on: date) -> Enrolment | None:
    return db.session.scalars(
        select(Enrolment).where(Enrolment.scheme_id == scheme.id,
                                Enrolment.household_id == household_id,
                                Enrolment.starts_on <= on, Enrolment.ends_on >= on)
        .order_by(Enrolment.starts_on.desc()).limit(1)
    ).first()


def prices_on(country_code: str, on: date) -> dict[tuple[str, str], Money]:
    """The market price table in force on a date: the newest row per species and class."""
    rows = db.session.scalars(
        select(MarketPrice)
        .where(MarketPrice.country_code == country_code, MarketPrice.valid_from <= on)
        .order_by(MarketPrice.valid_from)
    ).all()
    return {(r.species.value, r.age_class.value): r.money for r in rows}


def _subsidised_corral(household_id: int, on: date) -> bool:
    return db.session.scalar(select(Measure.id).where(
        Measure.household_id == household_id, Measure.measure == MeasureType.CORRAL,
        Measure.funder.is_not(None), Measure.installed_on <= on,
        or_(Measure.removed_on.is_(None), Measure.removed_on > on)).limit(1)) is not None


def _other_counted_claims(claim: Claim, scheme_id: int | None, start: date,
                          end: date) -> list[int]:
    """The household's other decided claims under the same scheme, losses in [start, end]."""
    return list(db.session.scalars(select(Claim.id).join(
        Incident, Claim.incident_id == Incident.id).where(
        Claim.household_id == claim.household_id, Claim.id != claim.id,
        Claim.scheme_id.is_(None) if scheme_id is None else Claim.scheme_id == scheme_id,
        Claim.state.in_(DECIDED),  # their amounts count against the yearly caps
        Incident.occurred_on >= start,
        Incident.occurred_on <= end)))


def _heads_paid(ids: list[int]) -> dict[str, int]:
    """Heads per species in the latest assessment of each of these claims."""
    if not ids:
        return {}
    latest = (select(func.max(Assessment.id)).where(Assessment.claim_id.in_(ids))
              .group_by(Assessment.claim_id))
    rows = db.session.execute(select(AssessmentLine.species, func.sum(AssessmentLine.heads))
                              .where(AssessmentLine.assessment_id.in_(latest))
                              .group_by(AssessmentLine.species)).all()
    return {species: int(n) for species, n in rows}


def _year_so_far(claim: Claim, scheme_id: int | None) -> tuple[int, Decimal]:
    """Heads and money already approved for the household in the incident's year."""
    year = claim.incident.occurred_on.year
    ids = _other_counted_claims(claim, scheme_id, date(year, 1, 1), date(year, 12, 31))
    if not ids:
        return 0, Decimal(0)
    amount = db.session.scalar(select(func.coalesce(func.sum(Claim.amount_approved), 0))
                               .where(Claim.id.in_(ids)))
    return sum(_heads_paid(ids).values()), Decimal(amount)


def enrolment_facts(enrolment: Enrolment | None) -> rules.Enrolment | None:
    if enrolment is None:
        return None
    return rules.Enrolment(enrolment.starts_on, enrolment.ends_on, enrolment.premium_paid_on,
                           enrolment.agreement_signed, enrolment.excluded_on)


def facts_for(claim: Claim, report, enrolment: Enrolment | None = None  # noqa: ANN001
              ) -> rules.Facts:
    """What the rules need to know about a claim; ``enrolment`` for an insured one."""
    incident = claim.incident
    heads, amount = _year_so_far(claim, claim.scheme_id)
    return rules.Facts(
        currency=claim.currency,
        predator=report.predator.value,
        confidence=report.confidence.value,
        losses=[rules.Loss(vl.loss_line_id, vl.loss_line.species.value,
                           vl.loss_line.age_class.value, vl.confirmed_killed,
                           vl.confirmed_injured) for vl in report.lines],
        prices=prices_on(claim.country_code, incident.occurred_on),
        night_outside_corral=(incident.part_of_day is PartOfDay.NIGHT
                              and incident.setting is not Setting.NIGHT_CORRAL),
        subsidised_corral=_subsidised_corral(claim.household_id, incident.occurred_on),
        year_heads_before=heads,
        year_amount_before=amount,
        insured={line.species.value: (line.heads, Money(line.value_per_head, claim.currency))
                 for line in (enrolment.lines if enrolment else [])},
        insured_heads_claimed=_heads_paid(_other_counted_claims(
            claim, enrolment.scheme_id, enrolment.starts_on, enrolment.ends_on))
        if enrolment else {},
        seasons={s.loss_line_id: herd.Season(s.count_before, s.counted_before_on,
                                             s.count_after, s.counted_after_on, s.explained,
                                             s.signs_on)
                 for s in db.session.scalars(select(SeasonCount).where(
                     SeasonCount.claim_id == claim.id))},
        invoices={v.loss_line_id: v.money for v in db.session.scalars(
            select(VetInvoice).where(VetInvoice.claim_id == claim.id))},
        harm=harm_of(claim.id),
    )


def harm_of(claim_id: int):  # noqa: ANN201 - harm.Harm | None
    row = db.session.scalar(select(ClaimHarm).where(ClaimHarm.claim_id == claim_id))
    return row.facts() if row is not None else None


def harm_rules(scheme: Scheme | None, on: date) -> dict | None:
    """The rule values that decide whether a harm claim is accepted in a scheme on a day
    (None: no scheme, or none in force, so only livestock claims)."""
    if scheme is None or scheme.closed or scheme.kind is not SchemeKind.COMPENSATION:
        return None
    from conflict_app.schemes.operations import version_for

    version = version_for(scheme, on)
    return params.parse(scheme.kind, version.values) if version is not None else None


def value(claim: Claim, report, version: RuleVersion | None = None  # noqa: ANN001
          ) -> tuple[rules.Result, RuleVersion | None]:
    """Value a verified claim under its scheme's rule version in force on the incident day
    (or ``version``, for a dry run). Refusals are clear errors, nothing is stored here."""
    scheme = claim.scheme
    if scheme is None:
        return rules.compensate(core_rules(), facts_for(claim, report), CORE_RULE), None
    on = claim.incident.occurred_on
    dry_run = version is not None
    if version is None:
        from conflict_app.schemes.operations import closed_error, require_version

        if scheme.closed:
            raise closed_error(scheme)
        version = require_version(scheme, on)
    values = params.parse(scheme.kind, version.values)
    # A dry run values past claims as they were; a real assessment waits for the committee.
    if not dry_run and (trouble := committee.problem(values, latest_tally(claim.id))):
        message, args = trouble
        raise InvalidInput(message, **args)
    name = f"{scheme.code} v{version.number}"
    if scheme.kind is SchemeKind.INSURANCE:
        enrolment = enrolment_for(scheme, claim.household_id, on)
        problem = rules.cover_problem(values, enrolment_facts(enrolment), on)
        if problem is not None:
            message, args = problem
            raise InvalidInput(message, **args)
        return rules.insure(values, facts_for(claim, report, enrolment), name), version
    return rules.compensate(values, facts_for(claim, report), name), version
