"""A domain error with a number in it is counted in the reader's language: when a deployment
shortens or stretches the reporting window, the late-report refusal says "3 дня" or
"21 день" in Russian and "3 أيام" or "11 يومًا" in Arabic, on the herder's form and in the
API's problem document alike, not only for the default 15 days."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from conflict_app.api import tokens
from conflict_app.core import clock
from conflict_app.core.errors import NP_, InvalidInput
from tests import helpers
from tests.conftest import csrf_token

ISOLATES = re.compile("[\u2066-\u2069\u200e\u200f]")


@pytest.fixture
def window(app, monkeypatch):
    def set_days(days: int) -> None:
        monkeypatch.setitem(app.config, "REPORT_CUTOFF_DAYS", days)
    return set_days


def herder_form(client, world, lang: str, days_ago: int) -> str:
    url = f"/report?country=AM&lang={lang}"
    data = {
        "csrf_token": csrf_token(client, url), "country": "AM", "name": "Karen Sargsyan",
        "phone": "094 111 222", "village_id": str(world.shvanidzor.id), "setting": "pasture",
        "occurred_on": (clock.today() - timedelta(days=days_ago)).isoformat(),
        "part_of_day": "night", "species": "sheep", "age_class": "adult_female",
        "killed": "2", "protection": ["dog"],
    }
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    return ISOLATES.sub("", response.get_data(as_text=True))


@pytest.mark.parametrize(("lang", "days", "words"), [
    ("ru", 3, "3 дня"), ("ru", 21, "21 день"), ("ru", 5, "5 дней"),
    ("ar", 3, "3 أيام"), ("ar", 11, "11 يومًا"), ("ar", 2, "يومين"),
    ("en", 1, "older than 1 day."), ("en", 3, "older than 3 days."),
])
def test_the_herder_form_counts_the_days_of_the_reporting_window(app, world, window, lang,
                                                                 days, words):
    window(days)
    page = herder_form(app.test_client(), world, lang, days_ago=days + 2)
    assert words in page, page[page.find("alert"):][:600]


@pytest.mark.parametrize(("lang", "days", "words"), [
    ("ru", 21, "21 день"), ("ru", 3, "3 дня"), ("ar", 3, "3 أيام"), ("ar", 11, "11 يومًا"),
])
def test_the_api_problem_counts_the_days_of_the_reporting_window(app, world, window, lang,
                                                                days, words):
    window(days)
    _token, secret = tokens.issue(world.clerk, "tests", tokens.allowed_scopes(world.clerk))
    household = helpers.household(world)
    body = {"household_id": household.id,
            "occurred_on": (clock.today() - timedelta(days=days + 2)).isoformat(),
            "setting": "pasture", "part_of_day": "night",
            "lines": [{"species": "sheep", "age_class": "adult_female", "killed": 2,
                       "injured": 0}]}
    response = app.test_client().post("/api/v1/claims", json=body, headers={
        "Authorization": f"Bearer {secret}", "Accept-Language": lang})
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    texts = [problem["title"]] + [e["message"] for e in problem.get("errors") or []]
    assert all(words in ISOLATES.sub("", text) for text in texts), texts


def test_a_counted_error_reads_in_english_without_a_request(app):
    err = InvalidInput(NP_("%(count)s file is missing.", "%(count)s files are missing."),
                       count=1)
    assert str(err) == "1 file is missing."
    assert str(InvalidInput(err.message, count=4)) == "4 files are missing."
    with app.test_request_context():
        assert InvalidInput(err.message, count=4).translated() == "4 files are missing."
