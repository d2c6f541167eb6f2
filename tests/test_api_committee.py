"""Committee verification through the API: the committee's state of a claim (quorum,
members, votes, decision), a meeting recorded by a supervisor with the committee's ETag and
the same rules as the page, the assessment waiting for a confirming meeting, and the minute
as a PDF in the reader's language, with the names kept to those who may open the claim."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from conflict_app.api import tokens
from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db
from conflict_app.i18n import LOCALES
from conflict_app.verification.committee_models import CommitteeMeeting
from tests import helpers
from tests.test_committee import _committee_scheme
from tests.test_documents import _clean

PDFTOTEXT = shutil.which("pdftotext")
MEMBERS = [{"name": "Ashot Grigoryan", "role": "village head", "vote": "confirm"},
           {"name": "Anahit Sargsyan", "role": "veterinarian", "vote": "confirm"},
           {"name": "Gor Avetisyan", "role": "ranger", "vote": "abstain"}]


def _api(app, user, *scopes):
    _token, secret = tokens.issue(user, "tests", ["read", *scopes])
    return app.test_client(), {"Authorization": f"Bearer {secret}"}


def _meeting(members, minute="The committee looked at the carcass."):
    return {"held_on": date.today().isoformat(), "minute": minute, "members": members}


def test_a_meeting_through_the_api_decides_whether_the_claim_may_be_assessed(app, world):
    _committee_scheme(world)
    claim = helpers.verified(world)
    url = f"/api/v1/claims/{claim.reference}/committee"
    api, supervisor = _api(app, world.supervisor, "verification", "claims")
    read = api.get(url, headers=supervisor)
    assert read.status_code == 200, read.get_json()
    state = read.get_json()
    assert (state["required"], state["quorum"], state["votes_needed"]) == (True, 3, 2)
    assert state["meetings"] == [] and state["confirmed"] is False and state["may_record"]
    etag = read.headers["ETag"]

    # Without If-Match, and with a stale one: refused, nothing stored.
    post = f"{url}/meetings"
    response = api.post(post, headers=supervisor, json=_meeting(MEMBERS[:2]))
    assert response.status_code == 428
    assert response.mimetype == "application/problem+json"
    response = api.post(post, headers={**supervisor, "If-Match": '"old"'},
                        json=_meeting(MEMBERS[:2]))
    assert response.status_code == 412
    assert db.session.scalars(select(CommitteeMeeting)).all() == []

    # Two present of a quorum of three: recorded, not confirmed; the assessment waits.
    response = api.post(post, headers={**supervisor, "If-Match": etag},
                        json=_meeting(MEMBERS[:2]))
    assert response.status_code == 201, response.get_json()
    first = response.get_json()
    assert first["confirmed"] is False
    assert first["meetings"][0]["tally"] == {
        "present": 2, "confirm": 2, "not_leopard": 0, "abstain": 0, "quorum": 3,
        "votes_needed": 2, "quorate": False, "confirmed": False}
    # The old ETag no longer holds: a decision taken on the old picture is refused.
    response = api.post(post, headers={**supervisor, "If-Match": etag}, json=_meeting(MEMBERS))
    assert response.status_code == 412
    assess = {"action": "assess", "version": helpers.reload(claim).version}
    response = api.post(f"/api/v1/claims/{claim.reference}/transitions", headers=supervisor,
                        json=assess)
    assert response.status_code == 400
    assert "committee" in response.get_json()["title"]

    etag = api.get(url, headers=supervisor).headers["ETag"]
    response = api.post(post, headers={**supervisor, "If-Match": etag}, json=_meeting(MEMBERS))
    assert response.status_code == 201, response.get_json()
    second = response.get_json()
    assert second["confirmed"] is True and len(second["meetings"]) == 2
    votes = [(m["name"], m["vote"]) for m in second["meetings"][1]["members"]]
    assert votes == [("Ashot Grigoryan", "confirm"), ("Anahit Sargsyan", "confirm"),
                     ("Gor Avetisyan", "abstain")]
    response = api.post(f"/api/v1/claims/{claim.reference}/transitions", headers=supervisor,
                        json={**assess, "version": helpers.reload(claim).version})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "assessed"

    # Audited with the counts, never the names.
    entries = db.session.scalars(select(AuditEntry.changes).where(
        AuditEntry.object_id == claim.id, AuditEntry.action == "committee_meeting")).all()
    assert len(entries) == 2 and all("Sargsyan" not in e for e in entries)


def test_bad_meetings_and_wrong_roles_are_refused(app, world):
    _committee_scheme(world)
    claim = helpers.verified(world)
    url = f"/api/v1/claims/{claim.reference}/committee"
    api, supervisor = _api(app, world.supervisor, "verification")
    etag = api.get(url, headers=supervisor).headers["ETag"]
    headers = {**supervisor, "If-Match": etag}
    cases = [
        ({**_meeting(MEMBERS), "held_on": "2999-01-01"}, 400, "future"),
        (_meeting([{**MEMBERS[0], "vote": "maybe"}]), 422, None),
        (_meeting([]), 422, None),
        (_meeting([{**MEMBERS[0], "name": " "}]), 400, "name and role"),
    ]
    for payload, status, words in cases:
        response = api.post(f"{url}/meetings", headers=headers, json=payload)
        assert response.status_code == status, (payload, response.get_json())
        assert response.mimetype == "application/problem+json"
        if words:
            assert words in response.get_json()["title"]
    # Said in the reader's language.
    response = api.post(f"{url}/meetings", headers={**headers, "Accept-Language": "ru"},
                        json={**_meeting(MEMBERS), "held_on": "2999-01-01"})
    assert response.status_code == 400 and "future" not in response.get_json()["title"]
    # A clerk may read the committee but not record a meeting; a supervisor's token without
    # the verification scope neither.
    clerk_api, clerk = _api(app, world.clerk, "verification")
    assert clerk_api.get(url, headers=clerk).status_code == 200
    response = clerk_api.post(f"{url}/meetings", headers={**clerk, "If-Match": etag},
                              json=_meeting(MEMBERS))
    assert response.status_code == 403
    reader_api, reader = _api(app, world.supervisor)
    assert reader_api.post(f"{url}/meetings", headers={**reader, "If-Match": etag},
                           json=_meeting(MEMBERS)).status_code == 403
    assert db.session.scalars(select(CommitteeMeeting)).all() == []


def test_a_claim_without_committee_says_so_and_refuses_a_meeting(app, world):
    claim = helpers.verified(world)
    url = f"/api/v1/claims/{claim.reference}/committee"
    api, supervisor = _api(app, world.supervisor, "verification")
    read = api.get(url, headers=supervisor)
    assert read.get_json()["required"] is False and read.get_json()["may_record"] is False
    response = api.post(f"{url}/meetings", headers={**supervisor, "If-Match": read.headers[
        "ETag"]}, json=_meeting(MEMBERS))
    assert response.status_code == 400
    assert "does not ask for a committee" in response.get_json()["title"]


def test_names_and_minute_only_for_those_who_may_open_the_claim(app, world):
    _committee_scheme(world)
    claim = helpers.verified(world)
    url = f"/api/v1/claims/{claim.reference}/committee"
    api, supervisor = _api(app, world.supervisor, "verification")
    etag = api.get(url, headers=supervisor).headers["ETag"]
    response = api.post(f"{url}/meetings", headers={**supervisor, "If-Match": etag},
                        json=_meeting(MEMBERS))
    pdf = response.get_json()["meetings"][0]["minute_pdf"]
    for outsider in (world.other_clerk, world.analyst, world.ge_clerk):
        outsider_api, headers = _api(app, outsider)
        for path in (url, pdf):
            answer = outsider_api.get(path, headers=headers)
            assert answer.status_code in (403, 404)
            assert "Sargsyan" not in answer.get_data(as_text=True)
    # The verifier reads the committee on the claim, but is not given the minute PDF.
    verifier_api, verifier = _api(app, world.verifier)
    assert verifier_api.get(url, headers=verifier).status_code == 200
    assert verifier_api.get(pdf, headers=verifier).status_code == 403
    assert api.get(f"{url}/meetings/{2**31 - 1}/minute.pdf", headers=supervisor
                   ).status_code == 404


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils (pdftotext) is not installed")
@pytest.mark.parametrize("locale", LOCALES)
def test_the_minute_pdf_through_the_api_in_the_readers_language(app, world, locale):
    from flask_babel import force_locale, gettext

    _committee_scheme(world)
    claim = helpers.verified(world)
    url = f"/api/v1/claims/{claim.reference}/committee"
    api, supervisor = _api(app, world.supervisor, "verification")
    etag = api.get(url, headers=supervisor).headers["ETag"]
    pdf = api.post(f"{url}/meetings", headers={**supervisor, "If-Match": etag},
                   json=_meeting(MEMBERS, "Tracks and cached carcass seen.")
                   ).get_json()["meetings"][0]["minute_pdf"]
    response = api.get(f"{pdf}?lang={locale}", headers=supervisor)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Language"] == locale.replace("_", "-")
    assert response.headers["Cache-Control"] == "no-store"
    text = _clean(subprocess.run([PDFTOTEXT, "-", "-"], input=response.data,  # noqa: S603
                                 capture_output=True, check=True).stdout.decode("utf-8"))
    assert "Anahit Sargsyan" in text and "Tracks and cached carcass seen." in text
    with force_locale(locale):
        title = gettext("Minute of the committee meeting")
    assert locale == "en" or title != "Minute of the committee meeting"
    assert _clean(title) in text
    assert api.get(f"{pdf}?lang=xx", headers=supervisor).status_code == 400


def test_two_meetings_sent_on_the_same_picture_record_only_the_first(app, world, monkeypatch):
    """The ETag is checked again under the claim's lock: when another supervisor's meeting
    is committed after this request read the committee (its If-Match check passed on that
    picture), the write is refused as stale (409) and nothing more is stored."""
    from conflict_app.api import committee_views
    from conflict_app.verification import committee_ops

    _committee_scheme(world)
    claim = helpers.verified(world)
    url = f"/api/v1/claims/{claim.reference}/committee"
    api, supervisor = _api(app, world.supervisor, "verification", "claims")
    etag = api.get(url, headers=supervisor).headers["ETag"]
    # The other request lands first ...
    committee_ops.record_meeting(claim.id, world.supervisor, committee_ops.MeetingInput(
        held_on=date.today(), minute="Held in the village.",
        members=[(m["name"], m["role"], m["vote"]) for m in MEMBERS]))
    # ... after this one read the committee as it was (no meeting yet).
    monkeypatch.setattr(committee_views, "meetings_of", lambda _claim_id: [])
    response = api.post(f"{url}/meetings", headers={**supervisor, "If-Match": etag},
                        json=_meeting(MEMBERS))
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert len(db.session.scalars(select(CommitteeMeeting)).all()) == 1
