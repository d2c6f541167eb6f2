"""What staff read on their pages is words and formatted figures, never stored internals:
the claim timeline, the scheme report's percentages, exchange rates, the pool's loss ratio
and the names of downloaded files."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest

from conflict_app.claims import operations as ops
from conflict_app.core import clock
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod
from conflict_app.schemes import insurance
from tests import helpers
from tests.test_schemes import _create, _version

RAW = ("False", "None", "idempotency_key", "budget_hold", "second_review", "sheep/",
       "adult_female", "leopard/confirmed", "core-compensation", "True")


def _timeline(html: str) -> str:
    return html.split('id="timeline-h"', 1)[1]


def _paid_claim(world):
    claim = helpers.approved(world, killed=3)
    batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.CASH)
    pay.export_batch(world.finance, batch.id)
    pay.record_paid(world.finance, batch.items[0].id, "TX-77", idempotency_key="k-123")
    return claim


def test_the_timeline_reads_as_words_and_figures(world, browser_for):
    claim = _paid_claim(world)
    html = browser_for(world.clerk).get(f"/claims/{claim.id}").get_data(as_text=True)
    timeline = _timeline(html)
    for raw in RAW:
        assert raw not in timeline, (raw, timeline[:4000])
    assert "k-123" not in timeline  # an internal request key, not a fact for staff
    text = re.sub(r"<[^>]+>", " ", timeline)
    assert "Sheep, Adult female" in text and "3 killed" in text
    assert "Leopard" in text and "Confirmed" in text
    assert "AMD135,000.00" in text  # the amount with its currency, formatted
    assert "TX-77" in text
    assert "Default rule" in text


@pytest.mark.parametrize("locale", ["fa", "ar"])
def test_each_change_is_its_own_line_in_right_to_left(world, browser_for, locale):
    """Label and value of each change stand in their own element, the value isolated, so
    a right-to-left page cannot run values of one change into the next."""
    claim = _paid_claim(world)
    html = browser_for(world.clerk).get(f"/claims/{claim.id}?lang={locale}").get_data(
        as_text=True)
    assert 'dir="rtl"' in html
    timeline = _timeline(html)
    for raw in RAW:
        assert raw not in timeline, raw
    pairs = re.findall(r"<dt>([^<]+)</dt>\s*<dd><bdi>(.*?)</bdi></dd>", timeline, re.S)
    assert len(pairs) >= 6, timeline[:3000]
    assert "; " not in "".join(v for _, v in pairs)


def test_exchange_rates_are_plain_numbers(world, browser_for):
    manager = browser_for(world.manager)
    assert manager.post("/schemes/rates", data={
        "currency": "AMD", "per_usd": "390", "valid_from": "2026-03-03"}).status_code == 302
    page = manager.get("/schemes/rates").get_data(as_text=True)
    assert "E+" not in page and ">390<" in page


def test_the_export_files_keep_their_extension_last(world, browser_for):
    clock.freeze(datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    try:
        clerk = browser_for(world.clerk)
        for path, name in (("/exports/claims.xlsx", "pardus-claims-2026-12-04.xlsx"),
                           ("/exports/claims.csv", "pardus-claims-2026-12-04.csv")):
            response = clerk.get(path)
            assert response.status_code == 200
            assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
        analyst = browser_for(world.analyst)
        geo = analyst.get("/exports/incidents.geojson")
        assert geo.headers["Content-Disposition"].endswith(
            "pardus-incidents-2026-12-04.geojson")
    finally:
        clock.freeze(None)


def test_the_loss_ratio_is_shown_after_a_payout(world, browser_for):
    """Premium paid in December, the loss and its payout in the new year: the pool's loss
    ratio is not an empty dash."""
    clock.freeze(datetime(2025, 12, 10, 9, 0, tzinfo=UTC))
    try:
        manager = browser_for(world.manager)
        scheme = _create(manager, code="AM-INS", kind="insurance", budget="0",
                         admin1=str(world.syunik.id), valid_from="2025-01-01")
        _version(manager, scheme, valid_from="2025-01-01", waiting_days="0",
                 payout_share="0.8", premium_rate="0.02", herder_share="0.5")
        hh = helpers.household(world)
        assert manager.post(f"/schemes/{scheme.id}/enrol", data={
            "household": str(hh.id), "starts_on": "2025-12-10", "ends_on": "2026-12-09",
            "heads_sheep": "50", "value_sheep": "60000", "agreement_signed": "y"},
        ).status_code == 302
        enrolment = insurance.enrolments(scheme.id)[0]
        insurance.record_premium(world.finance, enrolment.id, date(2025, 12, 10))
        clock.freeze(datetime(2026, 2, 10, 9, 0, tzinfo=UTC))
        claim = helpers.verified(world, hh=hh, killed=1)
        assert claim.scheme_id == scheme.id
        ops.assess(claim.id, world.clerk, None)
        ops.approve(claim.id, world.approver, None)
        insurance.settle(world.finance, scheme.id, date(2026, 1, 1), date(2026, 2, 28))
        manager = browser_for(world.manager)  # two months on: a fresh sign-in
        page = manager.get(f"/schemes/{scheme.id}").get_data(as_text=True)
        row = re.search(r"Loss ratio.*?</tr>", page, re.S)
        assert row, page[:3000]
        row = row.group(0)
        assert "—" not in row, row
        assert re.search(r"\d+(\.\d)?\s?%", row), row
    finally:
        clock.freeze(None)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_scheme_report_rounds_its_percentages(world, browser_for, tmp_path):
    clock.freeze(datetime(2026, 1, 2, 9, 0, tzinfo=UTC))
    try:
        manager = browser_for(world.manager)
        scheme = _create(manager, code="AM-INS", kind="insurance", budget="0",
                         admin1=str(world.syunik.id))
        _version(manager, scheme, waiting_days="0", payout_share="0.8")
        hh = helpers.household(world)
        assert manager.post(f"/schemes/{scheme.id}/enrol", data={
            "household": str(hh.id), "starts_on": "2026-01-02", "ends_on": "2026-12-31",
            "heads_sheep": "60", "value_sheep": "60000", "agreement_signed": "y"},
        ).status_code == 302
        enrolment = insurance.enrolments(scheme.id)[0]
        insurance.record_premium(world.finance, enrolment.id, date(2026, 1, 2))
        clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        # Premiums for the rest of the year, one ewe paid at 80 %: a ratio of 67.03… %.
        claim = helpers.verified(world, hh=hh, killed=1)
        ops.assess(claim.id, world.clerk, None)
        ops.approve(claim.id, world.approver, None)
        insurance.settle(world.finance, scheme.id, date(2026, 1, 1), date(2026, 3, 31))
        manager = browser_for(world.manager)  # two months on: a fresh sign-in
        response = manager.get(f"/documents/schemes/{scheme.id}/report.pdf"
                               "?start=2026-01-01&end=2026-03-31")
        assert response.status_code == 200
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(response.data)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"],  # noqa: S603, S607
                              capture_output=True, text=True, check=True).stdout
        text = re.sub(r"\s+", " ", text)  # a long number wraps its percent sign
        ratio = re.search(r"Loss ratio ([\d.,]+) ?%", text)
        assert ratio and ratio.group(1) == "67", text  # 48,000 / 71,605.48 (premiums)
        percents = re.findall(r"\d[\d.,]*\s?%", text)
        for value in percents:
            assert re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d)?\s?%", value), (value, percents)
    finally:
        clock.freeze(None)


def test_staff_pages_with_personal_data_are_never_stored(world, browser_for):
    claim = _paid_claim(world)
    batch_id = pay.create_batch(world.finance, [helpers.approved(
        world, hh=helpers.household(world, name="B")).id], PaymentMethod.CASH).id
    pages = {world.clerk: [f"/claims/{claim.id}", "/claims", "/queue", "/households/",
                           f"/households/{claim.household_id}"],
             world.finance: [f"/payments/batches/{batch_id}",
                             f"/payments/batches/{batch_id}/export", "/payments/"],
             world.approver: [f"/claims/{claim.id}",
                              f"/documents/claims/{claim.id}/decision.pdf"],
             world.manager: ["/schemes/", "/exports/"]}
    for user, paths in pages.items():
        browser = browser_for(user)
        for path in paths:
            response = browser.get(path)
            assert response.status_code == 200, (path, response.status_code)
            assert "no-store" in response.headers.get("Cache-Control", ""), path
