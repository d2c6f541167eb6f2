"""The API's side of creating and changing a scheme, for scheme managers, through the same
operations as the scheme pages (schemes.operations.create_scheme, update_scheme). As on the
pages, a manager creates schemes of their own area only, and changes those whose whole area
their jurisdiction covers. A change names the scheme's entity tag in ``If-Match``, so a
budget raised meanwhile by someone else is not undone from an old copy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from flask import g
from pydantic import Field

from conflict_app.api import schemas
from conflict_app.api.household_views import NAME
from conflict_app.api.scheme_views import MANAGERS, scheme_answer, scheme_for
from conflict_app.api.views import ApiError, authenticated, body, bp, idempotent, if_match, stale
from conflict_app.auth.models import User
from conflict_app.core.errors import StaleObject
from conflict_app.core.money import CURRENCIES
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes.params import SchemeKind

# At most 10^13 with cents, as the scheme form accepts; a share with up to four decimals.
AMOUNT = r"^(0|[1-9][0-9]{0,12})(\.[0-9]{1,2})?$"
SHARE = r"^(0(\.[0-9]{1,4})?|1(\.0{1,4})?)$"
Currency = Literal[CURRENCIES]  # type: ignore[valid-type]


class _Settings(schemas.Strict):

    budget: str = Field(pattern=AMOUNT, description="Decimal string in the scheme's currency; "
                                                    "not below what funds allocated to it")
    over_budget: Literal["refuse", "queue"] = Field(
        description="An approval beyond the budget is refused, or waits for budget")
    valid_to: date | None = None
    review_share: str = Field(pattern=SHARE, description="Share of approved items sent to a "
                                                         "second review, 0 to 1")
    review_above: str | None = Field(default=None, pattern=AMOUNT,
                                     description="Every item above this amount goes to a "
                                                 "second review")
    funders: str | None = schemas.text(default=None, max_length=2000)


class SchemeSettings(_Settings):
    """What may change after the scheme is created, all of it, as the scheme page's edit
    form sends it: an optional field left out is cleared."""

    closed: bool = Field(description="No new claims, no more approvals")


class SchemeIn(_Settings):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$", description="Unique; stored upper case")
    name: str = Field(min_length=1, max_length=160, pattern=NAME)
    kind: SchemeKind
    country: str = Field(pattern=r"^[A-Z]{2}$")
    admin1_id: schemas.Id | None = Field(default=None, description="The province; empty for "
                                                                   "the whole country")
    currency: Currency
    valid_from: date


MODELS = (SchemeSettings, SchemeIn)


def _manager() -> User:
    user = g.api_user
    if not user.has_role(*MANAGERS):
        raise ApiError(403, "Forbidden", "Schemes are configured by scheme managers.")
    return user


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


@bp.route("/schemes", methods=["POST"])
@authenticated("schemes")
@idempotent
def create_scheme():
    user = _manager()
    data = body(SchemeIn)
    scheme = scheme_ops.create_scheme(user, scheme_ops.SchemeInput(
        code=data.code, name=data.name, kind=data.kind, country_code=data.country,
        admin1_id=data.admin1_id, currency=data.currency, funders=data.funders,
        budget=Decimal(data.budget), over_budget=data.over_budget, valid_from=data.valid_from,
        valid_to=data.valid_to, review_share=Decimal(data.review_share),
        review_above=_decimal(data.review_above)))
    return scheme_answer(scheme.id, 201)


@bp.route("/schemes/<int:scheme_id>", methods=["PUT"])
@authenticated("schemes")
def update_scheme(scheme_id: int):
    scheme = scheme_for(scheme_id)
    user = _manager()
    current = if_match(scheme_ops.scheme_fingerprint(scheme), "scheme")
    data = body(SchemeSettings)
    try:
        scheme_ops.update_scheme(
            user, scheme.id, budget=Decimal(data.budget), over_budget=data.over_budget,
            valid_to=data.valid_to, review_share=Decimal(data.review_share),
            review_above=_decimal(data.review_above), funders=data.funders,
            closed=data.closed, expected=current)
    except StaleObject as exc:  # changed between the check above and the row lock
        raise stale("scheme") from exc
    return scheme_answer(scheme.id)
