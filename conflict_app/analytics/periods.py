"""Figures by country and by year (and range-wide by month), for the public statistics.

Verified leopard attacks and heads lost, claims received and decided, amounts paid per
currency and the median days from report to payment. Each figure is one aggregate query:
a common table expression of its rows, grouped five ways in one ``UNION ALL`` (country and
year, country, year, the whole range, month), so totals are counted by the database with
each household once, not summed from parts. ``publish`` then hides small cells with the
analytics' rule, also where a total and its parts would give one away
(``suppression.hidden_cells``). Nothing finer than a country leaves this module.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import Float, Integer, String, cast, func, literal, null, select, union_all

from conflict_app.analytics.data import leopard_only
from conflict_app.analytics.suppression import hidden_cells, small
from conflict_app.claims.models import Claim, Incident, LossLine
from conflict_app.core.types import days
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.payments.models import ItemState, PaymentItem

PRIMARY = frozenset({"confirmed", "probable"})
# Grouping levels: which of country, year and month each row of a figure is grouped by.
LEVELS = {"country_year": ("country", "year"), "country": ("country",), "year": ("year",),
          "range": (), "month": ("month",)}
CENT = Decimal("0.01")


def _year(column):  # noqa: ANN001, ANN202
    return cast(func.extract("year", column), Integer)


def _month(column):  # noqa: ANN001, ANN202 - 202605 for May 2026
    return cast(func.extract("year", column) * 100 + func.extract("month", column), Integer)


def _local(query, column):  # noqa: ANN001, ANN202 - (Select, SQL expression)
    """``query`` (over claims) with what it needs to read ``column``, a UTC time, as the
    wall-clock time of the claim's place: a claim reported at 01:00 on New Year's Day in
    Yerevan counts in the new year, though it is still the old one in UTC."""
    query, zone = timezones.zone_sql(query, Claim)
    return query, timezones.local_time(column, zone)


def _grouped(rows, measures: dict, extra: tuple = ()) -> list:  # noqa: ANN001
    """``measures`` (name → aggregate over the CTE ``rows``) for every grouping level, in
    one query: (level, country, period, *extra, *measures) per row."""
    parts = []
    for level, keys in LEVELS.items():
        country = rows.c.country if "country" in keys else cast(null(), String)
        period = (rows.c.year if "year" in keys else rows.c.month if "month" in keys
                  else cast(null(), Integer))
        group = [c for k, c in (("country", rows.c.country), ("year", rows.c.year),
                                ("month", rows.c.month)) if k in keys]
        group += [rows.c[name] for name in extra]
        parts.append(select(literal(level).label("level"), country.label("country"),
                            period.label("period"), *(rows.c[n] for n in extra),
                            *(m(rows).label(n) for n, m in measures.items()))
                     .group_by(*group))
    return db.session.execute(select(union_all(*parts).subquery())).all()


def _key(level: str, country: str | None, period: int | None) -> tuple:
    if level == "month":
        return (None, f"{period // 100:04d}-{period % 100:02d}")
    return (country, int(period) if period is not None else None)


def _households(rows) -> object:  # noqa: ANN001
    return func.count(rows.c.household.distinct())


def raw_figures(user) -> dict:  # noqa: ANN001 - a jurisdiction (the whole range: public)
    """Every figure before suppression: {figure: {(country, period): {...}}}."""
    from conflict_app.core.permissions import scope

    out: dict = {}
    attacks = scope(leopard_only(
        select(Incident.country_code.label("country"),
               _year(Incident.occurred_on).label("year"),
               _month(Incident.occurred_on).label("month"),
               Incident.household_id.label("household"), Incident.id.label("incident"),
               LossLine.killed.label("killed"))
        .join(LossLine, LossLine.incident_id == Incident.id), PRIMARY),
        Incident, user).cte("attack_lines")
    out["attacks"] = {
        _key(level, c, p): {"incidents": int(n), "killed": int(k or 0), "households": int(h)}
        for level, c, p, n, k, h in _grouped(attacks, {
            "incidents": lambda r: func.count(r.c.incident.distinct()),
            "killed": lambda r: func.sum(r.c.killed), "households": _households})}
    for name, column in (("received", Claim.reported_at), ("decided", Claim.decided_at)):
        claims, at = _local(select(Claim.household_id.label("household"),
                                   Claim.id.label("claim"))
                            .where(column.is_not(None), Claim.state != "duplicate"), column)
        claims = scope(claims.add_columns(Claim.country_code.label("country"),
                                          _year(at).label("year"), _month(at).label("month")),
                       Claim, user).cte(f"claims_{name}")
        out[name] = {_key(level, c, p): {"claims": int(n), "households": int(h)}
                     for level, c, p, n, h in _grouped(claims, {
                         "claims": lambda r: func.count(r.c.claim), "households": _households})
                if n}  # the whole range's row comes back even when nothing was paid
    paid, at = _local(select(PaymentItem.currency.label("currency"),
                             Claim.household_id.label("household"), Claim.id.label("claim"),
                             (PaymentItem.amount + PaymentItem.interest).label("amount"))
                      .select_from(PaymentItem).join(Claim, Claim.id == PaymentItem.claim_id)
                      .where(PaymentItem.state == ItemState.PAID,
                             PaymentItem.recorded_at.is_not(None)), PaymentItem.recorded_at)
    paid = scope(paid.add_columns(Claim.country_code.label("country"), _year(at).label("year"),
                                  _month(at).label("month")), Claim, user).cte("paid_items")
    out["paid"] = defaultdict(dict)
    for level, c, p, currency, amount, n, h in _grouped(paid, {
            "amount": lambda r: func.sum(r.c.amount),
            "claims": lambda r: func.count(r.c.claim.distinct()), "households": _households},
            extra=("currency",)):
        out["paid"][currency][_key(level, c, p)] = {
            "amount": Decimal(amount or 0).quantize(CENT), "claims": int(n),
            "households": int(h)}
    out["paid"] = dict(out["paid"])
    out["days"] = _days_to_payment(user)
    return out


def _days_to_payment(user) -> dict:  # noqa: ANN001
    """Median days from report to (the latest) payment of the claims paid in each period:
    in SQL on PostgreSQL (``percentile_cont``); SQLite has no percentile aggregate, so
    there one row per paid claim is fetched, as the analytics' processing times do."""
    from conflict_app.core.permissions import scope

    postgres = db.engine.dialect.name == "postgresql"

    rows, at = _local(select(Claim.household_id.label("household"), Claim.id.label("claim"),
                             cast(days(Claim.paid_at) - days(Claim.reported_at), Float)
                             .label("days")).where(Claim.paid_at.is_not(None)), Claim.paid_at)
    rows = scope(rows.add_columns(Claim.country_code.label("country"), _year(at).label("year"),
                                  _month(at).label("month")), Claim, user).cte("paid_claims")
    if postgres:
        return {_key(level, c, p): {"median": float(m), "claims": int(n), "households": int(h)}
                for level, c, p, m, n, h in _grouped(rows, {
                    "median": lambda r: func.percentile_cont(0.5).within_group(r.c.days),
                    "claims": lambda r: func.count(r.c.claim), "households": _households})
                if n}  # the whole range's row comes back even when nothing was paid
    import numpy as np

    spans: dict = defaultdict(list)
    homes: dict = defaultdict(set)
    for country, year, month, household, taken in db.session.execute(
            select(rows.c.country, rows.c.year, rows.c.month, rows.c.household, rows.c.days)):
        for key in ((country, year), (country, None), (None, year), (None, None),
                    _key("month", None, month)):
            spans[key].append(taken)
            homes[key].add(household)
    return {key: {"median": float(np.median(values)), "claims": len(values),
                  "households": len(homes[key])} for key, values in spans.items()}


def _lines(countries: list[str], years: list[int], months: list[str]) -> list:
    """Every total with the parts that add up to it, for cells keyed (country, period)."""
    lines = [((c, None), [(c, y) for y in years]) for c in countries]
    lines += [((None, y), [(c, y) for c in countries]) for y in years]
    lines += [((None, None), [(None, y) for y in years]),
              ((None, None), [(c, None) for c in countries])]
    lines += [((None, y), [(None, m) for m in months if m.startswith(f"{y:04d}-")])
              for y in years]
    return lines


def _protect(cells: dict, lines: list, fields: tuple[str, ...]) -> dict:
    """Cell → its shown fields, or None where hidden."""
    hidden = hidden_cells({k: v["households"] for k, v in cells.items()}, lines)
    return {k: None if k in hidden else {f: v[f] for f in fields} for k, v in cells.items()}


def publish(raw: dict) -> dict:
    """The figures as they may be shown: a hidden cell is None; a cell missing from a
    figure holds nothing (zero). Medians are not sums: only small cells are hidden."""
    keys = set(raw["attacks"]) | set(raw["received"]) | set(raw["decided"]) | set(raw["days"])
    for cells in raw["paid"].values():
        keys |= set(cells)
    countries = sorted({c for c, _p in keys if c})
    years = sorted({p for _c, p in keys if isinstance(p, int)})
    months = sorted({p for _c, p in keys if isinstance(p, str)})
    lines = _lines(countries, years, months)
    return {
        "countries": countries, "years": years, "months": months,
        "attacks": _protect(raw["attacks"], lines, ("incidents", "killed")),
        "received": _protect(raw["received"], lines, ("claims",)),
        "decided": _protect(raw["decided"], lines, ("claims",)),
        "paid": {cur: _protect(cells, lines, ("amount", "claims"))
                 for cur, cells in sorted(raw["paid"].items())},
        "days": {k: None if small(v["households"]) else {"median": round(v["median"], 1)}
                 for k, v in raw["days"].items()},
    }


def latest_change():  # noqa: ANN201 - a datetime, or None before anything was recorded
    """When the data last changed: every change is audited, the newest entry says when."""
    from conflict_app.core.audit import AuditEntry

    return db.session.scalar(select(AuditEntry.occurred_at).order_by(AuditEntry.id.desc())
                             .limit(1))
