"""A claim's scheme after the report: a claim its insurance cannot take goes to the scheme
that fits the day of the loss, and a herder's own report, linked to a household only later,
goes to the scheme a report by that household would have found. Before a decision only; an
assessment is made again after."""

from __future__ import annotations

from sqlalchemy.orm.attributes import flag_modified

from conflict_app.auth.models import User
from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import State
from conflict_app.core import audit
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import Role
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo.models import Country
from conflict_app.schemes import engine
from conflict_app.schemes.params import SchemeKind

REROUTABLE = frozenset({State.REPORTED, State.SCREENED, State.MORE_EVIDENCE_REQUESTED,
                        State.VERIFICATION_SCHEDULED, State.VERIFIED, State.APPEALED})


def insurance_gap(claim: Claim) -> str | None:
    """Why the claim's insurance does not cover its loss (translated), if it does not."""
    scheme = claim.scheme
    if scheme is None or scheme.kind is not SchemeKind.INSURANCE:
        return None
    gap = engine.cover_gap(scheme, claim.household_id, claim.incident.occurred_on)
    if gap is None:
        return None
    message, args = gap
    return InvalidInput(message, **args).translated()


def reroute(claim_id: int, actor: User, version: int | None) -> Claim:
    """The way out for a claim its insurance cannot take (no cover on the day of the
    loss): it goes to the scheme that fits that day, as a new report would."""
    from conflict_app.claims.operations import authorise, lock_claim

    with unit_of_work():
        claim = lock_claim(claim_id, version)
        authorise(actor, claim)
        if not actor.has_role(Role.CLERK, Role.SUPERVISOR):
            raise PermissionDenied(N_("Your role may not do this."))
        if claim.state not in REROUTABLE or insurance_gap(claim) is None:
            raise InvalidInput(N_("This claim stays under its scheme."))
        before = claim.scheme
        target = engine.scheme_for(claim.country_code, claim.admin1_id, claim.household_id,
                                   claim.incident.occurred_on)
        country = db.session.get(Country, claim.country_code)
        claim.scheme_id = target.id if target else None
        claim.currency = target.currency if target else country.currency
        flag_modified(claim, "state")
        audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                     action="reroute", from_state=claim.state.value,
                     to_state=claim.state.value,
                     changes={"scheme_from": before.code,
                              "scheme_to": target.code if target else CORE_RULE_NAME})
    return claim


CORE_RULE_NAME = engine.CORE_RULE


def for_household(claim: Claim, household) -> dict[str, str]:  # noqa: ANN001
    """A herder's own report could not know the household's insurance: once it is linked,
    a claim not yet assessed goes to the scheme a report by the household would have found
    (the household's insurance on the day of the loss, else the place's compensation)."""
    if claim.state not in REROUTABLE:
        return {}
    scheme = engine.scheme_for(claim.country_code, claim.admin1_id, household.id,
                               claim.incident.occurred_on)
    if (scheme.id if scheme else None) == claim.scheme_id:
        return {}
    before = claim.scheme.code if claim.scheme else CORE_RULE_NAME
    claim.scheme_id = scheme.id if scheme else None
    claim.currency = scheme.currency if scheme else db.session.get(
        Country, claim.country_code).currency
    return {"scheme_from": before, "scheme_to": scheme.code if scheme else CORE_RULE_NAME}
