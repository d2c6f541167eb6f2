"""The staff side in a real browser at phone width, in English and Persian: a compensation
claim from screening to paid, each step by the role that does it, the payment batch with its
file and the confirmation file, and the analyst's page. Every page: no sideways overflow,
axe-core clean, Nu HTML checker clean."""

from __future__ import annotations

import pytest

from conflict_app.extensions import db
from tests import browser_steps as steps
from tests import browser_support as bs
from tests import helpers

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def _claim(world) -> tuple[int, str]:
    """A claim as a herder reported it, committed for the server to see."""
    claim, _ = helpers.report(world.world, killed=2)
    db.session.commit()
    ids = claim.id, claim.reference
    db.session.remove()
    return ids


@pytest.mark.parametrize("locale", ["en", "fa"])
def test_a_claim_from_screening_to_paid_by_each_role(live, chromium_browser, world_committed,
                                                     visit, locale):
    world = world_committed
    claim_id, reference = _claim(world)

    def person(user):
        s = bs.Session(chromium_browser, live, visit, locale)
        s.login(user)
        return s

    clerk = person(world.clerk)
    clerk.goto("/queue")
    assert reference in clerk.page.inner_text("main")
    steps.act(clerk, claim_id, "screen")
    assert steps.state(claim_id) == "screened"

    supervisor = person(world.supervisor)
    steps.act(supervisor, claim_id, "assign_verifier", {"verifier_id": str(world.verifier.id)})
    assert steps.state(claim_id) == "verification_scheduled"

    verifier = person(world.verifier)
    verifier.goto("/verification/visits")
    verifier.goto(f"/verification/claims/{claim_id}/report")
    page = verifier.page
    # At phone width the counts table stacks, and every value keeps its column's heading.
    shown = page.evaluate("""() => [...document.querySelectorAll('table.responsive tbody td')]
        .map(td => getComputedStyle(td, '::before').content)""")
    assert shown and all(label not in ("none", "normal", '""') for label in shown), shown
    steps.file_report(verifier, killed=2)
    assert steps.state(claim_id) == "verified", page.inner_text("main")[:2000]

    steps.act(clerk, claim_id, "assess")
    # Assess first shows the amount and how it was reached; nothing is saved yet.
    clerk.check("assessment preview")
    assert steps.state(claim_id) == "verified"
    clerk.submit("form.confirm button[type=submit]")
    clerk.check("assessed")
    assert steps.state(claim_id) == "assessed"

    approver = person(world.approver)
    steps.act(approver, claim_id, "approve")
    # A decision first says what it will do; nothing is decided until it is confirmed.
    approver.check("confirm the approval")
    assert steps.state(claim_id) == "assessed"
    assert approver.page.locator("form.confirm button[type=submit]").count() == 1
    approver.submit("form.confirm button[type=submit]")
    approver.check("approved")
    assert steps.state(claim_id) == "approved"

    finance = person(world.finance)
    exported = steps.pay(finance, [f"input[name=claim_ids][value='{claim_id}']"])
    assert reference in exported
    assert steps.state(claim_id) == "paid"

    clerk.goto(f"/claims/{claim_id}")
    analyst = person(world.analyst)
    analyst.goto("/analytics")
    for s in (clerk, supervisor, verifier, approver, finance, analyst):
        s.close()
    bs.assert_clean(visit)
