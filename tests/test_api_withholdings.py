"""Withholding a community's incentive payments through the API after a retaliatory
killing, and deciding its appeal: the scheme page's operations, the same roles, audited;
an appeal decided from an old copy is refused (412) and changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from conflict_app.core import clock
from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db
from conflict_app.schemes import incentives
from conflict_app.schemes.models import IncentivePayment, Withholding
from conflict_app.schemes.params import SchemeKind
from tests import scheme_data
from tests.test_api import api  # noqa: F401


@pytest.fixture
def reward(world):
    clock.freeze(scheme_data.START)
    try:
        scheme = scheme_data.scheme(world, "AM-INC", SchemeKind.INCENTIVE, budget="100000")
        incentives.record_presence(world.verifier, scheme.id, world.shikahogh.id,
                                   "occasional", date(2026, 2, 1), "camera trap")
        [payment] = incentives.compute_performance(world.manager, scheme.id, 2026)
        yield scheme, payment
    finally:
        clock.freeze(None)


def _state(payment_id: int) -> str:
    db.session.expire_all()
    return db.session.get(IncentivePayment, payment_id).state


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.object_type == "withholding", AuditEntry.action == action))


def test_withholding_holds_payments_and_an_upheld_appeal_releases_them(world, api,  # noqa: F811
                                                                       reward):
    scheme, payment = reward
    manager = api(world.manager)
    url = f"/api/v1/schemes/{scheme.id}/withholdings"
    made = manager.post(url, json={"village_id": world.shikahogh.id, "noticed_on": "2026-03-01",
                                   "reason": "poisoned carcass found"})
    assert made.status_code == 201, made.get_data(as_text=True)
    held = made.get_json()
    assert held["state"] == "active" and held["village"] == world.shikahogh.name
    assert made.headers["ETag"] == f'"{held["etag"]}"'
    assert _state(payment.id) == "withheld" and _audits("withhold") == 1
    # Clerks read what the scheme page shows them; managers of the scheme decide.
    page = api(world.clerk).get(url).get_json()
    assert [w["id"] for w in page["items"]] == [held["id"]] and page["next_cursor"] is None
    one = api(world.clerk).get(f"/api/v1/withholdings/{held['id']}")
    assert one.status_code == 200 and one.headers["ETag"] == made.headers["ETag"]

    appeal = f"/api/v1/withholdings/{held['id']}/appeal"
    assert manager.post(appeal, json={"reason": "x", "upheld": True}).status_code == 428
    dismissed = manager.post(appeal, json={"reason": "the killing is confirmed",
                                           "upheld": False},
                             headers={"If-Match": made.headers["ETag"]})
    assert dismissed.status_code == 200, dismissed.get_data(as_text=True)
    assert dismissed.get_json()["state"] == "active"
    assert dismissed.get_json()["appeal"] == "the killing is confirmed"
    assert _audits("appeal_dismissed") == 1
    # The same old tag again: the withholding changed since it was read.
    stale = manager.post(appeal, json={"reason": "not in the village", "upheld": True},
                         headers={"If-Match": made.headers["ETag"]})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert _state(payment.id) == "withheld" and _audits("lifted") == 0
    lifted = manager.post(appeal, json={"reason": "not in the village", "upheld": True},
                          headers={"If-Match": dismissed.headers["ETag"]})
    assert lifted.status_code == 200
    assert lifted.get_json()["state"] == "lifted" and lifted.get_json()["closed_on"]
    assert _state(payment.id) == "approved" and _audits("lifted") == 1
    ended = manager.post(appeal, json={"reason": "again", "upheld": True},
                         headers={"If-Match": lifted.headers["ETag"]})
    assert ended.status_code == 400 and "already ended" in ended.get_json()["title"]


def test_refused_withholdings_change_nothing(world, api, reward):  # noqa: F811
    scheme, payment = reward
    url = f"/api/v1/schemes/{scheme.id}/withholdings"
    body = {"village_id": world.shikahogh.id, "noticed_on": "2026-03-01", "reason": "poison"}
    for user in (world.clerk, world.finance, world.verifier):
        response = api(user).post(url, json=body)
        assert response.status_code == 403, user.email
        assert response.mimetype == "application/problem+json"
    manager = api(world.manager)
    for change, status in (({"village_id": world.samreklo.id}, 400),  # another country
                           ({"reason": " "}, 422), ({"village_id": 0}, 422),
                           ({"noticed_on": "1 March"}, 422), ({"colour": "red"}, 422)):
        response = manager.post(url, json={**body, **change})
        assert response.status_code == status, (change, response.get_data(as_text=True))
        assert response.mimetype == "application/problem+json"
    assert db.session.scalar(select(func.count(Withholding.id))) == 0
    assert _state(payment.id) == "approved"
    compensation = scheme_data.scheme(world, "AM-COMP", SchemeKind.COMPENSATION)
    assert manager.post(f"/api/v1/schemes/{compensation.id}/withholdings",
                        json=body).status_code == 404
    assert manager.get("/api/v1/withholdings/999").status_code == 404
    # A decided withholding is not decided by a clerk, nor seen outside the jurisdiction.
    item = incentives.withhold(world.manager, scheme.id, world.shikahogh.id, "poison",
                               date(2026, 3, 1))
    tag = f'"{incentives.withholding_fingerprint(item)}"'
    refused = api(world.clerk).post(f"/api/v1/withholdings/{item.id}/appeal",
                                    json={"reason": "r", "upheld": True},
                                    headers={"If-Match": tag})
    assert refused.status_code == 403
    assert api(world.ge_clerk).get(f"/api/v1/withholdings/{item.id}").status_code == 404
    assert api(world.other_clerk).get(url).get_json()["items"] == []
    assert _state(payment.id) == "withheld"
