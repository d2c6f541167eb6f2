"""Field form sync against recorded answers of ODK Central and KoboToolbox (replayed with
``responses``): a pull files each submission once, a second pull files nothing, a refused
submission waits for a clerk with its reason, the clerk fixes and accepts it (audited), the
sign-in details are never stored or shown in clear, and a server that refuses or cannot be
reached is a recorded sync error, not a failure of the page or the job."""

from __future__ import annotations

import json
import logging
import socket
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import responses
from responses import matchers
from sqlalchemy import func, select

from conflict_app.claims.models import Claim, Evidence, Incident
from conflict_app.core import clock
from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db
from conflict_app.fieldforms import operations, sync
from conflict_app.fieldforms.models import HeldState, HeldSubmission, RunStatus, SyncRun
from conflict_app.webhooks import targets
from tests import helpers

FIXTURES = Path(__file__).parent / "fixtures" / "fieldsync"
CENTRAL = "https://central.example.org"
KOBO = "https://kf.example.org"
FORM = f"{CENTRAL}/v1/projects/3/forms/pardus_report"
ASSET = "aTPPUDScaFZkvBzd8FyK4Q"
PASSWORD = "Leopard-field-2026!"
TOKEN = "5f0e4c5e8e1f7b7a6c5d4e3f2a1b0c9d8e7f6a5b"
SESSION_TOKEN = "lSpAIeksRu1CNZs7!qjAot2T17dPzkrw9B4iTtpj7OoIJBmXvnHM8z8Ka4QPEjR7"
UNKNOWN_PHONE = "+37477000111"
ADDRESSES = {"central.example.org": "93.184.215.14", "kf.example.org": "93.184.215.15",
             "inside.example.org": "10.0.0.7"}


@pytest.fixture(autouse=True)
def _names(monkeypatch):
    """The servers' names resolve to public addresses (one to a private one), as DNS would."""
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if host in ADDRESSES:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ADDRESSES[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(targets.socket, "getaddrinfo", fake)


def recorded(name: str, household=None) -> dict:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    text = text.replace("{phone}", household.phone if household else "+37491234567")
    text = text.replace("{unknown_phone}", UNKNOWN_PHONE)
    text = text.replace("{yesterday}", (clock.today() - timedelta(days=1)).isoformat())
    return json.loads(text)


def odk_source(world, **kw):
    values = {"name": "Syunik loss reports", "platform": "odk_central", "server_url": CENTRAL,
              "project": "3", "form_id": "pardus_report", "form_kind": "report",
              "file_as_id": world.clerk.id, "username": "field-sync@syunik.example.org",
              "secret": PASSWORD, **kw}
    return operations.create(world.admin, operations.SourceInput(**values))


def central(mocked, household, pages=("odk_submissions_page1.json",
                                      "odk_submissions_page2.json"), cursor=None):
    """The recorded answers of one pull (the photo only when the first page is pulled)."""
    mocked.post(f"{CENTRAL}/v1/sessions", json=recorded("odk_session.json"), match=[
        matchers.json_params_matcher({"email": "field-sync@syunik.example.org",
                                      "password": PASSWORD})])
    auth = matchers.header_matcher({"Authorization": f"Bearer {SESSION_TOKEN}"})
    query = {"$top": "100", "$orderby": "__system/submissionDate asc"}
    if cursor:
        query["$filter"] = f"__system/submissionDate ge {cursor}"
    first = recorded(pages[0], household)
    mocked.get(f"{FORM}.svc/Submissions", json=first,
               match=[auth, matchers.query_param_matcher(query)])
    if len(pages) > 1:
        mocked.get(first["@odata.nextLink"], json=recorded(pages[1], household), match=[auth])
    if len(pages) == 1:
        return
    mocked.get(f"{FORM}/submissions/uuid%3A5b7e1c9a-3f2d-4e8b-9a61-0c2d4e6f8a13/attachments/"
               "1733299923201.jpg", body=helpers.photo_bytes(), content_type="image/jpeg",
               match=[auth])


def _fresh(obj):  # noqa: ANN001, ANN202
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def _claims() -> int:
    return db.session.scalar(select(func.count(Incident.id)).where(
        Incident.external_ref.like("odk:%")))


def test_a_pull_files_each_submission_once(app, world):
    household = helpers.household(world)
    source = odk_source(world)
    with responses.RequestsMock() as mocked:
        central(mocked, household)
        summary = sync.sync_source(source.id)
    assert summary == "imported 2, already there 0, held 2", summary
    assert _claims() == 2
    claim = db.session.scalars(select(Claim).join(Incident).where(
        Incident.external_ref == "odk:uuid:5b7e1c9a-3f2d-4e8b-9a61-0c2d4e6f8a13")).one()
    assert claim.household_id == household.id  # found by the phone number
    assert [(ln.species.value, ln.killed, ln.injured) for ln in claim.incident.lines] == [
        ("sheep", 3, 0), ("goat", 0, 1)]
    assert str(claim.incident.latitude) == "38.948000"  # GeoJSON is longitude first
    assert db.session.scalar(select(func.count(Evidence.id)).where(
        Evidence.claim_id == claim.id)) == 1
    source = _fresh(source)
    assert source.cursor == "2026-12-04T11:15:40.310Z" and source.last_error is None
    held = {h.instance_id: h.reason for h in db.session.scalars(select(HeldSubmission))}
    assert "no household with phone" in held["uuid:a0c4e2f1-6b3d-4c5e-8f70-19d2b3c4d5e6"]
    assert "tiger" in held["uuid:e93f0a7b-2c4d-4b6e-8d1f-3a5b7c9d0e21"]

    with responses.RequestsMock() as mocked:  # the next pull starts where this one stopped
        central(mocked, household, pages=("odk_submissions_after_cursor.json",),
                cursor="2026-12-04T11:15:40.310Z")
        assert sync.sync_source(source.id) == "imported 0, already there 1, held 0"
    assert _claims() == 2
    assert db.session.scalar(select(func.count(HeldSubmission.id))) == 2


def test_a_refused_submission_waits_for_a_clerk_who_fixes_and_accepts_it(app, world,
                                                                         browser_for):
    household = helpers.household(world)
    source = odk_source(world)
    with responses.RequestsMock() as mocked:
        central(mocked, household)
        sync.sync_source(source.id)
    clerk = browser_for(world.clerk)
    page = clerk.get("/field-submissions/").get_data(as_text=True)
    assert "no household with phone" in page and "tiger" in page
    held = db.session.scalars(select(HeldSubmission).where(
        HeldSubmission.instance_id == "uuid:a0c4e2f1-6b3d-4c5e-8f70-19d2b3c4d5e6")).one()
    page = clerk.get(f"/field-submissions/{held.id}?q=Armen").get_data(as_text=True)
    assert "no household with phone" in page and "Armen Petrosyan" in page
    answers = {f"answer-{k}": v for k, v in held.data.items() if k != "instanceID"}
    response = clerk.post(f"/field-submissions/{held.id}/accept",
                          data={**answers, "household_id": str(household.id)})
    assert response.status_code == 302, response.get_data(as_text=True).split("<main")[-1][:1500]
    held = _fresh(held)
    assert held.state == HeldState.ACCEPTED and held.resolved_by_id == world.clerk.id
    claim = db.session.scalars(select(Claim).where(
        Claim.reference == held.claim_reference)).one()
    assert claim.household_id == household.id
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "accept_field_submission")).one()
    assert entry.actor_id == world.clerk.id and held.claim_reference in entry.changes
    # The tiger: the clerk corrects the species, and the same import files it.
    tiger = db.session.scalars(select(HeldSubmission).where(
        HeldSubmission.instance_id == "uuid:e93f0a7b-2c4d-4b6e-8d1f-3a5b7c9d0e21")).one()
    wrong = clerk.post(f"/field-submissions/{tiger.id}/accept", data={
        **{f"answer-{k}": v for k, v in tiger.data.items()}, "answer-killed_1": "x"})
    assert wrong.status_code == 400 and "species_1" in wrong.get_data(as_text=True)
    assert _fresh(tiger).state == HeldState.WAITING
    fixed = clerk.post(f"/field-submissions/{tiger.id}/accept", data={
        **{f"answer-{k}": v for k, v in tiger.data.items()}, "answer-species_1": "cattle"})
    assert fixed.status_code == 302
    assert _fresh(tiger).state == HeldState.ACCEPTED
    assert _claims() == 4
    assert clerk.get("/field-submissions/").get_data(as_text=True).count(
        "/field-submissions/") <= 1  # nothing waits any more
    # Staff of another jurisdiction never see them.
    outsider = browser_for(world.ge_clerk)
    assert outsider.get(f"/field-submissions/{tiger.id}").status_code == 404


def test_a_clerk_sets_a_submission_aside_with_a_reason(app, world, browser_for):
    household = helpers.household(world)
    source = odk_source(world)
    with responses.RequestsMock() as mocked:
        central(mocked, household)
        sync.sync_source(source.id)
    held = db.session.scalars(select(HeldSubmission).order_by(HeldSubmission.id)).first()
    clerk = browser_for(world.clerk)
    assert clerk.post(f"/field-submissions/{held.id}/dismiss",
                      data={"reason": ""}).status_code == 400
    assert clerk.post(f"/field-submissions/{held.id}/dismiss",
                      data={"reason": "Test submission from training"}).status_code == 302
    held = _fresh(held)
    assert held.state == HeldState.DISMISSED and held.resolution.startswith("Test")
    assert db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "dismiss_field_submission")).one().reason.startswith("Test")


def test_sign_in_details_are_encrypted_and_never_shown_or_logged(app, world, browser_for,
                                                                  caplog):
    caplog.set_level(logging.DEBUG)
    household = helpers.household(world)
    admin = browser_for(world.admin)
    response = admin.post("/admin/field-sync/new", data={
        "name": "Syunik loss reports", "platform": "odk_central", "server_url": CENTRAL,
        "project": "3", "form_id": "pardus_report", "form_kind": "report",
        "file_as_id": str(world.clerk.id), "username": "field-sync@syunik.example.org",
        "secret": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True).split("<main")[-1][:1500]
    source = db.session.scalars(select(operations.SyncSource)).one()
    assert PASSWORD not in source.credentials and "field-sync@" not in source.credentials
    with responses.RequestsMock() as mocked:
        central(mocked, household)
        sync.sync_source(source.id)
    with responses.RequestsMock() as mocked:
        mocked.post(f"{CENTRAL}/v1/sessions", json=recorded("odk_401.json"), status=401)
        sync.sync_source(source.id)
    pages = [admin.get("/admin/field-sync/").get_data(as_text=True),
             admin.get(f"/admin/field-sync/{source.id}").get_data(as_text=True),
             browser_for(world.clerk).get("/field-submissions/").get_data(as_text=True)]
    audit = " ".join(e.changes or "" for e in db.session.scalars(select(AuditEntry)))
    for text in (*pages, caplog.text, audit):
        assert PASSWORD not in text and SESSION_TOKEN not in text
    assert "stored encrypted" in pages[1]


def test_a_refused_sign_in_or_an_unreachable_server_is_a_recorded_sync_error(app, world,
                                                                             browser_for):
    source = odk_source(world)
    with responses.RequestsMock() as mocked:
        mocked.post(f"{CENTRAL}/v1/sessions", json=recorded("odk_401.json"), status=401)
        assert "error unauthorised: 401" in sync.sync_source(source.id)
    source = _fresh(source)
    assert source.last_error == "unauthorised: 401" and source.lease_until is None
    with responses.RequestsMock() as mocked:
        mocked.post(f"{CENTRAL}/v1/sessions",
                    body=requests.exceptions.ConnectionError("refused"))
        sync.sync_source(source.id)
    runs = db.session.scalars(select(SyncRun).order_by(SyncRun.id)).all()
    assert [(r.status, r.error) for r in runs] == [
        (RunStatus.ERROR, "unauthorised: 401"), (RunStatus.ERROR, "network: ConnectionError")]
    page = browser_for(world.admin).get(f"/admin/field-sync/{source.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "The server refused the sign-in details" in text
    assert "The server cannot be reached" in text


def test_addresses_inside_the_network_are_refused_like_webhooks(app, world, browser_for):
    admin = browser_for(world.admin)
    response = admin.post("/admin/field-sync/new", data={
        "name": "Inside", "platform": "kobo", "server_url": "https://inside.example.org",
        "form_id": ASSET, "form_kind": "report", "file_as_id": str(world.clerk.id),
        "secret": TOKEN})
    assert response.status_code == 400
    assert "not a public address" in response.get_data(as_text=True)
    source = odk_source(world)
    source.server_url = "https://inside.example.org"  # a name that later points inside
    db.session.commit()
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        assert "error not_public" in sync.sync_source(source.id)


def test_kobo_pull_with_its_photo_then_nothing_new(app, world):
    household = helpers.household(world)
    source = odk_source(world, platform="kobo", server_url=KOBO, project="", form_id=ASSET,
                        username="", secret=TOKEN)
    auth = matchers.header_matcher({"Authorization": f"Token {TOKEN}"})
    url = f"{KOBO}/api/v2/assets/{ASSET}/data/"
    with responses.RequestsMock() as mocked:
        mocked.get(url, json=recorded("kobo_data.json", household), match=[
            auth, matchers.query_param_matcher({"format": "json", "limit": "100",
                                                "sort": '{"_id": 1}'})])
        mocked.get(f"{url}381/attachments/attWNZNwhXK6HDYVkZJSn9jy/",
                   body=helpers.photo_bytes(), content_type="image/jpeg", match=[auth])
        assert sync.sync_source(source.id) == "imported 1, already there 0, held 1"
    assert _fresh(source).cursor == "382"
    held = db.session.scalars(select(HeldSubmission)).one()
    assert "yak" in held.reason and held.instance_id.startswith("uuid:4f5a6b7c")
    with responses.RequestsMock() as mocked:
        mocked.get(url, json=recorded("kobo_data_empty.json"), match=[
            auth, matchers.query_param_matcher({"format": "json", "limit": "100",
                                                "sort": '{"_id": 1}',
                                                "query": '{"_id": {"$gt": 382}}'})])
        assert sync.sync_source(source.id) == "imported 0, already there 0, held 0"
    with responses.RequestsMock() as mocked:
        mocked.get(url, json=recorded("kobo_401.json"), status=401)
        assert "unauthorised" in sync.sync_source(source.id)


def test_sync_command_and_pull_button(app, world, browser_for):
    household = helpers.household(world)
    source = odk_source(world)
    with responses.RequestsMock() as mocked:
        central(mocked, household)
        result = app.test_cli_runner().invoke(args=["fieldforms", "sync"])
    assert result.exit_code == 0, result.output
    assert "imported 2, already there 0, held 2" in result.output
    with responses.RequestsMock() as mocked:
        central(mocked, household, pages=("odk_submissions_after_cursor.json",),
                cursor="2026-12-04T11:15:40.310Z")
        admin = browser_for(world.admin)
        assert admin.post(f"/admin/field-sync/{source.id}/pull").status_code == 302
    assert db.session.scalar(select(func.count(SyncRun.id))) == 2
    listing = app.test_cli_runner().invoke(args=["fieldforms", "sources"])
    assert "cursor 2026-12-04T11:15:40.310Z" in listing.output
