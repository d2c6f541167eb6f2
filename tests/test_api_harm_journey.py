"""An injury to a person, a death and crop damage taken through the API alone, from the
report through screening, the field visit, the evidence (medical report, death certificate,
field measurement), the assessment and the approval to the payment; at every step the
medical details, the document and the next of kin reach only the roles that may read them
(verifier, approver, supervisor), never the clerk, finance, the analyst or an export."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from decimal import Decimal

import pytest

from conflict_app.api import tokens
from conflict_app.core import clock
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import params
from conflict_app.schemes.params import SchemeKind
from tests import helpers

DETAILS = "deep bites on the left forearm, twelve stitches"
KIN = "Anahit Petrosyan"
RULES = {"human_injury_allowed": "1", "injury_minor": "200000", "injury_serious": "800000",
         "injury_permanent": "2000000", "injury_medical_cap": "300000",
         "human_death_allowed": "1", "death_amount": "5000000",
         "crop_damage_allowed": "1", "crop_rate_wheat": "150000"}
# The evidence the verifier sends for each kind, and what it is then worth by hand.
EVIDENCE = {
    "human_injury": ({"severity": "serious", "medical_details": DETAILS,
                      "medical_costs": 450000.5}, True, "1100000.00"),  # 800 000 + cap
    "human_death": ({"next_of_kin": KIN, "medical_details": DETAILS}, True, "5000000.00"),
    "crop_damage": ({"crop": "wheat", "area_ha": 0.75}, False, "112500.00"),  # 0.75 × 150 000
}
SECRETS = (DETAILS, KIN, "serious", "450000")


class Client:
    def __init__(self, app, user):
        _token, secret = tokens.issue(user, "tests", tokens.allowed_scopes(user))
        self.headers = {"Authorization": f"Bearer {secret}"}
        self.client = app.test_client()

    def get(self, url):
        return self.client.get(url, headers=self.headers)

    def post(self, url, json=None, **headers):
        return self.client.post(url, json=json, headers={**self.headers, **headers})


def _scheme(world) -> None:
    scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        "AM-HARM", "Syunik people and crops", SchemeKind.COMPENSATION, "AM", None, "AMD", None,
        Decimal(100_000_000), "refuse", date(2020, 1, 1), None, Decimal(0), None))
    values = params.defaults(SchemeKind.COMPENSATION) | RULES
    version = scheme_ops.add_version(world.manager, scheme.id, date(2020, 1, 1), values)
    scheme_ops.publish_version(world.manager, version.id)


def _hidden(answer) -> None:  # noqa: ANN001
    text = answer.get_data(as_text=True)
    assert not [s for s in SECRETS if s in text], text[:2000]


@pytest.mark.parametrize("kind", list(EVIDENCE))
def test_a_harm_claim_from_report_to_payment_through_the_api(app, world, kind):
    _scheme(world)
    household = helpers.household(world)
    helpers.payout(household)
    clerk, supervisor = Client(app, world.clerk), Client(app, world.supervisor)
    verifier, approver = Client(app, world.verifier), Client(app, world.approver)
    finance, analyst = Client(app, world.finance), Client(app, world.analyst)
    occurred = (clock.today() - timedelta(days=1)).isoformat()
    created = clerk.post("/api/v1/claims", json={
        "household_id": household.id, "occurred_on": occurred, "setting": "pasture",
        "part_of_day": "daytime", "harm_kind": kind, "lines": []}, **{"Idempotency-Key": kind})
    assert created.status_code == 201, created.get_json()
    ref, claim = created.get_json()["reference"], created.get_json()
    assert claim["harm"]["kind"] == kind and claim["lines"] == []

    def fire(client, action, **extra):
        version = supervisor.get(f"/api/v1/claims/{ref}").get_json()["version"]
        answer = client.post(f"/api/v1/claims/{ref}/transitions",
                             json={"action": action, "version": version, **extra})
        assert answer.status_code == 200, (action, answer.get_json())
        return answer.get_json()

    fire(clerk, "screen")
    fire(supervisor, "assign_verifier", verifier_id=world.verifier.id)
    version = supervisor.get(f"/api/v1/claims/{ref}").get_json()["version"]
    visited = verifier.post(f"/api/v1/claims/{ref}/verification", json={
        "version": version, "visited_on": clock.today().isoformat(),
        "signs": {"haemorrhage": True, "bite_location": "throat_nape", "heads_killed": 0},
        "predator": "leopard", "confidence": "confirmed", "confirmed": [], "photos": []})
    assert visited.status_code == 201, visited.get_json()

    # No evidence yet: the assessment is refused and the claim stays verified.
    version = visited.get_json()["version"]
    early = clerk.post(f"/api/v1/claims/{ref}/transitions",
                       json={"action": "assess", "version": version})
    assert early.status_code == 400 and early.mimetype == "application/problem+json"
    fields, document, total = EVIDENCE[kind]
    body = {"version": version, **fields}
    if kind == "crop_damage":
        body["measured_on"] = clock.today().isoformat()
    else:
        body["document"] = base64.b64encode(helpers.photo_bytes()).decode()
    # The clerk may not record it; the verifier does.
    assert clerk.post(f"/api/v1/claims/{ref}/harm", json=body).status_code == 403
    recorded = verifier.post(f"/api/v1/claims/{ref}/harm", json=body)
    assert recorded.status_code == 200, recorded.get_json()
    assert recorded.get_json()["harm"]["document"] is (True if document else None)

    assessed = fire(clerk, "assess")
    assert assessed["assessment"]["total"] == total
    if document:  # the steps every role reads name neither the category nor the cause
        assert not [s for s in SECRETS if s in str(assessed["assessment"]["steps"])]
    decided = fire(approver, "approve")
    if decided["state"] != "approved":
        decided = fire(Client(app, world.approver2), "approve")
    assert decided["state"] == "approved" and decided["amount_approved"] == total

    batch = finance.post("/api/v1/payment-batches", json={"claims": [ref], "method": "cash"})
    assert batch.status_code == 201, batch.get_json()
    batch = batch.get_json()
    assert batch["total"] == total
    exported = finance.post(f"/api/v1/payment-batches/{batch['id']}/export")
    assert exported.status_code == 200 and ref in exported.get_json()["payment_file"]
    item = batch["items"][0]["id"]
    paid = finance.post(f"/api/v1/payment-items/{item}/paid", json={"reference": "CASH-1"})
    assert paid.status_code == 200 and paid.get_json()["state"] == "paid"
    assert clerk.get(f"/api/v1/claims/{ref}").get_json()["state"] == "paid"

    # Who reads what. The verifier, approver and supervisor of the area see the details.
    for reader in (verifier, approver, supervisor):
        harm = reader.get(f"/api/v1/claims/{ref}").get_json()["harm"]
        if kind == "human_injury":
            assert (harm["severity"], harm["medical_details"]) == ("serious", DETAILS)
            assert harm["medical_costs"] == "450000.50" and harm["document"] is True
        elif kind == "human_death":
            assert (harm["next_of_kin"], harm["medical_details"]) == (KIN, DETAILS)
        else:
            assert (harm["crop"], harm["area_ha"]) == ("wheat", "0.7500")
    # The clerk sees the kind and the amount, never the details, in the claim or the list.
    harm = clerk.get(f"/api/v1/claims/{ref}").get_json()["harm"]
    assert harm["kind"] == kind and harm["medical_details"] is None
    assert harm["severity"] is None and harm["next_of_kin"] is None
    for answer in (clerk.get(f"/api/v1/claims/{ref}"), clerk.get("/api/v1/claims")):
        _hidden(answer)
    # Finance pays from the batch, items and payment file without reading any detail.
    for answer in (finance.get(f"/api/v1/payment-batches/{batch['id']}"),
                   finance.get("/api/v1/payment-items"), exported,
                   finance.get("/api/v1/exports/payments.csv")):
        assert answer.status_code == 200
        _hidden(answer)
    # The analyst never opens the claim; the exports never carry the details.
    assert analyst.get(f"/api/v1/claims/{ref}").status_code in (403, 404)
    export = supervisor.get("/api/v1/exports/claims.csv")
    assert export.status_code == 200 and ref in export.get_data(as_text=True)
    _hidden(export)
    # The decision letter of an injury or a death names medical details: not for the clerk.
    letter = f"/api/v1/claims/{ref}/decision.pdf"
    if document:
        assert clerk.get(letter).status_code == 403
    else:
        assert clerk.get(letter).status_code == 200
    response = approver.get(letter)
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_a_livestock_visit_still_confirms_every_line(app, world):
    """The visit of a harm claim confirms no animals; a livestock one must confirm each line,
    and an empty list is refused by the same rule as the page, nothing stored."""
    from conflict_app.claims import operations as ops

    claim, _pin = helpers.report(world)
    ops.screen(claim.id, world.clerk, claim.version)
    ops.assign_verifier(claim.id, world.supervisor, claim.version, world.verifier.id)
    version = helpers.reload(claim).version
    answer = Client(app, world.verifier).post(
        f"/api/v1/claims/{claim.reference}/verification", json={
            "version": version, "visited_on": clock.today().isoformat(),
            "signs": {"haemorrhage": True, "bite_location": "throat_nape", "heads_killed": 3},
            "predator": "leopard", "confidence": "confirmed",
            "confirmed": []})
    assert answer.status_code == 400, answer.get_json()
    assert "every reported line" in answer.get_json()["title"]
    assert helpers.reload(claim).state.value == "verification_scheduled"


PDFTOTEXT = __import__("shutil").which("pdftotext")


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils (pdftotext) is not installed")
@pytest.mark.parametrize("kind", ["human_death", "crop_damage"])
def test_the_decision_letter_through_the_api_in_every_language(app, world, kind):
    """The approver prints the letter of a death or a crop claim in each language; it reads
    back with its translated title."""
    import subprocess

    from flask_babel import force_locale, gettext

    from conflict_app.claims import harm_records
    from conflict_app.claims import operations as ops
    from conflict_app.claims.models import Claim
    from conflict_app.extensions import db
    from conflict_app.i18n import LOCALES
    from conflict_app.schemes.harm import HarmKind
    from tests.test_documents import _clean
    from tests.test_harm_claims import _decide, _verify

    _scheme(world)
    household = helpers.household(world)
    created = Client(app, world.clerk).post("/api/v1/claims", json={
        "household_id": household.id, "occurred_on": (clock.today() - timedelta(days=1))
        .isoformat(), "setting": "pasture", "harm_kind": kind, "lines": []})
    claim = db.session.scalars(db.select(Claim).where(
        Claim.reference == created.get_json()["reference"])).one()
    _verify(world, claim)
    harm_records.record(claim.id, world.verifier, None, harm_records.HarmInput(
        next_of_kin=KIN, crop="wheat", area_ha=Decimal("0.75"), measured_on=clock.today()),
        helpers.photo_bytes() if kind == HarmKind.HUMAN_DEATH else None)
    ops.assess(claim.id, world.clerk, None)
    _decide(world, claim)
    approver = Client(app, world.approver)
    for locale in LOCALES:
        response = approver.get(f"/api/v1/claims/{claim.reference}/decision.pdf?lang={locale}")
        assert response.status_code == 200, (locale, response.get_data(as_text=True)[:300])
        assert response.headers["Content-Language"] == locale.replace("_", "-")
        text = _clean(subprocess.run([PDFTOTEXT, "-", "-"], input=response.data,  # noqa: S603
                                     capture_output=True, check=True).stdout.decode("utf-8"))
        with force_locale(locale):
            title = gettext("Decision on your claim: approved")
        assert locale == "en" or title != "Decision on your claim: approved"
        # Word by word: right-to-left extraction moves the colon to the other side.
        words = [w.strip(":：") for w in _clean(title).split()]
        assert all(w in text for w in words if w), (locale, title, text[:300])
