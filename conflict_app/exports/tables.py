"""Claims and payments as tables (CSV or XLSX), inside the user's jurisdiction.

Rows are streamed from the database in batches; cells that a spreadsheet would run as a
formula are neutralised.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from conflict_app.claims.models import Claim, Incident, LossLine
from conflict_app.core.permissions import scope
from conflict_app.extensions import db
from conflict_app.geo.models import Village
from conflict_app.herders.models import Household
from conflict_app.payments.models import PaymentBatch, PaymentItem
from conflict_app.schemes.models import IncentivePayment, Scheme

CLAIM_COLUMNS = ("reference", "state", "scheme", "country", "household", "phone", "village",
                 "incident_date", "reported_at", "late_report", "heads_killed",
                 "heads_injured", "amount_approved", "currency", "decided_at", "paid_at")
PAYMENT_COLUMNS = ("batch", "batch_state", "method", "claim_reference", "part", "payee",
                   "phone", "amount", "interest", "currency", "item_state",
                   "payment_reference", "recorded_at")


_NUMBER = re.compile(r"^[+-]?[0-9][0-9 .]*$")


def safe(value: object) -> object:
    """Spreadsheets run cells starting with = + - @ as formulas: quote them (a phone
    number or a signed amount stays as it is)."""
    if (isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}
            and not _NUMBER.match(value)):
        return "'" + value
    return value


def claim_rows(user, batch: int = 2000) -> Iterator[tuple]:  # noqa: ANN001
    """One row per claim of the user's jurisdiction, read in one statement: the loss
    lines are summed by the database and the incident, village and scheme joined, so a
    province of half a million claims streams at the speed of the database, not at one
    statement per claim."""
    losses = (select(LossLine.incident_id, func.sum(LossLine.killed).label("killed"),
                     func.sum(LossLine.injured).label("injured"))
              .group_by(LossLine.incident_id).subquery())
    query = (scope(select(Claim.reference, Claim.state, Scheme.code, Claim.country_code,
                          Household.head_name, Household.phone, Village.name,
                          Incident.occurred_on, Claim.reported_at, Claim.late_report,
                          losses.c.killed, losses.c.injured, Claim.amount_approved,
                          Claim.currency, Claim.decided_at, Claim.paid_at)
                   .join(Household, Claim.household_id == Household.id)
                   .join(Incident, Claim.incident_id == Incident.id)
                   .join(Village, Incident.village_id == Village.id)
                   .outerjoin(Scheme, Claim.scheme_id == Scheme.id)
                   .outerjoin(losses, losses.c.incident_id == Incident.id), Claim, user)
             .order_by(Claim.id).execution_options(yield_per=batch))
    for (reference, state, scheme, country, name, phone, village, occurred_on, reported_at,
         late, killed, injured, amount, currency, decided_at, paid_at) in db.session.execute(
            query):
        yield (reference, state.value, scheme or "", country, name, phone, village,
               occurred_on.isoformat(), reported_at.isoformat(), late, int(killed or 0),
               int(injured or 0), str(amount) if amount is not None else "", currency,
               decided_at.isoformat() if decided_at else "",
               paid_at.isoformat() if paid_at else "")


def payment_rows(user, batch: int = 500) -> Iterator[tuple]:  # noqa: ANN001
    """Items of the batches of the user's jurisdiction: claims and incentive payments. The
    payee's bank account or wallet is never in it (only the payment file carries them)."""
    query = (scope(select(PaymentItem, PaymentBatch)
                   .join(PaymentBatch, PaymentItem.batch_id == PaymentBatch.id),
                   PaymentBatch, user)
             .options(joinedload(PaymentItem.claim).joinedload(Claim.household),
                      joinedload(PaymentItem.incentive).joinedload(IncentivePayment.household),
                      joinedload(PaymentItem.incentive).joinedload(IncentivePayment.village))
             .order_by(PaymentItem.id).execution_options(yield_per=batch))
    for item, pbatch in db.session.execute(query):
        household = item.household
        payee = household.head_name if household else item.incentive.village.name
        yield (pbatch.reference, pbatch.state.value, pbatch.method.value, item.reference,
               item.part, payee, household.phone if household else "", str(item.amount),
               str(item.interest or 0), item.currency,
               item.state.value, item.payment_reference or "",
               item.recorded_at.isoformat() if item.recorded_at else "")


def as_csv(columns: tuple[str, ...], rows: Iterator[tuple]) -> Iterator[str]:
    """Stream CSV text: header first, then one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe(v) for v in row])
        yield buffer.getvalue()


def as_xlsx(columns: tuple[str, ...], rows: Iterator[tuple], title: str) -> bytes:
    """A workbook written in write-only mode, so memory stays flat for long tables."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(list(columns))
    for row in rows:
        sheet.append([safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
