"""The API's side of households and their herd census: list, read, register and correct,
through the same operations as the household pages (herders.operations).

What a role receives follows the pages. The household pages' roles (clerk, supervisor) get
the whole record, exact homestead coordinates and national ID included, and the entity tag
a correction must send back in ``If-Match``. The other roles that work on claims get the
name and phone, as the claim page shows them, and the coordinates on the 0.1° grid. Analysts
get what the de-identified export holds: no name, phone or ID, coordinates on the grid, the
census. The tag is a digest of the personal fields, so only those who may change them get
it; searching by name or phone is for the roles that see names.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from flask import Response, g, request
from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from conflict_app.api import schemas
from conflict_app.api.views import (
    ApiError,
    authenticated,
    body,
    bp,
    idempotent,
    if_match,
    json_response,
    page_args,
    stale,
    tagged_response,
    whole_number,
)
from conflict_app.bundles.exporter import coarsen
from conflict_app.core.errors import StaleObject
from conflict_app.core.permissions import CASE_ROLES, Role, covers, scope
from conflict_app.extensions import db
from conflict_app.geo.models import Village
from conflict_app.herders import operations
from conflict_app.herders.models import Household, Species
from conflict_app.i18n import LOCALES

READERS = (*CASE_ROLES, Role.ANALYST)
KEEPERS = operations.STAFF  # the household pages' roles: the whole record, and changes
GRID = Decimal("0.1")  # the analytics grid, as the de-identified export coarsens to
# A phone as machines send it: ASCII digits, an optional +, spaces, dots, dashes, brackets.
PHONE = r"^\+?[0-9 ().-]{0,30}$"
Language = Literal[LOCALES]  # type: ignore[valid-type]


YEAR = r"^(19[5-9][0-9]|20[0-9]{2}|21[0-9]{2}|2200)$"


def _json_number(value: object) -> object:
    if isinstance(value, str | bool):  # "80", "٨٠" and true are not head counts
        raise ValueError("give a JSON number")
    return value


HeadCount = Annotated[int, BeforeValidator(_json_number), Field(ge=0, le=100000)]
COUNTS = {"type": "object", "propertyNames": {"enum": [s.value for s in Species]},
          "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 100000}}
# Keyed by year, then by species: a head count cannot be given twice.
Census = Annotated[
    dict[Annotated[str, Field(pattern=YEAR)], dict[Species, HeadCount]],
    Field(max_length=50),
    WithJsonSchema({"type": "object", "maxProperties": 50, "propertyNames": {"pattern": YEAR},
                    "additionalProperties": COUNTS,
                    "description": "Head counts by year and species, e.g. {\"2026\": "
                                   "{\"sheep\": 80}}; a count not listed is kept, as on the "
                                   "household page"}),
]
# A name has at least one character that is neither a space nor a control character.
NAME = r"^[^\x00]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00]*$"


class Location(schemas.Strict):
    latitude: schemas.Latitude
    longitude: schemas.Longitude


class HouseholdFields(schemas.Strict):
    head_name: str = Field(min_length=1, max_length=160, pattern=NAME)
    village_id: schemas.Id
    language: Language
    phone: str | None = Field(default=None, max_length=30, pattern=PHONE,
                              description="Read with the village's country's rules when it "
                                          "has no country code; answered in E.164")
    national_id: str | None = schemas.text(default=None, max_length=40)
    location: Location | None = Field(default=None, description="The homestead")
    census: Census = Field(default_factory=dict)


class LocationOut(BaseModel):
    latitude: str = Field(description="Decimal degrees as a string; the south-west corner of "
                                      "a 0.1° cell when coarse")
    longitude: str
    precision: Literal["exact", "grid_0.1"] = Field(
        description="exact for clerks and supervisors, grid_0.1 for every other role")


class HouseholdOut(BaseModel):
    id: int
    village_id: int
    village: str
    country: str
    admin1_id: int
    admin2_id: int | None
    language: str
    provisional: bool = Field(description="Opened by an anonymous report, not yet checked")
    head_name: str | None = Field(description="Null for analysts")
    phone: str | None = Field(description="E.164; null for analysts")
    national_id: str | None = Field(description="Only for clerks and supervisors")
    location: LocationOut | None
    census: dict[str, dict[Species, int]] = Field(
        description="Head counts by year and species, as recorded")
    etag: str | None = Field(description="Only for the roles that may correct the household: "
                                         "send it back in If-Match")


class HouseholdPage(BaseModel):
    items: list[HouseholdOut]
    next_cursor: str | None


MODELS = (Location, HouseholdFields, LocationOut, HouseholdOut, HouseholdPage)


def _reader():  # noqa: ANN202
    user = g.api_user
    if not user.has_role(*READERS):
        raise ApiError(403, "Forbidden", "Your role may not see households.")
    return user


def _keeper():  # noqa: ANN202
    user = g.api_user
    if not user.has_role(*KEEPERS):
        raise ApiError(403, "Forbidden", "Households are registered and corrected by clerks "
                                         "and supervisors.")
    return user


def household_for(user, household_id: int) -> Household:  # noqa: ANN001
    household = db.session.get(Household, household_id)
    # Outside the jurisdiction looks exactly like "not there": ids cannot be probed.
    if household is None or not covers(user, household):
        raise ApiError(404, "Not found", "No household with this id in your area.")
    return household


def _out(user, household: Household) -> HouseholdOut:  # noqa: ANN001
    keeper = user.has_role(*KEEPERS)
    named = user.has_role(*CASE_ROLES)
    location = None
    if household.latitude is not None and household.longitude is not None:
        lat, lon = Decimal(household.latitude), Decimal(household.longitude)
        if not keeper:
            lat, lon = coarsen(lat, GRID), coarsen(lon, GRID)
        location = LocationOut(latitude=str(lat), longitude=str(lon),
                               precision="exact" if keeper else "grid_0.1")
    census: dict[str, dict[Species, int]] = {}
    for row in household.census:
        census.setdefault(str(row.year), {})[row.species] = row.head_count
    return HouseholdOut(
        id=household.id, village_id=household.village_id, village=household.village.name,
        country=household.country_code, admin1_id=household.admin1_id,
        admin2_id=household.admin2_id, language=household.language,
        provisional=household.provisional,
        head_name=household.head_name if named else None,
        phone=household.phone if named else None,
        national_id=household.national_id if keeper else None,
        location=location, census=census,
        etag=operations.fingerprint(household) if keeper else None)


def household_answer(user, household_id: int, status: int = 200) -> Response:  # noqa: ANN001
    db.session.expire_all()
    return tagged_response(_out(user, db.session.get(Household, household_id)), status,
                           f"/api/v1/households/{household_id}")


def _village(user, village_id: int) -> Village:  # noqa: ANN001
    village = db.session.get(Village, village_id)
    if village is None or not covers(user, village):
        raise ApiError(404, "Not found", "No village with this id in your area.")
    return village


def _input(data: HouseholdFields) -> operations.HouseholdInput:
    return operations.HouseholdInput(
        head_name=data.head_name, village_id=data.village_id, language=data.language,
        phone=data.phone, national_id=data.national_id,
        latitude=data.location.latitude if data.location else None,
        longitude=data.location.longitude if data.location else None,
        census={(int(year), species): count for year, counts in data.census.items()
                for species, count in counts.items()})


@bp.route("/households", methods=["GET"])
@authenticated("read")
def list_households():
    user = _reader()
    after, limit = page_args()
    query = scope(select(Household).options(selectinload(Household.village),
                                            selectinload(Household.census)), Household, user)
    if village := request.args.get("village_id"):
        query = query.where(Household.village_id == whole_number("village_id", village))
    if country := request.args.get("country"):
        if not (len(country) == 2 and country.isascii() and country.isupper()):
            raise ApiError(400, "Bad query", "country is a two-letter code, e.g. AM.")
        query = query.where(Household.country_code == country)
    if q := (request.args.get("q") or "").strip()[:100]:
        if not user.has_role(*CASE_ROLES):
            raise ApiError(403, "Forbidden", "Your role may not search households by name or "
                                             "phone.")
        like = f"%{q}%"  # as the household page searches
        query = query.join(Village, Household.village_id == Village.id).where(
            or_(Household.head_name.ilike(like), Household.phone.ilike(like),
                Village.name.ilike(like)))
    if after:
        query = query.where(Household.id < after)
    rows = list(db.session.scalars(query.order_by(Household.id.desc()).limit(limit + 1)))
    return json_response(HouseholdPage(
        items=[_out(user, h) for h in rows[:limit]],
        next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None))


@bp.route("/households/<int:household_id>", methods=["GET"])
@authenticated("read")
def get_household(household_id: int):
    user = _reader()
    household = household_for(user, household_id)
    return household_answer(user, household.id).make_conditional(request)


@bp.route("/households", methods=["POST"])
@authenticated("claims")
@idempotent
def create_household():
    user = _keeper()
    data = body(HouseholdFields)
    _village(user, data.village_id)
    household = operations.register_household(user, _input(data))
    return household_answer(user, household.id, 201)


@bp.route("/households/<int:household_id>", methods=["PUT"])
@authenticated("claims")
def update_household(household_id: int):
    user = _keeper()
    household = household_for(user, household_id)
    current = if_match(operations.fingerprint(household), "household")
    data = body(HouseholdFields)
    _village(user, data.village_id)
    try:
        operations.update_household(user, household, _input(data), current)
    except StaleObject as exc:  # changed between the check above and the row lock
        raise stale("household") from exc
    return household_answer(user, household.id)
