"""Roles and jurisdictions: who may see and touch what.

A staff user works inside a jurisdiction: the whole range (no country, admins only), a
country, or one province or district of it. Every object that belongs somewhere carries
``country_code``, ``admin1_id`` and ``admin2_id``, so scoping is one SQL filter.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from sqlalchemy import false


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    VERIFIER = "verifier"
    APPROVER = "approver"
    FINANCE = "finance"
    SCHEME_MANAGER = "scheme_manager"
    ANALYST = "analyst"
    ADMIN = "admin"


# Roles that work on claims and may therefore see herders' personal data in their area.
CASE_ROLES = frozenset(
    {Role.CLERK, Role.SUPERVISOR, Role.VERIFIER, Role.APPROVER, Role.FINANCE,
     Role.SCHEME_MANAGER, Role.ADMIN}
)
# Photos of the herder's animals (and of the field visit) show people, faces and places:
# only those who check and decide the claim see them, not payment or configuration staff.
PHOTO_ROLES = frozenset({Role.CLERK, Role.SUPERVISOR, Role.VERIFIER, Role.APPROVER})


class Located(Protocol):
    country_code: str
    admin1_id: int | None
    admin2_id: int | None


class Jurisdictional(Protocol):
    jurisdiction_country: str | None
    jurisdiction_area_id: int | None
    jurisdiction_level: int | None


def covers(user: Jurisdictional, obj: Located) -> bool:
    """True when ``obj`` lies inside the user's jurisdiction."""
    if user.jurisdiction_country is None:
        return True
    if obj.country_code != user.jurisdiction_country:
        return False
    if user.jurisdiction_area_id is None:
        return True
    if user.jurisdiction_level == 1:
        return obj.admin1_id == user.jurisdiction_area_id
    return obj.admin2_id == user.jurisdiction_area_id


def scope(query, model, user: Jurisdictional):  # noqa: ANN001, ANN201 - a Select in, a Select out
    """Restrict a select over ``model`` to the user's jurisdiction, in SQL."""
    if user is None:
        return query.where(false())
    if user.jurisdiction_country is None:
        return query
    query = query.where(model.country_code == user.jurisdiction_country)
    if user.jurisdiction_area_id is None:
        return query
    if user.jurisdiction_level == 1:
        return query.where(model.admin1_id == user.jurisdiction_area_id)
    return query.where(model.admin2_id == user.jurisdiction_area_id)

