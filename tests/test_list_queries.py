"""List pages and API lists cost the same number of queries for eight rows as for two: each
row's budget, fund totals, milestones, settled claims, committee members, village, alert
reach or scheme is read with the others, not with a query (or nine) of its own."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.geo.models import Village
from conflict_app.herders import operations as household_ops
from conflict_app.herders.models import Species
from conflict_app.mitigation import operations as mitigation_ops
from conflict_app.mitigation.models import MeasureType
from conflict_app.schemes import agreements, funds, incentives, insurance
from conflict_app.schemes.fund_models import EntryKind, FundKind
from conflict_app.schemes.params import SchemeKind
from conflict_app.verification import committee_ops
from conflict_app.verification.committee import Vote
from tests import helpers, scheme_data
from tests.test_committee import _committee_scheme
from tests.test_page_queries import _statements


@pytest.fixture
def started(world):
    """The world at the scheme data's start day, with eight villages of Meghri far enough
    apart that an attack alert in one reaches no other."""
    clock.freeze(scheme_data.START)
    world.places = []
    for k in range(8):
        village = Village(country_code="AM", admin1_id=world.syunik.id,
                          admin2_id=world.meghri.id, name=f"Village {k}",
                          latitude=Decimal(30 + 2 * k), longitude=Decimal("46.3000"))
        db.session.add(village)
        world.places.append(village)
    db.session.flush()
    try:
        yield world
    finally:
        clock.freeze(None)


def _counts(grow, pages: list, sizes: tuple[int, ...] = (2, 8)) -> list[tuple[int, ...]]:
    """Statements of each (client, url) after ``grow(k)`` made rows up to each size."""
    counts, made = [], 0
    for size in sizes:
        while made < size:
            grow(made)
            made += 1
        db.session.commit()
        for client, url in pages:
            client.get(url)  # the session's touch is not what is counted
        counts.append(tuple(_statements(client, url) for client, url in pages))
    return counts


def _household(world, k: int, name: str):
    return helpers.household(world, village=world.places[k], name=f"{name} {k}")


def test_the_scheme_lists_cost_the_same_for_two_or_eight_schemes(started, api, browser_for):
    """Each scheme's budget was eight queries of its own (committed, held, paid, interest,
    owed back...) and the API read each one's version in force and fund allocations apart:
    39 statements for two schemes, 111 for eight (the page: 31 and 79)."""
    world = started
    scheme_data.scheme(world, "AM-COMP", SchemeKind.COMPENSATION, budget="90000000")
    helpers.approved(world)  # AM-COMP commits 135 000
    fund = funds.create_fund(world.manager, funds.FundInput(
        "Syunik pooled fund", FundKind.POOLED, "AMD", "AM", None))
    funds.record_entry(world.manager, fund.id, funds.EntryInput(
        EntryKind.CONTRIBUTION, Decimal(100000), date(2026, 2, 1), donor="Example trust"))

    def grow(k: int) -> None:
        made = scheme_data.scheme(world, f"AM-X{k}", SchemeKind.COMPENSATION,
                                  admin1_id=world.vayots.id, budget=str(1000 * (k + 1)))
        funds.record_entry(world.manager, fund.id, funds.EntryInput(
            EntryKind.ALLOCATION, Decimal(10 + k), date(2026, 3, 1), scheme_id=made.id))

    manager, page = api(world.manager), browser_for(world.manager)
    counts = _counts(grow, [(manager, "/api/v1/schemes"), (page, "/schemes/")])
    assert counts[0] == counts[1], counts
    listed = {s["code"]: s for s in manager.get("/api/v1/schemes").get_json()["items"]}
    assert listed["AM-COMP"]["budget"]["committed"] == "135000.00"
    assert listed["AM-COMP"]["version_in_force"] == 1
    for k in range(8):
        budget = listed[f"AM-X{k}"]["budget"]
        assert budget["allocated"] == f"{1000 * (k + 1) + 10 + k}.00"
        assert (budget["committed"], budget["from_funds"]) == ("0.00", f"{10 + k}.00")
        assert [s["fund"] for s in budget["sources"]] == ["Syunik pooled fund"]
        assert listed[f"AM-X{k}"]["version_in_force"] == 1
    html = page.get("/schemes/").get_data(as_text=True)
    assert all(f"AM-X{k}" in html for k in range(8)) and "135,000.00" in html


def test_the_fund_lists_cost_the_same_for_two_or_eight_funds(started, api, browser_for):
    """Each fund's totals were a query of their own."""
    world = started

    def grow(k: int) -> None:
        made = funds.create_fund(world.manager, funds.FundInput(
            f"Fund {k}", FundKind.POOLED, "AMD", "AM", None))
        funds.record_entry(world.manager, made.id, funds.EntryInput(
            EntryKind.CONTRIBUTION, Decimal(1000 * (k + 1)), date(2026, 2, 1), donor="D"))

    manager, page = api(world.manager), browser_for(world.manager)
    counts = _counts(grow, [(manager, "/api/v1/funds"), (page, "/schemes/funds")])
    assert counts[0] == counts[1], counts
    listed = {f["name"]: f for f in manager.get("/api/v1/funds").get_json()["items"]}
    assert {listed[f"Fund {k}"]["balance"] for k in range(8)} == {
        f"{1000 * (k + 1)}.00" for k in range(8)}
    html = page.get("/schemes/funds").get_data(as_text=True)
    assert all(f"Fund {k}" in html for k in range(8)) and "8,000.00" in html


def test_the_agreement_list_costs_the_same_for_two_or_eight(started, api):
    """The API read each agreement's milestones apart."""
    world = started
    reward = scheme_data.scheme(world, "AM-INC", SchemeKind.INCENTIVE, budget="100000000")
    made = []

    def grow(k: int) -> None:
        signed = agreements.sign(world.manager, reward.id, None,
                                 _household(world, k, "Signed").id, agreements.Terms(
                                     signed_on=date(2026, 2, 1), term_years=2,
                                     amount=Decimal("750.25"),
                                     milestones=["guard_dog", "corral"]))
        agreements.verify_milestone(world.verifier, signed.milestones[0].id,
                                    date(2026, 2, 20), "a guard dog with the flock")
        made.append(signed.reference)

    clerk = api(world.clerk)
    counts = _counts(grow, [(clerk, "/api/v1/agreements")])
    assert counts[0] == counts[1], counts
    listed = {a["reference"]: a for a in clerk.get("/api/v1/agreements").get_json()["items"]}
    assert set(listed) == set(made)
    assert all([m["verified_on"] is not None for m in a["milestones"]] ==
               [True, False, False, False] for a in listed.values())  # 2 a year, 1 verified


def test_the_settlement_list_costs_the_same_for_two_or_eight(started, api):
    """The API read each settlement's items (the claims it paid) apart."""
    world = started
    cover = scheme_data.scheme(world, "AM-INS", SchemeKind.INSURANCE, budget="0",
                               admin1_id=world.syunik.id, waiting_days="30")
    insured = []
    for k in range(8):
        household = _household(world, k, "Insured")
        enrolment = insurance.enrol(world.clerk, cover.id, household.id, date(2026, 3, 2),
                                    date(2027, 3, 2), [insurance.InsuredLine(
                                        Species.SHEEP, 50, Decimal(60000))], True)
        insurance.record_premium(world.finance, enrolment.id, date(2026, 3, 2))
        insured.append(household)
    clock.freeze(scheme_data.START + timedelta(days=60))
    settled = []

    def grow(k: int) -> None:
        claim = helpers.approved(world, hh=insured[k], killed=2, days_ago=k + 1)
        day = claim.incident.occurred_on
        insurance.settle(world.finance, cover.id, day, day)  # a settlement of each day
        settled.append(claim.reference)

    clerk = api(world.clerk)
    url = f"/api/v1/schemes/{cover.id}/settlements"
    counts = _counts(grow, [(clerk, url)])
    assert counts[0] == counts[1], counts
    listed = clerk.get(url).get_json()["items"]
    assert sorted(i["claim_reference"] for s in listed for i in s["items"]) == sorted(settled)


def test_a_committee_of_eight_meetings_costs_the_queries_of_two(started, api, browser_for):
    """The API's committee and the claim page's committee panel read each meeting's
    members (and so its tally) apart."""
    world = started
    clock.freeze(None)  # the committee's meetings are held today
    _committee_scheme(world)
    claim = helpers.verified(world)

    def grow(k: int) -> None:
        committee_ops.record_meeting(claim.id, world.supervisor, committee_ops.MeetingInput(
            held_on=date.today(), minute=f"Meeting {k}",
            members=[(f"Member {k}", "village head", Vote.CONFIRM),
                     (f"Vet {k}", "veterinarian", Vote.ABSTAIN)]))

    clerk, page = api(world.clerk), browser_for(world.clerk)
    counts = _counts(grow, [(clerk, f"/api/v1/claims/{claim.reference}/committee"),
                            (page, f"/claims/{claim.id}")])
    assert counts[0] == counts[1], counts
    meetings = clerk.get(f"/api/v1/claims/{claim.reference}/committee").get_json()["meetings"]
    assert [m["members"][0]["name"] for m in meetings] == [f"Member {k}" for k in range(8)]
    assert all(m["tally"]["present"] == 2 and m["tally"]["confirm"] == 1 for m in meetings)
    html = page.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert all(f"Member {k}" in html and f"Vet {k}" in html for k in range(8))


def test_the_household_list_costs_the_same_for_two_or_eight_villages(started, browser_for):
    """The page read each household's village (and its district, for the label) apart."""
    world = started
    page = browser_for(world.clerk)
    counts = _counts(lambda k: _household(world, k, "Head"), [(page, "/households/")])
    assert counts[0] == counts[1], counts
    html = page.get("/households/").get_data(as_text=True)
    assert all(f"Head {k}" in html and f"Village {k}, Meghri" in html for k in range(8))


def test_the_incentive_scheme_page_costs_the_same_for_two_or_eight_households(
        started, browser_for):
    """The adoption form named the household of each verified measure, and the payments
    table the household of each payment, with a query of its own."""
    world = started
    reward = scheme_data.scheme(world, "AM-INC", SchemeKind.INCENTIVE, budget="100000000",
                                adoption_corral="5000")

    def corral(household):  # noqa: ANN001, ANN202
        return mitigation_ops.record_measure(world.clerk, household, mitigation_ops.MeasureInput(
            MeasureType.CORRAL, date(2026, 2, 1), verified_on=date(2026, 2, 2)))

    def grow(k: int) -> None:
        corral(_household(world, k, "Adopter"))  # waits for its adoption payment
        incentives.adoption_payment(world.manager, reward.id,
                                    corral(_household(world, k, "Paid")).id)

    page = browser_for(world.manager)
    counts = _counts(grow, [(page, f"/schemes/{reward.id}")])
    assert counts[0] == counts[1], counts
    html = page.get(f"/schemes/{reward.id}").get_data(as_text=True)
    assert all(f"Adopter {k} · " in html for k in range(8))  # each measure can be paid
    assert all(f"Village {k} · Paid {k}" in html for k in range(8))  # each payment listed
    assert "Paid 0 · " not in html  # a measure paid is no longer offered


def test_the_alert_lists_cost_the_same_for_two_or_eight_alerts(started, api, browser_for):
    """Each alert's village, area and villages reached were read apart: two queries an
    alert, on the page and in the API."""
    world = started
    clock.freeze(None)

    def grow(k: int) -> None:
        household_ops.register_household(world.clerk, household_ops.HouseholdInput(
            head_name=f"Neighbour {k}", village_id=world.places[k].id, language="hy",
            phone=f"+3749100{k:04d}"))  # the alert texts them
        helpers.verified(world, hh=_household(world, k, "Attacked"))

    supervisor = api(world.supervisor)
    page = browser_for(world.supervisor)
    counts = _counts(grow, [(supervisor, "/api/v1/alerts"), (page, "/alerts")])
    assert counts[0] == counts[1], counts
    listed = supervisor.get("/api/v1/alerts").get_json()["items"]
    assert sorted(a["village"] for a in listed) == [f"Village {k}" for k in range(8)]
    assert all(a["villages"] == 1 and a["area"] == "Meghri" for a in listed)
    html = page.get("/alerts").get_data(as_text=True)
    assert all(f"Village {k}" in html for k in range(8))


def test_the_presence_record_list_costs_the_same_for_two_or_eight(started, api):
    """The API read each record's scheme apart (by its id: a get that the session had
    already let go of)."""
    world = started
    reward = scheme_data.scheme(world, "AM-INC", SchemeKind.INCENTIVE, budget="100000")

    def grow(k: int) -> None:
        incentives.record_presence(world.verifier, reward.id, world.places[k].id,
                                   "occasional", date(2026, 2, 1 + k), "camera trap")

    manager = api(world.manager)
    counts = _counts(grow, [(manager, "/api/v1/presence-records")])
    assert counts[0] == counts[1], counts
    listed = manager.get("/api/v1/presence-records").get_json()["items"]
    assert sorted(r["village"] for r in listed) == [f"Village {k}" for k in range(8)]
    assert {r["scheme"] for r in listed} == {"AM-INC"}
    assert {r["verified_by"] for r in listed} == {world.verifier.name}
