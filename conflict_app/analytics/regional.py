"""What the range-wide aggregate download counts: losses by country, region, year and
species, and claims and payouts by country, region and year, in SQL.

Counting them takes seconds at range-wide scale (1.2-2.1 s at 500,000 claims), so the
service keeps the counts until the data change, like the map's grid, and with a job system
a job recounts them. Only counts from tracked tables are kept; converting payouts made in
several currencies at each payment day's rate is left to the download, so a rate recorded
later is used at once (``exports.aggregate``).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from conflict_app.claims.models import Claim, Incident, LossLine
from conflict_app.core.permissions import scope
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.geo.models import AdminArea


def counts(user) -> dict:  # noqa: ANN001 - a user or an analytics Scope
    """``{"losses": [(country, region, year, species, households, incidents, killed,
    injured)], "groups": {(country, region, year): {"claims", "paid", "currencies",
    "payments": [(currency, local day, amount)]}}}``."""
    year = func.extract("year", Incident.occurred_on)
    region = AdminArea.region
    base = (select(Incident.country_code, region, year.label("year"), LossLine.species,
                   func.count(func.distinct(Incident.household_id)),
                   func.count(func.distinct(Incident.id)),
                   func.sum(LossLine.killed), func.sum(LossLine.injured))
            .join(LossLine, LossLine.incident_id == Incident.id)
            .join(AdminArea, AdminArea.id == Incident.admin1_id)
            .group_by(Incident.country_code, region, year, LossLine.species))
    losses = [(country, reg, int(yr), species, households, incidents, killed, injured)
              for country, reg, yr, species, households, incidents, killed, injured
              in db.session.execute(scope(base, Incident, user))]
    # A payment is converted at the rate of its day where it was paid, as on every page
    # that shows it: UTC's date is still the day before for hours each night in the range.
    query, zone = timezones.zone_sql(
        select().select_from(Claim).join(Incident, Incident.id == Claim.incident_id)
        .join(AdminArea, AdminArea.id == Claim.admin1_id), Claim)
    paid_day = func.date(timezones.local_time(Claim.paid_at, zone))
    money = db.session.execute(scope(
        query.add_columns(Claim.country_code, region, year.label("year"), Claim.currency,
                          paid_day, func.count(Claim.id),
                          func.sum(func.coalesce(Claim.amount_approved, 0)).filter(
                              Claim.paid_at.is_not(None)),
                          func.count(Claim.id).filter(Claim.paid_at.is_not(None)))
        .group_by(Claim.country_code, region, year, Claim.currency, paid_day),
        Claim, user)).all()
    # Every currency and payment day of a region and year adds up (before, the last
    # currency read replaced the others: claims and payouts went missing).
    groups: dict[tuple, dict] = defaultdict(
        lambda: {"claims": 0, "paid": 0, "currencies": set(), "payments": []})
    for country, reg, yr, currency, day, claims, paid, n_paid in money:
        group = groups[(country, reg, int(yr))]
        group["claims"] += claims
        group["paid"] += n_paid
        group["currencies"].add(currency)
        if n_paid:
            group["payments"].append((currency, day, Decimal(paid or 0)))
    return {"losses": losses, "groups": dict(groups)}
