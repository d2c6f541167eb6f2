"""Use cases for households: register, update, record the herd census."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.core import audit, inputs
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied, StaleObject
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo.models import Village
from conflict_app.herders.models import HerdCensus, Household, Species
from conflict_app.i18n import LOCALES, examples

# Who registers and corrects households (the household pages' roles).
STAFF = (Role.CLERK, Role.SUPERVISOR)
MICRODEGREE = Decimal("0.000001")  # the coordinates' stored precision


@dataclass
class HouseholdInput:
    head_name: str
    village_id: int
    language: str
    phone: str | None = None
    national_id: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    # (year, species) -> head count
    census: Mapping[tuple[int, Species], int] = field(default_factory=dict)


def _country_name(code: str | None) -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return (locale.territories.get(code or "", code) if locale else code) or ""


def normalise_phone(raw: str | None, country: str | None = None) -> str | None:
    """The phone in E.164, read with ``country``'s rules when typed without a country code
    (national format, spaces, dashes, digits of any script); refuse what cannot be one."""
    try:
        return inputs.parse_phone(raw, country)
    except inputs.PhoneError:
        raise InvalidInput(
            N_("Enter a phone number that works in %(country)s, for example %(example)s."),
            field="phone", country=_country_name(country),
            example=inputs.example_phone(country) or examples.phone(),
        ) from None


def _village_for(actor: User, village_id: int) -> Village:
    village = db.session.get(Village, village_id)
    if village is None:
        raise InvalidInput(N_("Choose a village from the list."), field="village_id")
    if not covers(actor, village):
        raise PermissionDenied(N_("This village is outside your jurisdiction."),
                               field="village_id")
    return village


def _apply(household: Household, data: HouseholdInput, village: Village) -> None:
    if not data.head_name.strip():
        raise InvalidInput(N_("Enter the name of the head of household."), field="head_name")
    if data.language not in LOCALES:
        raise InvalidInput(N_("Choose a language from the list."), field="language")
    if (data.latitude is None) != (data.longitude is None):
        raise InvalidInput(N_("Give both latitude and longitude, or neither."),
                           field="latitude")
    household.head_name = data.head_name.strip()
    household.phone = normalise_phone(data.phone, village.country_code)
    household.national_id = (data.national_id or "").strip() or None
    household.village_id = village.id
    household.country_code = village.country_code
    household.admin1_id = village.admin1_id
    household.admin2_id = village.admin2_id
    household.language = data.language
    household.latitude = data.latitude
    household.longitude = data.longitude
    existing = {(row.year, row.species): row for row in household.census}
    for (year, species), count in data.census.items():
        if count is None:
            continue
        if count < 0:
            raise InvalidInput(N_("Head counts cannot be negative."), field="census")
        row = existing.get((year, species))
        if row is None:
            household.census.append(HerdCensus(year=year, species=species, head_count=count))
        else:
            row.head_count = count


def _staff(actor: User) -> None:
    if not actor.has_role(*STAFF):
        raise PermissionDenied(N_("Your role may not do this."))


def fingerprint(household: Household) -> str:
    """The household as recorded (its census included) as an entity tag: it changes whenever
    a field or a head count does, so a correction made from an old copy can be refused. It is
    a digest of personal data: only roles that may see and change them receive it."""
    recorded = [household.id, household.head_name, household.phone, household.national_id,
                household.village_id, household.language,
                *(str(Decimal(value).quantize(MICRODEGREE)) if value is not None else None
                  for value in (household.latitude, household.longitude)),
                sorted([row.year, row.species.value, row.head_count]
                       for row in household.census)]
    return hashlib.sha256(json.dumps(recorded).encode()).hexdigest()[:32]


def _lock(household: Household) -> None:
    """Lock the household's row and read it and its census afresh: concurrent corrections
    go one after the other, each from the state the previous one left."""
    db.session.refresh(household, with_for_update=True)
    db.session.scalars(select(HerdCensus).where(HerdCensus.household_id == household.id)
                       .execution_options(populate_existing=True)).all()
    db.session.expire(household, ["census"])


def register_household(actor: User, data: HouseholdInput) -> Household:
    with unit_of_work():
        _staff(actor)
        village = _village_for(actor, data.village_id)
        household = Household()
        _apply(household, data, village)
        db.session.add(household)
        db.session.flush()
        audit.record(
            actor_id=actor.id,
            object_type="household",
            object_id=household.id,
            action="register",
            changes={"village_id": village.id, "census_rows": len(data.census)},
        )
    return household


def update_household(actor: User, household: Household, data: HouseholdInput,
                     expected: str | None = None) -> Household:
    """Correct a household and record its census. ``expected`` is the fingerprint the change
    was made from: when someone changed the household meanwhile nothing is saved."""
    with unit_of_work():
        _staff(actor)
        _lock(household)
        if not covers(actor, household):
            raise PermissionDenied(N_("This household is outside your jurisdiction."))
        if expected is not None and fingerprint(household) != expected:
            raise StaleObject(N_("Someone else changed this record at the same time. "
                                 "Nothing was saved; please look at it again."))
        village = _village_for(actor, data.village_id)
        before = {
            "head_name": household.head_name,
            "phone": household.phone,
            "village_id": household.village_id,
            "language": household.language,
        }
        _apply(household, data, village)
        after = {
            "head_name": household.head_name,
            "phone": household.phone,
            "village_id": household.village_id,
            "language": household.language,
        }
        # Personal values are not copied into the audit log, only which fields changed.
        changed = sorted(k for k in before if before[k] != after[k])
        audit.record(
            actor_id=actor.id,
            object_type="household",
            object_id=household.id,
            action="update_household",
            changes={"fields": changed},
        )
    return household
