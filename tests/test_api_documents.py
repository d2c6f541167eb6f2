"""PDF documents through the API: the pages' permission checks, the herder's language for
letters and the reader's for the rest, problem documents for every refusal."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from conflict_app.claims.models import Claim
from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from tests import helpers


def text_of(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def refused(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"


def test_receipt_and_decision_letter_for_the_roles_the_pages_allow(world, built, api):
    claim = built.claim
    url = f"/api/v1/claims/{claim.reference}"
    clerk = api(world.clerk)
    receipt = clerk.get(f"{url}/receipt.pdf")
    # The herder's language (Armenian), as the page prints it.
    assert receipt.headers["Content-Language"] == "hy"
    assert claim.reference in text_of(receipt)
    english = clerk.get(f"{url}/receipt.pdf?lang=en")
    assert english.headers["Content-Language"] == "en"
    assert "Receipt for a loss report" in text_of(english)
    assert "Keep the PIN secret" not in text_of(english)  # the PIN is never printed again
    letter = api(world.approver).get(f"{url}/decision.pdf?lang=en")
    assert claim.reference in text_of(letter)
    # Finance and analysts do not print letters; other provinces do not see the claim.
    refused(api(world.finance).get(f"{url}/receipt.pdf"), 403)
    refused(api(world.verifier).get(f"{url}/decision.pdf"), 403)
    refused(api(world.analyst).get(f"{url}/receipt.pdf"), 404)
    refused(api(world.other_clerk).get(f"{url}/decision.pdf"), 404)
    refused(clerk.get(f"{url}/receipt.pdf?lang=xx"), 400)
    refused(clerk.get("/api/v1/claims/NOPE-1/receipt.pdf"), 404)


def test_no_letter_before_a_decision(world, api):
    claim = helpers.verified(world)
    response = api(world.clerk).get(f"/api/v1/claims/{claim.reference}/decision.pdf")
    refused(response, 404)


def test_vouchers_and_batch_lists_for_finance_in_the_readers_language(world, built, api):
    finance = api(world.finance)
    item = built.incentive_batch.items[0]
    voucher = finance.get(f"/api/v1/payment-items/{item.id}/voucher.pdf?lang=en")
    assert voucher.headers["Content-Language"] == "en"
    assert built.incentive_batch.reference in text_of(voucher)
    russian = finance.get(f"/api/v1/payment-items/{item.id}/voucher.pdf",
                          headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert russian.headers["Content-Language"] == "ru"
    assert built.incentive_batch.reference in text_of(russian)
    batch = f"/api/v1/payment-batches/{built.insurance_batch.id}"
    listed = text_of(finance.get(f"{batch}/list.pdf?lang=en"))
    assert built.insured_claim.reference in listed and "60" in listed
    assert built.insurance_batch.reference in text_of(finance.get(f"{batch}/vouchers.pdf"))
    for user in (world.clerk, world.manager, world.analyst):
        refused(api(user).get(f"{batch}/list.pdf"), 403)
    refused(api(world.finance, ["read"]).get(f"{batch}/list.pdf"), 403)
    refused(finance.get("/api/v1/payment-batches/999999/list.pdf"), 404)


def test_scheme_report_for_managers_and_analysts(world, built, api):
    url = f"/api/v1/schemes/{built.compensation.id}/report.pdf?start=2026-01-01&end=2026-12-31"
    manager = text_of(api(world.manager).get(url + "&lang=en"))
    assert "AM-COMP" in manager
    analyst = api(world.analyst).get(url + "&lang=en")
    assert "AM-COMP" in text_of(analyst)
    refused(api(world.clerk).get(url), 403)
    refused(api(world.manager).get(
        f"/api/v1/schemes/{built.compensation.id}/report.pdf?start=2026-12-31&end=2026-01-01"),
        400)
    refused(api(world.manager).get(
        f"/api/v1/schemes/{built.compensation.id}/report.pdf?start=yesterday"), 400)
    georgian = api(world.user("analyst@ge.test", {Role.ANALYST}, "GE"))
    refused(georgian.get(url), 404)


def test_an_injury_letter_only_for_those_who_may_read_medical_details(
        app, world, browser_for, api):
    from tests.test_harm_claims import DETAILS, START, _decide, _register, _scheme, _verify

    clock.freeze(START)
    try:
        _scheme(browser_for(world.manager), human_injury_allowed="y", injury_minor="200000",
                injury_serious="800000", injury_permanent="2000000")
        household = helpers.household(world)
        clerk = browser_for(world.clerk)
        _register(clerk, household, "human_injury")
        claim = db.session.scalars(select(Claim).order_by(Claim.id.desc())).first()
        _verify(world, claim)
        recorded = browser_for(world.verifier).post(f"/claims/{claim.id}/harm", data={
            "version": helpers.reload(claim).version, "severity": "serious",
            "medical_details": DETAILS,
            "document": (io.BytesIO(helpers.photo_bytes()), "report.jpg")},
            content_type="multipart/form-data")
        assert recorded.status_code == 302
        assert helpers.post_action(clerk, claim, "assess").status_code == 302
        _decide(world, claim)
        url = f"/api/v1/claims/{claim.reference}/decision.pdf?lang=en"
        refused(api(world.clerk).get(url), 403)
        letter = text_of(api(world.supervisor).get(url))
        assert "Serious injury" in letter and claim.reference in letter
    finally:
        clock.freeze(None)
