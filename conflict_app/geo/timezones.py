"""The local time of a claim's jurisdiction: "last night", "today" and deadlines are the
herder's, not UTC's. Times are stored in UTC; dates are read and shown in this zone.

Each range state has a default zone; an area (province or district) or a country may set
its own (``timezone`` column), e.g. Kazakhstan's west.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import DateTime
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from conflict_app.core import clock

DEFAULT_TIMEZONES = {
    "AF": "Asia/Kabul", "AM": "Asia/Yerevan", "AZ": "Asia/Baku", "GE": "Asia/Tbilisi",
    "IQ": "Asia/Baghdad", "IR": "Asia/Tehran", "KZ": "Asia/Almaty", "PK": "Asia/Karachi",
    "RU": "Europe/Moscow", "TJ": "Asia/Dushanbe", "TM": "Asia/Ashgabat",
    "TR": "Europe/Istanbul", "UZ": "Asia/Tashkent",
}


@lru_cache(maxsize=64)
def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def zone_name(country_code: str | None, *areas: object) -> str:
    """The zone of the most specific area that sets one, else the country's, else the
    range state's default (a name typed wrong counts as unset)."""
    from sqlalchemy import literal, select

    from conflict_app.extensions import db
    from conflict_app.geo.models import AdminArea, Country

    # Areas given by id and already loaded count as loaded; the rest, with the country, are
    # read in one round trip rather than one each (the herder's status page waits on them).
    areas = tuple(db.session.identity_map.get(db.session.identity_key(AdminArea, area), area)
                  if isinstance(area, int) else area for area in areas)
    if any(isinstance(area, int) for area in areas):
        candidates = [select(AdminArea.timezone).where(AdminArea.id == area).scalar_subquery()
                      if isinstance(area, int) else literal(getattr(area, "timezone", None))
                      for area in areas]
        candidates.append(select(Country.timezone).where(Country.code == country_code)
                          .scalar_subquery())
        found = next((tz for tz in db.session.execute(select(*candidates)).one()
                      if _known(tz)), None)
        return found or DEFAULT_TIMEZONES.get(country_code or "", "UTC")
    for area in areas:
        if area is not None and _known(getattr(area, "timezone", None)):
            return area.timezone
    country = db.session.get(Country, country_code) if country_code else None
    if country is not None and _known(country.timezone):
        return country.timezone
    return DEFAULT_TIMEZONES.get(country_code or "", "UTC")


def _known(name: str | None) -> bool:
    """A zone name set and spelled right: one typed wrong counts as unset, in SQL too."""
    return bool(name) and zone(name).key == name


def with_zone(entity):  # noqa: ANN001, ANN201 - a mapped class with a zone_hint
    """A loader option that reads ``entity.zone_hint`` (the zone ``zone_name`` would find)
    in the entity's own query: the herder's status page then needs no round trip for it.
    The empty string stands for "no zone set", so a hint read is told from one not read."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import with_expression

    from conflict_app.geo.models import AdminArea, Country

    def area_zone(column):  # noqa: ANN001, ANN202
        return select(AdminArea.timezone).where(AdminArea.id == column).scalar_subquery()

    country_zone = (select(Country.timezone).where(Country.code == entity.country_code)
                    .scalar_subquery())
    return with_expression(entity.zone_hint, func.coalesce(
        area_zone(entity.admin2_id), area_zone(entity.admin1_id), country_zone, ""))


def zone_of(obj: object) -> ZoneInfo:
    """The zone of anything placed in a jurisdiction (claim, household, village)."""
    country = getattr(obj, "country_code", None)
    hint = getattr(obj, "zone_hint", None)
    if hint is not None and (not hint or _known(hint)):  # read with the object (with_zone)
        return zone(hint or DEFAULT_TIMEZONES.get(country or "", "UTC"))
    return zone(zone_name(country, getattr(obj, "admin2_id", None),
                          getattr(obj, "admin1_id", None)))


def local(value: datetime, where: ZoneInfo) -> datetime:
    return value.astimezone(where)


def today_in(where: ZoneInfo) -> date:
    return clock.now().astimezone(where).date()


def today_for(obj: object) -> date:
    """Today where ``obj`` (claim, household, measure, village…) is: the date a person
    there types as "today", which is ahead of UTC's for hours every night in the range."""
    return today_in(zone_of(obj))


def today_where(country_code: str | None, *areas: object) -> date:
    """Today in a jurisdiction (a user's, a scheme's): the date its staff and herders type,
    which is ahead of UTC's for hours every evening in the range."""
    return today_in(zone(zone_name(country_code, *areas)))


def start_of(day: date, where: ZoneInfo, at: time = time(0)) -> datetime:
    """The UTC instant of a local wall-clock time on ``day``."""
    return datetime.combine(day, at, where).astimezone(UTC)


# In SQL: a period (year, month) of a UTC timestamp is the period where it happened.


def zone_sql(query, entity):  # noqa: ANN001, ANN201 - (Select, SQL expression)
    """``query`` outer-joined to the areas and country of ``entity`` (a mapped class with
    ``country_code``, ``admin1_id``, ``admin2_id``), and the zone ``zone_name`` would pick
    for each row, as an SQL expression. Joins, not one subquery per row: the public
    statistics read every claim of the range. A name the database would not know (typed
    wrong into an area) counts as unset, as ``zone`` takes it, instead of failing the query."""
    from sqlalchemy import case, func, null, select, union

    from conflict_app.extensions import db
    from conflict_app.geo.models import AdminArea, Country

    named = db.session.scalars(union(select(AdminArea.timezone), select(Country.timezone)))
    known = sorted(name for name in named if _known(name))
    district, province, country = aliased(AdminArea), aliased(AdminArea), aliased(Country)
    query = (query.outerjoin(district, district.id == entity.admin2_id)
             .outerjoin(province, province.id == entity.admin1_id)
             .outerjoin(country, country.code == entity.country_code))

    def usable(column):  # noqa: ANN001, ANN202
        return case((column.in_(known), column)) if known else null()

    default = case(DEFAULT_TIMEZONES, value=entity.country_code, else_="UTC")
    return query, func.coalesce(usable(district.timezone), usable(province.timezone),
                                usable(country.timezone), default)


class local_time(FunctionElement):  # noqa: N801 - reads as an SQL function
    """``local_time(column, zone)``: a UTC timestamp column as the wall-clock time in an IANA
    zone (an expression), so ``extract('year', …)`` gives the local year."""

    type = DateTime()
    inherit_cache = True


@compiles(local_time, "postgresql")
def _local_time_postgresql(element, compiler, **kw) -> str:  # noqa: ANN001
    at, where = (compiler.process(c, **kw) for c in element.clauses)
    return f"timezone({where}, timezone('UTC', {at}))"  # naive UTC → aware → local


@compiles(local_time)
def _local_time_other(element, compiler, **kw) -> str:  # noqa: ANN001
    at, where = (compiler.process(c, **kw) for c in element.clauses)
    return f"pardus_local_time({at}, {where})"  # SQLite: sqlite_local_time, registered


def sqlite_local_time(value: str | None, name: str | None) -> str | None:
    """SQLite has no time zones: the app registers this on each connection."""
    if value is None:
        return None
    at = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return at.astimezone(zone(name)).strftime("%Y-%m-%d %H:%M:%S.%f")
