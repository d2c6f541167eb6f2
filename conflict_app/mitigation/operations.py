"""Recording mitigation measures: installed, verified, removed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.core import audit
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied, StaleObject
from conflict_app.core.money import CURRENCIES
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.herders.models import Household
from conflict_app.mitigation.models import ASSIGNMENT_UNITS, Measure, MeasureType

STAFF = (Role.CLERK, Role.SUPERVISOR, Role.SCHEME_MANAGER)


@dataclass
class MeasureInput:
    measure: MeasureType
    installed_on: date
    removed_on: date | None = None
    verified_on: date | None = None
    cost: Decimal | None = None
    currency: str | None = None
    funder: str | None = None
    assignment: str | None = None  # randomised by "household" or "village"
    assignment_method: str | None = None


def _check(data: MeasureInput, place: Household | Measure) -> None:
    today = timezones.today_for(place)
    if data.installed_on > today:
        raise InvalidInput(N_("The installation date cannot be in the future."),
                           field="installed_on")
    if data.removed_on and data.removed_on < data.installed_on:
        raise InvalidInput(N_("A measure cannot be removed before it was installed."),
                           field="removed_on")
    if data.verified_on and data.verified_on < data.installed_on:
        raise InvalidInput(N_("A measure cannot be verified before it was installed."),
                           field="verified_on")
    if (data.cost is None) != (not data.currency):
        raise InvalidInput(N_("Give the cost and its currency together."), field="currency")
    if data.currency and data.currency not in CURRENCIES:
        raise InvalidInput(N_("Choose a currency from the list."), field="currency")
    if data.cost is not None and data.cost < 0:
        raise InvalidInput(N_("The cost cannot be negative."), field="cost")
    if data.assignment and data.assignment not in ASSIGNMENT_UNITS:
        raise InvalidInput(N_("Choose how the measure was assigned from the list."),
                           field="assignment")
    if data.assignment and not (data.assignment_method or "").strip():
        raise InvalidInput(N_("Say how the draw was made."),
                           field="assignment_method")


def record_measure(actor: User, household: Household, data: MeasureInput) -> Measure:
    with unit_of_work():
        if not actor.has_role(*STAFF):
            raise PermissionDenied(N_("Your role may not do this."))
        if not covers(actor, household):
            raise PermissionDenied(N_("This household is outside your jurisdiction."))
        _check(data, household)
        measure = Measure(
            household_id=household.id, village_id=household.village_id,
            country_code=household.country_code, admin1_id=household.admin1_id,
            admin2_id=household.admin2_id, measure=data.measure,
            installed_on=data.installed_on, removed_on=data.removed_on,
            verified_on=data.verified_on, cost=data.cost, currency=data.currency or None,
            funder=(data.funder or "").strip() or None,
            assignment=data.assignment or None,
            assignment_method=(data.assignment_method or "").strip()[:160] or None
            if data.assignment else None,
        )
        db.session.add(measure)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="measure", object_id=measure.id,
                     action="record_measure",
                     changes={"household": household.id, "measure": data.measure.value,
                              "installed_on": data.installed_on,
                              "assignment": measure.assignment})
    return measure


FIELDS = ("measure", "installed_on", "removed_on", "verified_on", "cost", "currency",
          "funder", "assignment", "assignment_method")
CENT = Decimal("0.01")


def _recorded(measure: Measure) -> dict[str, object]:
    values = {name: getattr(measure, name) for name in FIELDS}
    if values["cost"] is not None:  # 12.5 and 12.50 are one amount, one tag
        values["cost"] = Decimal(values["cost"]).quantize(CENT)
    return values


def fingerprint(measure: Measure) -> str:
    """The measure's recorded state as an entity tag: it changes whenever a field does, so
    an update made from an old copy can be refused without a version column."""
    recorded = {k: str(v) if v is not None else None for k, v in _recorded(measure).items()}
    text = json.dumps([measure.id, measure.household_id, recorded], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def update_measure(actor: User, measure_id: int, data: MeasureInput,
                   expected: str | None = None) -> Measure:
    """Correct a recorded measure. ``expected`` is the fingerprint the change was made
    from: when someone changed the measure meanwhile nothing is saved."""
    with unit_of_work():
        if not actor.has_role(*STAFF):
            raise PermissionDenied(N_("Your role may not do this."))
        measure = db.session.scalars(
            select(Measure).where(Measure.id == measure_id).with_for_update()
            .execution_options(populate_existing=True)).first()
        if measure is None or not covers(actor, measure):
            raise PermissionDenied(N_("This household is outside your jurisdiction."))
        if expected is not None and fingerprint(measure) != expected:
            raise StaleObject(N_("Someone else changed this record at the same time. "
                                 "Nothing was saved; please look at it again."))
        _check(data, measure)
        before = _recorded(measure)
        measure.measure = data.measure
        measure.installed_on, measure.removed_on = data.installed_on, data.removed_on
        measure.verified_on = data.verified_on
        measure.cost = data.cost.quantize(CENT) if data.cost is not None else None
        measure.currency = data.currency or None
        measure.funder = (data.funder or "").strip() or None
        measure.assignment = data.assignment or None
        measure.assignment_method = ((data.assignment_method or "").strip()[:160] or None
                                     if data.assignment else None)
        after = _recorded(measure)
        changes = {k: after[k] for k in FIELDS if after[k] != before[k]}
        if changes:
            audit.record(actor_id=actor.id, object_type="measure", object_id=measure.id,
                         action="update_measure",
                         changes={k: str(v) if isinstance(v, Decimal) else v
                                  for k, v in changes.items()})
    return measure


def remove_measure(actor: User, measure: Measure, removed_on: date) -> Measure:
    with unit_of_work():
        if not actor.has_role(*STAFF):
            raise PermissionDenied(N_("Your role may not do this."))
        if not covers(actor, measure):
            raise PermissionDenied(N_("This household is outside your jurisdiction."))
        if removed_on < measure.installed_on or removed_on > timezones.today_for(measure):
            raise InvalidInput(N_("The removal date must be between the installation and "
                                  "today."), field="removed_on")
        measure.removed_on = removed_on
        audit.record(actor_id=actor.id, object_type="measure", object_id=measure.id,
                     action="remove_measure", changes={"removed_on": removed_on})
    return measure


def exposure_head_years(household: Household) -> list[tuple[int, int]]:
    """Head-years at risk per census year: the census is the mean number held that year."""
    totals: dict[int, int] = {}
    for row in household.census:
        totals[row.year] = totals.get(row.year, 0) + row.head_count
    return sorted(totals.items(), reverse=True)
