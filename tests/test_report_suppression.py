"""Reports an analyst can open get the analytics' small-cell suppression: narrowing the
scheme report to one day (or any period, area or species with fewer than 5 households)
shows no single herder's claim."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests import helpers
from tests.test_schemes import _create, _version, frozen  # noqa: F401 - fixture

HIDDEN = "fewer than 5 households"


def _text(browser, scheme_id: int, start: str, end: str) -> str:
    response = browser.get(f"/documents/schemes/{scheme_id}/report.pdf?start={start}&end={end}")
    assert response.status_code == 200, response.status_code
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return " ".join(text.split())  # the words, wherever a table cell wrapped them


@pytest.fixture
def scheme_with_a_lone_claim(world, browser_for, frozen):  # noqa: F811
    """Six households lose two sheep each on 28 February; one household (in another
    district) loses one sheep on 20 February: 45,000 AMD approved."""
    manager = browser_for(world.manager)
    scheme = _create(manager)
    _version(manager, scheme)
    lone = helpers.approved(world, hh=helpers.household(world, village=world.shikahogh,
                                                        name="Lone"), killed=1, days_ago=10)
    for n in range(6):
        helpers.approved(world, hh=helpers.household(world, name=f"H{n}"), killed=2,
                         days_ago=2)
    assert lone.amount_approved == 45000
    return scheme


def test_an_analyst_narrowing_the_report_to_one_day_sees_no_single_claim(
        world, browser_for, scheme_with_a_lone_claim):
    scheme = scheme_with_a_lone_claim
    analyst = browser_for(world.analyst)
    day = _text(analyst, scheme.id, "2026-02-20", "2026-02-20")
    assert HIDDEN in day
    for figure in ("45,000", "Sheep", "Kapan"):
        assert figure not in day, figure
    # The scheme staff still see the claim: they work with it by name anyway.
    staff = _text(browser_for(world.manager), scheme.id, "2026-02-20", "2026-02-20")
    assert "45,000" in staff and "Sheep" in staff and HIDDEN not in staff


def test_an_analyst_sees_the_period_with_the_lone_district_hidden(
        world, browser_for, scheme_with_a_lone_claim):
    """Seven households: the totals show, but the district of one household is hidden, and
    so is the other district's row, which would give it away by subtraction."""
    scheme = scheme_with_a_lone_claim
    text = _text(browser_for(world.analyst), scheme.id, "2026-02-01", "2026-03-02")
    assert "585,000" in text  # approved in the period: 45,000 + 6 x 90,000
    assert "Sheep" in text
    assert "Kapan" not in text and "540,000" not in text
    assert f"Losses by area Area Claims Heads lost Approved — {HIDDEN} Indicators" in text


def test_the_analytics_outcome_and_time_tables_hide_a_single_claim(world, browser_for):
    """One decided claim in the country: its confidence level, outcome and exact number of
    days to decision were on the analytics page."""
    helpers.approved(world, killed=1)
    page = browser_for(world.analyst).get("/analytics/").get_data(as_text=True)
    outcomes = page[page.index("Outcomes by confidence level"):]
    outcomes = outcomes[:outcomes.index("</table>")]
    assert HIDDEN in outcomes and '<td class="num">1</td>' not in outcomes
    times = page[page.index("Processing times"):]
    times = times[:times.index("</table>")]
    assert HIDDEN in times and '<td class="num">1</td>' not in times


def test_the_budget_of_a_scheme_with_one_paid_household_is_hidden(world, browser_for, frozen):  # noqa: F811
    """What a scheme committed is the sum of its approvals: with one household, its amount."""
    manager = browser_for(world.manager)
    scheme = _create(manager)
    _version(manager, scheme)
    helpers.approved(world, killed=1)
    text = _text(browser_for(world.analyst), scheme.id, "2020-01-01", "2026-03-02")
    assert "Allocated AMD1,000,000.00" in text
    assert f"Committed (approved, not paid) {HIDDEN}" in text
    assert "45,000" not in text and "955,000" not in text
    assert "955,000" in _text(manager, scheme.id, "2020-01-01", "2026-03-02")
