"""Scheme configuration: schemes, rule versions, budgets (prices and exchange rates are in
schemes.prices, trying a draft on past claims in schemes.dry_run).

Published rule versions are never edited: a change is a new dated version, so every old
decision stays explainable with the values it used."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from conflict_app.auth.models import User
from conflict_app.claims.models import Claim, Incident
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied, StaleObject
from conflict_app.core.money import CURRENCIES, Money
from conflict_app.core.permissions import Role
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import AdminArea, Country
from conflict_app.schemes import params, scope
from conflict_app.schemes.budgets import (  # noqa: F401 - Budget, budgets: found here too
    COMMITTED,
    Budget,
    budget,
    budgets,
)
from conflict_app.schemes.fund_models import funded
from conflict_app.schemes.models import (
    Assessment,
    RuleVersion,
    Scheme,
)
from conflict_app.schemes.params import SchemeKind


# --- schemes ----------------------------------------------------------------------------
@dataclass
class SchemeInput:
    code: str
    name: str
    kind: SchemeKind
    country_code: str
    admin1_id: int | None
    currency: str
    funders: str | None
    budget: Decimal
    over_budget: str
    valid_from: date
    valid_to: date | None
    review_share: Decimal
    review_above: Decimal | None
    example: bool = False


def require_manager(actor: User, country_code: str, admin1_id: int | None,
             field: str | None = None) -> None:
    """A scheme manager (or admin) whose jurisdiction covers the scheme's whole area."""
    if not actor.has_role(Role.SCHEME_MANAGER, Role.ADMIN):
        raise PermissionDenied(N_("Your role may not do this."))
    scope.require_whole(actor, country_code, admin1_id, field=field)


def _check_scheme(data: SchemeInput) -> None:
    country = db.session.get(Country, data.country_code)
    if country is None:
        raise InvalidInput(N_("Choose a country from the list."), field="country_code")
    if data.currency not in CURRENCIES:
        raise InvalidInput(N_("Choose a currency from the list."), field="currency")
    if data.admin1_id is not None:
        area = db.session.get(AdminArea, data.admin1_id)
        if area is None or area.country_code != data.country_code or area.level != 1:
            raise InvalidInput(N_("Choose a province of the scheme's country."),
                               field="admin1_id")
    if data.budget < 0 or data.budget.as_tuple().exponent < -2:
        raise InvalidInput(N_("Enter a positive amount with at most 2 decimals."),
                           field="budget")
    if data.over_budget not in OVER_BUDGET:
        raise InvalidInput(N_("Choose what happens beyond the budget."), field="over_budget")
    if data.valid_to is not None and data.valid_to < data.valid_from:
        raise InvalidInput(N_("The end date is before the start date."), field="valid_to")
    if not Decimal(0) <= data.review_share <= Decimal(1):
        raise InvalidInput(N_("Enter a share between 0 and 1, for example 0.75."),
                           field="review_share")
    if data.review_above is not None and data.review_above < 0:
        raise InvalidInput(N_("A rule value cannot be negative."), field="review_above")


OVER_BUDGET = ("refuse", "queue")


def create_scheme(actor: User, data: SchemeInput) -> Scheme:
    require_manager(actor, data.country_code, data.admin1_id, field="admin1")
    code = data.code.strip().upper()
    if not code or len(code) > 32 or not all(c.isalnum() or c in "-_" for c in code):
        raise InvalidInput(N_("Use letters, digits and - for the code."), field="code")
    if not data.name.strip():
        raise InvalidInput(N_("Give the scheme a name."), field="name")
    _check_scheme(data)
    with unit_of_work():
        if db.session.scalar(select(Scheme.id).where(Scheme.code == code)):
            raise InvalidInput(N_("Another scheme already has this code."), field="code")
        scheme = Scheme(code=code, name=data.name.strip(), kind=data.kind,
                        country_code=data.country_code, admin1_id=data.admin1_id,
                        currency=data.currency, funders=(data.funders or "").strip() or None,
                        budget=data.budget, over_budget=data.over_budget,
                        valid_from=data.valid_from, valid_to=data.valid_to,
                        review_share=data.review_share, review_above=data.review_above,
                        example=data.example, created_by_id=actor.id)
        db.session.add(scheme)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="scheme", object_id=scheme.id,
                     action="create_scheme", changes=_scheme_changes(scheme))
    return scheme


def _scheme_changes(scheme: Scheme) -> dict[str, object]:
    return {"code": scheme.code, "kind": scheme.kind.value, "country": scheme.country_code,
            "currency": scheme.currency, "budget": scheme.budget,
            "over_budget": scheme.over_budget, "valid_from": scheme.valid_from,
            "valid_to": scheme.valid_to, "closed": scheme.closed,
            "review_share": scheme.review_share, "review_above": scheme.review_above}


def scheme_fingerprint(scheme: Scheme) -> str:
    """The scheme's settings as an entity tag: a change made from an old copy (a budget
    someone else just raised) can be refused instead of undoing theirs."""
    values = {k: str(Decimal(v).normalize()) if isinstance(v, Decimal) else str(v)
              for k, v in _scheme_changes(scheme).items()}
    text = json.dumps([scheme.id, scheme.name, scheme.admin1_id, scheme.funders, values],
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def update_scheme(actor: User, scheme_id: int, *, budget: Decimal, over_budget: str,
                  valid_to: date | None, review_share: Decimal, review_above: Decimal | None,
                  funders: str | None, closed: bool, expected: str | None = None) -> Scheme:
    """Change what may change: budget, end date, sampling, funders, closing. ``expected``:
    the fingerprint the change was made from; when the scheme changed meanwhile nothing is
    saved."""
    with unit_of_work():
        scheme = lock_scheme(scheme_id)
        require_manager(actor, scheme.country_code, scheme.admin1_id)
        if expected is not None and scheme_fingerprint(scheme) != expected:
            raise StaleObject(N_("Someone else changed this record at the same time. "
                                 "Nothing was saved; please look at it again."))
        data = SchemeInput(scheme.code, scheme.name, scheme.kind, scheme.country_code,
                           scheme.admin1_id, scheme.currency, funders, budget, over_budget,
                           scheme.valid_from, valid_to, review_share, review_above)
        _check_scheme(data)
        from_funds = funded(scheme.id)
        if budget < from_funds:
            raise InvalidInput(N_("%(funded)s of the budget came from funds: it cannot be "
                                  "set below that. Return unspent money to its fund on the "
                                  "fund's page."), field="budget",
                               funded=str(scheme.money(from_funds)))
        before = _scheme_changes(scheme)
        scheme.budget, scheme.over_budget, scheme.valid_to = budget, over_budget, valid_to
        scheme.review_share, scheme.review_above = review_share, review_above
        scheme.funders, scheme.closed = (funders or "").strip() or None, closed
        after = _scheme_changes(scheme)
        audit.record(actor_id=actor.id, object_type="scheme", object_id=scheme.id,
                     action="update_scheme",
                     changes={k: v for k, v in after.items() if before[k] != v})
    if not closed:
        release_budget_holds(actor, scheme_id)
    return scheme


def lock_scheme(scheme_id: int) -> Scheme:
    scheme = db.session.execute(
        select(Scheme).where(Scheme.id == scheme_id).with_for_update(of=Scheme)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if scheme is None:
        raise InvalidInput(N_("No such scheme."))
    return scheme


def sampled_for_review(scheme: Scheme, amount: Decimal) -> bool:
    """Every item above the threshold, and a random share of the others."""
    if scheme.review_above is not None and amount > scheme.review_above:
        return True
    return secrets.SystemRandom().random() < float(scheme.review_share)


def visible_schemes(actor: User) -> list[Scheme]:
    """The schemes that pay in some of the actor's area."""
    query = select(Scheme).order_by(Scheme.country_code, Scheme.code)
    return list(db.session.scalars(scope.visible(query, Scheme, actor)))


# --- rule versions ----------------------------------------------------------------------
def add_version(actor: User, scheme_id: int, valid_from: date, values: dict[str, object],
                note: str | None = None) -> RuleVersion:
    """A draft rule version; it counts for claims only once published."""
    with unit_of_work():
        scheme = lock_scheme(scheme_id)
        require_manager(actor, scheme.country_code, scheme.admin1_id)
        stored = params.normalise(scheme.kind, values)
        _check_version_date(scheme, valid_from)
        number = 1 + (db.session.scalar(select(func.max(RuleVersion.number)).where(
            RuleVersion.scheme_id == scheme.id)) or 0)
        version = RuleVersion(scheme_id=scheme.id, number=number, valid_from=valid_from,
                              values=stored, note=(note or "").strip() or None,
                              created_by_id=actor.id)
        db.session.add(version)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="rule_version", object_id=version.id,
                     action="draft_rule_version",
                     changes={"scheme": scheme.code, "number": number,
                              "valid_from": valid_from, **stored})
    return version


def _check_version_date(scheme: Scheme, valid_from: date) -> None:
    if valid_from < scheme.valid_from or (scheme.valid_to and valid_from > scheme.valid_to):
        raise InvalidInput(N_("A rule version must start within the scheme's validity."),
                           field="valid_from")


def version_fingerprint(version: RuleVersion) -> str:
    """The version as recorded, as an entity tag: publishing it changes the tag, so a
    publication asked for from an old copy can be refused."""
    text = json.dumps([version.id, version.scheme_id, version.number,
                       version.valid_from.isoformat(), version.values, version.note,
                       version.published_at.isoformat() if version.published_at else None],
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def publish_version(actor: User, version_id: int, expected: str | None = None) -> RuleVersion:
    """Publish a draft. ``expected``: the fingerprint the request was made from; when the
    version changed meanwhile nothing is done."""
    with unit_of_work():
        version = db.session.get(RuleVersion, version_id, with_for_update={"of": RuleVersion},
                                 populate_existing=True)
        if version is None:
            raise InvalidInput(N_("No such rule version."))
        scheme = lock_scheme(version.scheme_id)
        require_manager(actor, scheme.country_code, scheme.admin1_id)
        if expected is not None and version_fingerprint(version) != expected:
            raise StaleObject(N_("Someone else changed this record at the same time. "
                                 "Nothing was saved; please look at it again."))
        if version.published_at is not None:
            raise InvalidInput(N_("This rule version is already published."))
        _check_version_date(scheme, version.valid_from)
        clash = db.session.scalar(select(RuleVersion.number).where(
            RuleVersion.scheme_id == scheme.id, RuleVersion.published_at.is_not(None),
            RuleVersion.valid_from == version.valid_from))
        if clash is not None:
            raise InvalidInput(N_("Version %(number)s already starts on that day: validity "
                                  "periods may not overlap. Give this version a later date."),
                               field="valid_from", number=clash)
        used_later = db.session.scalar(select(func.count(Assessment.id)).join(
            RuleVersion, Assessment.rule_version_id == RuleVersion.id).join(
            Claim, Assessment.claim_id == Claim.id).join(
            Incident, Claim.incident_id == Incident.id).where(
            RuleVersion.scheme_id == scheme.id,
            Incident.occurred_on >= version.valid_from))
        if used_later:
            raise InvalidInput(N_("Claims from that day on were already valued under a "
                                  "published version: a new version may only start after "
                                  "them."), field="valid_from")
        version.published_at = clock.now()
        audit.record(actor_id=actor.id, object_type="rule_version", object_id=version.id,
                     action="publish_rule_version",
                     changes={"scheme": scheme.code, "number": version.number,
                              "valid_from": version.valid_from})
    return version


def _in_force_first(on: date):  # noqa: ANN202 - a Select
    """Published versions started by ``on``, the one in force first."""
    return (select(RuleVersion).where(RuleVersion.published_at.is_not(None),
                                      RuleVersion.valid_from <= on)
            .order_by(RuleVersion.valid_from.desc(), RuleVersion.number.desc()))


def version_for(scheme: Scheme, on: date) -> RuleVersion | None:
    """The published version in force on a day: the latest one started by then."""
    return db.session.scalars(
        _in_force_first(on).where(RuleVersion.scheme_id == scheme.id).limit(1)).first()


def versions_in_force(schemes: list[Scheme]) -> dict[int, RuleVersion]:
    """The version in force today of each scheme that has one, by scheme id, in one query
    (a list). Today is the scheme's own: after midnight there its claims are already
    valued under a version starting that day, though UTC's date is still yesterday's."""
    days: dict[tuple, date] = {}
    today = {}
    for s in schemes:
        place = (s.country_code, s.admin1_id)
        if place not in days:
            days[place] = timezones.today_where(*place)
        today[s.id] = days[place]
    found: dict[int, RuleVersion] = {}
    if today:
        for version in db.session.scalars(_in_force_first(max(today.values())).where(
                RuleVersion.scheme_id.in_(list(today)))):
            if version.valid_from <= today[version.scheme_id]:
                found.setdefault(version.scheme_id, version)
    return found


def rules_of(version: RuleVersion) -> dict[str, object]:
    return params.parse(version.scheme.kind, version.values)


def require_version(scheme: Scheme, on: date) -> RuleVersion:
    """The version in force on a day, or a clear refusal when there is none."""
    version = version_for(scheme, on)
    if version is None:
        raise InvalidInput(N_("The scheme %(scheme)s has no published rule version for "
                              "%(date)s."), scheme=scheme.code, date=on.isoformat())
    return version


def rules_on(scheme: Scheme, on: date) -> dict[str, object]:
    return rules_of(require_version(scheme, on))


def closed_error(scheme: Scheme) -> InvalidInput:
    return InvalidInput(N_("The scheme %(scheme)s is closed: its claims can no longer be "
                           "valued or approved."), scheme=scheme.code)


def scheme_to_act_on(actor: User, scheme_id: int, kind: SchemeKind, *roles: Role,
                     whole: bool = False) -> Scheme:
    """Lock an open scheme of ``kind`` for an action by one of ``roles`` (or an admin).

    ``whole``: the action concerns the whole scheme (settling its pool, a year's
    performance payments), so the actor's jurisdiction must cover all of its area; other
    actions concern one village or household, which the caller checks."""
    scheme = lock_scheme(scheme_id)
    if scheme.kind is not kind:
        raise InvalidInput(N_("This action does not belong to this kind of scheme."))
    if not actor.has_role(*roles, Role.ADMIN):
        raise PermissionDenied(N_("Your role may not do this."))
    if whole:
        scope.require_whole(actor, scheme.country_code, scheme.admin1_id)
    elif not scope.reaches(actor, scheme.country_code, scheme.admin1_id):
        raise PermissionDenied(N_("This country is outside your jurisdiction."))
    if scheme.closed:
        raise closed_error(scheme)
    return scheme


# --- budgets ----------------------------------------------------------------------------
# Budget, budget and budgets are in schemes.budgets (every sum grouped by scheme, for
# lists); they are imported above so that callers find them here as before.
def still_due(claim: Claim, amount: Decimal) -> Money:
    """What an approval of ``amount`` still commits: an interim payment already made (or on
    its way), and a payment made before an appeal, count as disbursed, not twice."""
    from conflict_app.payments.owed import paid_so_far

    return Money(amount - paid_so_far(claim.id), claim.currency)


def check_budget(scheme: Scheme, amount: Money) -> bool:
    """True when the amount fits; raises when it does not and the scheme refuses."""
    return check_budget_of(scheme, amount, budget(scheme).remaining)


def check_budget_of(scheme: Scheme, amount: Money, remaining: Money) -> bool:
    if amount <= remaining:
        return True
    if scheme.over_budget == "refuse":
        raise InvalidInput(N_("The scheme's remaining budget (%(remaining)s) does not cover "
                              "%(amount)s."), remaining=str(remaining), amount=str(amount))
    return False


def commit_payments(scheme_id: int, amount: Money) -> None:
    """Commit what a new batch pays beyond its claims' approvals (interim shares before the
    decision, interest for late payment) as an approval commits: under the scheme's row
    lock, refused beyond the remaining budget or left waiting, as the scheme says.

    The batch's items are already in the session (so counted by ``budget``), and its
    claims are locked first, in the approval's lock order (claim, then scheme)."""
    scheme = lock_scheme(scheme_id)
    if scheme.kind is SchemeKind.INSURANCE or amount.amount <= 0:
        return  # an insurance pays from its pool, not from a budget
    remaining = budget(scheme).remaining + amount  # as it was before this batch
    if not check_budget_of(scheme, amount, remaining):
        raise InvalidInput(N_("Interim payments and interest of %(amount)s wait for budget: "
                              "the scheme's remaining budget is %(remaining)s."),
                           field="claim_ids", amount=str(amount), remaining=str(remaining))


def release_budget_holds(actor: User, scheme_id: int) -> int:
    """Release queued approvals, oldest first, while the budget allows."""
    released = 0
    with unit_of_work():
        scheme = lock_scheme(scheme_id)
        held = db.session.scalars(select(Claim).where(
            Claim.scheme_id == scheme.id, Claim.budget_hold.is_(True),
            Claim.state.in_(COMMITTED)).order_by(Claim.decided_at, Claim.id)).all()
        remaining = budget(scheme).remaining
        for claim in held:
            due = still_due(claim, claim.amount_approved)
            if due > remaining:
                break
            remaining -= due
            claim.budget_hold = False
            db.session.flush()
            released += 1
            audit.record(actor_id=actor.id, object_type="claim", object_id=claim.id,
                         action="release_budget_hold",
                         changes={"amount": claim.amount_approved, "scheme": scheme.code})
    return released
