"""The herder's report form: countries in the herder's language with no foreign default,
every error in one round with a summary that links each field, hints above the inputs,
the protection question, limits that do not lock out a village, and Solar Hijri dates."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from conflict_app.claims.models import Claim
from conflict_app.core import clock
from conflict_app.extensions import db, limiter
from tests.conftest import csrf_token

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def in_locale(locale: str, text: str, **kw) -> str:
    with force_locale(locale):
        return _(text, **kw)


def form_data(client, world, lang="en", **overrides) -> dict:
    url = f"/report?country=AM&lang={lang}"
    data = {
        "csrf_token": csrf_token(client, url), "country": "AM", "name": "Karen Sargsyan",
        "phone": "094 111 222", "village_id": str(world.shvanidzor.id), "setting": "pasture",
        "occurred_on": (clock.today() - timedelta(days=1)).isoformat(),
        "part_of_day": "night", "species": "sheep", "age_class": "adult_female",
        "killed": "2", "protection": ["dog"],
    }
    data.update(overrides)
    return data


def post(client, data, lang="en"):
    return client.post(f"/report?country=AM&lang={lang}", data=data,
                       content_type="multipart/form-data")


def selected_country(page: str) -> str | None:
    match = re.search(r'<option value="([A-Z]{2})" selected>', page)
    return match.group(1) if match else None


@pytest.mark.parametrize(("lang", "name", "preselected"), [
    ("hy", "Հայաստան", "AM"), ("fa", "ایران", "IR"), ("ckb", "عێراق", "IQ"),
    ("ka", "საქართველო", "GE"), ("en", "Armenia", None), ("ru", "Армения", None),
])
def test_countries_in_the_herders_language_and_no_foreign_default(app, world, lang, name,
                                                                   preselected):
    from conflict_app.geo.reference import load_reference_geography

    load_reference_geography()
    page = app.test_client().get(f"/report?lang={lang}").get_data(as_text=True)
    assert name in page
    assert "Afghanistan" not in page or lang == "en"
    # A language spoken in one range state chooses it; English and Russian choose nothing.
    assert selected_country(page) == preselected
    assert '<option value="AF" selected>' not in page or lang == "fa_AF"


def test_the_last_country_chosen_is_preselected(app, world):
    client = app.test_client()
    client.get("/report?country=GE&lang=en")
    assert selected_country(client.get("/report").get_data(as_text=True)) == "GE"


def test_every_error_in_one_round_with_a_summary_linking_each_field(app, world):
    client = app.test_client()
    data = form_data(client, world, name="", phone="", village_id="", occurred_on="",
                     part_of_day="", setting="", species="", age_class="", killed="",
                     protection=[])
    response = post(client, data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = re.search(r'<div class="box summary".*?</div>', page, re.S).group(0)
    assert "There is a problem" in summary
    for field in ("name", "phone", "village_id", "occurred_on", "part_of_day", "setting",
                  "species", "age_class", "killed", "protection"):
        assert f'href="#{field}"' in summary, field
        assert f'id="{field}"' in page


def test_a_date_in_the_future_is_flagged_with_the_other_errors(app, world):
    client = app.test_client()
    response = post(client, form_data(client, world, phone="",
                                      occurred_on=(clock.today() + timedelta(days=3))
                                      .isoformat()))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#phone"' in page and 'href="#occurred_on"' in page
    assert "cannot be in the future" in page


def test_hints_come_before_their_inputs_and_describe_them(app, world):
    page = app.test_client().get("/report?country=AM&lang=en").get_data(as_text=True)
    hint = page.index('id="phone-hint"')
    field = page.index('<input', page.index('for="phone"'))
    assert hint < field
    assert re.search(r'<input[^>]*aria-describedby="phone-hint"[^>]*id="phone"', page) or \
        re.search(r'<input[^>]*id="phone"[^>]*aria-describedby="phone-hint"', page)


@pytest.mark.parametrize(("answers", "shown"), [
    (["corral", "dog"], ("corral", "dog")), (["shepherd"], ("guard",)), (["none"], ("none",)),
])
def test_protection_is_asked_stored_and_shown_to_the_clerk(app, world, browser_for, answers,
                                                           shown):
    client = app.test_client()
    response = post(client, form_data(client, world, protection=answers))
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    claim = db.session.scalars(select(Claim).order_by(Claim.id.desc())).first()
    incident = claim.incident
    assert incident.protection_known
    assert incident.corral_present == ("corral" in answers)
    assert incident.dog_present == ("dog" in answers)
    assert incident.guard_present == ("shepherd" in answers)
    page = browser_for(world.clerk).get(f"/claims/{claim.id}").get_data(as_text=True)
    protection = re.search(r"Protection</dt><dd>(.*?)</dd>", page, re.S).group(1)
    for word in shown:
        assert word in protection
    assert "not asked" not in protection


def test_none_cannot_go_with_a_protection(app, world):
    client = app.test_client()
    response = post(client, form_data(client, world, protection=["none", "dog"]))
    assert response.status_code == 400
    assert 'href="#protection"' in response.get_data(as_text=True)


def test_a_claim_never_asked_says_so_not_none(app, world, browser_for):
    from tests import helpers

    claim, _pin = helpers.report(world)
    page = browser_for(world.clerk).get(f"/claims/{claim.id}").get_data(as_text=True)
    protection = re.search(r"Protection</dt><dd>(.*?)</dd>", page, re.S).group(1)
    assert "not asked" in protection


@pytest.fixture
def limits(app):
    limiter.reset()
    yield
    limiter.reset()


def test_failed_submissions_do_not_lock_out_a_village(app, world, limits):
    client = app.test_client()
    for _i in range(30):
        response = post(client, form_data(client, world, phone=""))
        assert response.status_code == 400
    response = post(client, form_data(client, world))
    assert response.status_code == 302


def test_reports_are_limited_per_phone_with_the_wait_in_words(app, world, limits):
    client = app.test_client()
    codes = []
    for i in range(7):
        day = (clock.today() - timedelta(days=1 + i)).isoformat()
        codes.append(post(client, form_data(client, world, lang="hy", occurred_on=day),
                          lang="hy").status_code)
    assert codes[:5] == [302] * 5 and codes[5] == 429
    page = post(client, form_data(client, world, lang="hy"), lang="hy").get_data(as_text=True)
    minutes = re.search(r"data-wait-minutes=\"(\d+)\"", page).group(1)
    assert 1 <= int(minutes) <= 60
    with force_locale("hy"):
        told = ngettext("Too many reports for this phone number. Try again in %(num)d minute.",
                        "Too many reports for this phone number. Try again in %(num)d "
                        "minutes.", int(minutes))
    assert told in page
    # Another herder behind the same address is not held up.
    other = post(client, form_data(client, world, phone="094 333 444"))
    assert other.status_code == 302


def test_the_calendar_chosen_on_the_start_page_is_kept(app, world):
    from persiantools.jdatetime import JalaliDate

    client = app.test_client()
    client.get("/?lang=fa&calendar=solar_hijri")
    page = client.get("/report?country=AM").get_data(as_text=True)
    # A text box for the Solar Hijri date, with an example in that calendar.
    assert re.search(r'<input[^>]*id="occurred_on"[^>]*type="text"', page) or \
        re.search(r'<input[^>]*type="text"[^>]*id="occurred_on"', page)
    yesterday = clock.today() - timedelta(days=1)
    jalali = JalaliDate(yesterday)
    typed = f"{jalali.year}/{jalali.month:02d}/{jalali.day:02d}".translate(PERSIAN)
    data = form_data(client, world, lang="fa", occurred_on=typed,
                     phone="۰۹۴ ۱۱۱ ۲۲۲", killed="۲")
    response = client.post("/report?country=AM", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    claim = db.session.scalars(select(Claim).order_by(Claim.id.desc())).first()
    assert claim.incident.occurred_on == yesterday
    # The receipt's dates are Solar Hijri too (the visit and decision deadlines).
    receipt = client.get(response.headers["Location"], follow_redirects=True)
    visit_by = JalaliDate(claim.reported_at + timedelta(hours=48))
    page = receipt.get_data(as_text=True)
    steps = page[page.find("<ol>"):page.find("</ol>")]
    assert f" {visit_by.year}".translate(PERSIAN) in steps
    assert not re.search(r"[0-9]", steps), steps  # one set of digits, the time included
    # A wrong Solar Hijri date is refused in its own terms, and typed text is kept.
    data = form_data(client, world, lang="fa", occurred_on="۱۴۰۵/۱۳/۴۰")
    before = db.session.scalar(select(func.count(Claim.id)))
    response = client.post("/report?country=AM", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert in_locale("fa", "Enter a date in the Solar Hijri calendar, for example "
                     "%(example)s.", example="۱۴۰۵/۰۹/۰۳") in page
    assert 'value="۱۴۰۵/۱۳/۴۰"' in page
    assert db.session.scalar(select(func.count(Claim.id))) == before


def test_gregorian_stays_for_those_who_chose_it(app, world):
    client = app.test_client()
    client.get("/?lang=fa&calendar=gregorian")
    page = client.get("/report?country=AM").get_data(as_text=True)
    assert re.search(r'<input[^>]*type="date"', page)


def test_answers_are_checked_before_anything_is_stored(app, world):
    client = app.test_client()
    before = db.session.scalar(select(func.count(Claim.id)))
    data = form_data(client, world, lang="ar", step="check", phone="٠٩٤ ١١١ ٢٢٢",
                     killed="٢", protection=["corral", "dog"])
    page = post(client, data, lang="ar")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert in_locale("ar", "Check your answers") in text
    assert "Karen Sargsyan" in text and "Shvanidzor" in text and "094 111222" in text
    assert in_locale("ar", "In a closed corral") in text
    assert db.session.scalar(select(func.count(Claim.id))) == before
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', text))
    assert hidden["killed"] == "٢" and hidden["phone"] == "٠٩٤ ١١١ ٢٢٢"
    # "Change your answers" brings the form back filled in, still storing nothing.
    back = post(client, {**data, "step": "edit"}, lang="ar").get_data(as_text=True)
    assert 'value="Karen Sargsyan"' in back and "checked" in back
    assert db.session.scalar(select(func.count(Claim.id))) == before
    sent = post(client, {**data, "step": "send"}, lang="ar")
    assert sent.status_code == 302
    assert db.session.scalar(select(func.count(Claim.id))) == before + 1


def test_a_village_not_in_the_list_is_typed_and_linked_by_the_clerk(app, world, browser_for):
    from conflict_app.core.audit import AuditEntry
    from conflict_app.geo.models import Village

    client = app.test_client()
    form = client.get("/report?country=AM&lang=en").get_data(as_text=True)
    assert "My village is not in the list" in form
    response = post(client, form_data(client, world, village_id="other",
                                      village_name="  Tsav ", province_id=str(world.syunik.id)))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    claim = db.session.scalars(select(Claim).order_by(Claim.id.desc())).first()
    assert claim.incident.reported_village == "Tsav"
    assert claim.admin1_id == world.syunik.id  # in the clerk's jurisdiction from the start
    # Not offered to the next herder until a clerk has confirmed it.
    assert "Tsav" not in client.get("/report?country=AM").get_data(as_text=True)
    clerk = browser_for(world.clerk)
    page = clerk.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Tsav" in page and "not in the list" in page
    # Screening waits for the link.
    from tests import helpers

    screened = helpers.post_action(clerk, claim, "screen")
    assert screened.status_code == 400
    assert "Link the village" in screened.get_data(as_text=True)
    linked = clerk.post(f"/claims/{claim.id}/village", data={
        "csrf_token": csrf_token(clerk, f"/claims/{claim.id}"),
        "version": db.session.get(Claim, claim.id).version,
        "village_id": str(world.shikahogh.id)}, follow_redirects=True)
    assert linked.status_code == 200
    db.session.expire_all()
    claim = db.session.get(Claim, claim.id)
    assert claim.incident.village_id == world.shikahogh.id
    assert claim.household.village_id == world.shikahogh.id
    assert claim.admin2_id == world.kapan.id
    assert db.session.scalars(select(Village).where(Village.name == "Tsav")).first() is None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "link_village")
                               ).one()
    assert entry.object_id == claim.id


def test_a_country_without_villages_asks_for_the_name_and_the_clerk_adds_it(app, world,
                                                                          browser_for):
    from conflict_app.geo.models import Village

    client = app.test_client()
    url = "/report?country=GE&lang=ka"
    world.samreklo.listed = False  # as if Georgia had no villages listed yet
    db.session.flush()
    page = client.get(url).get_data(as_text=True)
    assert '<input type="hidden" name="village_id" value="other">' in page
    data = form_data(client, world, lang="ka", country="GE", village_id="other",
                     village_name="ჯუგაანი", province_id=str(world.kakheti.id),
                     phone="555 12 34 56")
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    claim = db.session.scalars(select(Claim).order_by(Claim.id.desc())).first()
    typed = claim.incident.village
    assert typed.name == "ჯუგაანი" and not typed.listed
    clerk = browser_for(world.ge_clerk)
    clerk.post(f"/claims/{claim.id}/village", data={
        "csrf_token": csrf_token(clerk, f"/claims/{claim.id}"), "version": claim.version,
        "village_id": "new"})
    db.session.expire_all()
    assert db.session.get(Village, typed.id).listed
    assert "ჯუგაანი" in client.get(url).get_data(as_text=True)


def test_a_photo_that_is_not_one_is_asked_for_again_with_the_answers_kept(app, world):
    import io

    client = app.test_client()
    before = db.session.scalar(select(func.count(Claim.id)))
    data = form_data(client, world, step="send",
                     photo=(io.BytesIO(b"%PDF-1.4 not a photo"), "x.jpg"))
    response = post(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Check your answers" in page and 'href="#photo"' in page and 'id="photo"' in page
    assert '<input type="hidden" name="name" value="Karen Sargsyan">' in page
    assert db.session.scalar(select(func.count(Claim.id))) == before
