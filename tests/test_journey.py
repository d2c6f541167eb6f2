"""The whole journey of a claim through the web pages, as the staff would click it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import select

from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import State
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.herders.models import Household
from tests import helpers
from tests.conftest import csrf_token


def act(browser, claim, action, **fields):
    """Post one of the action forms of the claim page (their fields carry a prefix)."""
    db.session.expire_all()
    claim = db.session.get(Claim, claim.id)
    if browser.token is None:
        browser.token = csrf_token(browser.client, "/queue")
    data = {f"{action}-version": str(claim.version), f"{action}-csrf_token": browser.token}
    data.update({f"{action}-{k}": v for k, v in fields.items()})
    response = browser.post(f"/claims/{claim.id}/actions/{action}", data=data)
    if action in ("approve", "reject", "assess") and response.status_code == 200:
        # A decision (and an assessment) first says what it will do; confirmed on that page.
        assert "What will happen" in response.get_data(as_text=True)
        data[f"{action}-confirmed"] = "1"
        response = browser.post(f"/claims/{claim.id}/actions/{action}", data=data)
    return response


def state_of(claim) -> State:
    db.session.expire_all()
    return db.session.get(Claim, claim.id).state


def test_a_claim_from_report_to_decision_through_the_pages(world, browser_for):
    clerk = browser_for(world.clerk)
    year = clock.today().year

    # 1. Register the household with its herd census.
    response = clerk.post("/households/new", data={
        "head_name": "Gohar Hakobyan", "phone": "+374 93 555 123", "national_id": "",
        "village_id": str(world.shikahogh.id), "language": "hy", "census_year": str(year),
        "census_sheep": "120", "census_cattle": "8",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    household = db.session.scalars(
        select(Household).where(Household.head_name == "Gohar Hakobyan")).one()
    assert household.phone == "+37493555123"

    # 2. Report the loss: a cow killed at night in the corral.
    occurred = (clock.today() - timedelta(days=1)).isoformat()
    response = clerk.post(f"/households/{household.id}/report", data={
        "occurred_on": occurred, "part_of_day": "night", "village_id": str(world.shikahogh.id),
        "setting": "night_corral", "latitude": "39.1012", "longitude": "46.4821",
        "lines-0-species": "cattle", "lines-0-age_class": "adult_female",
        "lines-0-killed": "1", "lines-0-injured": "",
        "lines-1-species": "sheep", "lines-1-age_class": "young",
        "lines-1-killed": "2", "lines-1-injured": "1",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    receipt = clerk.get(response.headers["Location"]).get_data(as_text=True)
    claim = db.session.scalars(select(Claim).where(Claim.household_id == household.id)).one()
    assert claim.reference in receipt
    pin = re.search(r'class="pin"><bdi>(\d{6})</bdi>', receipt).group(1)
    # The PIN is shown once only.
    assert pin not in clerk.get(f"/claims/{claim.id}/receipt").get_data(as_text=True)

    # The clerk's queue lists it.
    assert claim.reference in clerk.get("/queue").get_data(as_text=True)

    # 3. Screening: eligible.
    assert act(clerk, claim, "screen").status_code == 302
    assert state_of(claim) == State.SCREENED

    # 4. The supervisor assigns the verifier, who sees the visit.
    supervisor = browser_for(world.supervisor)
    assert act(supervisor, claim, "assign_verifier",
               verifier_id=str(world.verifier.id)).status_code == 302
    verifier = browser_for(world.verifier)
    assert claim.reference in verifier.get("/verification/visits").get_data(as_text=True)

    # 5. The verifier files the report with a photo.
    lines = claim.incident.lines
    form = {
        "version": str(helpers.reload(claim).version),
        "visited_on": clock.today().isoformat(), "haemorrhage": "y",
        "bite_location": "throat_nape", "canine_spacing_cm": "4,5",
        "carcass_handling": "dragged", "heads_killed": "3", "tracks": "leopard",
        "camera_trap": "none", "hours_since_attack": "18", "predator": "leopard",
        "confidence": "confirmed", "latitude": "39.1010", "longitude": "46.4820",
        "notes": "Throat bites, tracks at the corral gate.", "submit": "1",
        "photos": (io.BytesIO(helpers.photo_bytes()), "carcass.jpg"),
    }
    for line in lines:
        form[f"killed_{line.id}"] = str(line.killed)
        form[f"injured_{line.id}"] = str(line.injured)
    response = verifier.post(f"/verification/claims/{claim.id}/report", data=form,
                             content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert state_of(claim) == State.VERIFIED
    page = clerk.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Leopard" in page and "Confirmed" in page
    photo = re.search(r'src="(/claims/\d+/evidence/\d+)"', page).group(1)
    served = clerk.get(photo)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "private, no-store"
    assert served.get_data()[:2] == b"\xff\xd8"  # a JPEG, re-encoded
    served.close()

    # 6. Assessment, itemised on the page.
    assert act(clerk, claim, "assess").status_code == 302
    page = clerk.get(f"/claims/{claim.id}").get_data(as_text=True)
    # cow 450000 × 75 % + 2 lambs 30000 × 75 % + 1 injured lamb 30000 × 75 % × 25 %
    assert "388,125.00" in page
    assert "market value per head" in page.lower()

    # 7. Two distinct approvers are needed above the threshold.
    approver = browser_for(world.approver)
    assert act(approver, claim, "approve").status_code == 302
    assert state_of(claim) == State.ASSESSED
    again = act(approver, claim, "approve")
    assert again.status_code == 403
    assert "different approver" in again.get_data(as_text=True)
    assert act(browser_for(world.approver2), claim, "approve").status_code == 302
    assert state_of(claim) == State.APPROVED

    # 8. Finance pays it: a batch, the payment file, the confirmation. Mobile money needs
    # the wallet, which the clerk enters in national format; a bad number is refused.
    finance = browser_for(world.finance)
    refused = finance.post("/payments/batches", data={"claim_ids": [str(claim.id)],
                                                      "method": "mobile_money"})
    assert refused.status_code == 400
    assert "has no mobile-money wallet on file" in refused.get_data(as_text=True)
    payout_url = f"/households/{claim.household_id}/payout"
    bad = clerk.post(payout_url, data={"wallet_number": "12", "wallet_provider": "Idram"})
    assert bad.status_code == 400 and "mobile number in Armenia" in bad.get_data(as_text=True)
    assert clerk.post(payout_url, data={"wallet_number": "077 12 34 56",
                                        "wallet_provider": "Idram"}).status_code == 302
    created = finance.post("/payments/batches", data={"claim_ids": [str(claim.id)],
                                                      "method": "mobile_money"})
    assert created.status_code == 302, created.get_data(as_text=True)[:1500]
    batch_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    payment_file = finance.post(f"/payments/batches/{batch_id}/export")
    assert payment_file.mimetype == "text/csv"
    assert f"{claim.reference},Gohar Hakobyan,+37477123456,Idram,388125.00,AMD" in (
        payment_file.get_data(as_text=True))
    from conflict_app.payments.models import PaymentItem

    item = db.session.scalars(select(PaymentItem).where(PaymentItem.batch_id == batch_id)).one()
    paid = finance.post(f"/payments/batches/{batch_id}/items/{item.id}/paid",
                        data={"reference": "MM-2026-4411"})
    assert paid.status_code == 302
    assert state_of(claim) == State.PAID
    assert act(clerk, claim, "close").status_code == 302
    assert state_of(claim) == State.CLOSED

    # 9. The timeline shows every step with its actor.
    page = clerk.get(f"/claims/{claim.id}").get_data(as_text=True)
    for word in ("Registered", "Screen as eligible", "Assign verifier",
                 "File verification report", "Assess", "First approval", "Approve",
                 "Scheduled for payment", "Payment recorded", "Close"):
        assert word in page
    assert world.approver2.name in page


def test_bad_input_is_explained_and_changes_nothing(world, browser_for):
    clerk = browser_for(world.clerk)
    claim, _pin = helpers.report(world)
    response = clerk.post(f"/households/{claim.household_id}/report", data={
        "occurred_on": "yesterday", "setting": "moon", "village_id": "abc",
        "lines-0-species": "unicorn", "lines-0-killed": "-3", "latitude": "95",
    })
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Enter a date as YYYY-MM-DD." in text
    assert "Latitude is between -90 and 90." in text
    assert db.session.scalars(select(Claim).where(
        Claim.household_id == claim.household_id)).all() == [claim]

    # A reason is required to declare a claim ineligible; nothing changes without one.
    response = act(clerk, claim, "declare_ineligible", reason="")
    assert response.status_code == 400
    assert "Give a reason." in response.get_data(as_text=True)
    assert state_of(claim) == State.REPORTED

    # A stale form (someone screened meanwhile) is refused.
    version = helpers.reload(claim).version
    assert act(clerk, claim, "screen").status_code == 302
    stale = clerk.post(f"/claims/{claim.id}/actions/withdraw", data={
        "withdraw-version": str(version), "withdraw-reason": "x",
        "withdraw-csrf_token": clerk.token or csrf_token(clerk.client, "/queue")})
    assert stale.status_code == 409
    assert state_of(claim) == State.SCREENED


def test_queue_puts_overdue_first_and_highlights_it(world, browser_for):
    old, _ = helpers.report(world, days_ago=3)
    clock.freeze(clock.now() + timedelta(days=2))
    fresh, _ = helpers.report(world, hh=helpers.household(world, name="Fresh"))
    page = browser_for(world.clerk).get("/queue").get_data(as_text=True)
    assert page.index(old.reference) < page.index(fresh.reference)
    assert 'class="overdue"' in page


def test_queue_pages_follow_each_other_without_gaps(app, world, browser_for):
    hh = helpers.household(world)
    made = set()
    for i in range(30):
        clock.freeze(clock.now() + timedelta(minutes=1))
        claim, _ = helpers.report(world, hh=hh, killed=1 + i % 3)
        made.add(claim.reference)
    clerk = browser_for(world.clerk)
    seen, url = [], "/queue?role=clerk"
    while url:
        page = clerk.get(url).get_data(as_text=True)
        seen += re.findall(r"<bdi>(AM-\d{4}-\d{6})</bdi>", page)
        more = re.search(r'href="(/queue\?[^"]+)">More', page)
        url = more.group(1).replace("&amp;", "&") if more else None
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
