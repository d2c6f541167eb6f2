"""Creating and changing a scheme through the API: the scheme pages' operations and roles,
jurisdictions, If-Match, problem documents, nothing changed by a refused request."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from conflict_app.core.audit import AuditEntry
from conflict_app.core.errors import StaleObject
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes.models import Scheme
from conflict_app.schemes.params import SchemeKind
from tests import scheme_data

SCHEME = {"code": "am-new", "name": "Syunik compensation", "kind": "compensation",
          "country": "AM", "currency": "AMD", "valid_from": "2026-01-01",
          "budget": "5000000", "over_budget": "queue", "review_share": "0.25",
          "funders": "Example fund"}
SETTINGS = {"budget": "6000000.50", "over_budget": "refuse", "valid_to": "2030-12-31",
            "review_share": "0.1", "review_above": "500000", "funders": "Two funds",
            "closed": False}


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "scheme").order_by(AuditEntry.id))]


def _count():
    return db.session.scalar(select(func.count(Scheme.id)))


def test_manager_creates_and_changes_a_scheme(app, world):
    manager = scheme_data.client(app, world.manager)
    created = manager.post("/api/v1/schemes", {**SCHEME, "admin1_id": world.syunik.id},
                           headers={"Idempotency-Key": "scheme-1"})
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert (data["code"], data["province"], data["budget"]["allocated"]) == \
        ("AM-NEW", "Syunik", "5000000.00")
    assert data["version_in_force"] is None and data["over_budget"] == "queue"
    assert created.headers["ETag"] == f'"{data["etag"]}"'
    assert manager.post("/api/v1/schemes", {**SCHEME, "admin1_id": world.syunik.id},
                        headers={"Idempotency-Key": "scheme-1"}).get_json() == data
    url = f"/api/v1/schemes/{data['id']}"
    tag = manager.get(url).headers["ETag"]
    changed = manager.client.put(url, json=SETTINGS, headers={**manager.headers,
                                                              "If-Match": tag})
    assert changed.status_code == 200, changed.get_json()
    after = changed.get_json()
    assert (after["budget"]["allocated"], after["review_above"], after["valid_to"]) == \
        ("6000000.50", "500000.00", "2030-12-31")
    assert after["etag"] != data["etag"]
    assert _actions() == ["create_scheme", "update_scheme"]
    # Readers of the scheme page see it too, with the same tag.
    assert scheme_data.client(app, world.clerk).get(url).get_json()["etag"] == after["etag"]


def test_only_managers_of_the_whole_area_configure_schemes(app, world):
    made = scheme_data.scheme(world, "AM-COMP", SchemeKind.COMPENSATION)
    url = f"/api/v1/schemes/{made.id}"
    tag = scheme_data.client(app, world.manager).get(url).headers["ETag"]
    before = _count()
    for user in (world.clerk, world.supervisor, world.finance, world.approver):
        client = scheme_data.client(app, user)
        refused = client.post("/api/v1/schemes", SCHEME)
        assert refused.status_code == 403, user.email
        assert refused.content_type == "application/problem+json"
        assert client.client.put(url, json=SETTINGS, headers={
            **client.headers, "If-Match": tag}).status_code == 403, user.email
    # A province's manager may not create a country-wide scheme nor change one.
    province = world.user("manager@syunik.test", {Role.SCHEME_MANAGER}, "AM", world.syunik.id)
    local = scheme_data.client(app, province)
    assert local.post("/api/v1/schemes", SCHEME).status_code == 403
    assert local.client.put(url, json=SETTINGS, headers={
        **local.headers, "If-Match": tag}).status_code == 403
    # Another country's scheme does not exist for a Georgian manager.
    georgian = world.user("manager@ge.test", {Role.SCHEME_MANAGER}, "GE")
    assert scheme_data.client(app, georgian).get(url).status_code == 404
    assert _count() == before and _actions() == ["create_scheme"]


def test_bad_schemes_change_nothing(app, world):
    manager = scheme_data.client(app, world.manager)
    made = manager.post("/api/v1/schemes", SCHEME).get_json()
    before = _count()
    for bad in ({**SCHEME, "code": "AM NEW"}, {**SCHEME, "budget": 5000},
                {**SCHEME, "review_share": "1.5"}, {**SCHEME, "kind": "lottery"},
                {**SCHEME, "closed": True}, {k: v for k, v in SCHEME.items() if k != "name"}):
        refused = manager.post("/api/v1/schemes", {**bad, "code": "AM-OTHER"}
                               if bad.get("code") == SCHEME["code"] else bad)
        assert refused.status_code == 422, bad
        assert refused.content_type == "application/problem+json"
    # The operation's own rules: a code taken, a province of another country, dates.
    taken = manager.post("/api/v1/schemes", SCHEME)
    assert taken.status_code == 400 and taken.get_json()["errors"][0]["field"] == "code"
    assert manager.post("/api/v1/schemes", {**SCHEME, "code": "X",
                                            "admin1_id": world.kakheti.id}).status_code == 400
    backwards = manager.post("/api/v1/schemes", {**SCHEME, "code": "Y",
                                                 "valid_to": "2025-01-01"})
    assert backwards.get_json()["errors"][0]["field"] == "valid_to"
    assert _count() == before
    url = f"/api/v1/schemes/{made['id']}"
    tag = manager.get(url).headers["ETag"]
    for bad, status in (({**SETTINGS, "budget": "-1"}, 422), ({**SETTINGS, "closed": None}, 422),
                        ({k: v for k, v in SETTINGS.items() if k != "closed"}, 422),
                        ({**SETTINGS, "valid_to": "2020-01-01"}, 400)):
        refused = manager.client.put(url, json=bad, headers={**manager.headers,
                                                             "If-Match": tag})
        assert refused.status_code == status, bad
    assert manager.get(url).get_json()["budget"]["allocated"] == "5000000.00"
    assert _actions() == ["create_scheme"]


def test_a_change_from_an_old_copy_is_refused(app, world):
    manager = scheme_data.client(app, world.manager)
    made = manager.post("/api/v1/schemes", SCHEME).get_json()
    url = f"/api/v1/schemes/{made['id']}"
    old = manager.get(url).headers["ETag"]

    def put(body, tag=None):
        headers = {**manager.headers, **({"If-Match": tag} if tag else {})}
        return manager.client.put(url, json=body, headers=headers)

    assert put(SETTINGS).status_code == 428
    assert put(SETTINGS, old).status_code == 200
    stale = put({**SETTINGS, "budget": "1"}, old)
    assert stale.status_code == 412
    assert stale.content_type == "application/problem+json"
    assert manager.get(url).get_json()["budget"]["allocated"] == "6000000.50"
    assert _actions() == ["create_scheme", "update_scheme"]


def test_update_checks_the_tag_again_under_the_row_lock(app, world):
    made = scheme_data.scheme(world, "AM-COMP", SchemeKind.COMPENSATION)
    with pytest.raises(StaleObject):
        scheme_ops.update_scheme(world.manager, made.id, budget=Decimal(1), over_budget="refuse",
                                 valid_to=None, review_share=Decimal(0), review_above=None,
                                 funders=None, closed=True, expected="a tag read before")
    db.session.expire_all()
    assert db.session.get(Scheme, made.id).closed is False
