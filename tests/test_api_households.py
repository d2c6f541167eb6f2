"""Households and their herd census through the API: the household page's operations, what
each role may see of a herder, jurisdictions, ETags and If-Match, idempotent registration,
problem documents."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conflict_app.api import tokens
from conflict_app.core import clock
from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db
from conflict_app.herders import operations as household_ops
from conflict_app.herders.models import Household
from tests import helpers

NAME, PHONE, NATIONAL_ID = "Armen Petrosyan", "+37491234567", "AM-123456789"


class Client:
    def __init__(self, app, user, scopes=None):
        _token, secret = tokens.issue(user, "tests", scopes or tokens.allowed_scopes(user))
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
    return lambda user, scopes=None: Client(app, user, scopes)


def body(world, **extra):
    year = str(clock.today().year)
    return {"head_name": NAME, "village_id": world.shvanidzor.id, "language": "hy",
            "phone": "091 234 567", "national_id": NATIONAL_ID,
            "location": {"latitude": 38.951234, "longitude": 46.345678},
            "census": {year: {"sheep": 80, "cattle": 6}}, **extra}


def audit_of(household_id):
    return [e.action for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "household", AuditEntry.object_id == household_id)
        .order_by(AuditEntry.id))]


def count():
    return db.session.scalar(select(func.count(Household.id)))


def test_clerk_registers_a_household_with_its_census(world, api):
    clerk = api(world.clerk)
    response = clerk.post("/api/v1/households", body(world))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    year = str(clock.today().year)
    assert data["head_name"] == NAME
    assert data["phone"] == PHONE  # the national format read with Armenia's rules
    assert data["national_id"] == NATIONAL_ID
    assert data["location"] == {"latitude": "38.951234", "longitude": "46.345678",
                                "precision": "exact"}
    assert data["census"] == {year: {"sheep": 80, "cattle": 6}}
    assert response.headers["ETag"] == f'"{data["etag"]}"'
    assert response.headers["Location"] == f"/api/v1/households/{data['id']}"
    assert audit_of(data["id"]) == ["register"]
    read = clerk.get(f"/api/v1/households/{data['id']}")
    assert read.get_json() == data
    assert clerk.get(f"/api/v1/households/{data['id']}",
                     headers={"If-None-Match": read.headers["ETag"]}).status_code == 304


def test_each_role_sees_what_its_pages_show_of_the_herder(world, api):
    household_id = api(world.clerk).post("/api/v1/households", body(world)).get_json()["id"]
    # Roles that work on claims see the name and phone, as the claim page shows them; the
    # national ID and the homestead's exact place only on the household page.
    for user in (world.verifier, world.approver, world.finance, world.manager, world.admin):
        data = api(user).get(f"/api/v1/households/{household_id}").get_json()
        assert (data["head_name"], data["phone"]) == (NAME, PHONE), user.email
        assert data["national_id"] is None and data["etag"] is None
        assert data["location"] == {"latitude": "38.9", "longitude": "46.3",
                                    "precision": "grid_0.1"}
    # The analyst gets what the de-identified export holds: never a name, phone or ID.
    analyst = api(world.analyst)
    one = analyst.get(f"/api/v1/households/{household_id}")
    listed = analyst.get("/api/v1/households")
    for response in (one, listed):
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        for secret in (NAME, PHONE, "91234567", NATIONAL_ID, "38.951234", "46.345678"):
            assert secret not in text
        assert "ETag" not in response.headers
    data = one.get_json()
    assert data["head_name"] is data["phone"] is data["national_id"] is data["etag"] is None
    assert data["census"] == {str(clock.today().year): {"sheep": 80, "cattle": 6}}
    assert listed.get_json()["items"][0]["id"] == household_id
    # Nor can the analyst find a household by its name or phone.
    search = analyst.get(f"/api/v1/households?q={NAME[:5]}")
    assert search.status_code == 403
    assert search.mimetype == "application/problem+json"
    assert [h["id"] for h in api(world.clerk).get(
        "/api/v1/households?q=Petros").get_json()["items"]] == [household_id]


def test_only_clerks_and_supervisors_register_and_correct(world, api):
    for user in (world.verifier, world.manager, world.analyst):
        refused = api(user, ["read", "claims"]).post("/api/v1/households", body(world))
        assert refused.status_code == 403, user.email
        assert refused.mimetype == "application/problem+json"
    supervisor = api(world.supervisor)
    assert supervisor.post("/api/v1/households", body(world)).status_code == 201
    read_only = api(world.clerk, ["read"]).post("/api/v1/households", body(world))
    assert read_only.status_code == 403
    assert count() == 1


def test_another_area_s_household_does_not_exist(world, api):
    georgian = household_ops.register_household(world.ge_clerk, household_ops.HouseholdInput(
        head_name="Giorgi Beridze", village_id=world.samreklo.id, language="ka"))
    vayots = helpers.household(world, village=world.gndevaz, name="Vayots Herder")
    clerk = api(world.clerk)
    for household in (georgian, vayots):
        url = f"/api/v1/households/{household.id}"
        assert clerk.get(url).status_code == 404
        changed = clerk.put(url, body(world), headers={"If-Match": "*"})
        assert changed.status_code == 404
        assert changed.mimetype == "application/problem+json"
    assert clerk.get("/api/v1/households").get_json()["items"] == []
    assert clerk.get("/api/v1/households?country=GE").get_json()["items"] == []
    assert api(world.analyst).get(f"/api/v1/households/{georgian.id}").status_code == 404
    # Registering in a village outside the area is refused the same way.
    outside = clerk.post("/api/v1/households", body(world, village_id=world.gndevaz.id))
    assert outside.status_code == 404
    assert count() == 2
    assert api(world.ge_clerk).get("/api/v1/households?country=GE").get_json()[
        "items"][0]["head_name"] == "Giorgi Beridze"


def test_list_filters_and_pages(world, api):
    ids = [helpers.household(world, name=f"Herder {i}").id for i in range(3)]
    other = helpers.household(world, village=world.shikahogh, name="Shikahogh Herder")
    clerk = api(world.clerk)
    first = clerk.get("/api/v1/households?limit=2").get_json()
    assert [h["id"] for h in first["items"]] == [other.id, ids[2]]
    second = clerk.get(f"/api/v1/households?limit=2&cursor={first['next_cursor']}").get_json()
    assert [h["id"] for h in second["items"]] == [ids[1], ids[0]]
    assert second["next_cursor"] is None
    village = clerk.get(f"/api/v1/households?village_id={world.shikahogh.id}").get_json()
    assert [h["id"] for h in village["items"]] == [other.id]
    for bad in ("village_id=x", "cursor=-1", "country=armenia", "limit=many"):
        response = clerk.get(f"/api/v1/households?{bad}")
        assert response.status_code == 400, bad
        assert response.mimetype == "application/problem+json"


def test_a_correction_needs_the_current_etag_and_keeps_other_years(world, api):
    clerk = api(world.clerk)
    created = clerk.post("/api/v1/households", body(world))
    url = f"/api/v1/households/{created.get_json()['id']}"
    first_tag = created.headers["ETag"]
    year = clock.today().year
    change = body(world, head_name="Armen Petrosyan Jr", phone="+37493111222",
                  census={str(year): {"sheep": 95}, str(year - 1): {"goat": 12}})

    missing = clerk.put(url, change)
    assert missing.status_code == 428
    assert missing.mimetype == "application/problem+json"

    updated = clerk.put(url, change, headers={"If-Match": first_tag})
    assert updated.status_code == 200, updated.get_json()
    data = updated.get_json()
    assert data["head_name"] == "Armen Petrosyan Jr"
    assert data["census"] == {str(year): {"sheep": 95, "cattle": 6},
                              str(year - 1): {"goat": 12}}
    assert updated.headers["ETag"] != first_tag
    assert audit_of(data["id"]) == ["register", "update_household"]

    stale = clerk.put(url, body(world, head_name="From an old copy"),
                      headers={"If-Match": first_tag})
    assert stale.status_code == 412
    assert stale.mimetype == "application/problem+json"
    db.session.expire_all()
    assert db.session.get(Household, data["id"]).head_name == "Armen Petrosyan Jr"
    assert audit_of(data["id"]) == ["register", "update_household"]


def test_a_repeated_idempotency_key_registers_one_household(world, api):
    clerk = api(world.clerk)
    key = {"Idempotency-Key": "household-1"}
    first = clerk.post("/api/v1/households", body(world), headers=key)
    again = clerk.post("/api/v1/households", body(world), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert count() == 1
    other = clerk.post("/api/v1/households", body(world, head_name="Someone else"),
                       headers=key)
    assert other.status_code == 422
    assert other.mimetype == "application/problem+json"
    assert count() == 1


@pytest.mark.parametrize("change", [
    {"census": {"2026": {"sheep": "٨٠"}}},  # digits of another script, in a string
    {"census": {"٢٠٢٦": {"sheep": 80}}},
    {"census": {"2026": {"sheep": "80"}}},
    {"village_id": "١"},
    {"phone": "+٣٧٤٩١٢٣٤٥٦٧"},
    {"location": {"latitude": "٣٨.٩", "longitude": 46.3}},
    {"location": {"latitude": 38.9}},
    {"census": {"2026": {"sheep": -1}}},
    {"census": {"1949": {"sheep": 1}}},
    {"census": {"2026": {"lion": 1}}},
    {"language": "xx"},
    {"head_name": "   "},
    {"head_name": None},
    {"surname": "Petrosyan"},
])
def test_invalid_bodies_are_422_problems_and_change_nothing(world, api, change):
    response = api(world.clerk).post("/api/v1/households", body(world, **change))
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"]
    assert count() == 0


def test_the_operation_s_refusals_name_their_field(world, api):
    clerk = api(world.clerk)
    bad_phone = clerk.post("/api/v1/households", body(world, phone="12"))
    assert bad_phone.status_code == 400
    assert bad_phone.mimetype == "application/problem+json"
    assert bad_phone.get_json()["errors"][0]["field"] == "phone"
    not_json = clerk.client.post("/api/v1/households", data="head_name=x",
                                 headers=clerk.headers)
    assert not_json.status_code == 415
    assert count() == 0
