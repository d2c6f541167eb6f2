"""Use cases for staff accounts and the places they work in: sign-in bookkeeping, own
account, user administration, provinces, districts and villages.

Who may manage whom: an administrator manages the users, areas and villages inside their own
jurisdiction (a range-wide administrator, with no country, manages everything). The same rule
decides what a new or edited user's jurisdiction may be, so nobody can hand out more than
they hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from conflict_app.auth import events, grants, sessions
from conflict_app.auth.models import User
from conflict_app.auth.throttle import login_throttle  # noqa: F401 - the views reach it here
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import Role
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea, Country, Region, Village
from conflict_app.i18n import LOCALES

# ---------------------------------------------------------------------------------------
# Passwords
# ---------------------------------------------------------------------------------------

MIN_PASSWORD_LENGTH = 12
# Long enough for any passphrase, short enough that hashing it cannot be used to tie up
# the server.
MAX_PASSWORD_LENGTH = 256

# Passwords of 12 characters or more that top the public breach corpora (NIST SP 800-63B
# asks to refuse "commonly used, expected or compromised" values rather than to impose
# character classes). Compared without regard to case.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012", "1234567890123", "12345678901234", "123456789123",
        "111111111111", "000000000000", "123123123123", "qwertyuiopas",
        "qwertyuiop123", "qwerty123456", "1q2w3e4r5t6y", "1qaz2wsx3edc",
        "zaq12wsxcde3", "asdfghjkl123", "password1234", "password123!",
        "passwordpassword", "password12345", "iloveyou1234", "letmein12345",
        "welcome12345", "welcome123456", "administrator", "admin1234567",
        "adminadmin123", "changeme1234", "trustno11234", "football1234",
        "baseball1234", "superman1234", "sunshine1234", "princess1234",
        "monkey123456", "dragon123456", "abcdefghijkl", "abc123456789",
        "abcd12345678", "qazwsxedcrfv", "1234qwerasdf", "q1w2e3r4t5y6",
        "correct horse battery staple", "correcthorsebatterystaple",
        "pardus123456", "leopard12345", "persianleopard", "pardus-password",
    }
)


def check_password_rules(password: str, email: str, field: str = "new_password") -> None:
    """Length and a blocklist, nothing else (no character-class rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(N_("Use at least %(count)d characters for the password."),
                           field=field, count=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(N_("Use at most %(count)d characters for the password."),
                           field=field, count=MAX_PASSWORD_LENGTH)
    lowered = password.strip().lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        raise InvalidInput(N_("This password is too common. Choose another one, for example "
                              "a few unrelated words."), field=field)
    if email and lowered == email.strip().lower():
        raise InvalidInput(N_("The password must not be your email address."), field=field)


def record_login(user: User) -> None:
    """Remember when the user last signed in (not audited: it changes no permission)."""
    with unit_of_work():
        user.last_login_at = clock.now()


# ---------------------------------------------------------------------------------------
# Own account
# ---------------------------------------------------------------------------------------


def change_locale(actor: User, locale: str) -> None:
    if locale not in LOCALES:
        raise InvalidInput(N_("Choose a language from the list."), field="locale")
    if locale == actor.locale:
        return
    with unit_of_work():
        before = actor.locale
        actor.locale = locale
        audit.record(actor_id=actor.id, object_type="user", object_id=actor.id,
                     action="update_user", changes={"locale": [before, locale]})


def change_password(actor: User, current: str, new: str, hash_method: str | None) -> None:
    if not actor.check_password(current or ""):
        raise InvalidInput(N_("Your current password is not right."),
                           field="current_password")
    check_password_rules(new, actor.email)
    if actor.check_password(new):
        raise InvalidInput(N_("Choose a password different from the current one."),
                           field="new_password")
    with unit_of_work():
        actor.set_password(new, method=hash_method)
        # Whoever knew the old password signed out with it.
        ended = sessions.end_all(actor.id)
        # Only the fact is recorded: never the hash or the password.
        audit.record(actor_id=actor.id, object_type="user", object_id=actor.id,
                     action="change_password",
                     changes={"fields": ["password"], "sessions_ended": ended})


def end_sessions(actor: User) -> int:
    """"Sign out everywhere": every session of the account ends, on every device."""
    with unit_of_work():
        ended = sessions.end_all(actor.id)
        audit.record(actor_id=actor.id, object_type="user", object_id=actor.id,
                     action="end_sessions", changes={"sessions_ended": ended})
    return ended


# ---------------------------------------------------------------------------------------
# Jurisdictions
# ---------------------------------------------------------------------------------------


def _actor_area(actor: User) -> AdminArea | None:
    if actor.jurisdiction_area_id is None:
        return None
    return db.session.get(AdminArea, actor.jurisdiction_area_id)


def covers_place(actor: User, country_code: str | None, area: AdminArea | None) -> bool:
    """True when the place (whole range, a country, or one of its areas) lies inside the
    actor's jurisdiction."""
    if actor.jurisdiction_country is None:
        return True
    if country_code != actor.jurisdiction_country:
        return False
    if actor.jurisdiction_area_id is None:
        return True
    if area is None:
        return False  # a whole country is more than a province or district holds
    if area.id == actor.jurisdiction_area_id:
        return True
    own = _actor_area(actor)
    return own is not None and own.level == 1 and area.parent_id == own.id


def manages(actor: User, user: User) -> bool:
    """May ``actor`` see and change ``user``? (administrators, inside their jurisdiction)"""
    if not actor.has_role(Role.ADMIN):
        return False
    return covers_place(actor, user.jurisdiction_country, user.jurisdiction_area)


def scope_users(query, actor: User):  # noqa: ANN001, ANN201 - a Select in, a Select out
    """Restrict a select over users to those the actor manages, in SQL."""
    if actor.jurisdiction_country is None:
        return query
    query = query.where(User.jurisdiction_country == actor.jurisdiction_country)
    if actor.jurisdiction_area_id is None:
        return query
    inside = select(AdminArea.id).where(or_(AdminArea.id == actor.jurisdiction_area_id,
                                            AdminArea.parent_id == actor.jurisdiction_area_id))
    return query.where(User.jurisdiction_area_id.in_(inside))


def scope_areas(query, actor: User):  # noqa: ANN001, ANN201
    """Restrict a select over admin areas to the actor's jurisdiction, in SQL."""
    if actor.jurisdiction_country is None:
        return query
    query = query.where(AdminArea.country_code == actor.jurisdiction_country)
    if actor.jurisdiction_area_id is None:
        return query
    return query.where(or_(AdminArea.id == actor.jurisdiction_area_id,
                           AdminArea.parent_id == actor.jurisdiction_area_id))


def scope_countries(query, actor: User):  # noqa: ANN001, ANN201
    if actor.jurisdiction_country is None:
        return query
    return query.where(Country.code == actor.jurisdiction_country)


def _require_admin(actor: User) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied(N_("Only administrators may do this."))


def _resolve_place(country_code: str | None, area_id: int | None,
                   field: str) -> tuple[str | None, AdminArea | None]:
    """Check that the country exists and the area belongs to it."""
    if country_code is None:
        if area_id is not None:
            raise InvalidInput(N_("Choose a country for this province or district."),
                               field=field)
        return None, None
    if db.session.get(Country, country_code) is None:
        raise InvalidInput(N_("Choose a country from the list."), field=field)
    if area_id is None:
        return country_code, None
    area = db.session.get(AdminArea, area_id)
    if area is None or area.country_code != country_code:
        raise InvalidInput(N_("This province or district is not in the chosen country."),
                           field=field)
    return country_code, area


# ---------------------------------------------------------------------------------------
# User administration
# ---------------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class UserInput:
    name: str
    email: str
    roles: set[Role]
    country_code: str | None
    area_id: int | None
    locale: str
    active: bool = True
    password: str | None = None


def _normalise_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput(N_("Enter an email address such as name@example.org."),
                           field="email")
    return email


def _email_taken(email: str, except_id: int | None) -> bool:
    query = select(User.id).where(func.lower(User.email) == email)
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query.limit(1)) is not None


def _duplicate_email() -> InvalidInput:
    return InvalidInput(N_("Another account already uses this email address."), field="email")


def _checked(actor: User, data: UserInput, user: User | None) -> tuple[str, str, set[Role],
                                                                       str | None,
                                                                       AdminArea | None]:
    name = (data.name or "").strip()
    if not name:
        raise InvalidInput(N_("Enter the person's name."), field="name")
    if len(name) > 120:
        raise InvalidInput(N_("Use between %(min)d and %(max)d characters."), field="name",
                           min=1, max=120)
    email = _normalise_email(data.email)
    if _email_taken(email, user.id if user else None):
        raise _duplicate_email()
    try:
        roles = {Role(r) for r in data.roles}
    except ValueError:
        raise InvalidInput(N_("Choose one of the options in the list."), field="roles") from None
    if not roles:
        raise InvalidInput(N_("Choose at least one role."), field="roles")
    if data.locale not in LOCALES:
        raise InvalidInput(N_("Choose a language from the list."), field="locale")
    country, area = _resolve_place(data.country_code, data.area_id, field="jurisdiction")
    if not covers_place(actor, country, area):
        raise PermissionDenied(N_("You may only give a jurisdiction inside your own."),
                               field="jurisdiction")
    if user is not None and user.id == actor.id:
        if not data.active:
            raise InvalidInput(N_("You cannot switch off your own account."), field="active")
        if Role.ADMIN not in roles:
            raise InvalidInput(N_("You cannot remove your own administrator role."),
                               field="roles")
    return name, email, roles, country, area


def _snapshot(user: User) -> dict[str, object]:
    return {
        "name": user.name,
        "email": user.email,
        "roles": sorted(r.value for r in user.roles),
        "jurisdiction_country": user.jurisdiction_country,
        "jurisdiction_area_id": user.jurisdiction_area_id,
        "locale": user.locale,
        "active": user.active,
    }


def create_user(actor: User, data: UserInput, hash_method: str | None = None) -> User:
    _require_admin(actor)
    name, email, roles, country, area = _checked(actor, data, None)
    check_password_rules(data.password or "", email)
    try:
        with unit_of_work():
            user = User(name=name, email=email, locale=data.locale, active=data.active,
                        jurisdiction_country=country,
                        jurisdiction_area_id=area.id if area else None)
            user.set_password(data.password or "", method=hash_method)
            grants.check_separation(roles)
            db.session.add(user)
            db.session.flush()
            waiting = grants.apply_roles(actor, user, roles)
            audit.record(actor_id=actor.id, object_type="user", object_id=user.id,
                         action="create_user",
                         changes={**_snapshot(user),
                                  "roles_waiting": sorted(r.value for r in waiting)})
    except IntegrityError as exc:  # the same address, registered a moment ago by someone else
        raise _duplicate_email() from exc
    return user


def update_user(actor: User, user: User, data: UserInput,
                hash_method: str | None = None) -> User:
    _require_admin(actor)
    if not manages(actor, user):
        raise PermissionDenied(N_("This user is outside your jurisdiction."))
    name, email, roles, country, area = _checked(actor, data, user)
    if data.password:
        check_password_rules(data.password, email)
    try:
        with unit_of_work():
            before = _snapshot(user)
            user.name = name
            user.email = email
            waiting = grants.apply_roles(actor, user, roles)
            user.jurisdiction_country = country
            user.jurisdiction_area_id = area.id if area else None
            user.jurisdiction_area = area
            user.locale = data.locale
            switched_off = user.active and not data.active
            user.active = data.active
            db.session.flush()
            after = _snapshot(user)
            changes: dict[str, object] = {
                key: [before[key], after[key]] for key in before if before[key] != after[key]
            }
            if data.password:
                user.set_password(data.password, method=hash_method)
                changes["password_reset"] = True  # the fact only, never the hash
            if waiting:
                changes["roles_waiting"] = sorted(r.value for r in waiting)
            if switched_off:  # its API tokens end with it, for good
                events.account_switched_off.send(user, actor=actor)
            # New rights, fewer rights, another place, a new password or switched off: the
            # account's open sessions end, so none goes on with what it had before.
            if changes.keys() & {"roles", "jurisdiction_country", "jurisdiction_area_id",
                                 "active", "password_reset"}:
                changes["sessions_ended"] = sessions.end_all(user.id)
            if changes:
                audit.record(actor_id=actor.id, object_type="user", object_id=user.id,
                             action="update_user", changes=changes)
    except IntegrityError as exc:
        raise _duplicate_email() from exc
    return user


# ---------------------------------------------------------------------------------------
# Provinces, districts and villages
# ---------------------------------------------------------------------------------------


def create_area(actor: User, country_code: str | None, parent_id: int | None, name: str,
                region: str | None = None, local_name: str | None = None) -> AdminArea:
    """A province (no parent) or a district of a province."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(N_("Enter the name of the province or district."), field="name")
    country, parent = _resolve_place(country_code, parent_id, field="place")
    if country is None:
        raise InvalidInput(N_("Choose a country from the list."), field="place")
    if parent is not None and parent.level != 1:
        raise InvalidInput(N_("A district belongs to a province; choose a province."),
                           field="place")
    if not covers_place(actor, country, parent):
        raise PermissionDenied(N_("This place is outside your jurisdiction."), field="place")
    try:
        chosen_region = Region(region) if region else None
    except ValueError:
        raise InvalidInput(N_("Choose one of the options in the list."),
                           field="region") from None
    if chosen_region is None and parent is not None:
        chosen_region = parent.region
    same = select(AdminArea.id).where(
        AdminArea.country_code == country,
        AdminArea.parent_id.is_(None) if parent is None else AdminArea.parent_id == parent.id,
        func.lower(AdminArea.name) == name.lower(),
    )
    if db.session.scalar(same.limit(1)) is not None:
        raise InvalidInput(N_("There is already a place with this name here."), field="name")
    with unit_of_work():
        area = AdminArea(country_code=country, parent_id=parent.id if parent else None,
                         level=2 if parent else 1, name=name, region=chosen_region,
                         local_name=(local_name or "").strip() or None)
        db.session.add(area)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="admin_area", object_id=area.id,
                     action="create_area",
                     changes={"country_code": country, "parent_id": area.parent_id,
                              "level": area.level, "name": name, "region": chosen_region,
                              "local_name": area.local_name})
    return area


@dataclass
class VillageInput:
    name: str
    area_id: int | None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    protected_area: str | None = None
    local_name: str | None = None


def create_village(actor: User, data: VillageInput) -> Village:
    _require_admin(actor)
    name = (data.name or "").strip()
    if not name:
        raise InvalidInput(N_("Enter the name of the village."), field="name")
    area = db.session.get(AdminArea, data.area_id) if data.area_id is not None else None
    if area is None:
        raise InvalidInput(N_("Choose a province or district from the list."),
                           field="area_id")
    if not covers_place(actor, area.country_code, area):
        raise PermissionDenied(N_("This place is outside your jurisdiction."), field="area_id")
    if (data.latitude is None) != (data.longitude is None):
        raise InvalidInput(N_("Give both latitude and longitude, or neither."),
                           field="latitude")
    for value, field in ((data.latitude, "latitude"), (data.longitude, "longitude")):
        if value is not None and not value.is_finite():
            raise InvalidInput(N_("Enter a number, for example 12.5."), field=field)
    if data.latitude is not None and not Decimal(-90) <= data.latitude <= Decimal(90):
        raise InvalidInput(N_("Latitude is between -90 and 90."), field="latitude")
    if data.longitude is not None and not Decimal(-180) <= data.longitude <= Decimal(180):
        raise InvalidInput(N_("Longitude is between -180 and 180."), field="longitude")
    admin1_id = area.parent_id if area.level == 2 else area.id
    admin2_id = area.id if area.level == 2 else None
    same = select(Village.id).where(
        Village.admin1_id == admin1_id,
        Village.admin2_id.is_(None) if admin2_id is None else Village.admin2_id == admin2_id,
        func.lower(Village.name) == name.lower(),
    )
    if db.session.scalar(same.limit(1)) is not None:
        raise InvalidInput(N_("There is already a village with this name here."),
                           field="name")
    protected = (data.protected_area or "").strip() or None

    def _q(value: Decimal | None) -> Decimal | None:
        return value.quantize(Decimal("0.000001")) if value is not None else None

    with unit_of_work():
        village = Village(country_code=area.country_code, admin1_id=admin1_id,
                          admin2_id=admin2_id, name=name,
                          local_name=(data.local_name or "").strip() or None,
                          latitude=_q(data.latitude),
                          longitude=_q(data.longitude), protected_area=protected)
        db.session.add(village)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="village", object_id=village.id,
                     action="create_village",
                     changes={"country_code": area.country_code, "admin1_id": admin1_id,
                              "admin2_id": admin2_id, "name": name,
                              "latitude": village.latitude, "longitude": village.longitude,
                              "protected_area": protected, "local_name": village.local_name})
    return village
