"""Missing animals valued at herd level above a normal loss rate, and injured animals paid
from the vet invoice capped per head: configured, recorded and decided through the pages
and the API, and explained in the decision letter (read back with pdftotext)."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from conflict_app.api import tokens
from conflict_app.claims import operations as ops
from conflict_app.claims.models import AgeClass
from conflict_app.claims.workflow import State
from conflict_app.core import clock
from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db
from conflict_app.herders.models import Species
from conflict_app.schemes import params
from conflict_app.schemes.herd_models import SeasonCount, VetInvoice
from conflict_app.schemes.models import Assessment, RuleVersion, Scheme
from tests import helpers

PDFTOTEXT = shutil.which("pdftotext")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


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
        "valid_to": "", "budget": "5000000", "over_budget": "refuse", "review_share": "0",
        "review_above": "", "funders": "Example fund"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    scheme = db.session.scalars(select(Scheme).where(Scheme.code == "AM-COMP")).one()
    assert browser.get(f"/schemes/{scheme.id}/versions/new").status_code == 200
    data = {"valid_from": "2026-01-01", "note": "first version", "predators": "leopard",
            "species": list(params.SPECIES), "share_of_value": "0.75"}
    data.update(values)
    response = browser.post(f"/schemes/{scheme.id}/versions/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    version = db.session.scalars(select(RuleVersion).where(
        RuleVersion.scheme_id == scheme.id)).one()
    assert browser.post(f"/schemes/versions/{version.id}/publish").status_code == 302
    return version


def _verified(world, killed=0, injured=0, language="en"):
    from conflict_app.herders import operations as household_ops

    household = household_ops.register_household(world.clerk, household_ops.HouseholdInput(
        head_name="Armen Petrosyan", village_id=world.shvanidzor.id, language=language,
        phone="+37491234567", census={(2026, Species.SHEEP): 300}))
    claim, _pin = helpers.report(world, hh=household, species=Species.SHEEP,
                                 age=AgeClass.ADULT_FEMALE, killed=killed, injured=injured)
    return helpers.verified(world, claim=claim), claim.incident.lines[0]


def _pdftotext(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    result = subprocess.run([PDFTOTEXT, "-", "-"], input=response.get_data(),  # noqa: S603
                            capture_output=True, check=True)
    text = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "",
                  result.stdout.decode("utf-8"))
    return " ".join(text.split())


def _decide(world, claim):
    ops.approve(claim.id, world.approver, None)
    if helpers.reload(claim).state is not State.APPROVED:
        ops.approve(claim.id, world.approver2, None)
    assert helpers.reload(claim).state is State.APPROVED


def _letter(browser, claim, language: str) -> str:
    household = helpers.reload(claim).household
    household.language = language
    db.session.flush()
    return _pdftotext(browser.get(f"/documents/claims/{claim.id}/decision.pdf"))


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils (pdftotext) is not installed")
def test_missing_animals_are_paid_at_herd_level_above_the_normal_loss(world, browser_for,
                                                                      frozen):
    version = _scheme(browser_for(world.manager), missing_allowed="y",
                      missing_normal_loss="0.02", missing_signs_required="y")
    assert params.parse(params.SchemeKind.COMPENSATION, version.values)[
        "missing_normal_loss"] == Decimal("0.02")
    claim, line = _verified(world, killed=18)
    clerk = browser_for(world.clerk)
    # Counts typed in Persian digits: 250 before the season, 228 after it, 4 sold.
    response = clerk.post(f"/claims/{claim.id}/season-counts", data={
        "loss_line_id": line.id, "version": helpers.reload(claim).version,
        "count_before": "۲۵۰", "counted_before_on": "2025-05-20", "count_after": "228",
        "counted_after_on": "2025-10-05", "explained": "4", "explanation": "sold in June"})
    assert response.status_code == 302
    verifier = browser_for(world.verifier)
    response = verifier.post(f"/claims/{claim.id}/leopard-signs", data={
        "loss_line_id": line.id, "version": helpers.reload(claim).version,
        "signs_on": "2025-09-12", "signs_note": "tracks and a cached lamb by the pasture"})
    assert response.status_code == 302
    assert helpers.post_action(clerk, claim, "assess").status_code == 302
    assessment = ops.latest_assessment(claim.id)
    # By hand: missing = 250 − 228 − 4 = 18; normal loss = 0.02 × 250 = 5 head;
    # paid = 18 − 5 = 13 head × 60 000 AMD × 0.75 = 585 000 AMD (no confidence rate, no
    # per-animal cut: there is no carcass).
    assert [(ln.kind, ln.heads) for ln in assessment.lines] == [("missing", 13)]
    assert assessment.total == Decimal("585000.00")
    page = clerk.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "18 head missing (250 − 228 − 4)" in page
    assert "Heads paid: 18 − 5 = 13" in page
    audit = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "claim", AuditEntry.object_id == claim.id)).all()
    assert {"season_counts", "leopard_signs"} <= set(audit)

    _decide(world, claim)
    english = _letter(clerk, claim, "en")
    assert "Normal loss over the season: 2% of 250 head = 5 head" in english.replace(
        " %", "%")
    assert "Heads paid: 18 − 5 = 13" in english
    assert "585,000" in english
    persian = _letter(clerk, claim, "fa")
    assert "تلفات عادی گله" in persian  # the herd's normal loss, stated in Persian
    assert "۱۳" in persian or "13" in persian


def test_missing_claim_is_refused_without_both_counts(app, world, browser_for, frozen):
    _scheme(browser_for(world.manager), missing_allowed="y", missing_signs_required="")
    claim, line = _verified(world, killed=6)
    _token, secret = tokens.issue(world.clerk, "tests", ["read", "claims"])
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    response = api.post(f"/api/v1/claims/{claim.reference}/season-counts", headers=headers,
                        json={"version": helpers.reload(claim).version, "line_id": line.id,
                              "count_before": 120, "counted_before_on": "2025-05-20"})
    assert response.status_code == 200, response.get_json()
    response = api.post(f"/api/v1/claims/{claim.reference}/transitions", headers=headers,
                        json={"action": "assess", "version": helpers.reload(claim).version})
    assert response.status_code == 400
    assert "record both counts and their dates" in response.get_json()["title"]
    assert helpers.reload(claim).state is State.VERIFIED
    assert db.session.scalar(select(func.count()).select_from(Assessment).where(
        Assessment.claim_id == claim.id)) == 0
    # The web page says the same and stores nothing.
    clerk = browser_for(world.clerk)
    page = helpers.post_action(clerk, claim, "assess").get_data(as_text=True)
    assert helpers.reload(claim).state is State.VERIFIED
    assert "record both counts and their dates" in page
    # A count after the season bigger than the herd before it is refused, nothing changed.
    response = api.post(f"/api/v1/claims/{claim.reference}/season-counts", headers=headers,
                        json={"version": helpers.reload(claim).version, "line_id": line.id,
                              "count_before": 120, "counted_before_on": "2025-05-20",
                              "count_after": 130, "counted_after_on": "2025-10-01"})
    assert response.status_code == 400
    assert db.session.scalar(select(SeasonCount.count_after)) is None


def test_a_scheme_without_missing_animals_refuses_them(world, browser_for, frozen):
    _scheme(browser_for(world.manager))
    claim, line = _verified(world, killed=6)
    clerk = browser_for(world.clerk)
    clerk.post(f"/claims/{claim.id}/season-counts", data={
        "loss_line_id": line.id, "version": helpers.reload(claim).version,
        "count_before": "120", "counted_before_on": "2025-05-20", "count_after": "110",
        "counted_after_on": "2025-10-05", "explained": "0"})
    page = helpers.post_action(clerk, claim, "assess").get_data(as_text=True)
    assert helpers.reload(claim).state is State.VERIFIED
    assert "does not pay for missing animals" in page


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils (pdftotext) is not installed")
def test_vet_invoice_is_paid_up_to_the_cap_per_head(app, world, browser_for, frozen):
    _scheme(browser_for(world.manager), vet_invoice="y", vet_cap_head="20000")
    claim, line = _verified(world, injured=2)
    clerk = browser_for(world.clerk)
    # 50 000,50 AMD typed the Russian way with Arabic-Indic digits.
    response = clerk.post(f"/claims/{claim.id}/vet-invoice?lang=ru", data={
        "loss_line_id": line.id, "version": helpers.reload(claim).version,
        "amount": "٥٠ ٠٠٠,٥٠", "invoiced_on": "2026-03-01",
        "photo": (__import__("io").BytesIO(helpers.photo_bytes()), "invoice.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    invoice = db.session.scalars(select(VetInvoice)).one()
    assert (invoice.amount, invoice.currency) == (Decimal("50000.50"), "AMD")
    clerk.get("/queue?lang=en")
    response = helpers.post_action(clerk, claim, "assess")
    assert response.status_code == 302, response.get_data(as_text=True)
    assessment = ops.latest_assessment(claim.id)
    # By hand: 2 treated heads × 20 000 AMD cap = 40 000 AMD (< the 50 000.50 invoiced),
    # × rate 100 % (confirmed) = 40 000 AMD.
    assert [(ln.kind, ln.heads) for ln in assessment.lines] == [("vet", 2)]
    assert assessment.total == Decimal("40000.00")
    _decide(world, claim)
    english = _letter(clerk, claim, "en")
    assert ("At most AMD20,000.00 per treated head is paid: 2 × AMD20,000.00 = AMD40,000.00"
            in english.replace("\xa0", ""))
    assert "Injured: vet treatment" in english
    assert "40,000" in english
    persian = _letter(clerk, claim, "fa")
    assert "دامپزشک" in persian  # the vet, in Persian


def test_vet_invoice_within_the_cap_through_the_api(app, world, browser_for, frozen):
    _scheme(browser_for(world.manager), vet_invoice="y")
    claim, line = _verified(world, injured=1)
    _token, secret = tokens.issue(world.clerk, "tests", ["read", "claims"])
    headers = {"Authorization": f"Bearer {secret}"}
    api = app.test_client()
    body = {"version": helpers.reload(claim).version, "line_id": line.id, "amount": 15000,
            "invoiced_on": "2026-03-01",
            "photo": base64.b64encode(helpers.photo_bytes()).decode()}
    assert api.post(f"/api/v1/claims/{claim.reference}/vet-invoice", headers=headers,
                    json={**body, "amount": "15000"}).status_code == 422
    response = api.post(f"/api/v1/claims/{claim.reference}/vet-invoice", headers=headers,
                        json=body)
    assert response.status_code == 200, response.get_json()
    response = api.post(f"/api/v1/claims/{claim.reference}/transitions", headers=headers,
                        json={"action": "assess", "version": helpers.reload(claim).version})
    assert response.status_code == 200, response.get_json()
    out = response.get_json()["assessment"]
    # No cap set: at most the value of the head (60 000 AMD); 15 000 is paid in full.
    assert out["total"] == "15000.00"
    assert any("within the cap" in s["text"] for s in out["steps"])


def test_an_invoice_dated_the_local_day_after_midnight_is_accepted(app, world, browser_for):
    """At 01:30 in Yerevan (still yesterday in UTC) the clerk records today's invoice."""
    clock.freeze(datetime(2026, 3, 2, 21, 30, tzinfo=UTC))
    try:
        claim, line = _verified(world, injured=1)
        clerk = browser_for(world.clerk)
        form = {"loss_line_id": line.id, "version": helpers.reload(claim).version,
                "amount": "12000", "invoiced_on": "2026-03-03",
                "photo": (__import__("io").BytesIO(helpers.photo_bytes()), "invoice.jpg")}
        assert clerk.post(f"/claims/{claim.id}/vet-invoice", data=form,
                          content_type="multipart/form-data").status_code == 302
        assert db.session.scalars(select(VetInvoice.invoiced_on)).one().isoformat() == \
            "2026-03-03"
        form.update(invoiced_on="2026-03-04", photo=(
            __import__("io").BytesIO(helpers.photo_bytes()), "invoice.jpg"))
        clerk.post(f"/claims/{claim.id}/vet-invoice", data=form,
                   content_type="multipart/form-data")
        assert db.session.scalars(select(VetInvoice.invoiced_on)).one().isoformat() == \
            "2026-03-03"  # tomorrow is still the future: refused, nothing changed
    finally:
        clock.freeze(None)


def test_the_per_animal_cut_is_named_as_such_and_old_steps_still_read(app):
    from conflict_app.core.money import Money
    from conflict_app.schemes import explain, rules

    values = params.parse(params.SchemeKind.COMPENSATION, {"normal_loss_adult": "0.02"})
    facts = rules.Facts(currency="AMD", predator="leopard", confidence="confirmed",
                        losses=[rules.Loss(1, "sheep", "adult_female", 1, 0)],
                        prices={("sheep", "adult_female"): Money(Decimal(60000), "AMD")})
    result = rules.compensate(values, facts, "test")
    assert "Percentage cut per animal of %(share)s." in [s.text for s in result.steps]
    assert result.total.amount == Decimal("44100.00")  # 60 000 × 0.75 × (1 − 0.02)
    with app.test_request_context("/?lang=fa"):
        from flask_babel import refresh

        refresh()
        old = {"text": "Normal-loss deduction of %(share)s.", "params": {
            "share": {"percent": "0.02"}}}
        assert "تلفات عادی" in explain.sentence(old)  # stored before the rewording
