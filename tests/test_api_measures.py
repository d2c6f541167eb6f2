"""Mitigation measures through the API: the household page's operations, jurisdictions,
ETags and If-Match, money as decimal strings, problem documents."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from conflict_app.api import tokens
from conflict_app.core import clock
from conflict_app.core.audit import AuditEntry
from conflict_app.core.errors import StaleObject
from conflict_app.extensions import db
from conflict_app.mitigation import operations as mitigation_ops
from conflict_app.mitigation.models import Measure, MeasureType
from tests import helpers


class Client:
    def __init__(self, app, user):
        _token, secret = tokens.issue(user, "tests", tokens.allowed_scopes(user))
        self.headers = {"Authorization": f"Bearer {secret}"}
        self.client = app.test_client()

    def get(self, url, headers=None):
        return self.client.get(url, headers={**self.headers, **(headers or {})})

    def post(self, url, json, headers=None):
        return self.client.post(url, json=json, headers={**self.headers, **(headers or {})})

    def put(self, url, json, headers=None):
        return self.client.put(url, json=json, headers={**self.headers, **(headers or {})})


@pytest.fixture
def api(app, world):
    return lambda user: Client(app, user)


def measure_body(household_id, **extra):
    return {"household_id": household_id, "measure": "corral",
            "installed_on": (clock.today() - timedelta(days=30)).isoformat(),
            "cost": "1250.50", "currency": "AMD", "funder": "WWF Armenia", **extra}


def audit_of(measure_id):
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "measure", AuditEntry.object_id == measure_id)
        .order_by(AuditEntry.id)).all()


def test_clerk_records_a_measure_with_money_as_a_string(world, api):
    household = helpers.household(world)
    clerk = api(world.clerk)
    response = clerk.post("/api/v1/measures", measure_body(household.id))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["cost"] == "1250.50"
    assert data["currency"] == "AMD"
    assert data["measure"] == "corral"
    assert response.headers["ETag"] == f'"{data["etag"]}"'
    assert response.headers["Location"] == f"/api/v1/measures/{data['id']}"
    assert [e.action for e in audit_of(data["id"])] == ["record_measure"]
    read = clerk.get(f"/api/v1/measures/{data['id']}")
    assert read.status_code == 200
    assert read.get_json() == data
    assert read.headers["ETag"] == response.headers["ETag"]


def test_domain_rules_answer_problem_documents_and_change_nothing(world, api):
    household = helpers.household(world)
    clerk = api(world.clerk)
    future = (clock.today() + timedelta(days=3)).isoformat()
    bad = clerk.post("/api/v1/measures", measure_body(household.id, installed_on=future))
    assert bad.status_code == 400
    assert bad.mimetype == "application/problem+json"
    assert bad.get_json()["errors"][0]["field"] == "installed_on"
    no_currency = clerk.post("/api/v1/measures", measure_body(household.id, currency=None))
    assert no_currency.status_code == 400
    as_float = clerk.post("/api/v1/measures", measure_body(household.id, cost=1250.5))
    assert as_float.status_code == 422
    assert as_float.mimetype == "application/problem+json"
    assert db.session.scalars(select(Measure)).all() == []


def test_clerk_of_another_province_cannot_see_or_touch_the_measure(world, api):
    household = helpers.household(world)
    created = api(world.clerk).post("/api/v1/measures", measure_body(household.id))
    measure_id = created.get_json()["id"]
    outsider = api(world.other_clerk)
    response = outsider.get(f"/api/v1/measures/{measure_id}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    update = outsider.put(f"/api/v1/measures/{measure_id}",
                          {"measure": "light", "installed_on": clock.today().isoformat()},
                          headers={"If-Match": created.headers["ETag"]})
    assert update.status_code == 404
    assert outsider.get("/api/v1/measures").get_json()["items"] == []
    assert outsider.post("/api/v1/measures",
                         measure_body(household.id)).status_code == 404
    assert len(audit_of(measure_id)) == 1


def test_update_needs_the_current_etag(world, api):
    household = helpers.household(world)
    clerk = api(world.clerk)
    created = clerk.post("/api/v1/measures", measure_body(household.id))
    url = f"/api/v1/measures/{created.get_json()['id']}"
    first_tag = created.headers["ETag"]
    change = {"measure": "corral", "installed_on": created.get_json()["installed_on"],
              "cost": "1300", "currency": "AMD", "funder": "WWF Armenia"}

    missing = clerk.put(url, change)
    assert missing.status_code == 428
    assert missing.mimetype == "application/problem+json"

    updated = clerk.put(url, change, headers={"If-Match": first_tag})
    assert updated.status_code == 200, updated.get_json()
    assert updated.get_json()["cost"] == "1300.00"
    assert updated.headers["ETag"] != first_tag

    # A second client still holding the first ETag: refused, nothing saved.
    stale = clerk.put(url, {**change, "cost": "9999.99"}, headers={"If-Match": first_tag})
    assert stale.status_code == 412
    assert stale.mimetype == "application/problem+json"
    assert clerk.get(url).get_json()["cost"] == "1300.00"
    actions = [(e.action, e.changes) for e in audit_of(created.get_json()["id"])]
    assert [a for a, _ in actions] == ["record_measure", "update_measure"]
    assert "1300.00" in actions[1][1]


def test_conditional_get_and_role_rules(world, api):
    household = helpers.household(world)
    clerk = api(world.clerk)
    created = clerk.post("/api/v1/measures", measure_body(household.id))
    url = f"/api/v1/measures/{created.get_json()['id']}"
    assert clerk.get(url, headers={"If-None-Match": created.headers["ETag"]}).status_code == 304
    analyst = api(world.analyst)
    assert analyst.get(url).status_code == 403
    assert analyst.post("/api/v1/measures", measure_body(household.id)).status_code in (403,
                                                                                         404)


def test_list_filters_and_cursor(world, api):
    first = helpers.household(world)
    second = helpers.household(world, name="Narek Hakobyan")
    clerk = api(world.clerk)
    today = clock.today()
    for household, kind, days in ((first, "corral", 200), (first, "guard_dog", 100),
                                  (second, "corral", 10)):
        assert clerk.post("/api/v1/measures", measure_body(
            household.id, measure=kind,
            installed_on=(today - timedelta(days=days)).isoformat())).status_code == 201

    def ids(query):
        response = clerk.get(f"/api/v1/measures?{query}")
        assert response.status_code == 200, response.get_json()
        return [(m["household_id"], m["measure"]) for m in response.get_json()["items"]]

    assert ids(f"household_id={first.id}") == [(first.id, "guard_dog"), (first.id, "corral")]
    assert ids("measure=corral") == [(second.id, "corral"), (first.id, "corral")]
    after = (today - timedelta(days=150)).isoformat()
    before = (today - timedelta(days=50)).isoformat()
    assert ids(f"installed_after={after}&installed_before={before}") == [
        (first.id, "guard_dog")]
    page = clerk.get("/api/v1/measures?limit=2").get_json()
    rest = clerk.get(f"/api/v1/measures?limit=2&cursor={page['next_cursor']}").get_json()
    assert len(page["items"]) == 2 and len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    bad = clerk.get("/api/v1/measures?installed_after=yesterday")
    assert bad.status_code == 400
    assert bad.mimetype == "application/problem+json"
    assert clerk.get("/api/v1/measures?measure=moat").status_code == 400


def test_a_repeated_create_records_one_measure(world, api):
    household = helpers.household(world)
    clerk = api(world.clerk)
    key = {"Idempotency-Key": "measure-once"}
    first = clerk.post("/api/v1/measures", measure_body(household.id), headers=key)
    again = clerk.post("/api/v1/measures", measure_body(household.id), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]
    assert len(db.session.scalars(select(Measure)).all()) == 1
    assert len(audit_of(first.get_json()["id"])) == 1


def test_a_change_between_reading_and_saving_is_refused(world):
    """The operation checks the tag again under the row lock: a correction made from a copy
    someone changed meanwhile saves nothing."""
    household = helpers.household(world)
    data = mitigation_ops.MeasureInput(measure=MeasureType.CORRAL,
                                       installed_on=clock.today() - timedelta(days=5))
    measure = mitigation_ops.record_measure(world.clerk, household, data)
    read = mitigation_ops.fingerprint(measure)
    mitigation_ops.update_measure(world.supervisor, measure.id,
                                  replace(data, funder="Ministry"), read)
    with pytest.raises(StaleObject):
        mitigation_ops.update_measure(world.clerk, measure.id,
                                      replace(data, funder="Someone else"), read)
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).funder == "Ministry"
    assert [e.action for e in audit_of(measure.id)] == ["record_measure", "update_measure"]


def test_a_page_of_measures_costs_the_same_queries_for_one_or_many(world, api):
    """No query per measure (N+1): the page grows, the number of queries does not."""
    household = helpers.household(world)
    clerk = api(world.clerk)

    def queries_for_page():
        statements = []

        def record(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert clerk.get("/api/v1/measures").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    clerk.post("/api/v1/measures", measure_body(household.id))
    one = queries_for_page()
    elsewhere = helpers.household(world, village=world.shikahogh, name="Narek Hakobyan")
    for kind in ("guard_dog", "light", "collar", "shepherd"):
        for place in (household, elsewhere):
            assert clerk.post("/api/v1/measures", measure_body(
                place.id, measure=kind)).status_code == 201
    assert queries_for_page() == one
