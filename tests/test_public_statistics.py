"""The public statistics page, its CSV files and feeds: open to anyone, de-identified, small
cells hidden as in the analytics and never given away by a total and its parts."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import date, datetime
from xml.etree import ElementTree

import pytest
from sqlalchemy import event

from conflict_app.analytics import store
from conflict_app.analytics.suppression import hidden_cells
from conflict_app.claims.models import AgeClass, Incident, LossLine
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.herders.models import Household, Species
from conflict_app.i18n import LOCALES, RTL
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod
from tests import helpers

ATOM = "{http://www.w3.org/2005/Atom}"


def _attack(world, village, on: date, killed: int, name: str = "Herder") -> Incident:
    """A leopard attack recorded as confirmed, as a bundle import brings it."""
    household = Household(head_name=name, phone="+37491000000", village_id=village.id,
                          country_code=village.country_code, admin1_id=village.admin1_id,
                          admin2_id=village.admin2_id)
    db.session.add(household)
    db.session.flush()
    incident = Incident(household_id=household.id, occurred_on=on, village_id=village.id,
                        country_code=village.country_code, admin1_id=village.admin1_id,
                        admin2_id=village.admin2_id, latitude=village.latitude,
                        longitude=village.longitude, recorded_predator="leopard",
                        recorded_confidence="confirmed")
    db.session.add(incident)
    db.session.flush()
    db.session.add(LossLine(incident_id=incident.id, species=Species.SHEEP,
                            age_class=AgeClass.ADULT_FEMALE, killed=killed))
    db.session.flush()
    return incident


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def landscape(world):
    """2025: 6 Armenian households lost 7 heads each, 2 Georgian ones 13 heads each;
    2026: 5 Armenian households lost 3 heads each. One claim paid in 2026."""
    store.clear()  # ids are reused after a rolled-back test on SQLite
    for k in range(6):
        _attack(world, world.shvanidzor, date(2025, 5, 3 + k), 7, name=f"Aram Vardanyan {k}")
    for k in range(2):
        _attack(world, world.samreklo, date(2025, 6, 10 + k), 13, name=f"Giorgi Beridze {k}")
    for k in range(5):
        _attack(world, world.gndevaz, date(2026, 3, 1 + k), 3)
    clock.freeze(datetime(2026, 7, 1, 9, 0, tzinfo=clock.UTC))
    claim = helpers.approved(world, killed=2)
    batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.CASH)
    pay.export_batch(world.finance, batch.id)
    pay.record_paid(world.finance, batch.items[0].id, "TX-1", idempotency_key="k-1")
    return claim


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _csv(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_anyone_reads_the_page_without_javascript_and_finds_it_from_the_start_page(
        client, landscape):
    assert "/statistics/" in _text(client.get("/"))
    html = _text(client.get("/statistics/"))
    assert "<script" not in html
    assert 'rel="alternate" type="application/atom+xml"' in html
    # The whole range over both years: 14 attacks, 2 × 13 + 6 × 7 + 5 × 3 + 2 heads.
    figures = dict(re.findall(r"<li><b>([^<]*)</b>([^<]*)</li>", html))
    assert figures["14"] == "Verified leopard attacks"
    assert figures["85"] == "Heads lost"


def test_filters_are_plain_get_forms_and_bad_values_are_named(client, landscape):
    html = _text(client.get("/statistics/?country=AM&year=2025"))
    assert '<option value="AM" selected>' in html and '<option value="2025" selected>' in html
    response = client.get("/statistics/?country=ZZ&year=20x5")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is no country with the code ZZ." in html
    assert "The year must be a year such as" in html


def test_small_cells_never_show_not_even_by_subtraction(client, landscape):
    """Georgia's two households of 2025 (26 heads) are hidden; so is Armenia's 2025 figure,
    or the range's 2025 total minus Armenia would give Georgia's away, and so on along
    every line of totals it touches. The range's total stays."""
    rows = _csv(client, "/statistics/all.csv")
    cells = {(r["country"], r["period"]): r for r in rows}
    assert cells[("GE", "2025")]["heads_lost"] == ""
    assert cells[("GE", "")]["heads_lost"] == ""
    assert cells[("", "")]["heads_lost"] == "85"
    assert cells[("AM", "2025")]["heads_lost"] == ""
    # A single paid claim: its household's amount and count show nowhere.
    payments = _csv(client, "/statistics/payments.csv")
    assert payments and all(p["amount_paid"] == "" for p in payments
                            if p["period"] in ("2026", "2026-07", ""))
    # No line of the published table has exactly one hidden part under a shown total.
    for figure in ("verified_attacks", "heads_lost", "claims_received", "claims_decided"):
        for total, parts in _lines(cells):
            if cells[total][figure] != "":
                assert sum(cells[p][figure] == "" for p in parts) != 1, (figure, total)
    for url in ("/statistics/", "/statistics/?country=GE", "/statistics/?year=2025",
                "/statistics/feed.json", "/statistics/by-country.csv?year=2025"):
        body = client.get(url).get_data(as_text=True)
        assert "26" not in re.sub(r"2026|#x?[0-9a-f]+;", "", body), url


def _lines(cells: dict) -> list:
    countries = sorted({c for c, _p in cells if c})
    years = sorted({p for _c, p in cells if len(p) == 4})
    months = sorted({p for _c, p in cells if len(p) == 7})
    lines = [((c, ""), [(c, y) for y in years]) for c in countries]
    lines += [(("", y), [(c, y) for c in countries]) for y in years]
    lines += [(("", y), [("", m) for m in months if m.startswith(y)]) for y in years]
    return lines + [(("", ""), [("", y) for y in years])]


def test_hidden_cells_protects_every_total_and_its_parts():
    households = {"a": 7, "b": 2, "c": 9, "t": 18}
    assert hidden_cells(households, [("t", ["a", "b", "c"])]) == {"a", "b"}
    # Nothing else in the line: the total would equal the hidden part, so it goes too.
    assert hidden_cells({"a": 3, "t": 3}, [("t", ["a", "z"])]) == {"a", "t"}
    # A cell hidden for one line hides another in the line it also belongs to.
    hidden = hidden_cells({"x1": 2, "x2": 9, "y1": 8, "y2": 6, "X": 11, "Y": 14, "1": 10,
                           "2": 15, "T": 25},
                          [("X", ["x1", "x2"]), ("Y", ["y1", "y2"]), ("1", ["x1", "y1"]),
                           ("2", ["x2", "y2"]), ("T", ["X", "Y"]), ("T", ["1", "2"])])
    assert {"x1", "x2", "y1", "y2"} <= hidden
    assert not hidden & {"X", "Y", "1", "2", "T"}
    assert hidden_cells({"a": 0, "b": 5}, [("t", ["a", "b"])]) == set()


def test_nothing_personal_or_finer_than_a_country_is_published(client, landscape):
    bodies = [client.get(url).get_data(as_text=True) for url in (
        "/statistics/", "/statistics/all.csv", "/statistics/payments.csv",
        "/statistics/feed.atom", "/statistics/feed.json", "/statistics/measures.csv")]
    for body in bodies:
        for secret in ("Shvanidzor", "Samreklo", "Gndevaz", "Syunik", "Vardanyan", "Beridze",
                       "91000000", "38.948", "46.342", landscape.reference, "TX-1"):
            assert secret not in body, secret


@pytest.mark.parametrize("locale", LOCALES)
def test_the_page_reads_in_every_language(client, landscape, locale):
    html = _text(client.get(f"/statistics/?lang={locale}&country=AM"))
    assert f'lang="{locale.replace("_", "-")}"' in html
    assert f'dir="{"rtl" if locale in RTL else "ltr"}"' in html
    if locale != "en":
        for english in ("Leopard attacks and compensation: figures", "Verified leopard attacks",
                        "Median days from report to payment", "Download this table (CSV)",
                        "not shown, because"):
            assert english not in html, (locale, english)
    # Amounts with their currency, in the locale's format; claim numbers in isolates.
    assert "<bdi>" in html


def test_numbers_follow_the_locale(client, world):
    store.clear()
    for k in range(5):
        _attack(world, world.shvanidzor, date(2025, 5, 3 + k), 250)
    assert "1,250" in _text(client.get("/statistics/?lang=en"))
    assert "1\xa0250" in _text(client.get("/statistics/?lang=ru"))
    assert "1.250" in _text(client.get("/statistics/?lang=tr"))


def test_feeds_are_valid_and_answer_not_modified(client, landscape):
    response = client.get("/statistics/feed.atom")
    assert response.mimetype == "application/atom+xml"
    root = ElementTree.fromstring(response.data)  # noqa: S314 - the app's own feed
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    entries = root.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    # Finished periods only (it is 1 July 2026): June 2026 back to May 2025, and 2025.
    assert "Leopard attacks and compensation: June 2026" in titles
    assert "Leopard attacks and compensation: 2025" in titles
    assert not any("July 2026" in t or t.endswith(": 2026") for t in titles)
    for entry in entries:
        for name in ("id", "title", "updated", "content"):
            assert entry.find(f"{ATOM}{name}") is not None, name
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(ids) == len(set(ids))

    again = client.get("/statistics/feed.atom",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    since = client.get("/statistics/feed.atom",
                       headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304

    feed = client.get("/statistics/feed.json?lang=ru")
    assert feed.mimetype == "application/feed+json"
    data = json.loads(feed.data)
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["title"] and data["feed_url"].endswith("/statistics/feed.json")
    assert data["language"] == "ru"
    assert data["items"]
    for item in data["items"]:
        assert isinstance(item["id"], str) and item["content_text"]
        datetime.fromisoformat(item["date_published"])
    # The Russian feed is another version of the resource than the English one.
    assert feed.headers["ETag"] != client.get("/statistics/feed.json").headers["ETag"]


def test_csv_files_answer_not_modified_until_the_data_change(client, world, landscape):
    first = client.get("/statistics/all.csv")
    assert first.headers["Last-Modified"]
    assert client.get("/statistics/all.csv",
                      headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    _attack(world, world.shvanidzor, date(2026, 4, 1), 4)
    changed = client.get("/statistics/all.csv", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200


def test_a_second_view_reads_nothing_but_the_data_version(client, landscape):
    client.get("/statistics/")
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # noqa: ANN001
        seen.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        _text(client.get("/statistics/?lang=ar"))
        _text(client.get("/statistics/all.csv"))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert not [s for s in seen if "loss_line" in s and "max(audit_entry.id)" not in s], seen
    queries = [s for s in seen if "savepoint" not in s]
    # The page: the data's version and the list of countries; the file: the version.
    assert len(queries) == 3, queries


def test_views_are_rate_limited_per_address(app, client, landscape, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_STATISTICS_LIMIT", "3 per minute")
    for _ in range(3):
        assert client.get("/statistics/feed.json").status_code == 200
    limited = client.get("/statistics/all.csv")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"]


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs TEST_REDIS_URL")
def test_with_a_job_system_the_first_view_waits_for_the_job(app, client, landscape):
    """Several web workers share the figures through Redis and never compute them inside a
    request: the first view says they are being computed, then a job has them ready."""
    from rq import SimpleWorker

    from conflict_app.jobs import QUEUES
    from conflict_app.jobs.rq_backend import connection

    url = os.environ["TEST_REDIS_URL"]
    conn = connection(url)
    conn.flushdb()
    store.clear()
    app.config["REDIS_URL"] = url
    try:
        first = client.get("/statistics/?lang=ru")
        assert first.status_code == 503 and first.headers["Retry-After"] == "10"
        html = first.get_data(as_text=True)
        assert 'lang="ru"' in html and "<script" not in html
        assert "The figures are being computed" not in html  # in Russian
        assert client.get("/statistics/all.csv").status_code == 503
        SimpleWorker(list(QUEUES), connection=conn).work(burst=True)
        figures = dict(re.findall(r"<li><b>([^<]*)</b>([^<]*)</li>",
                                  _text(client.get("/statistics/?lang=en"))))
        assert figures["14"] == "Verified leopard attacks"
        assert client.get("/statistics/all.csv").status_code == 200
    finally:
        app.config["REDIS_URL"] = None
        store.clear()
        conn.flushdb()
        conn.close()
