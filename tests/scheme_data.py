"""Schemes of every kind with their payments, built through the real operations, for the API
tests of schemes, payments and documents: a compensation claim in a batch, an insurance
pool settled pro rata and its claim in a batch, a community's performance payment and a
household's agreement instalment in a batch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from conflict_app.api import tokens
from conflict_app.core import clock
from conflict_app.herders.models import Species
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentBatch, PaymentMethod
from conflict_app.schemes import agreements, incentives, insurance, params
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes.models import IncentivePayment, Scheme
from conflict_app.schemes.params import SchemeKind
from tests import helpers

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Schemes:
    compensation: Scheme
    insurance: Scheme
    incentive: Scheme
    claim_batch: PaymentBatch
    insurance_batch: PaymentBatch
    incentive_batch: PaymentBatch
    claim: object
    insured_claim: object
    performance: IncentivePayment
    instalment: IncentivePayment


def scheme(world, code, kind, admin1_id=None, budget="1000000", **values) -> Scheme:
    made = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        code, f"{code} scheme", kind, "AM", admin1_id, "AMD", "Example fund",
        Decimal(budget), "refuse", date(2026, 1, 1), None, Decimal(0), None))
    version = scheme_ops.add_version(world.manager, made.id, date(2026, 1, 1),
                                     {**params.defaults(kind), **values}, "first version")
    scheme_ops.publish_version(world.manager, version.id)
    return made


def build(world) -> Schemes:
    """Everything, with the clock frozen at START and moved on 40 days (the caller
    unfreezes)."""
    clock.freeze(START)
    compensation = scheme(world, "AM-COMP", SchemeKind.COMPENSATION)
    cover = scheme(world, "AM-INS", SchemeKind.INSURANCE, admin1_id=world.syunik.id,
                   budget="0", waiting_days="30")
    reward = scheme(world, "AM-INC", SchemeKind.INCENTIVE, budget="100000")
    insured = helpers.household(world, name="Insured Household")
    enrolment = insurance.enrol(world.clerk, cover.id, insured.id, date(2026, 3, 2),
                                date(2027, 3, 2), [insurance.InsuredLine(
                                    Species.SHEEP, 50, Decimal(60000))], True)
    insurance.record_premium(world.finance, enrolment.id, date(2026, 3, 2))
    incentives.record_presence(world.verifier, reward.id, world.shikahogh.id, "occasional",
                               date(2026, 2, 1), "camera trap")
    [performance] = incentives.compute_performance(world.manager, reward.id, 2026)
    signed = agreements.sign(world.manager, reward.id, None, insured.id, agreements.Terms(
        signed_on=date(2026, 2, 1), term_years=2, amount=Decimal("750.25"),
        milestones=["guard_dog"]))
    agreements.verify_milestone(world.verifier, signed.milestones[0].id, date(2026, 2, 20),
                                "a guard dog with the flock")
    instalment = signed.instalments[0].payment

    clock.freeze(START + timedelta(days=40))
    claim = helpers.approved(world, hh=helpers.household(world, name="Compensated"))
    insured_claim = helpers.approved(world, hh=insured, killed=2)
    assert claim.scheme_id == compensation.id and insured_claim.scheme_id == cover.id
    insurance.settle(world.finance, cover.id, date(2026, 3, 1), date(2026, 12, 31))
    claim_batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.CASH)
    insurance_batch = pay.create_batch(world.finance, [insured_claim.id], PaymentMethod.CASH)
    incentive_batch = pay.create_batch(world.finance, [], PaymentMethod.CASH,
                                       [performance.id, instalment.id])
    return Schemes(compensation, cover, reward, claim_batch, insurance_batch, incentive_batch,
                   claim, insured_claim, performance, instalment)


def client(app, user, scopes=None):
    """A JSON client with a fresh token of ``user`` (every scope it may hold by default)."""

    class Client:
        def __init__(self) -> None:
            _token, secret = tokens.issue(user, "tests",
                                          scopes or tokens.allowed_scopes(user))
            self.headers = {"Authorization": f"Bearer {secret}"}
            self.client = app.test_client()

        def get(self, url, headers=None):
            return self.client.get(url, headers={**self.headers, **(headers or {})})

        def post(self, url, json=None, headers=None):
            return self.client.post(url, json=json,
                                    headers={**self.headers, **(headers or {})})

    return Client()
