"""Funds through the API: read by the roles that see funds in their area; ledger entries
recorded with the funds scope through the same operation as the fund's page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from conflict_app.extensions import db
from conflict_app.schemes.fund_models import FundEntry, FundKind
from conflict_app.schemes.params import SchemeKind
from tests.test_api import api  # noqa: F401
from tests.test_funds import _budget, _fund, _scheme
from tests.test_schemes import frozen  # noqa: F401


def test_funds_and_their_ledger_through_the_api(world, api, frozen):  # noqa: F811
    scheme = _scheme(world, budget=1000)
    _scheme(world, "AM-USD", currency="USD")
    _scheme(world, "AM-INS", kind=SchemeKind.INSURANCE)
    fund = _fund(world)
    url = f"/api/v1/funds/{fund.id}/entries"
    manager = api(world.manager)
    made = manager.post(url, json={"kind": "contribution", "amount": 100000,
                                   "booked_on": "2026-01-10", "donor": "Example trust"})
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["amount"] == "100000.00"
    income = manager.post(url, json={"kind": "income", "amount": 4200.5,
                                     "booked_on": "2026-01-31", "period_from": "2025-01-01",
                                     "period_to": "2025-12-31"})
    assert income.status_code == 201
    before = db.session.scalar(select(func.count(FundEntry.id)))
    refusals = [
        ({"kind": "allocation", "amount": 5000, "scheme": "AM-COMP"}, "amount",
         "Only the income of an endowment can be allocated"),
        ({"kind": "allocation", "amount": 10, "scheme": "AM-USD"}, "scheme_id",
         "different currencies"),
        ({"kind": "allocation", "amount": 10, "scheme": "AM-INS"}, "scheme_id",
         "pool of premiums"),
        ({"kind": "allocation", "amount": 10, "scheme": "NOPE"}, "scheme_id",
         "Choose a scheme of the fund's country."),
        ({"kind": "contribution", "amount": 10, "donor": "D", "currency": "USD"}, "currency",
         "keeps its money in AMD"),
        ({"kind": "contribution", "amount": -10, "donor": "D"}, "amount", "positive amount"),
        ({"kind": "contribution", "amount": 0.001, "donor": "D"}, "amount", "2 decimals"),
    ]
    for extra, field, message in refusals:
        response = manager.post(url, json={"booked_on": "2026-02-01", **extra})
        assert response.status_code == 400, (extra, response.get_data(as_text=True))
        [error] = response.get_json()["errors"]
        assert error["field"] == field and message in error["message"], (extra, error)
    assert manager.post(url, json={"kind": "allocation", "amount": "5",
                                   "booked_on": "2026-02-01", "scheme": "AM-COMP"}
                        ).status_code == 422  # amounts are JSON numbers
    assert db.session.scalar(select(func.count(FundEntry.id))) == before
    allocated = manager.post(url, json={"kind": "allocation", "amount": 4000,
                                        "booked_on": "2026-02-01", "scheme": "AM-COMP"})
    assert allocated.status_code == 201
    assert allocated.get_json()["scheme"] == "AM-COMP"
    assert _budget(scheme.id) == Decimal(5000)
    # The scheme's budget says where the money came from, as its page and report do.
    budget = manager.get(f"/api/v1/schemes/{scheme.id}").get_json()["budget"]
    assert (budget["allocated"], budget["from_funds"], budget["direct"]) == (
        "5000.00", "4000.00", "1000.00")
    assert budget["sources"] == [{"fund_id": fund.id, "fund": fund.name, "kind": "allocation",
                                  "amount": "4000.00", "booked_on": "2026-02-01"}]

    one = api(world.analyst).get(f"/api/v1/funds/{fund.id}").get_json()
    assert one["kind"] == "endowment" and one["principal"] == "100000.00"
    assert one["available"] == "200.50" and one["allocated"] == "4000.00"
    page = api(world.clerk).get(f"{url}?limit=2").get_json()
    assert [e["kind"] for e in page["items"]] == ["allocation", "income"]
    assert page["items"][0]["recorded_by"] == world.manager.name
    rest = api(world.clerk).get(f"{url}?cursor={page['next_cursor']}").get_json()
    assert [e["kind"] for e in rest["items"]] == ["contribution"]
    assert rest["next_cursor"] is None
    assert api(world.clerk).get(f"{url}?cursor=x").status_code == 400
    # Clerks read but do not write; other provinces' funds do not exist for them.
    assert api(world.clerk).post(url, json={"kind": "contribution", "amount": 1,
                                            "booked_on": "2026-02-01", "donor": "D"}
                                 ).status_code == 403
    other = _fund(world, FundKind.POOLED, admin1_id=world.syunik.id)
    assert api(world.other_clerk).get(f"/api/v1/funds/{other.id}").status_code == 404
    names = [f["name"] for f in api(world.other_clerk).get("/api/v1/funds").get_json()["items"]]
    assert names == ["Syunik endowment"]  # the national fund only
    assert date.fromisoformat(one_entry(api, world, url)["booked_on"]) == date(2026, 2, 1)


def one_entry(api, world, url):  # noqa: F811
    return api(world.manager).get(url).get_json()["items"][0]


def test_the_description_names_the_fund_operations(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert "/funds/{fund_id}/entries" in document["paths"]
    assert "post" in document["paths"]["/funds/{fund_id}/entries"]
    assert "FundEntryIn" in document["components"]["schemas"]
