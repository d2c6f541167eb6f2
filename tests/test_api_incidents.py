"""Incidents through the API: jurisdictions, filters, and the personal-data rules of the
pages (exact coordinates only for roles that work on claims; never names or phones)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from conflict_app.api import tokens
from conflict_app.core import clock
from conflict_app.verification.checklist import Confidence
from tests import helpers


def client(app, user):
    _token, secret = tokens.issue(user, "tests", tokens.allowed_scopes(user))
    headers = {"Authorization": f"Bearer {secret}"}
    test_client = app.test_client()
    return lambda url: test_client.get(url, headers=headers)


def located_claim(world):
    return helpers.report(world, latitude=Decimal("38.948312"),
                          longitude=Decimal("46.342789"))[0]


def test_clerk_sees_the_exact_point_and_no_personal_data(app, world):
    claim = located_claim(world)
    response = client(app, world.clerk)(f"/api/v1/incidents/{claim.incident_id}")
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert (data["latitude"], data["longitude"]) == ("38.948312", "46.342789")
    assert data["precision"] == "exact"
    assert data["claim_reference"] == claim.reference
    assert data["lines"][0]["killed"] == 3
    text = response.get_data(as_text=True)
    assert "Armen" not in text and "+37491234567" not in text and "phone" not in text


def test_analyst_sees_no_exact_coordinates(app, world):
    claim = located_claim(world)
    get = client(app, world.analyst)
    one = get(f"/api/v1/incidents/{claim.incident_id}")
    assert one.status_code == 200, one.get_json()
    data = one.get_json()
    assert Decimal(data["latitude"]) == Decimal("38.9")
    assert Decimal(data["longitude"]) == Decimal("46.3")
    assert data["precision"] == "grid_0.1"
    assert data["household_id"] is None and data["claim_reference"] is None
    listed = get("/api/v1/incidents")
    text = listed.get_data(as_text=True)
    assert "38.948312" not in text and "46.342789" not in text and "Armen" not in text
    assert [i["id"] for i in listed.get_json()["items"]] == [claim.incident_id]


def test_outside_the_area_is_not_found(app, world):
    claim = located_claim(world)
    get = client(app, world.other_clerk)
    response = get(f"/api/v1/incidents/{claim.incident_id}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert get("/api/v1/incidents").get_json()["items"] == []
    finance_only = client(app, world.ge_clerk)
    assert finance_only(f"/api/v1/incidents/{claim.incident_id}").status_code == 404


def test_filters_and_cursor(app, world):
    old = helpers.report(world, days_ago=12)[0]
    recent = helpers.verified(world, confidence=Confidence.CONFIRMED)
    elsewhere = helpers.report(world, hh=helpers.household(world, village=world.shikahogh))[0]
    get = client(app, world.clerk)

    def ids(query):
        response = get(f"/api/v1/incidents?{query}")
        assert response.status_code == 200, response.get_json()
        return [i["id"] for i in response.get_json()["items"]]

    everything = ids("")
    assert set(everything) == {old.incident_id, recent.incident_id, elsewhere.incident_id}
    since = (clock.today() - timedelta(days=5)).isoformat()
    assert old.incident_id not in ids(f"occurred_from={since}")
    assert ids(f"occurred_to={(clock.today() - timedelta(days=10)).isoformat()}") == [
        old.incident_id]
    assert ids(f"village_id={world.shikahogh.id}") == [elsewhere.incident_id]
    assert ids("confidence=confirmed") == [recent.incident_id]
    assert ids("predator=leopard&confidence=confirmed") == [recent.incident_id]
    assert ids("predator=wolf") == []
    first = get("/api/v1/incidents?limit=2").get_json()
    rest = get(f"/api/v1/incidents?limit=2&cursor={first['next_cursor']}").get_json()
    assert [i["id"] for i in first["items"] + rest["items"]] == everything
    bad = get("/api/v1/incidents?predator=tiger")
    assert bad.status_code == 400
    assert bad.mimetype == "application/problem+json"
    assert get("/api/v1/incidents?occurred_from=soon").status_code == 400

