"""Use cases for households: register, update, record the herd census."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from conflict_app.auth.models import User
from conflict_app.core import audit, inputs
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo.models import Village
from conflict_app.herders.models import HerdCensus, Household, Species
from conflict_app.i18n import LOCALES, examples


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


def register_household(actor: User, data: HouseholdInput) -> Household:
    with unit_of_work():
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


def update_household(actor: User, household: Household, data: HouseholdInput) -> Household:
    with unit_of_work():
        if not covers(actor, household):
            raise PermissionDenied(N_("This household is outside your jurisdiction."))
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
