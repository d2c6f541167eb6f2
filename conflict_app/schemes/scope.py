"""Which schemes a staff user may see and which they may configure, by their jurisdiction.

A scheme covers a country, or one province of it. A user sees the schemes that cover some of
their area (a national scheme pays in every province); they may configure a scheme, or act
on it as a whole (budget, rule versions, settling a pool, a year's performance payments),
only when the scheme's whole area lies inside their jurisdiction, as claims are scoped.
Country-wide reference data (market prices, the exchange rate of the country's currency)
belongs to country-level managers."""

from __future__ import annotations

from sqlalchemy import or_

from conflict_app.auth.models import User
from conflict_app.core.errors import N_, PermissionDenied
from conflict_app.core.permissions import Role


def province_of(user: User) -> int | None:
    """The province the user works in (a district's parent), or None for a wider area."""
    area = user.jurisdiction_area
    if area is None:
        return None
    return area.id if area.level == 1 else area.parent_id


def reaches(user: User, country_code: str, admin1_id: int | None) -> bool:
    """The scheme's area and the user's overlap."""
    if user.jurisdiction_country is None:
        return True
    if user.jurisdiction_country != country_code:
        return False
    return admin1_id is None or user.jurisdiction_area is None or admin1_id == province_of(
        user)


def covers_area(user: User, country_code: str, admin1_id: int | None) -> bool:
    """The scheme's whole area lies inside the user's jurisdiction."""
    if user.jurisdiction_country is None:
        return True
    if user.jurisdiction_country != country_code:
        return False
    area = user.jurisdiction_area
    return area is None or (area.level == 1 and admin1_id == area.id)


def visible(query, model, user: User):  # noqa: ANN001, ANN201 - a Select in, a Select out
    """Restrict a select over schemes to those that reach the user's area, in SQL."""
    if user.jurisdiction_country is None:
        return query
    query = query.where(model.country_code == user.jurisdiction_country)
    province = province_of(user)
    if province is None:
        return query
    return query.where(or_(model.admin1_id.is_(None), model.admin1_id == province))


def require_whole(user: User, country_code: str, admin1_id: int | None,
                  field: str | None = None) -> None:
    if user.jurisdiction_country not in (None, country_code):
        raise PermissionDenied(N_("This country is outside your jurisdiction."), field=field)
    if not covers_area(user, country_code, admin1_id):
        raise PermissionDenied(
            N_("This scheme covers more than your area: it is configured by a manager whose "
               "jurisdiction covers all of it."), field=field)


def require_country_level(user: User, field: str | None = None) -> None:
    """Prices and rates hold for a whole country: a province's manager may not set them."""
    if not user.has_role(Role.SCHEME_MANAGER, Role.ADMIN):
        raise PermissionDenied(N_("Your role may not do this."))
    if user.jurisdiction_area_id is not None:
        raise PermissionDenied(N_("Prices and exchange rates hold for the whole country: "
                                  "a manager of the whole country sets them."), field=field)
