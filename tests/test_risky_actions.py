"""Risky staff actions: releasing the payment file and deciding a claim each have a
confirmation step that says what will happen, works without JavaScript, and survives the
password being asked again on the way."""

from __future__ import annotations

import re
from datetime import timedelta

from conflict_app.claims.workflow import State
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.payments import operations as pay
from conflict_app.payments.models import BatchState, PaymentBatch, PaymentMethod
from tests import helpers
from tests.conftest import PASSWORD, totp_code


def _batch(world, names=("Payee A", "Payee B")):
    claims = [helpers.approved(world, hh=helpers.household(world, name=n)) for n in names]
    return pay.create_batch(world.finance, [c.id for c in claims], PaymentMethod.CASH), claims


def _reauth(browser, user, location: str):
    """Enter the password and the current code on the page the app sent us to."""
    page = browser.get(location)
    assert page.status_code == 200
    return browser.post(location, data={"password": PASSWORD, "code": totp_code(user)})


def test_reentering_the_password_returns_to_the_export(world, browser_for):
    batch, _ = _batch(world)
    finance = browser_for(world.finance)
    clock.freeze(clock.now() + timedelta(minutes=10))  # the sign-in is no longer recent
    export_url = f"/payments/batches/{batch.id}/export"
    page = finance.get(f"/payments/batches/{batch.id}").get_data(as_text=True)
    assert f'href="{export_url}"' in page  # the batch page leads to the export's own page

    asked = finance.get(export_url)
    assert asked.status_code == 302 and "/reauthenticate" in asked.headers["Location"]
    back = _reauth(finance, world.finance, asked.headers["Location"])
    assert back.status_code == 302, back.get_data(as_text=True)[:2000]
    assert back.headers["Location"] == export_url
    confirm = finance.get(export_url)
    assert confirm.status_code == 200
    exported = finance.post(export_url, data={"items": _version_on(confirm)})
    assert exported.status_code == 200 and exported.mimetype == "text/csv"


def test_a_stale_export_form_comes_back_to_the_export_not_the_public_page(world,
                                                                           browser_for):
    """A confirmation page left open until the sign-in is old: the POST (which no redirect
    can repeat) sends the user to confirm it is them, then back to the export page, even
    when the browser sends no Referer."""
    batch, _ = _batch(world)
    finance = browser_for(world.finance)
    export_url = f"/payments/batches/{batch.id}/export"
    version = _version_on(finance.get(export_url))
    clock.freeze(clock.now() + timedelta(minutes=10))
    posted = finance.post(export_url, data={"items": version})
    assert posted.status_code == 302 and "/reauthenticate" in posted.headers["Location"]
    back = _reauth(finance, world.finance, posted.headers["Location"])
    assert back.headers["Location"] == export_url
    assert db.session.get(PaymentBatch, batch.id).state == BatchState.OPEN  # nothing yet


def _version_on(response) -> str:
    html = response.get_data(as_text=True)
    match = re.search(r'name="items"[^>]*value="([\d,]+)"', html) or re.search(
        r'value="([\d,]+)"[^>]*name="items"', html)
    assert match, html[:3000]
    return match.group(1)


def test_the_export_page_says_what_will_happen_and_releases_only_on_confirmation(
        world, browser_for):
    batch, claims = _batch(world)
    finance = browser_for(world.finance)
    batch_page = finance.get(f"/payments/batches/{batch.id}").get_data(as_text=True)
    # On the batch page the release is no longer the prominent, one-click button.
    assert f'action="/payments/batches/{batch.id}/export"' not in batch_page
    page = finance.get(f"/payments/batches/{batch.id}/export")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # 2 claims × 3 ewes × 60,000 × 75 %
    assert "2 payments" in html and "AMD" in html and "270,000" in html
    assert "no claim can be added or removed" in html
    assert re.search(r'<button[^>]*class="[^"]*warning[^"]*"[^>]*type="submit"|'
                     r'<button[^>]*type="submit"[^>]*class="[^"]*warning', html), html
    assert f'href="/payments/batches/{batch.id}"' in html  # a way back without exporting
    assert db.session.get(PaymentBatch, batch.id).state == BatchState.OPEN  # GET changes nothing

    # Someone removes an item after the page was shown: the export says so, exports nothing.
    version = _version_on(page)
    pay.remove_item(world.finance, batch.live_items()[0].id, "Wrong account")
    db.session.expire_all()
    stale = finance.post(f"/payments/batches/{batch.id}/export", data={"items": version})
    assert stale.status_code == 302
    assert db.session.get(PaymentBatch, batch.id).state == BatchState.OPEN
    again = finance.get(stale.headers["Location"]).get_data(as_text=True)
    assert "changed since" in again and "1 payment" in again

    released = finance.post(f"/payments/batches/{batch.id}/export",
                            data={"items": _version_on(finance.get(
                                f"/payments/batches/{batch.id}/export"))})
    assert released.status_code == 200 and released.mimetype == "text/csv"
    assert claims[1].reference in released.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PaymentBatch, batch.id).state == BatchState.EXPORTED
    # Afterwards the page offers the file again, as a plain download.
    after = finance.get(f"/payments/batches/{batch.id}/export").get_data(as_text=True)
    assert "Download the payment file again" in after and "warning" not in after.split(
        "<main", 1)[1]


def _post_action(browser, claim, action, **data):
    claim = helpers.reload(claim)
    payload = {f"{action}-version": str(claim.version)}
    payload.update({f"{action}-{k}": v for k, v in data.items()})
    return browser.post(f"/claims/{claim.id}/actions/{action}", data=payload)


def test_approve_asks_for_confirmation_with_the_amount_first(world, browser_for):
    claim = helpers.assessed(world, killed=2)
    approver = browser_for(world.approver)
    page = approver.get(f"/claims/{claim.id}").get_data(as_text=True)
    approve = re.search(r'<form[^>]*actions/approve".*?</form>', page, re.S).group(0)
    reject = re.search(r'<form[^>]*actions/reject".*?</form>', page, re.S).group(0)
    assert 'class="warning"' in reject and 'class="warning"' not in approve
    first = _post_action(approver, claim, "approve", reason="All in order")
    html = first.get_data(as_text=True)
    assert first.status_code == 200, html[:2000]
    assert helpers.reload(claim).state == State.ASSESSED  # nothing decided yet
    assert "90,000" in html and claim.reference in html
    assert "All in order" in html  # the note travels with the confirmation
    confirmed = _post_action(approver, claim, "approve", reason="All in order", confirmed="1")
    assert confirmed.status_code == 302
    assert helpers.reload(claim).state == State.APPROVED
    assert helpers.reload(claim).decision_reason in (None, "All in order")


def test_reject_confirmation_names_the_consequence_and_can_be_cancelled(world, browser_for):
    claim = helpers.assessed(world, killed=2)
    approver = browser_for(world.approver)
    first = _post_action(approver, claim, "reject", reason="Not a leopard")
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "Not a leopard" in html
    assert "appeal" in html  # the herder is told and may appeal
    assert f'href="/claims/{claim.id}"' in html  # cancel: back to the claim
    assert helpers.reload(claim).state == State.ASSESSED
    # A reason is still required before anything is confirmed.
    empty = _post_action(approver, claim, "reject", reason="")
    assert empty.status_code == 400 and helpers.reload(claim).state == State.ASSESSED
    done = _post_action(approver, claim, "reject", reason="Not a leopard", confirmed="1")
    assert done.status_code == 302 and helpers.reload(claim).state == State.REJECTED
