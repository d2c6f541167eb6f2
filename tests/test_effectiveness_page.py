"""The effectiveness page a manager acts on, and the files for a donor: one sentence per
measure, a forest plot, the effect by time since installation, a map, and CSV, XLSX and PDF
downloads carrying the same numbers as the JSON, in every language."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import unicodedata
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from openpyxl import load_workbook

from conflict_app.analytics import downloads
from conflict_app.analytics.service import COLUMNS
from tests.test_effectiveness_refusals import _import, _login

NUMERIC = ("households_treated", "households_control", "villages_treated",
           "villages_control", "events_treated", "events_control", "irr", "ci_low",
           "ci_high", "effectiveness_pct")


@pytest.fixture
def landscape(app, tmp_path):
    """Four villages, corrals and guarding dogs assigned at random: estimates to show."""
    from conflict_app.analytics.landscape import generate

    land = generate(7, villages=4, households=(30, 40), design="random",
                    measures={"corral": 0.3, "guard_dog": 0.6}, uptake=0.5)
    _import(app, tmp_path, land, "landscape")
    return land


def _svgs(text: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in
            re.finditer(r'<svg class="plot[^"]*"[^>]*aria-labelledby="([\w-]+)-t[^"]*".*?</svg>',
                        text, re.S)}


def _pct(value: float) -> str:
    return str(round(value))


@pytest.mark.parametrize("locale", ["en", "fa", "ka"])
def test_the_page_leads_with_a_sentence_per_measure_and_draws_its_plots(
        app, world, browser_for, landscape, locale):
    analyst = browser_for(world.analyst)
    rows = analyst.get("/analytics/effectiveness.json").get_json()
    headlines = {r["measure"]: r for r in rows if r["headline"]}
    assert set(headlines) == {"corral", "guard_dog"}, rows
    page = analyst.get(f"/analytics/effectiveness?lang={locale}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for measure, row in headlines.items():
        sentence = re.search(rf'<li id="headline-{measure}">(.*?)</li>', text, re.S).group(1)
        assert row["irr"] is not None
        # Whole percent of the same estimate, and its interval, in the one sentence.
        if row["ci_high"] < 1:
            figures = [(1 - row["irr"]) * 100, (1 - row["ci_high"]) * 100,
                       (1 - row["ci_low"]) * 100]
        elif row["ci_low"] > 1:
            figures = [(row["irr"] - 1) * 100, (row["ci_low"] - 1) * 100,
                       (row["ci_high"] - 1) * 100]
        else:
            figures = [(1 - row["ci_low"]) * 100, (row["ci_high"] - 1) * 100]
        found = [int(n) for n in re.findall(r"\d+", sentence)]
        for figure in figures:
            assert round(figure) in found, (sentence, figures)
        assert row["grade"] in sentence and str(row["households_treated"]) in sentence
        assert str(row["villages_treated"]) in sentence
        if locale == "en":
            assert "heads lost" in sentence and "villages" in sentence
    svgs = _svgs(text)
    forest = svgs["forest"]
    assert forest.count("<rect x=") >= len(headlines)  # one square per estimate
    assert "<title" in forest and "<desc" in forest
    for measure in headlines:
        assert f"time-{measure}" in svgs, sorted(svgs)
        assert svgs[f"time-{measure}"].count("<circle") >= 3
    assert "<path d=\"M" in svgs["map"]  # the range states' outlines
    assert svgs["map"].count("<rect") >= 2  # water and at least one cell
    if locale == "fa":
        assert 'dir="rtl"' in text


def test_downloads_carry_the_numbers_of_the_json(app, world, browser_for, landscape):
    analyst = browser_for(world.analyst)
    rows = analyst.get("/analytics/effectiveness.json").get_json()
    response = analyst.get("/analytics/effectiveness.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(table[0]) == list(COLUMNS)
    book = load_workbook(io.BytesIO(analyst.get("/analytics/effectiveness.xlsx").get_data()))
    sheet = list(book.active.iter_rows(values_only=True))
    assert list(sheet[0]) == list(COLUMNS)
    sheet_rows = [dict(zip(COLUMNS, r, strict=True)) for r in sheet[1:]]
    assert len(table) == len(sheet_rows) == len(rows)
    for row, from_csv, from_xlsx in zip(rows, table, sheet_rows, strict=True):
        assert (from_csv["measure"], from_csv["design"]) == (row["measure"], row["design"])
        for name in NUMERIC:
            value = downloads.suppressed(row)[name]
            if value is None:
                assert from_csv[name] == "" and from_xlsx[name] in ("", None)
            else:
                assert float(from_csv[name]) == pytest.approx(value), name
                assert float(from_xlsx[name]) == pytest.approx(value), name
        assert from_csv["reason"] == (row["reason"] or "")
    # No place finer than a country in any file.
    text = response.get_data(as_text=True)
    assert "latitude" not in text and "longitude" not in text


@pytest.mark.parametrize("locale", ["en", "fa", "ka", "ar", "ur", "ckb", "hy"])
def test_the_pdf_report_in_every_script(app, world, browser_for, landscape, locale):
    analyst = browser_for(world.analyst)
    rows = analyst.get("/analytics/effectiveness.json").get_json()
    response = analyst.get(f"/analytics/effectiveness.pdf?lang={locale}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext (poppler-utils)")
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S603, S607 - a fixed local tool
                            input=response.get_data(), capture_output=True, check=True)
    text = unicodedata.normalize("NFKC", result.stdout.decode("utf-8"))
    digits = text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789"))
    for row in (r for r in rows if r["headline"] and r["irr"] is not None):
        # The headline's ratio and interval, as in the JSON (two decimals).
        for name in ("irr", "ci_low", "ci_high"):
            figure = str(Decimal(str(row[name])).quantize(Decimal("0.01"), ROUND_HALF_EVEN))
            pattern = re.escape(figure).replace(r"\.", "[.,٫]")
            assert re.search(r"(?<![\d.,٫])" + pattern + r"(?!\d)", digits), (locale, name)
    if locale == "en":
        assert "Effectiveness report" in text and "Methods" in text and "heads lost" in text


def test_the_demo_map_shows_cells_and_the_geojson_is_not_empty(app):
    from conflict_app.demo import build

    list(build())
    analyst = _login(app, "analyst@demo.pardus")
    geo = analyst.client.get("/exports/incidents.geojson").get_json()
    assert geo["features"], geo
    cells = {f["properties"]["cell_degrees"] for f in geo["features"]}
    assert len(cells) == 1 and cells.pop() >= 0.1
    for url in ("/analytics/effectiveness", "/analytics/"):
        svgs = _svgs(analyst.client.get(url).get_data(as_text=True))
        assert "<title>" in svgs["map"] and "<path d=\"M" in svgs["map"], url


def test_small_arms_are_blank_in_downloads_but_estimates_stay():
    row = {name: None for name in COLUMNS} | {
        "households_treated": 3, "households_control": 40, "events_treated": 2,
        "exposure_treated": 150.0, "events_control": 30, "exposure_control": 900.0,
        "irr": 0.5, "caveats": ["small_sample"], "truly_effective": False}
    out = dict(zip(COLUMNS, next(downloads.rows([row])), strict=True))
    assert out["events_treated"] == "" and out["exposure_treated"] == ""
    assert out["events_control"] == 30 and out["irr"] == 0.5
    assert out["households_treated"] == 3


@pytest.mark.parametrize("shape", ["empty", "one_household"])
def test_downloads_on_degenerate_landscapes(app, world, browser_for, tmp_path, shape):
    from conflict_app.analytics.landscape import generate

    if shape == "one_household":
        _import(app, tmp_path, generate(3, villages=1, households=(1, 1), design="random",
                                        uptake=1.0), shape)
    analyst = browser_for(world.admin)
    for country in ("", "AM", "XX"):
        for verification in ("", "confirmed", "nonsense"):
            query = f"?country={country}&filter={verification}"
            rows = analyst.get("/analytics/effectiveness.json" + query).get_json()
            table = list(csv.DictReader(io.StringIO(
                analyst.get("/analytics/effectiveness.csv" + query).get_data(as_text=True))))
            assert len(table) == len(rows)
            for row in table:  # one household: its counts never leave the system
                if row["households_treated"] and int(row["households_treated"]) < 5:
                    assert row["events_treated"] == "" and row["exposure_treated"] == ""
            xlsx = analyst.get("/analytics/effectiveness.xlsx" + query)
            assert xlsx.status_code == 200
            load_workbook(io.BytesIO(xlsx.get_data()))
            for locale in ("en", "fa"):
                pdf = analyst.get(f"/analytics/effectiveness.pdf{query}&lang={locale}")
                assert pdf.status_code == 200 and pdf.get_data()[:5] == b"%PDF-"


@pytest.mark.parametrize("locale", ["en", "fa", "ka", "ru", "ar", "ur"])
def test_every_kind_of_headline_is_one_sentence_in_every_script(app, locale):
    from flask_babel import force_locale

    from conflict_app.analytics import summary
    from conflict_app.analytics.effectiveness import Estimate, MeasureResult

    def result(**estimate) -> MeasureResult:
        est = Estimate(measure="corral", design="baci", grade="B", households_treated=212,
                       villages_treated=14, exposure_treated=1500.0, headline=True, **estimate)
        return MeasureResult("corral", "corral", 0.5, [est])

    cases = {
        "fewer": (result(irr=0.3, ci_low=0.2, ci_high=0.45), {70, 55, 80}),
        "more": (result(irr=1.5, ci_low=1.2, ci_high=2.0), {50, 20, 100}),
        "unclear": (result(irr=0.9, ci_low=0.6, ci_high=1.3), {40, 30}),
        "no losses": (result(suppressed="zero_treated_events", upper_bound=0.12), {1500, 12}),
    }
    refused = MeasureResult("corral", "corral", 0.5, [Estimate(
        measure="corral", design="baci", grade="B", suppressed="few_events",
        reason="fewer than 10 losses in all")])
    with app.test_request_context(), force_locale(locale):
        for name, (measure, figures) in cases.items():
            text = summary.sentence(measure)
            whole = re.sub(r"(?<=\d)[,.\u00a0\u202f\u066c](?=\d{3})", "", text)  # 1,500
            found = {int(n) for n in re.findall(r"\d+", whole)}
            assert figures | {212, 14} <= found, (name, text)
            assert "%(" not in text and "B" in text
        assert "fewer than 10 losses in all" in summary.sentence(refused)
