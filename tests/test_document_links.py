"""Documents and records staff need are reachable from their pages: the decision letter
from the claim, the batch list and vouchers from the batch, saved presence records on the
incentive scheme."""

from __future__ import annotations

from datetime import UTC, datetime

from conflict_app.claims import operations as ops
from conflict_app.core import clock
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod
from tests import helpers
from tests.test_schemes import _create, _version


def _links(html: str, ending: str) -> list[str]:
    import re

    return re.findall(rf'href="([^"]*{ending})"', html)


def test_the_decision_letter_is_linked_from_a_decided_claim(world, browser_for):
    claim = helpers.assessed(world)
    clerk = browser_for(world.clerk)
    assert not _links(clerk.get(f"/claims/{claim.id}").get_data(as_text=True),
                      "decision.pdf")  # nothing decided yet
    ops.approve(claim.id, world.approver, helpers.reload(claim).version)
    for who in (world.clerk, world.approver):
        browser = browser_for(who)
        links = _links(browser.get(f"/claims/{claim.id}").get_data(as_text=True),
                       "decision.pdf")
        assert links == [f"/documents/claims/{claim.id}/decision.pdf"], who.email
        pdf = browser.get(links[0])
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    # The verifier may not print it, so the page offers no link to a refusal.
    verifier_page = browser_for(world.verifier).get(f"/claims/{claim.id}")
    assert not _links(verifier_page.get_data(as_text=True), "decision.pdf")


def test_batch_list_and_vouchers_are_linked_from_the_batch(world, browser_for):
    claim = helpers.approved(world)
    batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.CASH)
    finance = browser_for(world.finance)
    html = finance.get(f"/payments/batches/{batch.id}").get_data(as_text=True)
    item = batch.items[0].id
    expected = [f"/documents/payments/batches/{batch.id}/list.pdf",
                f"/documents/payments/batches/{batch.id}/vouchers.pdf",
                f"/documents/payments/items/{item}/voucher.pdf"]
    found = _links(html, r"\.pdf")
    for link in expected:
        assert link in found, (link, found)
        response = finance.get(link)
        assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_saved_presence_records_are_listed_on_the_scheme(world, browser_for):
    clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    try:
        manager = browser_for(world.manager)
        scheme = _create(manager, code="AM-INC", kind="incentive")
        _version(manager, scheme)
        verifier = browser_for(world.verifier)
        assert verifier.post(f"/schemes/{scheme.id}/presence", data={
            "village": str(world.shvanidzor.id), "kind": "reproduction",
            "observed_on": "2026-02-20", "evidence": "Camera trap CT-7, female with cubs"},
        ).status_code == 302
        page = manager.get(f"/schemes/{scheme.id}").get_data(as_text=True)
        section = page.split('id="presence-h"', 1)[1]
        assert "Shvanidzor" in section and "Reproduction (cubs)" in section
        assert "Camera trap CT-7" in section and "Feb 20, 2026" in section
        assert "Verifier" in section  # who verified it
        # A province's staff see the records of their own area only.
        vayots = browser_for(world.other_clerk).get(f"/schemes/{scheme.id}")
        assert "Camera trap CT-7" not in vayots.get_data(as_text=True)
    finally:
        clock.freeze(None)
