"""Staff decisions through the claim page: flags a person checked, who may decide a claim."""

from __future__ import annotations

import re

import pyotp

from conflict_app.claims.models import DuplicateFlag
from conflict_app.claims.workflow import State
from conflict_app.core import audit, clock
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.verification import operations as verification_ops
from conflict_app.verification.checklist import Confidence, Predator
from tests import helpers

_FORM = re.compile(r'<form method="post" action="([^"]*/flags/\d+/clear)"[^>]*>(.*?)</form>',
                   re.S)
_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


_post_action = helpers.post_action


def test_checked_clear_sends_what_the_view_needs(world, browser_for):
    hh = helpers.household(world)
    first, _ = helpers.report(world, hh=hh)
    claim, _ = helpers.report(world, hh=hh)  # same household, same day: flagged
    flag = db.session.query(DuplicateFlag).filter_by(claim_id=claim.id).first()
    assert flag is not None and flag.kind == "same_household_nearby"
    clerk = browser_for(world.clerk)
    page = clerk.get(f"/claims/{claim.id}").get_data(as_text=True)
    action, body = _FORM.search(page).groups()
    # Exactly what the browser sends: the form's own hidden fields.
    response = clerk.client.post(action, data=dict(_INPUT.findall(body)))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert db.session.get(DuplicateFlag, flag.id).cleared_by_id == world.clerk.id
    page = clerk.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Flag cleared" in page and "Checked: clear" not in page
    assert any(e.action == "clear_flag" for e in audit.history("claim", claim.id))
    assert first.id != claim.id


def test_the_verifier_of_an_earlier_visit_may_not_decide(world, browser_for):
    second = world.user("verifier2@am.test", {Role.VERIFIER}, "AM", world.syunik.id)
    claim = helpers.assessed(world)  # first visit by world.verifier
    world.verifier.set_roles({Role.VERIFIER, Role.APPROVER})
    world.verifier.totp_secret = pyotp.random_base32()  # approvers sign in with a code
    world.verifier.totp_confirmed_at = clock.now()
    db.session.flush()
    assert _post_action(browser_for(world.approver), claim, "send_back",
                        reason="Count the lambs again").status_code == 302
    claim = helpers.reload(claim)
    assert _post_action(browser_for(world.supervisor), claim, "assign_verifier",
                        verifier_id=str(second.id)).status_code == 302
    claim = helpers.reload(claim)
    verification_ops.file_verification(claim.id, second, claim.version,
                                       verification_ops.VerificationInput(
                                           visited_on=clock.today(), signs=helpers.signs(),
                                           predator=Predator.LEOPARD,
                                           confidence=Confidence.CONFIRMED,
                                           confirmed={ln.id: (ln.killed, ln.injured)
                                                      for ln in claim.incident.lines}))
    assert _post_action(browser_for(world.clerk), claim, "assess").status_code == 302
    first_verifier = browser_for(world.verifier)
    for action, data in (("approve", {}), ("reject", {"reason": "No"})):
        response = _post_action(first_verifier, claim, action, **data)
        assert response.status_code == 403, action
        assert "The verifier of a claim may not decide it." in response.get_data(as_text=True)
    assert helpers.reload(claim).state == State.ASSESSED


def test_the_verification_form_preselects_no_verdict(world, browser_for):
    claim, _ = helpers.report(world)
    from conflict_app.claims import operations as ops

    ops.screen(claim.id, world.clerk, claim.version)
    ops.assign_verifier(claim.id, world.supervisor, claim.version, world.verifier.id)
    verifier = browser_for(world.verifier)
    response = verifier.get(f"/verification/claims/{claim.id}/report")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in ("predator", "confidence"):
        select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
        assert "selected" not in select, select
    # Filing without choosing a verdict is refused with the reason, and nothing is filed.
    line = claim.incident.lines[0]
    data = {"version": str(helpers.reload(claim).version),
            "visited_on": clock.today().isoformat(),
            "haemorrhage": "y", "bite_location": "throat_nape", "carcass_handling": "none",
            "heads_killed": "3", "tracks": "none", "camera_trap": "none",
            f"killed_{line.id}": "3", f"injured_{line.id}": "0", "submit": "1"}
    response = verifier.post(f"/verification/claims/{claim.id}/report", data=data)
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)
    assert helpers.reload(claim).state == State.VERIFICATION_SCHEDULED
    # Asking for the suggestion needs no verdict.
    response = verifier.post(f"/verification/claims/{claim.id}/report",
                             data={**data, "suggest": "1", "submit": ""})
    assert "The checklist suggests" in response.get_data(as_text=True)


def test_an_appeal_sent_for_a_new_visit_gets_fresh_deadlines(world, browser_for):
    from datetime import timedelta

    claim = helpers.assessed(world)
    assert _post_action(browser_for(world.approver), claim, "reject",
                        reason="Dogs").status_code == 302
    clock.freeze(clock.now() + timedelta(days=20))  # the herder appeals three weeks later
    assert _post_action(browser_for(world.clerk), claim, "appeal",
                        reason="It was a leopard").status_code == 302
    assert _post_action(browser_for(world.supervisor), claim, "appeal_to_verification",
                        verifier_id=str(world.verifier.id)).status_code == 302
    claim = helpers.reload(claim)
    assert claim.state == State.VERIFICATION_SCHEDULED
    assert not claim.is_overdue
    assert claim.due_at == clock.now() + timedelta(hours=48)
    page = browser_for(world.verifier).get("/queue").get_data(as_text=True)
    assert claim.reference in page and "overdue" not in page
    # After the new visit, the decision is due a decision period after the reopening.
    verification_ops.file_verification(claim.id, world.verifier, claim.version,
                                       verification_ops.VerificationInput(
                                           visited_on=clock.today(), signs=helpers.signs(),
                                           predator=Predator.LEOPARD,
                                           confidence=Confidence.CONFIRMED,
                                           confirmed={ln.id: (ln.killed, ln.injured)
                                                      for ln in claim.incident.lines}))
    claim = helpers.reload(claim)
    assert not claim.is_overdue and claim.due_at > clock.now() + timedelta(days=29)
    clock.freeze(None)
