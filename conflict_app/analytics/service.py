"""One place that computes what analysts see, for the pages, the CLI and the JSON API alike."""

from __future__ import annotations

from decimal import Decimal

from conflict_app.analytics import data, effectiveness
from conflict_app.core.money import Money
from conflict_app.schemes import operations as scheme_ops

FILTERS = {
    "confirmed_probable": effectiveness.PRIMARY,
    "confirmed": frozenset({"confirmed"}),
    "confirmed_probable_possible": frozenset({"confirmed", "probable", "possible"}),
}


def effectiveness_table(user, country: str | None = None,  # noqa: ANN001
                        verification_filter: str = "confirmed_probable") -> list[dict]:
    """One row per measure in the registry and design, every disclosure included."""
    confidence = FILTERS[verification_filter]
    rows = data.load(user, country)
    total_losses = sum(i["killed"] for i in rows.incidents
                       if i["predator"] == "leopard" and i["confidence"] in confidence)
    table = []
    for measure in sorted({m["measure"] for m in rows.measures}):
        stratum = effectiveness.STRATUM.get(measure)
        panel = effectiveness.monthly_panel(rows.households, rows.herds, rows.measures,
                                            rows.incidents, measure, confidence)
        in_stratum = int(panel["events"].sum())
        for design in effectiveness.DESIGNS:
            est = effectiveness.estimate(panel, measure, design,
                                         verification_filter=verification_filter,
                                         stratum=stratum)
            est.stratum_share_of_losses = (in_stratum / total_losses) if total_losses else None
            table.append(est.as_dict())
    return table


def time_since_installation(user, measure: str, country: str | None = None,  # noqa: ANN001
                            verification_filter: str = "confirmed_probable") -> list[dict]:
    rows = data.load(user, country)
    panel = effectiveness.monthly_panel(rows.households, rows.herds, rows.measures,
                                        rows.incidents, measure, FILTERS[verification_filter])
    return effectiveness.by_time_since_installation(panel)


def displacement(user, measure: str, country: str | None = None) -> dict:  # noqa: ANN001
    rows = data.load(user, country)
    panel = effectiveness.monthly_panel(rows.households, rows.herds, rows.measures,
                                        rows.incidents, measure)
    return effectiveness.displacement(panel, rows.households)


COLUMNS = ("measure", "design", "grade", "households_treated", "households_control",
           "villages_treated", "villages_control", "exposure_treated", "exposure_control",
           "events_treated", "events_control", "irr", "ci_low", "ci_high",
           "effectiveness_pct", "truly_effective", "p_value", "model", "dispersion",
           "verification_filter", "stratum", "stratum_share_of_losses", "suppressed",
           "min_detectable_irr", "upper_bound", "caveats")


def cost_effectiveness(user, measure: str, country: str | None = None,  # noqa: ANN001
                       verification_filter: str = "confirmed_probable") -> list[dict]:
    """Heads saved and cost per head saved, per currency the measures were paid in.

    Costs are summed in their own currency, plus one row of all of them in US dollars at
    the rates recorded for the installation days (when every currency has a rate); the
    losses avoided come from the control-impact comparison of the same data.
    """
    rows = data.load(user, country)
    panel = effectiveness.monthly_panel(rows.households, rows.herds, rows.measures,
                                        rows.incidents, measure, FILTERS[verification_filter])
    est = effectiveness.estimate(panel, measure, "control_impact")
    if est.irr is None or est.irr >= 1 or not est.exposure_control:
        return []
    avoided = est.events_control / est.exposure_control * (1 - est.irr) * est.exposure_treated
    costs: dict[str, float] = {}
    usd: Decimal | None = Decimal(0)
    for m in rows.measures:
        if m["measure"] == measure and m.get("cost") is not None and m.get("currency"):
            costs[m["currency"]] = costs.get(m["currency"], 0.0) + float(m["cost"])
            # All costs in US dollars at the rate recorded for the day of installation,
            # when every currency has one.
            converted = scheme_ops.to_usd(Money(Decimal(m["cost"]), m["currency"]),
                                          m["installed_on"]) if usd is not None else None
            usd = usd + converted.amount if converted is not None else None
    out = [{"currency": cur, "cost": total, "heads_avoided": avoided,
            "cost_per_head_saved": total / avoided if avoided else None,
            "heads_saved_per_1000": avoided / total * 1000 if total else None,
            "converted": False}
           for cur, total in sorted(costs.items())]
    if usd is not None and costs and set(costs) != {"USD"}:
        total = float(usd)
        out.append({"currency": "USD", "cost": total, "heads_avoided": avoided,
                    "cost_per_head_saved": total / avoided if avoided else None,
                    "heads_saved_per_1000": avoided / total * 1000 if total else None,
                    "converted": True})
    return out
