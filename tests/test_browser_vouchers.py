"""A large batch's vouchers, a long confirmation file and a large claims export in a real
browser, in English and a right-to-left language: the page offers to prepare them, the next
page follows the job and offers the file, which downloads with every row. Every page: no
sideways overflow, axe-core clean, Nu HTML checker clean."""

from __future__ import annotations

import pytest

from conflict_app.extensions import db
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod
from tests import browser_support as bs
from tests import helpers
from tests.test_documents import Drawn, _clean

pytestmark = [pytest.mark.browser, pytest.mark.committed]


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_finance_prepares_and_downloads_the_vouchers_of_a_large_batch(
        app, live, chromium_browser, world_committed, visit, locale):
    w = world_committed.world
    references = []
    ids = []
    for k in range(3):
        claim = helpers.approved(w, hh=helpers.household(w, name=f"Payee {k}"))
        helpers.payout(claim.household)
        references.append(claim.reference)
        ids.append(claim.id)
    batch = pay.create_batch(w.finance, ids, PaymentMethod.CASH)
    db.session.commit()
    batch_id = batch.id
    db.session.remove()
    before = app.config["VOUCHERS_IN_REQUEST"]
    app.config["VOUCHERS_IN_REQUEST"] = 2  # three payees are a large batch here
    try:
        finance = bs.Session(chromium_browser, live, visit, locale)
        finance.login(world_committed.finance)
        finance.goto(f"/payments/batches/{batch_id}")
        finance.check("batch page with a prepare button")
        bs.shot(finance, "batch-prepare")
        finance.submit(f"form[action$='/batches/{batch_id}/vouchers'] button[type=submit]")
        finance.check("vouchers ready")
        bs.shot(finance, "vouchers-ready")
        assert finance.page.locator("progress").get_attribute("value") == "100"
        with finance.page.expect_download() as download:
            finance.page.locator("main a[href$='/vouchers.pdf']").click()
        text = _clean(Drawn(download.value.path().read_bytes()).text())
        assert all(reference in text for reference in references)
        finance.close()
    finally:
        app.config["VOUCHERS_IN_REQUEST"] = before
    bs.assert_clean(visit)


@pytest.mark.parametrize("locale", ["en", "fa"])
def test_finance_uploads_a_long_confirmation_file_and_reads_what_was_recorded(
        app, live, chromium_browser, world_committed, visit, locale, tmp_path):
    w = world_committed.world
    ids = []
    for k in range(3):
        claim = helpers.approved(w, hh=helpers.household(w, name=f"Payee {k}"))
        helpers.payout(claim.household)
        ids.append(claim.id)
    batch = pay.create_batch(w.finance, ids, PaymentMethod.CASH)
    pay.export_batch(w.finance, batch.id)
    db.session.commit()
    batch_id, items = batch.id, [i.id for i in batch.live_items()]
    db.session.remove()
    confirmation = tmp_path / "results.csv"
    confirmation.write_text("item,status,reference,reason\n" + "".join(
        f"{item},paid,BANK-{item},\n" for item in items), encoding="utf-8")
    before = app.config["CONFIRMATIONS_IN_REQUEST"]
    app.config["CONFIRMATIONS_IN_REQUEST"] = 2  # three lines are a long file here
    try:
        finance = bs.Session(chromium_browser, live, visit, locale)
        finance.login(world_committed.finance)
        finance.goto(f"/payments/batches/{batch_id}")
        finance.page.set_input_files("input[type=file][name=file]", str(confirmation))
        finance.submit("form[action$='/confirmations'] button[type=submit]")
        assert "/payments/confirmation-runs/" in finance.page.url
        finance.check("confirmation file recorded by a job")
        bs.shot(finance, "confirmations-recorded")
        status = finance.page.locator("main p[role=status]").inner_text()
        assert status.split("·")[0].strip() != ""
        finance.goto(f"/payments/batches/{batch_id}")
        assert finance.page.locator("input[id^=ref-]").count() == 0, "items left unrecorded"
        finance.close()
    finally:
        app.config["CONFIRMATIONS_IN_REQUEST"] = before
    bs.assert_clean(visit)


@pytest.mark.parametrize("locale", ["en", "ur"])
def test_a_clerk_prepares_and_downloads_a_large_claims_export(
        app, live, chromium_browser, world_committed, visit, locale):
    w = world_committed.world
    references = [helpers.report(w, hh=helpers.household(w, name=f"Herder {k}"))[0].reference
                  for k in range(3)]
    db.session.commit()
    db.session.remove()
    before = app.config["EXPORT_ROWS_IN_REQUEST"]
    app.config["EXPORT_ROWS_IN_REQUEST"] = 2  # three claims are a large export here
    try:
        clerk = bs.Session(chromium_browser, live, visit, locale)
        clerk.login(world_committed.clerk)
        clerk.goto("/exports/")
        clerk.check("exports page with prepare buttons")
        bs.shot(clerk, "exports-prepare")
        clerk.submit("form[action$='/exports/runs']:has(input[value=xlsx]) button[type=submit]")
        clerk.check("export ready")
        bs.shot(clerk, "export-ready")
        assert clerk.page.locator("progress").get_attribute("value") == "100"
        with clerk.page.expect_download() as download:
            clerk.page.locator("main a[href$='/file']").click()
        from io import BytesIO

        from openpyxl import load_workbook

        sheet = load_workbook(BytesIO(download.value.path().read_bytes())).active
        assert sorted(row[0].value for row in sheet.iter_rows(min_row=2)) == sorted(references)
        clerk.close()
    finally:
        app.config["EXPORT_ROWS_IN_REQUEST"] = before
    bs.assert_clean(visit)
