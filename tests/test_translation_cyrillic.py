"""Slips found in the full review of the Cyrillic catalogues (ru, kk, tg), each kept from coming
back: words the glossary rejects, file column names and values translated although the file keeps
them in English, decimal examples written with a point where the locale writes a comma, a Russian
preposition that would need a case ending on a placeholder, a Kazakh case or ordinal suffix glued
to a number placeholder, Tajik buttons written as commands instead of the masdar, and a Tajik
suffix glued to a placeholder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.numbers import get_decimal_symbol

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
CODES = ("ru", "kk", "tg")
DECIMAL_POINT = re.compile(r"\d\.\d")

# File columns and values are read in English whatever the page language.
FILE_WORDS = {
    "Columns: item, status (paid or failed), reference, reason. One wrong line and nothing is "
    "recorded; a file imported twice changes nothing.":
        ("item", "status", "paid", "failed", "reference", "reason"),
    "The status must be paid or failed.": ("paid", "failed"),
    "killed and injured are both 0": ("killed", "injured"),
}

# Words the glossary replaces (translations/<code>/glossary.md), with the word it asks for.
REJECTED = {
    "ru": {r"[Дд]елопроизводител": "регистратор (clerk)",
           r"[Вв]ладел\w* скота|[Сс]котовод": "пастух (herder)",
           r"[Мм]енеджер": "руководитель программы (scheme manager)",
           r"\bКРС\b": "крупный рогатый скот (cattle)",
           r"[Оо]добренн": "утверждённая сумма (approve)"},
    "kk": {r"[Іі]с жүргізуші": "тіркеуші (clerk)", r"[Тт]іркелгі": "есептік жазба (account)",
           r"[Мм]енеджер": "бағдарлама жетекшісі (scheme manager)",
           r"[Юю]рисдикци": "жауапкершілік аймағы (jurisdiction)",
           r"[Вв]едомос": "төлем ордері (voucher)", r"[Мм]ал иес": "малшы (herder)"},
    "tg": {r"(?<!\w)[Аа]риза": "дархост (claim)", r"[Хх]оҷаги": "хонавода (household)",
           r"[Зз]еркаш": "боргирӣ (download)", r"(?<!\w)[Дд]аранд": "дарранда (spelling)",
           r"[Ҷҷ]амоат": "ҷамоаи деҳа (community; ҷамоат is an administrative unit)",
           r"[Ҷҷ]амоа(?!т|и деҳа)": "ҷамоаи деҳа (community: the village's herders together)",
           r"[Ҷҷ]амъиятӣ": "ҷамоаи деҳа or оммавӣ (ҷамъиятӣ reads as 'public, social')",
           r"[Мм]авқеъ": "банд (an item of a batch) or маврид (an approval sampled for review)",
           r"(?<!\w)[Фф]онд(?!и суғурта)": "фонди суғурта (insurance pool)"},
}

# Russian declines a name after these prepositions ("у села", "для овцы"); a placeholder cannot
# take the ending, so the name stands in the nominative after a noun: "у села %(village)s".
RU_PREPOSITION = re.compile(
    r"(?<!\w)(?:у|возле|около|близ|из|для|от|к|с|со|при|в|во|на|о|об|по) "
    r"%\((?:village|area|name|province|country|species|payee|measure|scheme|predator|column)\)s")
# An amount of money followed by «процентов» reads as a percentage ("12,50 TJS процентов");
# the interest is named first and its amount follows: «проценты за задержку: %(interest)s».
RU_MONEY_PERCENT = re.compile(r"%\((?:amount|interest|paid|rest|total)\)s процент")
# An area is a province or a district; «район» alone tells a province's herders or staff that
# the text is not about them (glossary: area = территория, «район» only for a district).
RU_AREA_AS_DISTRICT = re.compile(r"[Рр]айон(?!\w* или провинц)")
AREA_WORD = re.compile(r"\barea\b", re.IGNORECASE)
NOT_ONLY_AREA = re.compile(r"district|protected area", re.IGNORECASE)
# Kazakh suffixes harmonise with the spoken number ("5-тен", "6-дан", "2-ші", "6-шы"), which a
# placeholder hides; only an ordinal before a noun ("%(page)s-бет", "%(n)s-жолы") is safe.
KK_GLUED_SUFFIX = re.compile(r"%\(\w+\)[sd]-(?!(?:жол|бет|жыл)\w*)\w")
# «дейін» and «бастап» govern a case («5 желтоқсанға дейін», «…нан бастап») that a date placeholder
# cannot take; «күніне дейін», «күнінен бастап» carry it ("%(date)s күніне дейін").
KK_DATE_POSTPOSITION = re.compile(r"%\((?:date|day)\)s (?:дейін|бастап|кейін|бері)(?!\w)")
# Tajik buttons name the action (masdar: "Нигоҳ доштан"), they do not order ("нигоҳ доред").
TG_COMMAND = re.compile(r"(?:[дт]ед|кунед|диҳед|фиристед)(?: \(PDF\))?$")
# Nothing is glued to a placeholder or to its closing bracket: "%(approved)s-и" reads
# "сомонӣ-и" once the amount is filled in, and "(%(currency)s)-ро" hides the object's noun.
TG_GLUED = re.compile(r"%\(\w+\)[sd]\)?(?:-|[^\W\d_])")


def _entries(code: str):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale=code)
    for message in catalog:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in strings:
            yield message.context or "", source, text or ""


@pytest.mark.parametrize("code", CODES)
def test_decimal_examples_use_the_locale_separator(code):
    assert get_decimal_symbol(code) == ","
    found = [f"{source} → {text}" for _, source, text in _entries(code)
             if DECIMAL_POINT.search(source) and DECIMAL_POINT.search(text)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("code", CODES)
def test_file_columns_keep_their_english_names(code):
    found = [f"{source} → {text}" for _, source, text in _entries(code)
             if source in FILE_WORDS and not all(w in text for w in FILE_WORDS[source])]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("code", CODES)
def test_glossary_terms_are_used(code):
    found = [f"{text}  (use {wanted})" for _, _, text in _entries(code)
             for pattern, wanted in REJECTED[code].items() if re.search(pattern, text)]
    assert found == [], "\n".join(found)


def test_no_russian_preposition_governs_a_placeholder():
    found = [text for _, _, text in _entries("ru") if RU_PREPOSITION.search(text)]
    assert found == [], "\n".join(found)


def test_no_russian_amount_reads_as_a_percentage():
    found = [text for _, _, text in _entries("ru") if RU_MONEY_PERCENT.search(text)]
    assert found == [], "\n".join(found)


def test_russian_area_is_not_called_a_district():
    found = [f"{source} → {text}" for _, source, text in _entries("ru")
             if AREA_WORD.search(source) and not NOT_ONLY_AREA.search(source)
             and RU_AREA_AS_DISTRICT.search(text)]
    assert found == [], "\n".join(found)


def test_no_kazakh_suffix_is_glued_to_a_placeholder():
    found = [text for _, _, text in _entries("kk") if KK_GLUED_SUFFIX.search(text)]
    assert found == [], "\n".join(found)


def test_no_kazakh_postposition_follows_a_bare_date():
    found = [text for _, _, text in _entries("kk") if KK_DATE_POSTPOSITION.search(text)]
    assert found == [], "\n".join(found)


def test_tajik_buttons_name_the_action():
    # The confirmation buttons ("Yes, approve the claim") carry no context but are buttons too.
    found = [f"[{context}] {text}" for context, source, text in _entries("tg")
             if (context.startswith("button") or source.startswith("Yes, "))
             and TG_COMMAND.search(text)]
    assert found == [], "\n".join(found)


def test_no_tajik_suffix_is_glued_to_a_placeholder():
    found = [text for _, _, text in _entries("tg") if TG_GLUED.search(text)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("text", ["леопард задрал скот у %(village)s",
                                  "Нет рыночной цены для %(species)s",
                                  "нет района %(name)s в %(province)s",
                                  "строки происшествия %(ref)s расходятся в %(column)s"])
def test_a_governed_placeholder_is_caught(text):
    assert RU_PREPOSITION.search(text)
    assert not RU_PREPOSITION.search("у села %(village)s; в провинции %(province)s")


@pytest.mark.parametrize("text", ["включая %(interest)s процентов за задержку",
                                  "Сюда входят %(amount)s процентов за задержку выплаты."])
def test_an_amount_read_as_a_percentage_is_caught(text):
    assert RU_MONEY_PERCENT.search(text)
    assert not RU_MONEY_PERCENT.search("включая проценты за задержку: %(interest)s")


@pytest.mark.parametrize("text", ["Отправлено в район", "Ни один телефон в этом районе не может",
                                  "Село или район"])
def test_an_area_called_a_district_is_caught(text):
    assert RU_AREA_AS_DISTRICT.search(text)
    assert not RU_AREA_AS_DISTRICT.search("с заявками из вашего района или провинции")


@pytest.mark.parametrize("text", ["%(num)s-ден астам өтінім", "%(given)s-шісі"])
def test_a_glued_kazakh_suffix_is_caught(text):
    assert KK_GLUED_SUFFIX.search(text)
    assert not KK_GLUED_SUFFIX.search("%(reference)s · %(page)s-бет, актінің %(n)s-жолы")


@pytest.mark.parametrize("text", ["аз %(approved)s-и тасдиқшуда", "%(url)s-ро кушоед",
                                  "асъори кишвари худ (%(currency)s)-ро", "%(species)sро"])
def test_a_glued_tajik_suffix_is_caught(text):
    assert TG_GLUED.search(text)
    assert not TG_GLUED.search("аз маблағи тасдиқшудаи %(approved)s (%(share)s); %(size)s°.")


@pytest.mark.parametrize("text", ["Сомамен келіспесеңіз, %(date)s дейін шағымдана аласыз.",
                                  "Келісімді %(day)s бастап ұзартуға болады."])
def test_a_bare_kazakh_date_before_a_postposition_is_caught(text):
    assert KK_DATE_POSTPOSITION.search(text)
    assert not KK_DATE_POSTPOSITION.search("%(date)s күніне дейін; %(day)s күнінен бастап")


@pytest.mark.parametrize("text", ["Ҳа, арзёбиро сабт кунед", "Расидро зеркашӣ кунед (PDF)",
                                  "Ба минтақа огоҳӣ фиристед"])
def test_a_tajik_command_button_is_caught(text):
    assert TG_COMMAND.search(text)
    assert not TG_COMMAND.search("Боргирии расид (PDF)")
