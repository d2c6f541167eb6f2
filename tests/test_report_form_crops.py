"""Crop damage on the herder's own report form: offered only where a scheme of the country
pays for it, with its own question (the crop) and none about animals, checked in one round,
shown back before it is stored, in every language and without JavaScript; then taken to its
value by the verifier's measurement. Injury or death of a person is never asked here."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from conflict_app.claims import operations as ops
from conflict_app.claims.models import Claim
from conflict_app.extensions import db
from conflict_app.i18n import LOCALES
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import params
from conflict_app.schemes.harm_models import ClaimHarm
from conflict_app.schemes.params import SchemeKind
from conflict_app.verification.checklist import Confidence
from tests import helpers
from tests.conftest import csrf_token
from tests.test_harm_claims import _verify
from tests.test_report_form import form_data, in_locale, post

NO_ANIMALS = {"species": "", "age_class": "", "killed": "", "setting": "", "protection": []}


def _scheme(world, **values) -> None:
    scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        "AM-CROPS", "Syunik crops", SchemeKind.COMPENSATION, "AM", None, "AMD", None,
        Decimal(50_000_000), "refuse", date(2020, 1, 1), None, Decimal(0), None))
    rules = params.defaults(SchemeKind.COMPENSATION)
    rules.update(values)
    version = scheme_ops.add_version(world.manager, scheme.id, date(2020, 1, 1), rules)
    scheme_ops.publish_version(world.manager, version.id)


def _claims() -> int:
    return db.session.scalar(select(func.count(Claim.id)))


def test_without_a_crop_scheme_the_form_asks_about_animals_only(app, world):
    _scheme(world, human_injury_allowed="1", human_death_allowed="1", injury_minor="1000")
    client = app.test_client()
    page = client.get("/report?country=AM&lang=en").get_data(as_text=True)
    assert "What did the leopard harm?" not in page and "My crops" not in page
    assert "human_injury" not in page and "human_death" not in page
    before = _claims()
    response = post(client, form_data(client, world, harm_kind="crop_damage", crop="wheat",
                                      **NO_ANIMALS))
    assert response.status_code == 400
    assert "Choose one of the options in the list." in response.get_data(as_text=True)
    assert _claims() == before


@pytest.mark.parametrize("lang", LOCALES)
def test_the_crop_question_in_every_language(app, world, lang):
    _scheme(world, crop_damage_allowed="1", crop_rate_wheat="150000",
            human_injury_allowed="1", injury_minor="1000")
    page = app.test_client().get(f"/report?country=AM&lang={lang}").get_data(as_text=True)
    for text in ("What did the leopard harm?", "My animals", "My crops", "Which crop"):
        translated = in_locale(lang, text)
        assert lang == "en" or translated != text, (lang, text)
        assert translated in page, (lang, text)
    # Radio buttons and a plain select: nothing needs a script.
    assert 'type="radio" value="crop_damage"' in page.replace('name="harm_kind" ', "")
    assert "<script" not in page
    # A person's injury or death is not asked on this public form.
    assert "human_injury" not in page and "human_death" not in page


def test_a_crop_report_is_checked_shown_back_stored_and_valued(app, world, browser_for):
    _scheme(world, crop_damage_allowed="1", crop_rate_wheat="150000")
    client = app.test_client()
    before = _claims()
    # Crops chosen but no crop: said with the other errors, nothing stored; the animal
    # questions left empty are no error.
    response = post(client, form_data(client, world, harm_kind="crop_damage", phone="",
                                      **NO_ANIMALS))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose the crop." in page and "This field is required." in page  # the phone
    assert "Give at least one animal killed or injured." not in page
    assert _claims() == before
    # Animals chosen (the default): the animal questions are asked as before.
    response = post(client, form_data(client, world, harm_kind="livestock", **NO_ANIMALS))
    assert response.status_code == 400 and _claims() == before

    data = form_data(client, world, lang="ru", harm_kind="crop_damage", crop="wheat",
                     step="check", **NO_ANIMALS)
    check = post(client, data, lang="ru")
    assert check.status_code == 200, check.get_data(as_text=True)[:3000]
    text = check.get_data(as_text=True)
    assert in_locale("ru", "My crops") in text and in_locale("ru", "Which crop") in text
    assert 'name="crop" value="wheat"' in text and _claims() == before
    assert in_locale("ru", "A photo of the damaged field helps the field officer.") in text
    sent = post(client, {**data, "step": "send"}, lang="ru")
    assert sent.status_code == 302, sent.get_data(as_text=True)[:3000]
    assert _claims() == before + 1
    # The receipt and the status page read as for any claim, in the herder's language.
    receipt = client.get(sent.headers["Location"], follow_redirects=True).get_data(
        as_text=True)
    assert in_locale("ru", "Your report was received") in receipt
    reference = re.search(r"<bdi>(AM-\d{4}-\d{6})</bdi>", receipt).group(1)
    pin = re.search(r"<bdi>(\d{6})</bdi>", receipt).group(1)
    status = client.post("/status?lang=ru", data={
        "csrf_token": csrf_token(client, "/status"), "reference": reference, "pin": pin})
    assert status.status_code == 200
    assert in_locale("ru", "Received") in status.get_data(as_text=True)

    claim = db.session.scalars(select(Claim).order_by(Claim.id.desc())).first()
    harm = db.session.scalars(select(ClaimHarm).where(ClaimHarm.claim_id == claim.id)).one()
    assert (harm.kind.value, harm.crop, harm.area_ha) == ("crop_damage", "wheat", None)
    assert claim.incident.lines == [] and claim.incident.setting is None
    # The clerk sees a crop claim; the verifier measures the field and it is valued.
    assert "Crop damage" in browser_for(world.clerk).get(f"/claims/{claim.id}").get_data(
        as_text=True)
    _verify(world, claim, Confidence.PROBABLE)
    response = browser_for(world.verifier).post(f"/claims/{claim.id}/harm", data={
        "version": helpers.reload(claim).version, "crop": "wheat", "area_ha": "0.5",
        "measured_on": helpers.reload(claim).incident.occurred_on.isoformat()})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    ops.assess(claim.id, world.clerk, helpers.reload(claim).version)
    assert ops.latest_assessment(claim.id).total == Decimal("75000.00")


def test_a_crop_report_where_the_place_pays_no_crops_is_refused_clearly(app, world):
    """The country offers crops (one province's scheme), the village's place does not."""
    from conflict_app.geo.models import AdminArea

    other = db.session.scalars(select(AdminArea).where(
        AdminArea.country_code == "AM", AdminArea.level == 1,
        AdminArea.id != world.shvanidzor.admin1_id)).first()
    if other is None:
        pytest.skip("the test world has one Armenian province")
    scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        "AM-CROPS-2", "Other province crops", SchemeKind.COMPENSATION, "AM", other.id, "AMD",
        None, Decimal(1_000_000), "refuse", date(2020, 1, 1), None, Decimal(0), None))
    rules = params.defaults(SchemeKind.COMPENSATION) | {"crop_damage_allowed": "1"}
    version = scheme_ops.add_version(world.manager, scheme.id, date(2020, 1, 1), rules)
    scheme_ops.publish_version(world.manager, version.id)
    client = app.test_client()
    before = _claims()
    response = post(client, form_data(client, world, harm_kind="crop_damage", crop="maize",
                                      **NO_ANIMALS))
    assert response.status_code == 400
    assert "does not accept claims for crop damage" in response.get_data(as_text=True)
    assert _claims() == before
