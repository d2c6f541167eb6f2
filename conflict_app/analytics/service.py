"""One place that computes what analysts see, for the pages, the CLI and the JSON API alike.

The effectiveness model runs on counts aggregated by the database and its results are kept
per jurisdiction, country and verification filter until the data change (``data.fingerprint``),
so a page view after the first costs a handful of indexed queries. The heavy statistics
modules are imported here lazily: the app starts without them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import event
from sqlalchemy.orm import Session

from conflict_app.analytics import data, store
from conflict_app.analytics.store import Scope
from conflict_app.core import clock
from conflict_app.core.money import Money
from conflict_app.i18n.labels import label
from conflict_app.schemes import prices as scheme_prices

PRIMARY = frozenset({"confirmed", "probable"})
FILTERS = {
    "confirmed_probable": PRIMARY,
    "confirmed": frozenset({"confirmed"}),
    "confirmed_probable_possible": frozenset({"confirmed", "probable", "possible"}),
}
@dataclass
class Report:
    """The effectiveness analysis of one selection.

    ``measures``: one ``effectiveness.MeasureResult`` per measure in the registry, sorted by
    code. For a bottom line read ``result.headline`` (an ``Estimate``, or None with
    ``result.reason`` saying why); ``result.designs`` are every design in grade order (the
    headline among them, refused ones with ``suppressed`` and ``reason``);
    ``result.by_time`` the effect by months since installation; the cost per head saved
    (``cost_effectiveness``) uses the headline estimate. ``reason`` and ``model`` texts are
    translated into the current locale each time a report is returned.
    """

    measures: list
    verification_filter: str
    country: str | None


def effectiveness_report(user, country: str | None = None,  # noqa: ANN001
                         verification_filter: str = "confirmed_probable",
                         event_study: bool = True) -> Report:
    """``event_study=False``: without the effect by time since installation (``by_time``,
    ``pre_trend_p``), which the table, the CLI and the JSON do not show; it is added to the
    kept result the first time a face asks for it (a refresh job computes both)."""

    kept = _kept(Scope.of(user), country, verification_filter, event_study)
    results = kept["results"]
    for result in results:
        for est in result.designs:
            est.reason = label("suppressed", est.suppressed) if est.suppressed else None
    return Report(results, verification_filter, country)


def _kept(scope: Scope, country: str | None, verification_filter: str,
          event_study: bool) -> dict:
    """The kept effectiveness figures; with ``event_study`` completed first when they were
    computed without it, and shared again under the data they were computed from."""
    kept = remembered("effectiveness", scope, country,
                      lambda: _effectiveness(scope, country, verification_filter, event_study),
                      verification_filter)
    if event_study and kept.get("counts") is not None and not (
            kept["event_study"] and "displacement" in kept):
        _complete(kept, assignments(scope, country))
        key = _key(scope, country, verification_filter, "effectiveness")
        entry = store.read(key)
        if entry is not None and entry.value is not kept:
            entry = store.Entry(entry.fingerprint, entry.computed_at, kept)
        if entry is not None:
            store.write(key, entry)
    return kept


def _effectiveness(scope: Scope, country: str | None, verification_filter: str,
                   event_study: bool) -> dict:
    from conflict_app.analytics import effectiveness

    counts = data.effectiveness_counts(scope, FILTERS[verification_filter], country)
    randomised = assignments(scope, country)
    kept = {"results": effectiveness.analyse(counts, verification_filter, randomised,
                                             event_study=event_study),
            "counts": counts, "event_study": event_study}
    if event_study:
        _complete(kept, randomised)
    return kept


def _complete(kept: dict, randomised: dict[str, str]) -> None:
    """Add what only the pages show (the event study, the displacement per measure), then
    drop the counts: the household-month panel is by far the largest part, and without it
    the figures every worker reads from Redis stay small (a read, not a transfer of the
    panel, at a million incidents)."""
    from conflict_app.analytics import effectiveness

    counts = kept["counts"]
    if not kept["event_study"]:
        effectiveness.add_event_study(counts, kept["results"], randomised)
        kept["event_study"] = True
    kept["displacement"] = {m: effectiveness.displacement(counts, m)
                            for m in counts.measure_names}
    kept["counts"] = None


def _key(scope: Scope, country: str | None, verification_filter: str, kind: str) -> tuple:
    return (kind, scope.jurisdiction_country, scope.jurisdiction_area_id,
            scope.jurisdiction_level, country, verification_filter)


def _forget_fingerprint(*_args) -> None:  # noqa: ANN002
    from flask import g, has_request_context

    if has_request_context():
        g.pop("analytics_fingerprint", None)


def _on_execute(state) -> None:  # noqa: ANN001
    if not state.is_select:
        _forget_fingerprint()


# A request that writes reads the data's fingerprint afresh.
event.listen(Session, "after_flush", _forget_fingerprint)
event.listen(Session, "do_orm_execute", _on_execute)


def _fingerprint() -> tuple:
    """``data.fingerprint()``, read once per request (a page asks for several figures)
    unless the request wrote in between."""
    from flask import g, has_request_context

    if not has_request_context():
        return data.fingerprint()
    if "analytics_fingerprint" not in g:
        g.analytics_fingerprint = data.fingerprint()
    return g.analytics_fingerprint


def remembered(kind: str, user, country: str | None,  # noqa: ANN001
               compute: Callable[[], object], verification_filter: str = "") -> object:
    """``compute()``'s answer for this jurisdiction, country and filter, kept until the data
    change (``store.remembered``): a view after the first costs one small query. Raises
    ``FiguresPending`` when, with a job system, nothing is kept yet."""
    scope = Scope.of(user)
    return store.remembered(_key(scope, country, verification_filter, kind), _fingerprint(),
                            compute, (kind, *_key(scope, country, verification_filter,
                                                  kind)[1:]))


def refresh(kind: str, jurisdiction_country: str | None, jurisdiction_area_id: int | None,
            jurisdiction_level: int | None, country: str | None,
            verification_filter: str) -> None:
    """The ``analytics.refresh`` job: compute one kept figure at the data as they are now."""
    scope = Scope(jurisdiction_country, jurisdiction_area_id, jurisdiction_level)
    key = _key(scope, country, verification_filter, kind)
    try:
        fingerprint = data.fingerprint()
        if kind == "effectiveness":
            value = _effectiveness(scope, country, verification_filter, True)
        else:
            value = COMPUTE[kind](scope, country, verification_filter)
        store.write(key, store.Entry(fingerprint, clock.now(), value))
    finally:
        store.refreshed(key)


def _overview(scope: Scope, country: str | None, verification_filter: str) -> dict:
    from conflict_app.analytics import overview as figures

    return {"rates": figures.loss_rates(scope, FILTERS[verification_filter], country),
            "outcomes": data.outcome_shares(scope, country),
            "times": figures.processing_times(scope, country)}


def _grid(scope: Scope, country: str | None, _verification_filter: str = "") -> dict:
    from conflict_app.analytics import maps

    return maps.coarse_grid(scope, country)


def _regional(scope: Scope, _country: str | None = None,
              _verification_filter: str = "") -> dict:
    from conflict_app.analytics import regional

    return regional.counts(scope)


def _public(scope: Scope, _country: str | None = None, _verification_filter: str = "") -> dict:
    from conflict_app.analytics import periods

    return {**periods.publish(periods.raw_figures(scope)),
            "updated_at": periods.latest_change()}


COMPUTE: dict[str, Callable[[Scope, str | None, str], object]] = {
    "overview": _overview, "grid": _grid, "public": _public, "regional": _regional}
# The public statistics cover the whole range, on behalf of no one: they are de-identified.
PUBLIC = Scope(None, None, None)


def overview(user, country: str | None, verification_filter: str) -> dict:  # noqa: ANN001
    """The overview page's figures: loss rates of every grouping, outcomes by confidence,
    processing times (the map is ``grid``)."""
    scope = Scope.of(user)
    return remembered("overview", scope, country,
                      lambda: _overview(scope, country, verification_filter), verification_filter)


def grid(user, country: str | None) -> dict:  # noqa: ANN001
    """The coarse map grid (``maps.coarse_grid``), kept until the data change."""
    scope = Scope.of(user)
    return remembered("grid", scope, country, lambda: _grid(scope, country))


def regional(user) -> dict:  # noqa: ANN001
    """The range-wide aggregate's counts (``regional.counts``), kept until the data change."""
    scope = Scope.of(user)
    return remembered("regional", scope, None, lambda: _regional(scope))


def assignments(user=None, country: str | None = None) -> dict[str, str]:  # noqa: ANN001
    """Measures whose roll-out was randomised, as recorded with each measure: measure →
    assignment unit ("household" or "village"). A measure counts as randomised only when
    every record of it in the selection says so (one self-chosen installation among them
    and the comparison is self-selected again); by village when any was drawn by village."""
    return data.assignments(user, country)


def effectiveness_table(user, country: str | None = None,  # noqa: ANN001
                        verification_filter: str = "confirmed_probable") -> list[dict]:
    """One row per measure and design, every disclosure included; ``headline`` marks the
    row each measure's bottom line uses, ``reason`` says in words why a row is refused."""
    report = effectiveness_report(user, country, verification_filter, event_study=False)
    rows = []
    for result in report.measures:
        for est in result.designs:
            row = est.as_dict()
            row["model"] = label("model", est.model) if est.model else ""
            rows.append(row)
    return rows


def time_since_installation(user, measure: str, country: str | None = None,  # noqa: ANN001
                            verification_filter: str = "confirmed_probable") -> list[dict]:
    """IRR by months since installation (negative bands: the year before, a pre-trend
    check), from the same joint model as the headline."""
    report = effectiveness_report(user, country, verification_filter)
    result = next((r for r in report.measures if r.measure == measure), None)
    return result.by_time if result else []


def displacement(user, measure: str, country: str | None = None) -> dict:  # noqa: ANN001
    """Losses of untreated neighbours of the measure's households, kept with the figures."""
    kept = _kept(Scope.of(user), country, "confirmed_probable", event_study=True)
    return kept["displacement"].get(measure, {"near": None, "far": None})


COLUMNS = ("measure", "design", "grade", "headline", "households_treated",
           "households_control", "villages_treated", "villages_control", "exposure_treated",
           "exposure_control", "events_treated", "events_control", "irr", "ci_low", "ci_high",
           "effectiveness_pct", "truly_effective", "verdict", "p_value", "model", "dispersion",
           "cluster_by", "assignment", "clusters", "verification_filter", "stratum",
           "stratum_share_of_losses", "suppressed", "reason", "min_detectable_irr",
           "upper_bound", "caveats")


def cost_effectiveness(user, measure: str, country: str | None = None,  # noqa: ANN001
                       verification_filter: str = "confirmed_probable") -> list[dict]:
    """Heads saved and cost per head saved, per currency the measures were paid in.

    The heads saved come from the measure's headline estimate (the same design and number
    the page leads with): the treated months' losses would have been losses ÷ IRR. Costs
    are summed in their own currency, plus one row of all of them in US dollars at the
    rates recorded for the installation days (when every currency has a rate).
    """
    from conflict_app.analytics import effectiveness

    report = effectiveness_report(user, country, verification_filter, event_study=False)
    result = next((r for r in report.measures if r.measure == measure), None)
    headline = result.headline if result else None
    avoided = effectiveness.heads_saved(headline) if headline else None
    if not avoided:
        return []
    costs: dict[str, Decimal] = {}
    usd: Decimal | None = Decimal(0)
    for cost, currency, installed_on in data.measure_costs(user, measure, country):
        costs[currency] = costs.get(currency, Decimal(0)) + Decimal(cost)
        # All costs in US dollars at the rate recorded for the day of installation,
        # when every currency has one.
        converted = scheme_prices.to_usd(Money(cost, currency),
                                      installed_on) if usd is not None else None
        usd = usd + converted.amount if converted is not None else None
    # Money stays Decimal: the heads saved are an estimate (a float), the money is not.
    heads = Decimal(repr(avoided))
    out = [_cost_row(cur, total, avoided, heads, headline, converted=False)
           for cur, total in sorted(costs.items())]
    if usd is not None and costs and set(costs) != {"USD"}:
        out.append(_cost_row("USD", usd, avoided, heads, headline, converted=True))
    return out


def _cost_row(currency: str, total: Decimal, avoided: float, heads: Decimal,
              headline, converted: bool) -> dict:  # noqa: ANN001
    cent = Decimal("0.01")
    return {"currency": currency, "cost": total, "heads_avoided": avoided,
            "design": headline.design, "grade": headline.grade,
            "cost_per_head_saved": (total / heads).quantize(cent),
            "heads_saved_per_1000": avoided / float(total) * 1000 if total else None,
            "converted": converted}


def public_statistics() -> dict:
    """The range-wide figures by country, year and month as the public may see them
    (``periods.publish``), kept until the data change like every other figure here."""
    return remembered("public", PUBLIC, None, lambda: _public(PUBLIC))


def data_version() -> tuple:
    """The state of the data the figures are read from (changes with every change)."""
    return _fingerprint()
