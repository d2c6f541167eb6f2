"""The reviewer's checks on every catalogue (tg, uz, ps included once they exist), and proof
that each check catches the slip it is for."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog

from conflict_app.i18n import catalogues, quality


def test_every_catalogue_passes_the_review_checks():
    codes = catalogues.catalogue_codes()
    assert {"ar", "fa", "kk", "ru", "tk", "ur"} <= set(codes)
    found = quality.problems(codes, lint=False)
    assert found == [], "\n".join(found[:40])


@pytest.mark.parametrize("code", catalogues.catalogue_codes())
def test_dennis_finds_no_error(code):
    assert quality.dennis_available(), "dennis is a test dependency (pip install -e '.[test]')"
    assert quality.dennis_problems(code) == []


def _catalog(code: str, *entries: tuple) -> Catalog:
    catalog = Catalog(locale=code)
    for entry in entries:
        msgid, msgstr, *context = entry
        catalog.add(msgid, msgstr, context=context[0] if context else None)
    return catalog


@pytest.mark.parametrize(("code", "msgid", "msgstr", "what"), [
    ("fa", "Village", "روستاي", "Arabic letter"),          # Arabic yeh in Persian
    ("ur", "Key", "كلید", "Arabic letter"),                # Arabic kaf in Urdu
    ("ckb", "Rule", "ڕێساي", "Arabic letter"),
    ("ps", "Village", "كلی", "Arabic letter"),             # Pashto writes ک
    ("ps", "Claims", "غوښتنيې", "Arabic letter"),          # ي inside a Pashto word
    ("fa", "From %(a)s; to %(b)s", "از %(a)s; تا %(b)s", "';'"),
    ("ar", "Between 1 and 2", "بين 1 و ٢", "digits mixed"),
    ("tk", "Village", "Обa", "Cyrillic letter"),
    ("az", "Village", "Kənд", "Cyrillic letter"),
    ("uz", "Village", "Qishлoq", "Cyrillic letter"),
    ("ru", "Village", "Cело", "Latin letters"),            # Latin C in a Russian word
    ("kk", "Village", "Aуыл", "Latin letters"),
    ("tr", "Payment batch", "Payment batch", "left in English"),
])
def test_each_script_check_catches_its_slip(code, msgid, msgstr, what):
    found = quality.script_problems(code, _catalog(code, (msgid, msgstr)))
    assert any(what in line for line in found), found


@pytest.mark.parametrize(("code", "msgid", "msgstr"), [
    ("ps", "Village", "کلي"),                  # Pashto's own ي at a word's end
    ("ru", "Upload a .zip of CSV files", "Загрузите .zip из файлов CSV"),
    ("ru", "Grade", "A: рандомизированное"),
    ("kk", "PIN sent by SMS", "PIN SMS арқылы жіберілді"),
    ("fa", "Pardus", "Pardus"),
    ("az", "Bank", "Bank"),
    ("fa", "Reference, e.g. %(example)s", "شماره، مثلاً %(example)s؛ بدون فاصله"),
])
def test_what_is_right_is_not_flagged(code, msgid, msgstr):
    assert quality.script_problems(code, _catalog(code, (msgid, msgstr))) == []


def test_a_sentence_copied_from_another_language_is_found():
    sentence = "Отправьте отчёт до пятницы, пожалуйста"
    found = quality.copied_problems({
        "ru": _catalog("ru", ("Send the report by Friday, please", sentence)),
        "kk": _catalog("kk", ("Send the report by Friday, please", sentence)),
        "fa": _catalog("fa", ("Send the report by Friday, please", "گزارش را تا جمعه بفرستید")),
        "fa_AF": _catalog("fa_AF", ("Send the report by Friday, please",
                                    "گزارش را تا جمعه بفرستید")),
    })
    assert found == ["kk/ru: same text in several languages: Send the report by Friday, please"] \
        or found == ["ru/kk: same text in several languages: Send the report by Friday, please"]


def test_a_plural_form_that_drops_its_number_is_found():
    catalog = Catalog(locale="ru")
    catalog.add(("%(num)s year", "%(num)s years"), ("%(num)s год", "года", "%(num)s лет"))
    found = quality.plural_problems("ru", catalog)
    assert found == ["ru: plural form 1 drops the number: %(num)s year"]
    arabic = Catalog(locale="ar")
    arabic.add(("%(num)s year", "%(num)s years"),
               ("%(num)s سنة", "سنة واحدة", "سنتان", "%(num)s سنوات", "%(num)s سنة",
                "%(num)s سنة"))
    assert quality.plural_problems("ar", arabic) == []  # "one year", "two years" need no digit


def test_dennis_errors_are_reported(tmp_path, monkeypatch):
    folder = tmp_path / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Salam %(nme)s"\n',
        encoding="utf-8")
    monkeypatch.setattr(quality, "TRANSLATIONS", tmp_path)
    found = quality.dennis_problems("xx")
    assert found and "E201" in found[0]
