"""The staff side in a real browser at phone width, in English and Persian: a compensation
claim from screening to paid, each step by the role that does it, the payment batch with its
file and the confirmation file, and the analyst's page. Every page: no sideways overflow,
axe-core clean, Nu HTML checker clean."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conflict_app.claims.models import Claim
from conflict_app.extensions import db
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


def _act(session, claim_id: int, action: str, fill: dict | None = None) -> None:
    session.goto(f"/claims/{claim_id}")
    form = session.page.locator(f"form[action$='/actions/{action}']")
    for name, value in (fill or {}).items():
        control = form.locator(f"[name$='-{name}']")
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    with session.page.expect_navigation():
        form.locator("button[type=submit]").click()


def _state(claim_id: int) -> str:
    state = db.session.scalars(select(Claim.state).where(Claim.id == claim_id)).one()
    db.session.remove()
    return str(getattr(state, "value", state))


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
    _act(clerk, claim_id, "screen")
    assert _state(claim_id) == "screened"

    supervisor = person(world.supervisor)
    _act(supervisor, claim_id, "assign_verifier", {"verifier_id": str(world.verifier.id)})
    assert _state(claim_id) == "verification_scheduled"

    verifier = person(world.verifier)
    verifier.goto("/verification/visits")
    verifier.goto(f"/verification/claims/{claim_id}/report")
    page = verifier.page
    # At phone width the counts table stacks, and every value keeps its column's heading.
    shown = page.evaluate("""() => [...document.querySelectorAll('table.responsive tbody td')]
        .map(td => getComputedStyle(td, '::before').content)""")
    assert shown and all(label not in ("none", "normal", '""') for label in shown), shown
    page.check("input[name=haemorrhage]")
    for name, value in {"bite_location": "throat_nape", "carcass_handling": "cached",
                        "predator": "leopard", "confidence": "confirmed"}.items():
        page.select_option(f"select[name={name}]", value)
    for control in page.locator("main form select").all():
        if not control.input_value():  # the rest of the checklist: its first real answer
            control.select_option(index=1)
    for box in page.locator("input[name^=killed_]").all():
        box.fill("2")
    verifier.submit("main form input[type=submit][name=submit], main form button[name=submit]")
    verifier.check("after verification")
    assert _state(claim_id) == "verified", page.inner_text("main")[:2000]

    _act(clerk, claim_id, "assess")
    # Assess first shows the amount and how it was reached; nothing is saved yet.
    clerk.check("assessment preview")
    assert _state(claim_id) == "verified"
    clerk.submit("form.confirm button[type=submit]")
    clerk.check("assessed")
    assert _state(claim_id) == "assessed"

    approver = person(world.approver)
    _act(approver, claim_id, "approve")
    # A decision first says what it will do; nothing is decided until it is confirmed.
    approver.check("confirm the approval")
    assert _state(claim_id) == "assessed"
    assert approver.page.locator("form.confirm button[type=submit]").count() == 1
    approver.submit("form.confirm button[type=submit]")
    approver.check("approved")
    assert _state(claim_id) == "approved"

    finance = person(world.finance)
    finance.goto("/payments")
    finance.page.check(f"input[name=claim_ids][value='{claim_id}']")
    finance.page.select_option("select[name=method]", "cash")
    finance.submit("form[action$='/payments/batches'] button[type=submit]")
    finance.check("batch")
    batch_url = finance.page.url.split("?")[0]
    # Releasing the file is a step of its own: a page says what will be paid, then the
    # warning button releases and downloads it.
    finance.submit("main a[href$='/export']")
    finance.check("release the payment file")
    assert "warning" in finance.page.locator("form.confirm button").get_attribute("class")
    with finance.page.expect_download() as download:
        finance.page.locator("form.confirm button[type=submit]").click()
    exported = download.value.path().read_text(encoding="utf-8-sig")
    assert reference in exported
    finance.goto(batch_url.removeprefix(live.url))
    item = finance.page.locator("input[id^=ref-]").first.get_attribute("id").removeprefix(
        "ref-")
    confirmation = visit.outdir / "confirmations.csv"
    confirmation.write_text(f"item,status,reference,reason\n{item},paid,BANK-42,\n",
                            encoding="utf-8")
    finance.page.set_input_files("input[type=file][name=file]", str(confirmation))
    finance.submit("form[action$='/confirmations'] button[type=submit]")
    finance.check("confirmed")
    assert _state(claim_id) == "paid"

    clerk.goto(f"/claims/{claim_id}")
    analyst = person(world.analyst)
    analyst.goto("/analytics")
    for s in (clerk, supervisor, verifier, approver, finance, analyst):
        s.close()
    bs.assert_clean(visit)
