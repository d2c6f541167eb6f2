"""Payout details of a household: the bank account or IBAN and the mobile-money wallet that
payment files pay into. Checked when entered (IBAN checksum, a mobile number of the
household's country), so a payment file never carries a number the bank refuses."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

import phonenumbers
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from schwifty.registry import get_iban_spec

from conflict_app.auth.models import User
from conflict_app.core import audit, clock, inputs
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied, StaleObject
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.herders.models import Household, PayoutDetails
from conflict_app.herders.operations import _country_name

EDITORS = (Role.CLERK, Role.SUPERVISOR)
_ACCOUNT = re.compile(r"^[0-9A-Z]{6,34}$")
_MOBILE = {phonenumbers.PhoneNumberType.MOBILE,
           phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


@dataclass
class PayoutInput:
    account_holder: str | None = None
    iban: str | None = None
    bank_account: str | None = None
    bank_name: str | None = None
    wallet_number: str | None = None
    wallet_provider: str | None = None


def uses_iban(country: str) -> bool:
    """Whether banks of the country number accounts by IBAN."""
    try:
        get_iban_spec(country.upper())
    except (KeyError, SchwiftyException):
        return False
    return True


def _compact(text: str | None) -> str:
    return re.sub(r"[\s\-.]", "", inputs.clean(text) or "").upper()


def check_iban(text: str | None, country: str) -> str | None:
    raw = _compact(text)
    if not raw:
        return None
    try:
        iban = IBAN(raw)
    except SchwiftyException:
        raise InvalidInput(N_("This IBAN is not valid: check it against the bank's papers "
                              "(its check digits do not match)."), field="iban") from None
    if iban.country_code != country.upper():
        raise InvalidInput(N_("Enter an IBAN of a bank in the household's country."),
                           field="iban")
    return iban.compact


def check_wallet(text: str | None, country: str) -> str | None:
    try:
        number = inputs.parse_phone(text, country)
    except inputs.PhoneError:
        number = "invalid"
    if number is None:
        return None
    parsed = None if number == "invalid" else phonenumbers.parse(number)
    if parsed is None or phonenumbers.region_code_for_number(parsed) != country.upper() or \
            phonenumbers.number_type(parsed) not in _MOBILE:
        raise InvalidInput(N_("Enter the wallet's mobile number in %(country)s, for example "
                              "%(example)s."), field="wallet_number",
                           country=_country_name(country),
                           example=inputs.example_phone(country))
    return number


def validate(data: PayoutInput, country: str) -> dict[str, str | None]:
    iban = check_iban(data.iban, country)
    account = _compact(data.bank_account) or None
    if account is not None:
        if uses_iban(country):
            raise InvalidInput(N_("Banks in this country use IBANs: enter the IBAN."),
                               field="bank_account")
        if not _ACCOUNT.match(account):
            raise InvalidInput(N_("Enter the account number: 6 to 34 letters and digits."),
                               field="bank_account")
    values = {
        "account_holder": (inputs.clean(data.account_holder) or "").strip()[:160] or None,
        "iban": iban, "bank_account": account,
        "bank_name": (inputs.clean(data.bank_name) or "").strip()[:120] or None,
        "wallet_number": check_wallet(data.wallet_number, country),
        "wallet_provider": (inputs.clean(data.wallet_provider) or "").strip()[:60] or None,
    }
    if values["wallet_number"] and not values["wallet_provider"]:
        raise InvalidInput(N_("Name the mobile-money provider of the wallet."),
                           field="wallet_provider")
    return values


def details_of(household_id: int) -> PayoutDetails | None:
    return db.session.query(PayoutDetails).filter_by(household_id=household_id).one_or_none()


FIELDS = ("account_holder", "iban", "bank_account", "bank_name", "wallet_number",
          "wallet_provider")


def fingerprint(household_id: int, details: PayoutDetails | None) -> str:
    """The details as recorded (or their absence), as an entity tag: a change made from an
    old copy can be refused. A digest of account numbers: only for the roles that see them."""
    values = [getattr(details, name) for name in FIELDS] if details is not None else None
    text = json.dumps([household_id, values], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def save(actor: User, household: Household, data: PayoutInput,
         expected: str | None = None) -> PayoutDetails:
    """Record where the household is paid; the audit log keeps which fields changed, never
    the numbers themselves. ``expected``: the fingerprint the change was made from; when the
    details changed meanwhile nothing is saved."""
    if not actor.has_role(*EDITORS):
        raise PermissionDenied(N_("Your role may not do this."))
    if not covers(actor, household):
        raise PermissionDenied(N_("This household is outside your jurisdiction."))
    values = validate(data, household.country_code)
    with unit_of_work():
        # The household's row serialises changes, the first one that creates the row too.
        db.session.get(Household, household.id, with_for_update={"of": Household})
        details = db.session.scalars(
            db.select(PayoutDetails).filter_by(household_id=household.id)
            .with_for_update(of=PayoutDetails).execution_options(populate_existing=True)
        ).one_or_none()
        if expected is not None and fingerprint(household.id, details) != expected:
            raise StaleObject(N_("Someone else changed this record at the same time. "
                                 "Nothing was saved; please look at it again."))
        if details is None:
            details = PayoutDetails(household_id=household.id)
            db.session.add(details)
        changed = sorted(k for k, v in values.items() if getattr(details, k) != v)
        for key, value in values.items():
            setattr(details, key, value)
        details.updated_at = clock.now()
        details.updated_by_id = actor.id
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="household", object_id=household.id,
                     action="payout_details", changes={"fields": changed})
    return details
