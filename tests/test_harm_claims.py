"""Claims for an injury to a person, the death of a person and crop damage: no claim type
until a scheme's rule version enables them; then registered, documented, valued from the
scheme's own tables and decided through the pages and the API, explained in the decision
letter, with the medical details kept to the verifier, approver and supervisor."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from conflict_app.api import tokens
from conflict_app.claims import operations as ops
from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import State
from conflict_app.core import clock
from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db
from conflict_app.schemes import params
from conflict_app.schemes.harm_models import ClaimHarm
from conflict_app.schemes.models import RuleVersion, Scheme
from conflict_app.verification import operations as verification_ops
from conflict_app.verification.checklist import Confidence, Predator
from tests import helpers

PDFTOTEXT = shutil.which("pdftotext")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DETAILS = "deep bites on the left forearm"


@pytest.fixture
def frozen():
    clock.freeze(START)
    yield
    clock.freeze(None)


def _scheme(browser, **values) -> RuleVersion:
    """A compensation scheme made by the scheme manager in the web pages."""
    response = browser.post("/schemes/new", data={
        "code": "AM-COMP", "name": "Syunik compensation", "kind": "compensation",
        "country": "AM", "admin1": "", "currency": "AMD", "valid_from": "2026-01-01",
        "valid_to": "", "budget": "50000000", "over_budget": "refuse", "review_share": "0",
        "review_above": "", "funders": "Example fund"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    scheme = db.session.scalars(select(Scheme).where(Scheme.code == "AM-COMP")).one()
    data = {"valid_from": "2026-01-01", "note": "first version", "predators": "leopard",
            "species": list(params.SPECIES), "share_of_value": "0.75"}
    data.update(values)
    response = browser.post(f"/schemes/{scheme.id}/versions/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    version = db.session.scalars(select(RuleVersion).where(
        RuleVersion.scheme_id == scheme.id)).one()
    assert browser.post(f"/schemes/versions/{version.id}/publish").status_code == 302
    return version


def _api(app, user, *scopes):
    _token, secret = tokens.issue(user, "tests", ["read", *scopes])
    client = app.test_client()
    return client, {"Authorization": f"Bearer {secret}"}


def _verify(world, claim, confidence=Confidence.CONFIRMED):
    ops.screen(claim.id, world.clerk, helpers.reload(claim).version)
    ops.assign_verifier(claim.id, world.supervisor, helpers.reload(claim).version,
                        world.verifier.id)
    verification_ops.file_verification(
        claim.id, world.verifier, helpers.reload(claim).version,
        verification_ops.VerificationInput(
            visited_on=clock.today(), signs=helpers.signs(), predator=Predator.LEOPARD,
            confidence=confidence, confirmed={}, photos=[]))


def _decide(world, claim):
    ops.approve(claim.id, world.approver, None)
    if helpers.reload(claim).state is not State.APPROVED:
        ops.approve(claim.id, world.approver2, None)
    assert helpers.reload(claim).state is State.APPROVED


def _pdftotext(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    result = subprocess.run([PDFTOTEXT, "-", "-"], input=response.get_data(),  # noqa: S603
                            capture_output=True, check=True)
    text = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "",
                  result.stdout.decode("utf-8"))
    return " ".join(text.split())


def _register(browser, household, kind, expect=302):
    response = browser.post(f"/households/{household.id}/report", data={
        "occurred_on": (clock.today() - timedelta(days=1)).isoformat(),
        "village_id": household.village_id, "setting": "pasture", "harm_kind": kind})
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return response


def test_harm_is_no_claim_type_unless_the_scheme_enables_it(app, world, browser_for, frozen):
    _scheme(browser_for(world.manager), crop_damage_allowed="y", crop_rate_wheat="150000")
    household = helpers.household(world)
    clerk = browser_for(world.clerk)
    form = clerk.get(f"/households/{household.id}/report").get_data(as_text=True)
    assert "Crop damage" in form and "Injury to a person" not in form
    before = db.session.scalar(select(db.func.count()).select_from(Claim))
    page = _register(clerk, household, "human_injury", expect=400).get_data(as_text=True)
    assert "Choose one of the options in the list." in page
    api, headers = _api(app, world.clerk, "claims")
    response = api.post("/api/v1/claims", headers={**headers, "Accept-Language": "ru"}, json={
        "household_id": household.id, "occurred_on": "2026-03-01", "setting": "pasture",
        "harm_kind": "human_death", "lines": []})
    assert response.status_code == 400, response.get_json()
    assert "смерт" in response.get_json()["title"].lower()  # said in Russian
    # Livestock lines are still needed for a livestock claim.
    response = api.post("/api/v1/claims", headers=headers, json={
        "household_id": household.id, "occurred_on": "2026-03-01", "setting": "pasture",
        "lines": []})
    # The description states the rule ("lines or harm_kind"), so the body itself is refused.
    assert response.status_code == 422, response.get_json()
    assert "harm_kind" in str(response.get_json()["errors"])
    assert db.session.scalar(select(db.func.count()).select_from(Claim)) == before


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils (pdftotext) is not installed")
def test_an_injury_is_valued_from_its_category_and_kept_private(app, world, browser_for,
                                                               frozen):
    _scheme(browser_for(world.manager), human_injury_allowed="y", injury_minor="200000",
            injury_serious="800000", injury_permanent="2000000",
            injury_medical_cap="300000")
    household = helpers.household(world)
    clerk = browser_for(world.clerk)
    _register(clerk, household, "human_injury")
    claim = db.session.scalars(select(Claim).order_by(Claim.id.desc())).first()
    assert db.session.scalars(select(ClaimHarm.kind)).one() == "human_injury"
    _verify(world, claim)
    # No medical report yet: the assessment is refused and nothing is stored.
    page = helpers.post_action(clerk, claim, "assess").get_data(as_text=True)
    assert "medical report" in page
    assert helpers.reload(claim).state is State.VERIFIED
    verifier = browser_for(world.verifier)
    # Medical costs typed the Russian way with Arabic-Indic digits.
    response = verifier.post(f"/claims/{claim.id}/harm?lang=ru", data={
        "version": helpers.reload(claim).version, "severity": "serious",
        "medical_costs": "٤٥٠ ٠٠٠,٥٠", "medical_details": DETAILS,
        "document": (io.BytesIO(helpers.photo_bytes()), "report.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    row = db.session.scalars(select(ClaimHarm)).one()
    assert (row.severity, row.medical_costs) == ("serious", Decimal("450000.50"))
    assert helpers.post_action(clerk, claim, "assess").status_code == 302
    assessment = ops.latest_assessment(claim.id)
    # By hand: serious injury 800 000 + medical costs 450 000.50 capped at 300 000.
    assert assessment.total == Decimal("1100000.00")

    # The clerk sees the kind and the amount, never the category or the details.
    clerk_page = clerk.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Injury to a person" in clerk_page
    assert DETAILS not in clerk_page and "Serious injury" not in clerk_page
    assert clerk.get(f"/claims/{claim.id}/harm/document").status_code == 403
    approver_page = browser_for(world.approver).get(f"/claims/{claim.id}").get_data(
        as_text=True)
    assert DETAILS in approver_page and "Serious injury" in approver_page
    assert verifier.get(f"/claims/{claim.id}/harm/document").status_code == 200
    # The API answers the same way.
    api, headers = _api(app, world.finance)
    harm = api.get(f"/api/v1/claims/{claim.reference}", headers=headers).get_json()["harm"]
    assert harm["kind"] == "human_injury"
    assert harm["severity"] is None and harm["medical_details"] is None
    assert DETAILS not in api.get(f"/api/v1/claims/{claim.reference}",
                                  headers=headers).get_data(as_text=True)
    api, headers = _api(app, world.approver)
    harm = api.get(f"/api/v1/claims/{claim.reference}", headers=headers).get_json()["harm"]
    assert (harm["severity"], harm["medical_details"]) == ("serious", DETAILS)
    # The analyst and the exports never see them; the audit names fields, not values.
    analyst = browser_for(world.analyst)
    assert analyst.get(f"/claims/{claim.id}").status_code in (403, 404)
    api, headers = _api(app, world.analyst)
    assert api.get(f"/api/v1/claims/{claim.reference}", headers=headers).status_code in (
        403, 404)
    for user, path in ((world.analyst, "/exports/aggregate.csv"),
                       (world.supervisor, "/exports/claims.csv")):
        body = browser_for(user).get(path).get_data(as_text=True)
        assert DETAILS not in body and "serious" not in body
    changes = db.session.scalars(select(AuditEntry.changes).where(
        AuditEntry.object_type == "claim", AuditEntry.object_id == claim.id,
        AuditEntry.action == "harm_record")).one()
    assert "severity" in str(changes)
    assert DETAILS not in str(changes) and "'serious'" not in str(changes)
    assert "450000" not in str(changes)

    _decide(world, claim)
    helpers.reload(claim).household.language = "en"
    db.session.flush()
    assert clerk.get(f"/documents/claims/{claim.id}/decision.pdf").status_code == 403
    supervisor = browser_for(world.supervisor)
    english = _pdftotext(supervisor.get(f"/documents/claims/{claim.id}/decision.pdf"))
    assert "injury to a person" in english and "Serious injury" in english
    assert "1,100,000" in english
    helpers.reload(claim).household.language = "ru"
    db.session.flush()
    russian = _pdftotext(supervisor.get(f"/documents/claims/{claim.id}/decision.pdf"))
    assert "травм" in russian.lower()


def test_crop_damage_through_the_api_and_the_page(app, world, browser_for, frozen):
    _scheme(browser_for(world.manager), crop_damage_allowed="y", crop_rate_wheat="150000")
    household = helpers.household(world)
    api, headers = _api(app, world.clerk, "claims")
    response = api.post("/api/v1/claims", headers=headers, json={
        "household_id": household.id, "occurred_on": "2026-03-01", "setting": "pasture",
        "harm_kind": "crop_damage", "lines": []})
    assert response.status_code == 201, response.get_json()
    claim = db.session.scalars(select(Claim).where(
        Claim.reference == response.get_json()["reference"])).one()
    _verify(world, claim, Confidence.PROBABLE)
    verifier_api, verifier_headers = _api(app, world.verifier, "verification")
    body = {"version": helpers.reload(claim).version, "crop": "wheat", "area_ha": 1.25,
            "measured_on": "2026-03-02"}
    response = verifier_api.post(f"/api/v1/claims/{claim.reference}/harm",
                                 headers=verifier_headers, json={**body, "crop": "opium"})
    assert response.status_code == 400
    response = verifier_api.post(f"/api/v1/claims/{claim.reference}/harm",
                                 headers=verifier_headers, json=body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["harm"]["area_ha"] == "1.2500"
    # The field measurement corrected on the page, in the Russian way: 0,75 ha.
    response = browser_for(world.verifier).post(f"/claims/{claim.id}/harm?lang=ru", data={
        "version": helpers.reload(claim).version, "crop": "wheat", "area_ha": "0,75",
        "measured_on": "2026-03-02"})
    assert response.status_code == 302
    assert db.session.scalars(select(ClaimHarm.area_ha)).one() == Decimal("0.75")
    response = api.post(f"/api/v1/claims/{claim.reference}/transitions", headers=headers,
                        json={"action": "assess", "version": helpers.reload(claim).version})
    assert response.status_code == 200, response.get_json()
    out = response.get_json()["assessment"]
    # By hand: 0.75 ha × 150 000 AMD = 112 500 AMD, not scaled by the 75 % of "probable".
    assert out["total"] == "112500.00"
    assert any("0.75 ha of Wheat" in s["text"] for s in out["steps"])
    assert db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.object_id == claim.id, AuditEntry.action == "harm_record")) is not None


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils (pdftotext) is not installed")
def test_a_death_needs_the_certificate_and_pays_the_fixed_amount(app, world, browser_for,
                                                                frozen):
    _scheme(browser_for(world.manager), human_death_allowed="y", death_amount="5000000")
    household = helpers.household(world)
    clerk = browser_for(world.clerk)
    _register(clerk, household, "human_death")
    claim = db.session.scalars(select(Claim).order_by(Claim.id.desc())).first()
    _verify(world, claim)
    verifier = browser_for(world.verifier)
    verifier.post(f"/claims/{claim.id}/harm", data={
        "version": helpers.reload(claim).version, "next_of_kin": "Anahit Petrosyan",
        "medical_details": "killed at the pasture"})
    page = helpers.post_action(clerk, claim, "assess").get_data(as_text=True)
    assert "death certificate" in page
    assert helpers.reload(claim).state is State.VERIFIED
    verifier.post(f"/claims/{claim.id}/harm", data={
        "version": helpers.reload(claim).version, "next_of_kin": "Anahit Petrosyan",
        "document": (io.BytesIO(helpers.photo_bytes()), "certificate.jpg")},
        content_type="multipart/form-data")
    assert helpers.post_action(clerk, claim, "assess").status_code == 302
    assert ops.latest_assessment(claim.id).total == Decimal("5000000.00")
    _decide(world, claim)
    helpers.reload(claim).household.language = "en"
    db.session.flush()
    letter = _pdftotext(browser_for(world.approver).get(
        f"/documents/claims/{claim.id}/decision.pdf"))
    assert "deeply sorry" in letter and "Anahit Petrosyan" in letter
    assert "5,000,000" in letter


def test_the_document_is_sent_as_base64_through_the_api(app, world, browser_for, frozen):
    _scheme(browser_for(world.manager), human_injury_allowed="y", injury_minor="200000")
    household = helpers.household(world)
    api, headers = _api(app, world.clerk, "claims")
    response = api.post("/api/v1/claims", headers=headers, json={
        "household_id": household.id, "occurred_on": "2026-03-01", "setting": "village",
        "harm_kind": "human_injury", "lines": []})
    assert response.status_code == 201, response.get_json()
    reference = response.get_json()["reference"]
    claim = db.session.scalars(select(Claim).where(Claim.reference == reference)).one()
    # A clerk may not record medical details.
    clerk_api, clerk_headers = _api(app, world.clerk, "verification")
    response = clerk_api.post(f"/api/v1/claims/{reference}/harm", headers=clerk_headers,
                              json={"version": helpers.reload(claim).version,
                                    "severity": "minor"})
    assert response.status_code == 403
    verifier_api, verifier_headers = _api(app, world.verifier, "verification")
    response = verifier_api.post(f"/api/v1/claims/{reference}/harm", headers=verifier_headers,
                                 json={"version": helpers.reload(claim).version,
                                       "severity": "minor", "document": base64.b64encode(
                                           helpers.photo_bytes()).decode()})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["harm"]["document"] is True
