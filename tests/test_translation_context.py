"""Translators see where a string appears and what it means (issue: context for translators).

Short labels that mean different things in different places carry a message context, the
template keeps source files and translator comments, and the labels that were translated
without knowing their place read right in context.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext, pgettext

from conflict_app.extensions import db
from conflict_app.i18n import catalogues, examples
from conflict_app.i18n.labels import label

DURATION = "duration from one claim step to the next (from X to Y)"
BATCH = "payment batch state (adjective: the batch is still open for claims)"
FILE_REPORT = "button: the field officer files the visit report"
KEY = "two-factor sign-in: the secret key to type into an authenticator app"
RANGE = "part of the leopard's geographic range (not a mountain range)"


def _template():
    with catalogues.POT.open("rb") as fh:
        return read_po(fh)


def test_template_keeps_source_files_contexts_and_comments():
    pot = _template()
    messages = [m for m in pot if m.id]
    assert all(m.locations for m in messages), "every message says where it comes from"
    for context, msgid in [(DURATION, "Incident to report"),
                           (DURATION, "Report to field verification"), (BATCH, "Open"),
                           (FILE_REPORT, "File the report"), (KEY, "Key"),
                           (RANGE, "Eastern range"), ("claim state", "Paid"),
                           ("column header", "State")]:
        assert pot.get(msgid, context) is not None, (context, msgid)
    # The ambiguous words no longer exist without their meaning attached.
    for msgid in ("Open", "Key", "Eastern range", "Incident to report", "File the report"):
        assert pot.get(msgid) is None, msgid
    commented = [m for m in messages if m.auto_comments]
    assert len(commented) >= 40, "herder-facing and legal texts carry translator comments"


def test_extraction_is_sorted_and_has_no_line_numbers():
    text = catalogues.POT.read_text(encoding="utf-8")
    assert not re.search(r"^#: .*:\d+", text, re.M), "file names only: no churn on edits"
    pot = _template()
    keys = [(m.id if isinstance(m.id, str) else m.id[0], m.context or "") for m in pot if m.id]
    assert keys == sorted(keys)


def test_no_sentence_is_spliced_from_fragments():
    pot = _template()
    for fragment in ("protects", "of losses", "%(injured)s injured"):
        assert pot.get(fragment) is None, fragment
    assert pot.get("Protects animals at: %(setting)s (%(share)s of all losses happen there)")


@pytest.mark.parametrize(("code", "context", "msgid", "wrong"), [
    ("ru", DURATION, "Incident to report", "О каком происшествии сообщаете"),
    ("tr", DURATION, "Incident to report", "Bildirilecek olay"),
    ("kk", DURATION, "Report to field verification", "Орнында тексеруге жіберу"),
    ("hy", DURATION, "Report to field verification", "Ուղարկել տեղում ստուգման"),
    ("az", BATCH, "Open", "Aç"), ("ckb", BATCH, "Open", "کردنەوە"),
    ("fa", BATCH, "Open", "باز کردن"), ("fa_AF", BATCH, "Open", "باز کردن"),
    ("hy", BATCH, "Open", "Բացել"), ("ka", BATCH, "Open", "გახსნა"),
    ("ur", BATCH, "Open", "کھولیں"),
    ("ru", FILE_REPORT, "File the report", "Подать заявку"),
    ("tr", FILE_REPORT, "File the report", "Bildirimi kaydet"),
    ("tk", FILE_REPORT, "File the report", "Habary hasaba al"),
    ("hy", FILE_REPORT, "File the report", "Գրանցել հաղորդումը"),
    ("fa", KEY, "Key", "راهنما"), ("fa_AF", KEY, "Key", "رهنما"),
    ("ka", RANGE, "Eastern range", "აღმოსავლეთი ქედი"),
    ("kk", RANGE, "Eastern range", "Шығыс тау жотасы"),
    ("tk", RANGE, "Eastern range", "Gündogar dag gerşi"),
    ("ur", RANGE, "Eastern range", "مشرقی سلسلہ"),
])
def test_ambiguous_labels_read_right_in_context(app, code, context, msgid, wrong):
    with app.test_request_context(), force_locale(code):
        got = pgettext(context, msgid)
    assert got != msgid and got != wrong


def test_batch_states_agree_with_the_batch_in_russian(app):
    with app.test_request_context(), force_locale("ru"):
        states = [label("batch_state", s) for s in ("open", "exported", "closed")]
        claim_closed = label("state", "closed")
    assert states == ["Открыт", "Экспортирован", "Закрыт"]
    assert claim_closed == "Закрыта"  # the claim (заявка) stays feminine


def _catalog(code):
    path = catalogues.TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=code)


def _strings(catalog):
    for message in catalog:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            yield message, strings


def test_slips_a_native_reader_caught_are_gone():
    kk, ur, tr = _catalog("kk"), _catalog("ur"), _catalog("tr")
    assert "Акт" not in kk.get("Send the report").string  # an official act, not the herder's
    assert ur.get("Time of day").string != ur.get(
        "Daytime", "time of day of the attack (option)").string
    for _message, strings in _strings(tr):
        for s in strings:
            assert s.count("itiraz") < 2 or "itiraz ediyorsanız" not in s, s
    assert _catalog("tk").get("Longitude").string == "Uzynlyk"
    assert _catalog("fa_AF").get("Lynx", "predator that caused the loss").string == "وشق"
    ru = _catalog("ru")
    assert "территори" not in ru.get("Random, all over",
                                     "where the bites are on the carcass").string
    assert "сел" not in ru.get("Farther away").string


def test_sorani_rule_word_and_no_stranded_clitic():
    for message, strings in _strings(_catalog("ckb")):
        for s in strings:
            assert "یاسا" not in s, message.id  # "law"; a scheme's rule is ڕێسا
            assert not re.search(r"\)s ت(\s|$)", s), message.id


def test_arabic_herder_pages_use_one_polite_you():
    singular = re.compile(r"(^|\s)(أدخل|اختر|أرسل|اكتب)(\s|$|:|،)|(اسمك|هاتفك|معك)(\s|\.|$|،)")
    for message, strings in _strings(_catalog("ar")):
        if not any("status" in path for path, _line in message.locations):
            continue
        for s in strings:
            assert not singular.search(s), message.id
    assert _catalog("ar").get(
        "Registered", "claim action: its button and its entry in the history").string != \
        "تاريخ التسجيل"


@pytest.mark.parametrize(("code", "country"), [("fa", "IR"), ("kk", "KZ"), ("ka", "GE"),
                                               ("tr", "TR"), ("ur", "PK"), ("hy", "AM")])
def test_herder_sees_a_reference_example_of_their_own_country(app, code, country):
    html = app.test_client().get(f"/status?lang={code}").get_data(as_text=True)
    assert f"{country}-20" in html and ("AM-20" not in html or country == "AM")


def test_staff_examples_follow_the_jurisdiction_then_the_language(app, world, browser_for):
    world.clerk.locale = "ru"
    db.session.flush()
    html = browser_for(world.clerk).get("/households/new").get_data(as_text=True)
    assert "+374" in html  # an Armenian clerk reading Russian types Armenian numbers
    with app.test_request_context(), force_locale("fa"):
        assert examples.phone().strip("\u2066\u2069").startswith("+98")
        assert examples.phone("GE").strip("\u2066\u2069").startswith("+995")
        assert examples.reference().startswith("\u2066IR-")  # kept whole in RTL text


def test_field_form_hints_carry_each_languages_reference():
    from conflict_app.fieldforms.xlsform import _translated

    hint = "As on the receipt, for example %(example)s."
    assert "IR-" in _translated(hint, "fa") and "GE-" in _translated(hint, "ka")
    assert "AM-" not in _translated(hint, "kk")


def test_a_field_form_source_state_agrees_with_the_source_in_russian(app):
    """«Активна» / «Отключена» fit an account and a subscription (feminine); a source
    (источник) is masculine."""
    with app.test_request_context(), force_locale("ru"):
        states = [pgettext("state of a field form source", s) for s in ("Active", "Switched off")]
        account = [gettext(s) for s in ("Active", "Switched off")]
    assert states == ["Активен", "Отключён"]
    assert account == ["Активна", "Отключена"]
