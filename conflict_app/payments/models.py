"""Payment batches and their items. An item is paid at most once, enforced in the database."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from conflict_app.core import clock
from conflict_app.core.money import Money
from conflict_app.core.types import MONEY, UTCDateTime, enum_column
from conflict_app.extensions import db
from conflict_app.jobs.records import JobRecord


class PaymentMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    MOBILE_MONEY = "mobile_money"
    CASH = "cash"


class BatchState(StrEnum):
    OPEN = "open"  # items can be added and removed
    EXPORTED = "exported"  # the payment file was produced; results are being recorded
    CLOSED = "closed"  # every item is paid or failed


class ItemState(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    REMOVED = "removed"


class PaymentBatch(db.Model):
    __tablename__ = "payment_batch"
    __table_args__ = (Index("ix_payment_batch_scope", "country_code", "admin1_id", "admin2_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(24), unique=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    admin1_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    admin2_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    currency: Mapped[str] = mapped_column(String(3))
    scheme_id: Mapped[int | None] = mapped_column(ForeignKey("scheme.id"))
    method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod, "payment_method"))
    state: Mapped[BatchState] = mapped_column(enum_column(BatchState, "batch_state"))
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version}

    created_by = relationship("User", lazy="joined")
    items: Mapped[list[PaymentItem]] = relationship(
        back_populates="batch", order_by="PaymentItem.id"
    )

    def live_items(self) -> list[PaymentItem]:
        return [i for i in self.items if i.state != ItemState.REMOVED]

    def total(self) -> Money:
        return sum(
            (Money(i.amount, i.currency) for i in self.live_items()), Money.zero(self.currency)
        )


class PaymentItem(db.Model):
    __tablename__ = "payment_item"
    __table_args__ = (
        # A claim is in at most one pending-or-paid item of each part (the interim payment
        # and the final one): it cannot be paid twice, even when two requests race past the
        # application checks.
        Index(
            "uq_payment_item_live_claim_part",
            "claim_id",
            "part",
            unique=True,
            sqlite_where=text("state IN ('pending', 'paid')"),
            postgresql_where=text("state IN ('pending', 'paid')"),
        ),
        # An incentive payment, likewise, is in at most one pending-or-paid item.
        Index(
            "uq_payment_item_live_incentive",
            "incentive_payment_id",
            unique=True,
            sqlite_where=text("state IN ('pending', 'paid')"),
            postgresql_where=text("state IN ('pending', 'paid')"),
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
        # Each item pays either a claim or an incentive payment.
        CheckConstraint("(claim_id IS NULL) <> (incentive_payment_id IS NULL)",
                        name="one_payable"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batch.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"))
    incentive_payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("incentive_payment.id"))
    # "final": the approved amount (less any interim paid); "interim": the scheme's share paid
    # after the assessment, before the decision.
    part: Mapped[str] = mapped_column(String(8), default="final")
    amount: Mapped[Decimal] = mapped_column(MONEY)
    # Interest for late payment included in ``amount`` (scheme rule ``late_interest``).
    interest: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[ItemState] = mapped_column(enum_column(ItemState, "payment_item_state"))
    payment_reference: Mapped[str | None] = mapped_column(String(80))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    batch: Mapped[PaymentBatch] = relationship(back_populates="items")
    claim = relationship("Claim", lazy="joined")
    incentive = relationship("IncentivePayment", lazy="joined")

    @property
    def reference(self) -> str:
        """The claim's reference, or the incentive payment's."""
        return self.claim.reference if self.claim is not None else self.incentive.reference

    @property
    def household(self):  # noqa: ANN201 - a Household or None (a community is paid)
        return self.claim.household if self.claim is not None else self.incentive.household

    @property
    def located(self):  # noqa: ANN201 - what the item's jurisdiction is read from
        return self.claim if self.claim is not None else self.incentive.village

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class RecoveryState(StrEnum):
    OPEN = "open"  # the household owes the interim back
    RECOVERED = "recovered"  # the money came back: the scheme's disbursement goes down
    WAIVED = "waived"  # the scheme decided not to ask for it back (with a reason)
    OFFSET = "offset"  # the claim was approved after all: the interim counts towards it


class PaymentRecovery(db.Model):
    """An interim payment made on a claim that then ended unpaid (rejected, withdrawn, a
    duplicate): the scheme is owed it back, shown on the claim and the budget."""

    __tablename__ = "payment_recovery"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    payment_item_id: Mapped[int] = mapped_column(ForeignKey("payment_item.id"), unique=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[RecoveryState] = mapped_column(enum_column(RecoveryState, "recovery_state"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(Text)

    item: Mapped[PaymentItem] = relationship()
    settled_by = relationship("User")

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class ConfirmationRun(JobRecord, db.Model):
    """A large confirmation file and its outcome, for the page that follows its job."""

    __tablename__ = "confirmation_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batch.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    locale: Mapped[str] = mapped_column(String(16))  # the uploader's, for the outcome
    lines: Mapped[int] = mapped_column(default=0)
    text: Mapped[str | None] = deferred(mapped_column(Text))  # the file, until it is read
    counts: Mapped[dict | None] = mapped_column(JSON)  # paid, failed, unchanged
    problem: Mapped[str | None] = mapped_column(Text)  # why nothing was recorded

    batch = relationship("PaymentBatch")
