"""Payment files, one layout per method: a bank transfer needs the account (IBAN where the
country has them), mobile money the wallet and its provider, cash a line to sign. A payee
without the details its method needs is refused when the batch is made, so a file never
holds a line the bank or provider cannot pay."""

from __future__ import annotations

import csv
import io

from conflict_app.core.errors import N_, InvalidInput
from conflict_app.exports.tables import safe
from conflict_app.extensions import db
from conflict_app.herders.models import PayoutDetails
from conflict_app.payments.models import PaymentBatch, PaymentItem, PaymentMethod

COMMON = ("batch", "item", "claim_reference", "payee_name")
LAYOUTS: dict[PaymentMethod, tuple[str, ...]] = {
    PaymentMethod.BANK_TRANSFER: (*COMMON, "account_holder", "iban", "account_number",
                                  "bank_name", "amount", "currency", "method"),
    PaymentMethod.MOBILE_MONEY: (*COMMON, "wallet_number", "wallet_provider", "amount",
                                 "currency", "method"),
    PaymentMethod.CASH: (*COMMON, "phone", "village", "amount", "currency", "method",
                         "signature"),
}


def payee_name(item: PaymentItem) -> str:
    household = item.household
    if household is not None:
        return household.head_name
    return item.incentive.village.name  # a performance payment goes to the community


def payee_key(item: PaymentItem) -> tuple[str, int]:
    """Who receives the item: a household, or a community (its village)."""
    household = item.household
    if household is not None:
        return "household", household.id
    return "village", item.incentive.village_id


def details_for(items: list[PaymentItem]) -> dict[int, PayoutDetails]:
    ids = {i.household.id for i in items if i.household is not None}
    if not ids:
        return {}
    rows = db.session.query(PayoutDetails).filter(PayoutDetails.household_id.in_(ids))
    return {d.household_id: d for d in rows}


def check_payees(method: PaymentMethod, items: list[PaymentItem]) -> None:
    """Refuse a bank or mobile-money batch with a payee lacking the details it needs."""
    if method is PaymentMethod.CASH:
        return
    details = details_for(items)
    for item in items:
        household = item.household
        found = details.get(household.id) if household is not None else None
        if method is PaymentMethod.BANK_TRANSFER and (found is None or not found.account):
            raise InvalidInput(N_("%(payee)s (%(reference)s) has no bank account on file: "
                                  "add it on the household's page, or pay in cash."),
                               field="method", payee=payee_name(item),
                               reference=item.reference)
        if method is PaymentMethod.MOBILE_MONEY and (found is None or not found.wallet_number):
            raise InvalidInput(N_("%(payee)s (%(reference)s) has no mobile-money wallet on "
                                  "file: add it on the household's page, or pay in cash."),
                               field="method", payee=payee_name(item),
                               reference=item.reference)


def _line(batch: PaymentBatch, item: PaymentItem, found: PayoutDetails | None) -> dict:
    household = item.household
    village = household.village if household is not None else item.incentive.village
    return {
        "batch": batch.reference, "item": item.id, "claim_reference": item.reference,
        "payee_name": payee_name(item), "amount": str(item.amount), "currency": item.currency,
        "method": batch.method.value, "phone": household.phone if household else "",
        "village": village.name, "signature": "",
        "account_holder": (found.account_holder if found else None) or payee_name(item),
        "iban": (found.iban if found else None) or "",
        "account_number": (found.bank_account if found else None) or "",
        "bank_name": (found.bank_name if found else None) or "",
        "wallet_number": (found.wallet_number if found else None) or "",
        "wallet_provider": (found.wallet_provider if found else None) or "",
    }


def payment_file(batch: PaymentBatch) -> str:
    """The CSV handed to the bank, the mobile-money provider or the cashier."""
    columns = LAYOUTS[batch.method]
    items = batch.live_items()
    details = details_for(items)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for item in items:
        household = item.household
        line = _line(batch, item, details.get(household.id) if household else None)
        writer.writerow([safe(line[c]) for c in columns])
    return out.getvalue()


def payout_hints(batch: PaymentBatch) -> dict[int, str]:
    """Per item, where it is paid, masked to the last four characters (for the batch page:
    the full number is only in the payment file)."""
    if batch.method is PaymentMethod.CASH:
        return {}
    items = batch.live_items()
    details = details_for(items)
    hints = {}
    for item in items:
        found = details.get(item.household.id) if item.household is not None else None
        if found is None:
            continue
        value = (found.account if batch.method is PaymentMethod.BANK_TRANSFER
                 else found.wallet_number)
        hints[item.id] = PayoutDetails.masked(value)
    return hints
