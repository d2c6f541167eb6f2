"""Place lists in the reader's alphabetical order, not the order of the letters' code points:
a Persian reader finds «پاوه» after «بم» and «گرگان» after «کرمان», as in a dictionary,
on the herder's report form and in the staff's selects alike."""

from __future__ import annotations

import html
import re

import pytest

from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea, Country, Village
from conflict_app.i18n.collation import sort_key

# As a Persian dictionary orders them; by code point پ, ک and گ would come after ل.
VILLAGES = ["بم", "پاوه", "تبریز", "کرمان", "گرگان", "لار"]
PROVINCES = ["آذربایجان شرقی", "فارس", "کرمان", "گلستان", "لرستان"]


def _options(page: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', page, re.S)
    assert select is not None, select_id
    # The places only: not "Choose…" nor "My village is not in the list".
    texts = re.findall(r'<option[^>]*value="\d+"[^>]*>(.*?)</option>', select.group(0), re.S)
    return [html.unescape(t).strip() for t in texts]


@pytest.fixture
def iran(world):
    db.session.add(Country(code="IR", name="Iran", currency="IRR", default_locale="fa"))
    areas = [AdminArea(country_code="IR", level=1, name=f"Province {i}", local_name=name)
             for i, name in enumerate(reversed(PROVINCES))]
    db.session.add_all(areas)
    db.session.flush()
    kerman = next(a for a in areas if a.local_name == "کرمان")
    db.session.add_all([Village(country_code="IR", admin1_id=kerman.id, name=f"Village {i}",
                                local_name=name) for i, name in enumerate(reversed(VILLAGES))])
    db.session.commit()
    return world


def test_a_persian_herder_finds_villages_and_provinces_in_dictionary_order(app, iran):
    page = app.test_client().get("/report?country=IR&lang=fa").get_data(as_text=True)
    assert [o.split("،")[0] for o in _options(page, "village_id")] == VILLAGES
    assert _options(page, "province_id") == PROVINCES


def test_a_persian_clerk_picks_the_village_from_a_list_in_dictionary_order(iran, browser_for):
    clerk = iran.user("clerk@ir.test", {Role.CLERK}, "IR")
    db.session.commit()
    page = browser_for(clerk).get("/households/new?lang=fa").get_data(as_text=True)
    assert [o.split("،")[0] for o in _options(page, "village_id")] == VILLAGES


@pytest.fixture
def countries(world):
    db.session.add_all([Country(code="PK", name="Pakistan", currency="PKR", default_locale="ur"),
                        Country(code="TJ", name="Tajikistan", currency="TJS",
                                default_locale="tg")])
    db.session.commit()


# Armenia, Pakistan, Tajikistan, Georgia: by code point پ would come after ت.
COUNTRIES = ["ارمنستان", "پاکستان", "تاجیکستان", "گرجستان"]


@pytest.mark.parametrize("url", ["/report?lang=fa", "/statistics/?lang=fa"])
def test_a_persian_reader_chooses_the_country_from_a_list_in_dictionary_order(app, countries,
                                                                             url):
    page = app.test_client().get(url).get_data(as_text=True)
    select = re.search(r'<select[^>]*id="country".*?</select>', page, re.S).group(0)
    names = [html.unescape(t).strip() for t in re.findall(
        r'<option value="[A-Z]{2}"[^>]*>(.*?)</option>', select, re.S)]
    assert names == COUNTRIES


@pytest.mark.parametrize(("locale", "ordered"), [
    # Turkish: I before İ, Ç after C (by code point İ and Ç come after Z).
    ("tr", ["Çanakkale", "Iğdır", "İzmir", "Kars", "Zonguldak"]),
    ("tr", ["Ceyhan", "Çorum", "Denizli"]),
    # Russian: Ё with Е (by code point it comes before А).
    ("ru", ["Анапа", "Елабуга", "Ёлкино", "Жуковка"]),
    # Kazakh: Ә after А, Қ after К (by code point after Я).
    ("kk", ["Арқалық", "Әулиеата", "Байзақ", "Кеген", "Қостанай", "Шу"]),
    # Tajik: Ҳ after Х, Ҷ after Ч.
    ("tg", ["Хоруғ", "Ҳисор", "Чкалов", "Ҷиликӯл"]),
    # Armenian and Georgian: capitals and small letters as one letter.
    ("hy", ["աղավնաձոր", "Գնդեվազ", "Շվանիձոր"]),
    ("ka", ["ახმეტა", "თელავი", "სამრეკლო"]),
])
def test_place_names_sort_as_each_language_orders_its_alphabet(app, locale, ordered):
    with app.test_request_context():
        assert sorted(reversed(ordered), key=sort_key(locale)) == ordered
