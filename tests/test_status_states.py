"""The status page in every state and every language: its own message, a colour that
matches it, a next step that does not contradict it, and no date promised in the past."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale

from conflict_app.claims.workflow import State
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.i18n import LOCALES
from conflict_app.status import states
from tests import helpers
from tests.conftest import csrf_token

TONE = {
    State.REPORTED: "info", State.SCREENED: "info", State.VERIFICATION_SCHEDULED: "info",
    State.VERIFIED: "info", State.ASSESSED: "info", State.APPEALED: "info",
    State.MORE_EVIDENCE_REQUESTED: "wait", State.APPROVED: "ok",
    State.PAYMENT_SCHEDULED: "ok", State.PAID: "ok", State.CLOSED: "ok",
    State.REJECTED: "bad", State.INELIGIBLE: "bad", State.WITHDRAWN: "ended",
    State.DUPLICATE: "ended",
}


def _claim_in(world, state: State):
    claim, pin = helpers.report(world)
    now = clock.now()
    claim.state = state
    claim.due_at = now + timedelta(days=3)
    if state == State.MORE_EVIDENCE_REQUESTED:
        claim.evidence_due_at = claim.due_at
    if state in {State.APPROVED, State.PAYMENT_SCHEDULED, State.PAID, State.CLOSED,
                 State.REJECTED, State.INELIGIBLE}:
        claim.decided_at = now - timedelta(days=1)
    if state in {State.APPROVED, State.PAYMENT_SCHEDULED, State.PAID, State.CLOSED}:
        claim.amount_approved = 90000
    if state in {State.PAID, State.CLOSED}:
        claim.paid_at = now
        claim.due_at = now - timedelta(days=5)  # the old decision deadline, passed
    if state in {State.REJECTED, State.INELIGIBLE}:
        claim.due_at = None
        claim.decision_reason = "Not a leopard"
    db.session.commit()
    return claim, pin


def _status_page(app, claim, pin, locale, n):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.1.{n // 200}.{n % 200 + 1}"
    url = f"/status?lang={locale}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url),
                                       "reference": claim.reference, "pin": pin})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _escaped(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


@pytest.mark.parametrize("state", list(State))
def test_each_state_has_its_own_message_colour_and_next_step_in_every_locale(
        app, world, state):
    claim, pin = _claim_in(world, state)
    seen = set()
    with force_locale("en"):
        english_view = states.state_view(claim)
    english = {english_view.message, english_view.next_step}
    for n, locale in enumerate(LOCALES):
        page = _status_page(app, claim, pin, locale, n)
        box = re.search(r'<div class="box ([a-z]+)" data-state="([a-z_]+)">(.*?)</div>',
                        page, re.S)
        assert box is not None, page
        assert box.group(1) == TONE[state] and box.group(2) == state.value
        with force_locale(locale):
            view = states.state_view(claim, claim.decided_at and claim.decided_at
                                     + timedelta(days=app.config["APPEAL_WITHIN_DAYS"]))
        assert _escaped(view.message) in box.group(3)
        assert _escaped(view.next_step) in box.group(3)
        seen.add(view.message)
        if locale != "en":  # said in the language's own words, not left in English
            assert view.message not in english and view.next_step not in english
        if state in {State.PAID, State.CLOSED, State.WITHDRAWN, State.DUPLICATE,
                     State.REJECTED, State.INELIGIBLE}:
            assert 'class="next"' in box.group(3)
            with force_locale(locale):
                from flask_babel import gettext

                before, after = gettext("Expected by %(date)s.").split("%(date)s")
            # The whole sentence around any date (a bare word such as Pashto's "تر",
            # 'until', also opens the appeal deadline).
            promise = re.escape(before.strip()) + r"[^<]*?" + re.escape(after.strip())
            assert not re.search(promise, box.group(3))
        if state in {State.REJECTED, State.INELIGIBLE}:
            # Not green, and the way to appeal with its deadline.
            assert 'class="box ok"' not in page
            with force_locale(locale):
                from flask_babel import gettext

                appeal = gettext("You may appeal until %(date)s: bring your reference to "
                                 "the office and say why the decision is wrong.")
            assert _escaped(appeal.split("%(date)s")[0]) in box.group(3)
    # Every language says it in its own words (no English left in a catalogue).
    assert len(seen) >= len(LOCALES) - 1  # Persian and Dari may share a sentence


def test_a_late_office_is_said_to_be_late_not_expected_in_the_past(app, world):
    claim, pin = _claim_in(world, State.SCREENED)
    claim.due_at = clock.now() - timedelta(days=2)
    db.session.commit()
    page = _status_page(app, claim, pin, "en", 0)
    assert "Expected by" not in page
    assert "The office is late: this was due on" in page


def test_after_the_appeal_period_the_rejection_says_it_ended(app, world):
    claim, pin = _claim_in(world, State.REJECTED)
    claim.decided_at = clock.now() - timedelta(days=app.config["APPEAL_WITHIN_DAYS"] + 2)
    db.session.commit()
    page = _status_page(app, claim, pin, "en", 0)
    assert "The time to appeal ended on" in page and "You may appeal until" not in page
    assert "Next: Nothing more to do." in page
