"""Committee verification through the pages: a scheme whose rule version requires a
committee refuses the assessment until a quorate meeting confirmed a leopard; the votes are
recorded and shown, the minute is a PDF in every language, the names stay with the claim."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import params
from conflict_app.schemes.params import SchemeKind
from conflict_app.verification.committee import Vote, tally
from conflict_app.verification.committee_models import CommitteeMeeting
from tests import helpers
from tests.test_documents import _clean

PDFTOTEXT = shutil.which("pdftotext")


def _committee_scheme(world, quorum="3", votes="2"):
    scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        "AM-CMTE", "Syunik committee scheme", SchemeKind.COMPENSATION, "AM", None, "AMD", None,
        Decimal(10_000_000), "refuse", date(2020, 1, 1), None, Decimal(0), None))
    values = params.defaults(SchemeKind.COMPENSATION)
    values.update(committee_required="1", committee_quorum=quorum, committee_votes=votes)
    version = scheme_ops.add_version(world.manager, scheme.id, date(2020, 1, 1), values)
    scheme_ops.publish_version(world.manager, version.id)
    return scheme


def _meeting(browser, claim, members, minute="The committee looked at the carcass."):
    data = {"held_on": date.today().isoformat(), "minute": minute}
    for n, (name, role, vote) in enumerate(members):
        data.update({f"members-{n}-name": name, f"members-{n}-role": role,
                     f"members-{n}-vote": vote})
    return browser.post(f"/verification/claims/{claim.id}/committee", data=data)


QUORATE = [("Ashot Grigoryan", "village head", "confirm"),
           ("Anahit Sargsyan", "veterinarian", "confirm"),
           ("Gor Avetisyan", "ranger", "abstain")]


def test_the_tally_needs_quorum_votes_and_a_majority():
    confirm, no, abstain = Vote.CONFIRM, Vote.NOT_LEOPARD, Vote.ABSTAIN
    assert tally([confirm, confirm], 3, 2).confirmed is False  # not quorate
    assert tally([confirm, confirm, abstain], 3, 2).confirmed is True
    assert tally([confirm, no, abstain], 3, 1).confirmed is False  # no majority
    assert tally([confirm, confirm, no, no], 3, 2).confirmed is False  # split


def test_assessment_waits_for_a_quorate_confirming_meeting(world, browser_for):
    _committee_scheme(world)
    claim = helpers.verified(world)
    assert claim.scheme is not None and claim.scheme.code == "AM-CMTE"
    clerk = browser_for(world.clerk)
    response = helpers.post_action(clerk, claim, "assess")
    page = response.get_data(as_text=True)
    assert "needs its committee to confirm a leopard" in page
    assert helpers.reload(claim).state.value == "verified"

    supervisor = browser_for(world.supervisor)
    # Two present of a quorum of three: recorded, but the claim still may not move.
    response = _meeting(supervisor, claim, QUORATE[:2])
    assert response.status_code == 302
    assert "needs its committee" in helpers.post_action(clerk, claim, "assess").get_data(
        as_text=True)
    assert helpers.reload(claim).state.value == "verified"

    response = _meeting(supervisor, claim, QUORATE)
    assert response.status_code == 302
    page = supervisor.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Anahit Sargsyan" in page and "veterinarian" in page
    assert "Confirms a leopard" in page and "Abstains" in page
    assert "The committee confirmed a leopard." in page
    assert "The committee did not confirm a leopard." in page  # the first meeting
    helpers.post_action(clerk, claim, "assess")
    assert helpers.reload(claim).state.value == "assessed"

    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "claim", AuditEntry.object_id == claim.id,
        AuditEntry.action == "committee_meeting")).all()
    assert len(entries) == 2
    assert all("Sargsyan" not in e.changes for e in entries)  # counts, not names
    assert '"confirmed": true' in entries[-1].changes


def test_bad_meeting_input_is_refused_and_nothing_is_stored(world, browser_for):
    _committee_scheme(world)
    claim = helpers.verified(world)
    supervisor = browser_for(world.supervisor)
    response = _meeting(supervisor, claim, [("", "ranger", "confirm")])
    assert response.status_code == 400
    assert "Give each member&#39;s name and role." in response.get_data(as_text=True)
    assert _meeting(supervisor, claim, []).status_code == 400
    response = _meeting(supervisor, claim, [("A", "b", "maybe")])
    assert response.status_code == 400
    assert db.session.scalars(select(CommitteeMeeting)).all() == []
    # A clerk may not record a meeting.
    assert _meeting(browser_for(world.clerk), claim, QUORATE).status_code == 403


def test_a_scheme_without_committee_assesses_as_before(world, browser_for):
    claim = helpers.verified(world)
    helpers.post_action(browser_for(world.clerk), claim, "assess")
    assert helpers.reload(claim).state.value == "assessed"
    page = browser_for(world.supervisor).get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Committee meeting" not in page


def test_names_are_hidden_from_staff_without_access(world, browser_for):
    _committee_scheme(world)
    claim = helpers.verified(world)
    assert _meeting(browser_for(world.supervisor), claim, QUORATE).status_code == 302
    meeting = db.session.scalars(select(CommitteeMeeting)).one()
    pdf_url = f"/verification/claims/{claim.id}/committee/{meeting.id}/minute.pdf"
    for outsider in (world.other_clerk, world.analyst, world.ge_clerk):
        browser = browser_for(outsider)
        page = browser.get(f"/claims/{claim.id}")
        assert page.status_code in (403, 404)
        assert "Sargsyan" not in page.get_data(as_text=True)
        assert browser.get(pdf_url).status_code in (403, 404)
    # The verifier opens the claim but is not given the minute PDF.
    verifier = browser_for(world.verifier)
    assert pdf_url not in verifier.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert verifier.get(pdf_url).status_code == 403


def _text(pdf: bytes) -> str:
    out = subprocess.run([PDFTOTEXT, "-", "-"], input=pdf, capture_output=True,  # noqa: S603
                         check=True).stdout.decode("utf-8")
    return _clean(out)


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils (pdftotext) is not installed")
@pytest.mark.parametrize(("locale", "title"), [("en", "Minute of the committee meeting"),
                                               ("fa", None)])
def test_the_minute_pdf_is_linked_and_reads_back(world, browser_for, locale, title):
    _committee_scheme(world)
    claim = helpers.verified(world)
    world.supervisor.locale = locale
    db.session.flush()
    supervisor = browser_for(world.supervisor)
    assert _meeting(supervisor, claim, QUORATE, minute="Tracks and cached carcass seen."
                    ).status_code == 302
    meeting = db.session.scalars(select(CommitteeMeeting)).one()
    url = f"/verification/claims/{claim.id}/committee/{meeting.id}/minute.pdf"
    assert url in supervisor.get(f"/claims/{claim.id}").get_data(as_text=True)
    response = supervisor.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = _text(response.data)
    assert "Anahit Sargsyan" in text and "veterinarian" in text
    assert "Tracks and cached carcass seen." in text
    if title:
        assert title in text and "Confirms a leopard" in text
    else:
        from flask_babel import force_locale, gettext

        with force_locale("fa"):
            persian_title = gettext("Minute of the committee meeting")
            persian_vote = gettext("Confirms a leopard")
        assert persian_title != "Minute of the committee meeting"
        assert _clean(persian_title) in text and _clean(persian_vote) in text


def test_a_meeting_held_tonight_after_local_midnight_is_not_in_the_future(world, browser_for):
    """At 01:30 in Yerevan (still yesterday in UTC) the meeting of 'today' is recorded."""
    from datetime import UTC, datetime

    from conflict_app.core import clock

    _committee_scheme(world)
    claim = helpers.verified(world)
    clock.freeze(datetime(2026, 3, 2, 21, 30, tzinfo=UTC))
    try:
        supervisor = browser_for(world.supervisor)
        page = supervisor.get(f"/verification/claims/{claim.id}/committee").get_data(
            as_text=True)
        assert 'value="2026-03-03"' in page
        data = {"held_on": "2026-03-03", "minute": "Met at the corral."}
        for n, (name, role, vote) in enumerate(QUORATE):
            data.update({f"members-{n}-name": name, f"members-{n}-role": role,
                         f"members-{n}-vote": vote})
        response = supervisor.post(f"/verification/claims/{claim.id}/committee", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    finally:
        clock.freeze(None)
