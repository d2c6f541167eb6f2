"""Funds that feed scheme budgets (issue 19, part 6): an endowment, whose principal is never
spent and whose income is allocated (as Bhutan's Gewog Environmental Conservation Fund), or a
pooled fund, whose whole balance can be allocated. Each has an append-only ledger; a
scheme's budget shows which fund allocations it came from."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, event, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conflict_app.core import clock
from conflict_app.core.money import Money
from conflict_app.core.types import MONEY, UTCDateTime, enum_column
from conflict_app.extensions import db


class FundKind(StrEnum):
    ENDOWMENT = "endowment"  # only the income is allocated; the principal is kept
    POOLED = "pooled"  # the whole balance can be allocated


class EntryKind(StrEnum):
    CONTRIBUTION = "contribution"  # from a named donor, into the principal
    INCOME = "income"  # investment income or interest earned in a period
    ALLOCATION = "allocation"  # to a scheme's budget
    RETURN = "return"  # unspent allocation given back by a scheme
    ADJUSTMENT = "adjustment"  # a correction, always with its reason


class Pot(StrEnum):
    """Which part of the fund an entry moves: an endowment spends only its income."""

    PRINCIPAL = "principal"
    INCOME = "income"


class Fund(db.Model):
    __tablename__ = "fund"
    __table_args__ = (Index("ix_fund_scope", "country_code", "admin1_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[FundKind] = mapped_column(enum_column(FundKind, "fund_kind"))
    currency: Mapped[str] = mapped_column(String(3))
    # The owning office: a country, or one province of it; it may feed the schemes there.
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    admin1_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    description: Mapped[str | None] = mapped_column(Text)
    example: Mapped[bool] = mapped_column(default=False)  # demo data, labelled as such
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    country = relationship("Country", lazy="joined")
    admin1 = relationship("AdminArea", lazy="joined")

    def money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency)


class FundEntry(db.Model):
    """One movement of a fund, signed as it changes the balance. Never changed or deleted:
    a mistake is corrected by an adjustment with its reason."""

    __tablename__ = "fund_entry"
    __table_args__ = (
        Index("ix_fund_entry_fund", "fund_id", "id"),
        CheckConstraint(
            "(kind IN ('contribution', 'income', 'return') AND amount > 0)"
            " OR (kind = 'allocation' AND amount < 0)"
            " OR (kind = 'adjustment' AND amount <> 0)", name="signed_amount"),
        CheckConstraint("(kind IN ('allocation', 'return')) = (scheme_id IS NOT NULL)",
                        name="scheme_for_allocations"),
        CheckConstraint("period_to IS NULL OR period_from IS NULL OR period_to >= period_from",
                        name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind, "fund_entry_kind"))
    pot: Mapped[Pot] = mapped_column(enum_column(Pot, "fund_pot"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    booked_on: Mapped[date] = mapped_column(Date)  # the day the money moved
    donor: Mapped[str | None] = mapped_column(String(160))
    period_from: Mapped[date | None] = mapped_column(Date)  # income: the period earned
    period_to: Mapped[date | None] = mapped_column(Date)
    scheme_id: Mapped[int | None] = mapped_column(ForeignKey("scheme.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)  # an adjustment's reason
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    fund: Mapped[Fund] = relationship()
    scheme = relationship("Scheme", lazy="joined")
    created_by = relationship("User", lazy="joined")

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


@event.listens_for(FundEntry, "before_update")
@event.listens_for(FundEntry, "before_delete")
def _append_only(_mapper, _connection, entry: FundEntry) -> None:  # noqa: ANN001
    raise RuntimeError(f"fund entry {entry.id} is append-only")


def funded(scheme_id: int) -> Decimal:
    """What funds have put into a scheme's budget, net of returns: the part of the budget a
    manager may not edit away (it goes back to its fund as a return)."""
    return -Decimal(db.session.scalar(select(func.coalesce(func.sum(FundEntry.amount), 0))
                                      .where(FundEntry.scheme_id == scheme_id)))
