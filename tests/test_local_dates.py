"""Dates as the people in the range live them: at 21:30 UTC it is already tomorrow in
Yerevan, Tbilisi and Tehran, and a form's suggested date must be the local one."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from conflict_app.core import clock
from conflict_app.schemes import insurance
from tests import helpers
from tests.test_schemes import _create, _version

EVENING = datetime(2026, 3, 1, 21, 30, tzinfo=UTC)  # 01:30 on 2 March in Armenia


@pytest.fixture
def evening():
    clock.freeze(EVENING)
    yield
    clock.freeze(None)


def test_the_suggested_cover_start_is_today_where_the_herders_are(app, world, browser_for,
                                                                   evening):
    manager = browser_for(world.manager)
    scheme = _create(manager, code="AM-INS", kind="insurance", name="Meghri insurance",
                     budget="0", admin1=str(world.syunik.id), valid_from="2026-01-01")
    _version(manager, scheme, payout_share="0.8", rate_confirmed="1", rate_probable="0.75",
             rate_possible="0", injured_share="0.5", premium_rate="0.02",
             herder_share="0.5", waiting_days="30", valid_from="2026-01-01")
    household = helpers.household(world, name="A")
    clerk = browser_for(world.clerk)
    form = clerk.get(f"/schemes/{scheme.id}/enrol").get_data(as_text=True)
    starts = re.search(r'name="starts_on"[^>]*value="([^"]+)"', form).group(1)
    ends = re.search(r'name="ends_on"[^>]*value="([^"]+)"', form).group(1)
    assert starts == "2026-03-02"  # Armenia's today, not UTC's 1 March
    response = clerk.post(f"/schemes/{scheme.id}/enrol", data={
        "household": str(household.id), "starts_on": starts, "ends_on": ends,
        "heads_sheep": "50", "value_sheep": "60000", "agreement_signed": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert insurance.enrolments(scheme.id)
