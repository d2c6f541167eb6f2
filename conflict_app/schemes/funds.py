"""Funds and their ledgers: creating a fund, recording contributions and income, allocating
to a scheme's budget, taking back unspent allocations, adjustments; the totals a fund page,
the API and the scheme report show.

An allocation and a return change the scheme's budget in the same transaction as the
ledger entry, under the fund's row lock and then the scheme's (always in that order), so two
allocations at the same moment cannot both spend the same income."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from conflict_app.auth.models import User
from conflict_app.core import audit
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.money import CURRENCIES, Money
from conflict_app.core.permissions import Role
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import AdminArea, Country
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import scope
from conflict_app.schemes.fund_models import EntryKind, Fund, FundEntry, FundKind, Pot
from conflict_app.schemes.models import Scheme
from conflict_app.schemes.params import SchemeKind

MONEY_IN = frozenset({EntryKind.CONTRIBUTION, EntryKind.INCOME})


# --- funds ------------------------------------------------------------------------------
@dataclass
class FundInput:
    name: str
    kind: FundKind
    currency: str
    country_code: str
    admin1_id: int | None
    description: str | None = None
    example: bool = False


def _check_area(country_code: str, admin1_id: int | None) -> None:
    if db.session.get(Country, country_code) is None:
        raise InvalidInput(N_("Choose a country from the list."), field="country_code")
    if admin1_id is not None:
        area = db.session.get(AdminArea, admin1_id)
        if area is None or area.country_code != country_code or area.level != 1:
            raise InvalidInput(N_("Choose a province of the fund's country."),
                               field="admin1_id")


def create_fund(actor: User, data: FundInput) -> Fund:
    if not actor.has_role(Role.SCHEME_MANAGER, Role.ADMIN):
        raise PermissionDenied(N_("Your role may not do this."))
    name = (data.name or "").strip()
    if not name or len(name) > 160:
        raise InvalidInput(N_("Give the fund a name of up to 160 characters."), field="name")
    if data.currency not in CURRENCIES:
        raise InvalidInput(N_("Choose a currency from the list."), field="currency")
    _check_area(data.country_code, data.admin1_id)
    scope.require_whole(actor, data.country_code, data.admin1_id, field="admin1_id")
    with unit_of_work():
        if db.session.scalar(select(Fund.id).where(Fund.name == name)):
            raise InvalidInput(N_("Another fund already has this name."), field="name")
        fund = Fund(name=name, kind=data.kind, currency=data.currency,
                    country_code=data.country_code, admin1_id=data.admin1_id,
                    description=(data.description or "").strip() or None,
                    example=data.example, created_by_id=actor.id)
        db.session.add(fund)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="fund", object_id=fund.id,
                     action="create_fund",
                     changes={"name": name, "kind": data.kind, "currency": data.currency,
                              "country": data.country_code, "admin1": data.admin1_id})
    return fund


def visible_funds(actor: User) -> list[Fund]:
    """The funds of offices that reach the actor's area, as schemes are seen."""
    return list(db.session.scalars(scope.visible(select(Fund), Fund, actor)
                                   .order_by(Fund.country_code, Fund.name)))


def lock_fund(fund_id: int) -> Fund:
    fund = db.session.execute(
        select(Fund).where(Fund.id == fund_id).with_for_update(of=Fund)
        .execution_options(populate_existing=True)).scalar_one_or_none()
    if fund is None:
        raise InvalidInput(N_("No such fund."))
    return fund


# --- totals -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Totals:
    contributions: Money
    income: Money  # earned
    allocated: Money  # to schemes, net of returns
    adjustments: Money
    principal: Money  # an endowment's kept capital: contributions and their adjustments
    balance: Money
    available: Money  # what may be allocated now


def totals(fund: Fund) -> Totals:
    return totals_of([fund])[fund.id]


def totals_of(funds: list[Fund]) -> dict[int, Totals]:
    """``totals`` of each fund by its id, in one query however many funds a list shows."""
    sums: dict[int, list] = {f.id: [] for f in funds}
    if funds:
        for fund_id, kind, pot, amount in db.session.execute(
                select(FundEntry.fund_id, FundEntry.kind, FundEntry.pot,
                       func.coalesce(func.sum(FundEntry.amount), 0))
                .where(FundEntry.fund_id.in_(list(sums)))
                .group_by(FundEntry.fund_id, FundEntry.kind, FundEntry.pot)):
            sums[fund_id].append((kind, pot, amount))
    return {f.id: _totals(f, sums[f.id]) for f in funds}


def _totals(fund: Fund, rows: list) -> Totals:
    """A fund's totals from the sums of its entries by kind and pot."""
    by_kind: dict[EntryKind, Decimal] = {}
    by_pot: dict[Pot, Decimal] = {}
    for kind, pot, amount in rows:
        by_kind[kind] = by_kind.get(kind, Decimal(0)) + Decimal(amount)
        by_pot[pot] = by_pot.get(pot, Decimal(0)) + Decimal(amount)
    m = fund.money
    balance = sum(by_pot.values(), Decimal(0))
    principal = by_pot.get(Pot.PRINCIPAL, Decimal(0))
    available = by_pot.get(Pot.INCOME, Decimal(0)) if fund.kind is FundKind.ENDOWMENT \
        else balance
    allocated = -(by_kind.get(EntryKind.ALLOCATION, Decimal(0))
                  + by_kind.get(EntryKind.RETURN, Decimal(0)))
    return Totals(m(by_kind.get(EntryKind.CONTRIBUTION, Decimal(0))),
                  m(by_kind.get(EntryKind.INCOME, Decimal(0))), m(allocated),
                  m(by_kind.get(EntryKind.ADJUSTMENT, Decimal(0))), m(principal), m(balance),
                  m(max(available, Decimal(0))))


def _pot_total(fund: Fund, pot: Pot | None) -> Decimal:
    query = select(func.coalesce(func.sum(FundEntry.amount), 0)).where(
        FundEntry.fund_id == fund.id)
    if pot is not None:
        query = query.where(FundEntry.pot == pot)
    return Decimal(db.session.scalar(query))


def ledger(fund_id: int, before: int | None = None, limit: int = 200) -> list[FundEntry]:
    """The newest entries first; ``before`` an entry id, for the next page."""
    query = select(FundEntry).where(FundEntry.fund_id == fund_id)
    if before is not None:
        query = query.where(FundEntry.id < before)
    return list(db.session.scalars(query.order_by(FundEntry.id.desc()).limit(limit)))


@dataclass(frozen=True)
class Sources:
    """Where a scheme's budget came from: fund allocations and returns, and the rest set
    on the scheme itself."""

    entries: list[FundEntry]
    from_funds: Money
    direct: Money


def sources(scheme: Scheme) -> Sources:
    return sources_of([scheme])[scheme.id]


def sources_of(schemes: list[Scheme]) -> dict[int, Sources]:
    """``sources`` of each scheme by its id, the entries and their funds in one query."""
    entries: dict[int, list[FundEntry]] = {s.id: [] for s in schemes}
    if schemes:
        for entry in db.session.scalars(
                select(FundEntry).join(Fund).options(contains_eager(FundEntry.fund))
                .where(FundEntry.scheme_id.in_(list(entries)))
                .order_by(FundEntry.booked_on, FundEntry.id)):
            entries[entry.scheme_id].append(entry)
    found = {}
    for scheme in schemes:
        from_funds = -sum((e.amount for e in entries[scheme.id]), Decimal(0))
        found[scheme.id] = Sources(entries[scheme.id], scheme.money(from_funds),
                                   scheme.money(scheme.budget - from_funds))
    return found


# --- ledger entries ---------------------------------------------------------------------
@dataclass
class EntryInput:
    kind: EntryKind
    amount: Decimal  # positive; an adjustment's sign says in or out
    booked_on: date
    currency: str | None = None  # when given, must be the fund's
    donor: str | None = None
    period_from: date | None = None
    period_to: date | None = None
    scheme_id: int | None = None
    pot: Pot | None = None  # an endowment's adjustment: which part it corrects
    note: str | None = None


def _may_record(actor: User, fund: Fund, kind: EntryKind) -> None:
    # Money received is booked by finance or a manager; what goes into (or comes back from)
    # a scheme's budget is the managers' decision, never that of the office paying from it.
    roles = (Role.FINANCE, Role.SCHEME_MANAGER) if kind in MONEY_IN else (Role.SCHEME_MANAGER,)
    if not actor.has_role(*roles, Role.ADMIN):
        if actor.has_role(Role.FINANCE):
            raise PermissionDenied(N_("Allocations, returns and adjustments of a fund are "
                                      "made by a scheme manager, not by the office that "
                                      "pays from the budgets."))
        raise PermissionDenied(N_("Your role may not do this."))
    scope.require_whole(actor, fund.country_code, fund.admin1_id)


def _check_amount(kind: EntryKind, amount: Decimal) -> None:
    if not amount.is_finite() or amount.as_tuple().exponent < -2 or abs(amount) >= 10 ** 16:
        raise InvalidInput(N_("Enter a positive amount with at most 2 decimals."),
                           field="amount")
    if kind is EntryKind.ADJUSTMENT:
        if amount == 0:
            raise InvalidInput(N_("Enter an amount other than zero: a negative adjustment "
                                  "takes money out."), field="amount")
    elif amount <= 0:
        raise InvalidInput(N_("Enter a positive amount with at most 2 decimals."),
                           field="amount")


def _check_entry(fund: Fund, data: EntryInput) -> None:
    _check_amount(data.kind, data.amount)
    if data.currency is not None and data.currency != fund.currency:
        raise InvalidInput(N_("This fund keeps its money in %(fund)s: an amount in "
                              "%(currency)s cannot be recorded in it."), field="currency",
                           fund=fund.currency, currency=data.currency)
    if data.booked_on > timezones.today_where(fund.country_code, fund.admin1_id):
        raise InvalidInput(N_("The date cannot be in the future."), field="booked_on")
    if data.kind is EntryKind.CONTRIBUTION and not (data.donor or "").strip():
        raise InvalidInput(N_("Name the donor of the contribution."), field="donor")
    if data.kind is EntryKind.INCOME:
        if data.period_from is None or data.period_to is None:
            raise InvalidInput(N_("Give the period the income was earned in."),
                               field="period_from")
        if data.period_to < data.period_from:
            raise InvalidInput(N_("The end date is before the start date."),
                               field="period_to")
        if data.period_to > data.booked_on:
            raise InvalidInput(N_("Income is booked after the period it was earned in."),
                               field="period_to")
    if data.kind is EntryKind.ADJUSTMENT and not (data.note or "").strip():
        raise InvalidInput(N_("Give the reason for the adjustment."), field="note")


def _scheme_for(actor: User, fund: Fund, scheme_id: int | None, allocating: bool) -> Scheme:
    scheme = db.session.get(Scheme, scheme_id) if scheme_id else None
    if scheme is None or scheme.country_code != fund.country_code:
        raise InvalidInput(N_("Choose a scheme of the fund's country."), field="scheme_id")
    if fund.admin1_id is not None and scheme.admin1_id != fund.admin1_id:
        raise InvalidInput(N_("This fund belongs to %(area)s: it feeds only the schemes "
                              "there."), field="scheme_id", area=fund.admin1.name)
    scope.require_whole(actor, scheme.country_code, scheme.admin1_id, field="scheme_id")
    if scheme.currency != fund.currency:
        raise InvalidInput(N_("The fund holds %(fund)s and the scheme pays in %(scheme)s: "
                              "money cannot move between different currencies."),
                           field="scheme_id", fund=fund.currency, scheme=scheme.currency)
    if scheme.kind is SchemeKind.INSURANCE:
        raise InvalidInput(N_("An insurance scheme pays from its pool of premiums, not from "
                              "a budget."), field="scheme_id")
    if allocating and scheme.closed:
        raise scheme_ops.closed_error(scheme)
    return scheme


def record_entry(actor: User, fund_id: int, data: EntryInput) -> FundEntry:
    """Add one entry to a fund's ledger; anything that does not fit is refused and nothing
    is stored."""
    released_for = None
    with unit_of_work():
        fund = lock_fund(fund_id)
        _may_record(actor, fund, data.kind)
        _check_entry(fund, data)
        amount = data.amount
        scheme = None
        if data.kind in (EntryKind.ALLOCATION, EntryKind.RETURN):
            scheme = _scheme_for(actor, fund, data.scheme_id,
                                 data.kind is EntryKind.ALLOCATION)
            scheme = scheme_ops.lock_scheme(scheme.id)  # after the fund's lock, always
        pot = _pot(fund, data)
        if data.kind is EntryKind.ALLOCATION:
            _check_available(fund, amount)
            scheme.budget += amount
            amount = -amount
            released_for = scheme.id
        elif data.kind is EntryKind.RETURN:
            _check_return(fund, scheme, amount)
            scheme.budget -= amount
        elif data.kind is EntryKind.ADJUSTMENT and amount < 0:
            _check_adjustment(fund, pot, amount)
        entry = FundEntry(fund_id=fund.id, kind=data.kind, pot=pot, amount=amount,
                          currency=fund.currency, booked_on=data.booked_on,
                          donor=(data.donor or "").strip() or None,
                          period_from=data.period_from if data.kind is EntryKind.INCOME
                          else None,
                          period_to=data.period_to if data.kind is EntryKind.INCOME else None,
                          scheme_id=scheme.id if scheme else None,
                          note=(data.note or "").strip() or None, created_by_id=actor.id)
        db.session.add(entry)
        db.session.flush()
        changes = {"entry": entry.id, "kind": data.kind, "pot": pot, "amount": amount,
                   "currency": fund.currency, "booked_on": data.booked_on}
        if scheme is not None:
            changes |= {"scheme": scheme.code, "scheme_budget": scheme.budget}
            audit.record(actor_id=actor.id, object_type="scheme", object_id=scheme.id,
                         action=f"fund_{data.kind.value}",
                         changes={"fund": fund.name, "amount": -amount,
                                  "budget": scheme.budget})
        if entry.period_from:
            changes |= {"period_from": entry.period_from, "period_to": entry.period_to}
        audit.record(actor_id=actor.id, object_type="fund", object_id=fund.id,
                     action=f"fund_{data.kind.value}", reason=entry.note, changes=changes)
    if released_for is not None:  # approvals queued for budget may fit now
        scheme_ops.release_budget_holds(actor, released_for)
    return entry


def _pot(fund: Fund, data: EntryInput) -> Pot:
    if data.kind is EntryKind.CONTRIBUTION:
        return Pot.PRINCIPAL
    if data.kind is not EntryKind.ADJUSTMENT or fund.kind is FundKind.POOLED:
        return Pot.INCOME
    if data.pot is None:
        raise InvalidInput(N_("Say whether the adjustment corrects the principal or the "
                              "income."), field="pot")
    return data.pot


def _check_available(fund: Fund, amount: Decimal) -> None:
    available = totals(fund).available
    if amount <= available.amount:
        return
    if fund.kind is FundKind.ENDOWMENT:
        raise InvalidInput(N_("Only the income of an endowment can be allocated: "
                              "%(available)s is available, the principal is kept."),
                           field="amount", available=str(available))
    raise InvalidInput(N_("The fund has %(available)s available: %(amount)s cannot be "
                          "allocated."), field="amount", available=str(available),
                       amount=str(fund.money(amount)))


def _check_return(fund: Fund, scheme: Scheme, amount: Decimal) -> None:
    from_fund = -Decimal(db.session.scalar(select(func.coalesce(func.sum(FundEntry.amount), 0))
                                           .where(FundEntry.fund_id == fund.id,
                                                  FundEntry.scheme_id == scheme.id)))
    if amount > from_fund:
        raise InvalidInput(N_("The scheme holds %(held)s from this fund: no more than that "
                              "can be returned to it."), field="amount",
                           held=str(fund.money(from_fund)))
    remaining = scheme_ops.budget(scheme).remaining
    if amount > remaining.amount:
        raise InvalidInput(N_("Only unspent budget can be returned: the scheme's remaining "
                              "budget is %(remaining)s."), field="amount",
                           remaining=str(remaining))


def _check_adjustment(fund: Fund, pot: Pot, amount: Decimal) -> None:
    held = _pot_total(fund, pot if fund.kind is FundKind.ENDOWMENT else None)
    if held + amount < 0:
        raise InvalidInput(N_("The adjustment would take more than the %(held)s the fund "
                              "holds there."), field="amount", held=str(fund.money(held)))
