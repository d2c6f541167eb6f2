"""Insurance enrolments and presence records through the API: the scheme page's operations,
roles, jurisdictions, idempotent writes, problem documents."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from conflict_app.core import clock
from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import params
from conflict_app.schemes.models import Enrolment, PoolEntry, PresenceRecord
from tests import helpers
from tests.test_api_households import Client


def _scheme(world, kind, code):
    scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        code, f"Scheme {code}", kind, "AM", world.syunik.id, "AMD", "Example fund",
        Decimal(2_000_000), "refuse", date(2020, 1, 1), None, Decimal(0), None))
    version = scheme_ops.add_version(world.manager, scheme.id, date(2020, 1, 1),
                                     params.defaults(kind))
    scheme_ops.publish_version(world.manager, version.id)
    return scheme


def _enrolment(scheme, household):
    start = clock.today() + timedelta(days=1)
    return {"scheme_id": scheme.id, "household_id": household.id,
            "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=300)).isoformat(),
            "agreement_signed": True,
            "insured": {"sheep": {"heads": 50, "value_per_head": "60000"}}}


def _actions(object_type):
    return [e.action for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == object_type).order_by(AuditEntry.id))]


def test_enrol_and_record_the_premium(app, world):
    scheme = _scheme(world, params.SchemeKind.INSURANCE, "AM-INS")
    household = helpers.household(world)
    clerk = Client(app, world.clerk)
    key = {"Idempotency-Key": "enrol-1"}
    created = clerk.post("/api/v1/enrolments", _enrolment(scheme, household), headers=key)
    assert created.status_code == 201, created.get_json()
    again = clerk.post("/api/v1/enrolments", _enrolment(scheme, household), headers=key)
    assert again.get_json() == created.get_json()
    assert db.session.scalar(select(func.count(Enrolment.id))) == 1
    data = created.get_json()
    assert data["household"] == household.head_name
    assert data["insured"] == {"sheep": {"heads": 50, "value_per_head": "60000.00"}}
    assert data["premium_paid_on"] is None
    url = f"/api/v1/enrolments/{data['id']}"
    # The clerk may not record money into the pool; finance does, once.
    assert clerk.post(f"{url}/premium", {"paid_on": clock.today().isoformat()}).status_code \
        == 403
    finance = Client(app, world.finance)
    paid = finance.post(f"{url}/premium", {"paid_on": clock.today().isoformat()})
    assert paid.status_code == 200, paid.get_json()
    assert paid.get_json()["premium_paid_on"] == clock.today().isoformat()
    twice = finance.post(f"{url}/premium", {"paid_on": clock.today().isoformat()})
    assert twice.status_code == 400
    assert twice.mimetype == "application/problem+json"
    assert db.session.scalar(select(func.count(PoolEntry.id))) >= 1
    assert _actions("enrolment") == ["enrol", "record_premium"]
    assert [e["id"] for e in finance.get(
        f"/api/v1/enrolments?scheme_id={scheme.id}").get_json()["items"]] == [data["id"]]
    # Analysts have no scheme page; another province's clerk does not see the household.
    assert Client(app, world.analyst).get(url).status_code == 403
    assert Client(app, world.other_clerk).get(url).status_code == 404
    assert Client(app, world.other_clerk).get("/api/v1/enrolments").get_json()["items"] == []


def test_enrolment_bodies_are_checked(app, world):
    scheme = _scheme(world, params.SchemeKind.INSURANCE, "AM-INS")
    household = helpers.household(world)
    clerk = Client(app, world.clerk)
    for insured in ({"sheep": {"heads": "٥٠", "value_per_head": "60000"}},
                    {"sheep": {"heads": 50, "value_per_head": 60000}},
                    {"sheep": {"heads": 50, "value_per_head": "٦٠٠٠٠"}}, {}):
        bad = clerk.post("/api/v1/enrolments", {**_enrolment(scheme, household),
                                                "insured": insured})
        assert bad.status_code == 422, insured
        assert bad.mimetype == "application/problem+json"
    past = clerk.post("/api/v1/enrolments", {**_enrolment(scheme, household),
                                             "starts_on": "2021-01-01"})
    assert past.status_code == 400
    assert past.get_json()["errors"][0]["field"] == "starts_on"
    assert db.session.scalar(select(func.count(Enrolment.id))) == 0


def test_presence_records(app, world):
    scheme = _scheme(world, params.SchemeKind.INCENTIVE, "AM-INC")
    record = {"scheme_id": scheme.id, "village_id": world.shvanidzor.id,
              "kind": "reproduction", "observed_on": clock.today().isoformat(),
              "evidence": "Camera trap 4: a female with two cubs"}
    assert Client(app, world.clerk).post("/api/v1/presence-records", record).status_code \
        == 403
    verifier = Client(app, world.verifier)
    key = {"Idempotency-Key": "presence-1"}
    created = verifier.post("/api/v1/presence-records", record, headers=key)
    assert created.status_code == 201, created.get_json()
    assert verifier.post("/api/v1/presence-records", record, headers=key).get_json() == \
        created.get_json()
    assert db.session.scalar(select(func.count(PresenceRecord.id))) == 1
    assert _actions("presence_record") == ["record_presence"]
    url = f"/api/v1/presence-records/{created.get_json()['id']}"
    assert verifier.get(url).get_json() == created.get_json()
    assert Client(app, world.other_clerk).get(url).status_code == 404
    outside = verifier.post("/api/v1/presence-records",
                            {**record, "village_id": world.gndevaz.id})
    assert outside.status_code == 404
    bad = verifier.post("/api/v1/presence-records", {**record, "scheme_id": "١"})
    assert bad.status_code == 422


def test_exclusion_ends_cover_as_on_the_scheme_page(app, world):
    scheme = _scheme(world, params.SchemeKind.INSURANCE, "AM-INS")
    household = helpers.household(world)
    url = "/api/v1/enrolments/{}/exclusion".format(Client(app, world.clerk).post(
        "/api/v1/enrolments", _enrolment(scheme, household)).get_json()["id"])
    breach = {"on": clock.today().isoformat(), "reason": "Snares found on the pasture"}
    # Clerks enrol but do not exclude; finance neither; another province sees nothing.
    for user in (world.clerk, world.finance, world.verifier):
        assert Client(app, user).post(url, breach).status_code == 403, user.email
    assert Client(app, world.other_clerk).post(url, breach).status_code == 404
    supervisor = Client(app, world.supervisor)
    for bad in ({"on": breach["on"]}, {**breach, "reason": "  "}, {**breach, "on": "soon"},
                {**breach, "extra": 1}):
        refused = supervisor.post(url, bad)
        assert refused.status_code == 422, bad
        assert refused.mimetype == "application/problem+json"
    assert "exclude" not in _actions("enrolment")
    done = supervisor.post(url, breach, headers={"Idempotency-Key": "exclude-1"})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["excluded_on"] == breach["on"]
    assert done.get_json()["exclusion_reason"] == "Snares found on the pasture"
    assert supervisor.post(url, breach, headers={"Idempotency-Key": "exclude-1"}).get_json() \
        == done.get_json()
    twice = supervisor.post(url, breach)
    assert twice.status_code == 400 and "already excluded" in twice.get_json()["title"]
    assert _actions("enrolment") == ["enrol", "exclude"]
