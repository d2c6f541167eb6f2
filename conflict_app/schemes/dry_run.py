"""Trying a (draft) rule version on the claims of a period before publishing it: what each
would have been, next to what it was. Nothing is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from conflict_app.auth.models import User
from conflict_app.claims.models import Claim, Incident
from conflict_app.core.errors import N_, InvalidInput
from conflict_app.core.money import Money
from conflict_app.extensions import db
from conflict_app.i18n import number
from conflict_app.schemes.models import RuleVersion
from conflict_app.schemes.operations import require_manager


@dataclass(frozen=True)
class DryRunRow:
    claim: Claim
    before: Money
    after: Money | None
    problem: str | None  # a refusal (msgid) the draft would give


def dry_run(actor: User, version_id: int, start: date, end: date) -> list[DryRunRow]:
    """What the claims of a period would have been under a (draft) rule version, next to
    what they were. Nothing is stored."""
    from conflict_app.claims.operations import latest_assessment, latest_report
    from conflict_app.schemes import engine

    version = db.session.get(RuleVersion, version_id)
    if version is None:
        raise InvalidInput(N_("No such rule version."))
    require_manager(actor, version.scheme.country_code, version.scheme.admin1_id)
    if end < start:
        raise InvalidInput(N_("The end date is before the start date."), field="end")
    in_period = (select(Claim).join(Incident, Claim.incident_id == Incident.id).where(
        Claim.scheme_id == version.scheme_id, Incident.occurred_on >= start,
        Incident.occurred_on <= end))
    # Every claim is valued again here, in the request: a year of a range-wide scheme took
    # minutes and ended in the worker's timeout.
    found = db.session.scalar(select(func.count()).select_from(in_period.subquery()))
    limit = current_app.config["DRY_RUN_MOST_CLAIMS"]
    if found > limit:
        raise InvalidInput(N_("The period holds %(count)s claims of this scheme; a dry run "
                              "values at most %(limit)s. Choose a shorter period."),
                           field="start", count=number(found), limit=number(limit))
    claims = db.session.scalars(in_period.order_by(Incident.occurred_on, Claim.id)).all()
    rows = []
    for claim in claims:
        assessment = latest_assessment(claim.id)
        report = latest_report(claim.id)
        if assessment is None or report is None:
            continue
        try:
            result, _ = engine.value(claim, report, version)
        except InvalidInput as err:
            rows.append(DryRunRow(claim, assessment.total_money, None, err.translated()))
        else:
            rows.append(DryRunRow(claim, assessment.total_money, result.total, None))
    return rows
