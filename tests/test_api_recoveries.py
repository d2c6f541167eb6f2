"""Interim payments owed back through the API: the finance office lists those of its area
and records, as the payments page does, that the money came back or is waived; once, with
a note; other roles and areas are refused; nothing changes on a refusal."""

from __future__ import annotations

from decimal import Decimal

from conflict_app.claims import operations as ops
from conflict_app.core.audit import history
from conflict_app.extensions import db
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod, PaymentRecovery, RecoveryState
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes.params import SchemeKind
from tests import helpers, scheme_data


def _owed(world):
    """A claim paid its interim share after the assessment, then rejected."""
    scheme = scheme_data.scheme(world, "AM-INT", SchemeKind.COMPENSATION, interim_share="0.3")
    claim = helpers.assessed(world, killed=2)
    batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.CASH)
    pay.export_batch(world.finance, batch.id)
    pay.record_paid(world.finance, batch.live_items()[0].id, "CASH-1")
    ops.reject(claim.id, world.approver, helpers.reload(claim).version, "not a leopard")
    return scheme, helpers.reload(claim)


def test_finance_records_an_interim_that_came_back(app, world):
    scheme, claim = _owed(world)
    finance = scheme_data.client(app, world.finance)
    page = finance.get("/api/v1/payment-recoveries?state=open")
    assert page.status_code == 200, page.get_json()
    [owed] = page.get_json()["items"]
    assert (owed["claim_reference"], owed["scheme"], owed["currency"]) == \
        (claim.reference, "AM-INT", "AMD")
    assert Decimal(owed["amount"]) > 0 and owed["state"] == "open"
    disbursed = scheme_ops.budget(scheme).disbursed.amount
    url = f"/api/v1/payment-recoveries/{owed['id']}/settlement"
    done = finance.post(url, {"outcome": "recovered", "note": "Cash returned, receipt 17"},
                        headers={"Idempotency-Key": "recovery-1"})
    assert done.status_code == 200, done.get_json()
    assert (done.get_json()["state"], done.get_json()["note"]) == \
        ("recovered", "Cash returned, receipt 17")
    assert scheme_ops.budget(scheme).disbursed.amount == disbursed - Decimal(owed["amount"])
    assert "interim_recovered" in [e.action for e in history("claim", claim.id)]
    assert finance.get("/api/v1/payment-recoveries?state=open").get_json()["items"] == []
    twice = finance.post(url, {"outcome": "waived", "note": "again"})
    assert twice.status_code == 409
    assert twice.content_type == "application/problem+json"


def test_recoveries_are_the_finance_office_s(app, world):
    _scheme, _claim = _owed(world)
    recovery = db.session.query(PaymentRecovery).one()
    url = f"/api/v1/payment-recoveries/{recovery.id}/settlement"
    for user in (world.clerk, world.approver, world.manager):
        client = scheme_data.client(app, user)
        assert client.get("/api/v1/payment-recoveries").status_code == 403, user.email
        refused = client.post(url, {"outcome": "waived", "note": "x"})
        assert refused.status_code == 403, user.email
    finance = scheme_data.client(app, world.finance)
    for bad in ({"outcome": "kept", "note": "x"}, {"outcome": "waived", "note": " "},
                {"outcome": "waived"}, {"outcome": "waived", "note": "x", "amount": "1"}):
        response = finance.post(url, bad)
        assert response.status_code == 422, bad
        assert response.content_type == "application/problem+json"
    assert finance.get("/api/v1/payment-recoveries?state=lost").status_code == 400
    assert finance.post("/api/v1/payment-recoveries/999999/settlement",
                        {"outcome": "waived", "note": "x"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(PaymentRecovery, recovery.id).state is RecoveryState.OPEN
