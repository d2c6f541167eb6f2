"""What the full reviewer pass of Arabic, Sorani and Urdu fixed, kept fixed: the herder's one
'you' in Arabic, Sorani clitics left alone after a placeholder, glossary terms that slipped
back, native digits and Latin commas or question marks in right-to-left sentences; and what the
second Arabic pass fixed: a counted noun whose case and number depend on a placeholder's value,
singular 'you' in texts a herder reads without a translator comment (error pages, the phone
form's hints), states that must agree with the noun they describe."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from conflict_app.i18n.catalogues import TRANSLATIONS

_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")
_LATIN_WORDS = re.compile(r"[A-Za-z][\w.@/:-]*|https?://\S+")
# A Sorani clitic standing alone after a placeholder or a Latin word: no Sorani word starts
# with ە ێ ۆ, and a lone ی ە ت ن دا ەوە after %(x)s belongs to it (write ـ or rephrase).
_STRANDED = re.compile(
    r"(?:%\([a-z_]+\)[sd]|[A-Za-z0-9»)\u200e])\s+(?:ی|ە|ت|ن|دا|ەوە|یە)(?=[\s.،؛:)]|$)"
    r"|(?:^|\s)[\u06d5\u06ce\u06c6]")
# The herder is addressed in the polite plural in Arabic: these singular forms must not appear
# on herder pages, SMS and letters.
_AR_SINGULAR_YOU = re.compile(
    r"(?<![\w])(?:أنت|يمكنك|لديك|لك|إليك|عليك|منك|طلبك|هاتفك|اسمك|قريتك|بلاغك|حيواناتك|"
    r"منطقتك|بياناتك|رمزك|تملك|أرسل|اختر|أدخل|أدخِل|امسح|افتح|احتفظ|اترك|اسأل|أضف|قف|انتظر)"
    r"(?![\w])")
# Texts a herder reads whose entries carry no herder comment: the public error pages (raised in
# the application factory), the herder's own pages and SMS, the phone form's incident report.
_HERDER_SOURCES = ("conflict_app/__init__.py", "conflict_app/status/", "templates/status/",
                   "conflict_app/alerts/texts.py", "conflict_app/documents/render.py",
                   "conflict_app/documents/amounts.py")
_HERDER_MSGIDS = {"Stand next to the carcasses and wait for a good accuracy."}
# Arabic: the case and number of a counted noun depend on the number (3 رؤوس, 11 رأساً, 100 رأس):
# after a placeholder outside a plural entry, name the count instead («عدد الرؤوس %(n)s»).
_AR_COUNTED = re.compile(
    r"%\([a-z_]+\)[sd]\s+(?:رأس[اً]ً?|رأسًا|رؤوس|حرف[اً]ً?|حرفًا|حيوان[اً]ً?|حيوانًا|ملف[اً]ً?|ملفًا|"
    r"أعضاء|أصوات|أسابيع|أسرة|أسر|قيمة|عمود)(?![\w-])")
# Words the glossaries replaced; a sentence that brings one back is a slip.
_BANNED = {
    "ar": {"المكتب المالي": "finance is قسم المالية", "البنك": "bank is المصرف",
           "فقدتموها": "animals lost are النافقة أو المصابة"},
    "ckb": {"یاسا": "rule is ڕێسا", "پرۆگرام": "scheme is بەرنامە",
            # heads lost are لەدەستچوو and killed ones کوژراو; مردوو (dead) is only for
            # animals found dead of another cause
            "سەری مردوو": "heads lost are لەدەستچوو", "نەمردووە": "heads lost are لەدەستچوو",
            "ئاڵا": "a claim's warning flag is نیشانە (ئاڵا is a banner)",
            "بودجەی ماوە": "remaining budget is پاشماوەی بودجە (ماوە is a period)"},
    "ur": {"دعوی": "claim is کلیم", "دعوے": "claim is کلیم", "نگران": "supervisor is سپروائزر",
           "انشورنس": "insurance is بیمہ", "مالیاتی دفتر": "finance is شعبہ مالیات",
           # 'Time of day' and its labels must not read as their option 'Daytime' (دن کا وقت)
           "دن کے وقت": "time of day is دن کا حصہ", "دن کا وقت": "time of day is دن کا حصہ",
           "شکاری جانور": "predator is درندہ", "موبائل منی": "mobile money is موبائل والیٹ",
           "فیلڈ معائنہ": "field visit is موقع کا معائنہ"},
}
_NATIVE_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
_HERDER = ("herder's", "SMS to a herder", "SMS to herders", "SMS from the office",
           "printed letter")


def _strings(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _bare(text: str) -> str:
    return _LATIN_WORDS.sub(" ", _PLACEHOLDER.sub(" ", text))


def _herder_reads(message: Message, comment: str) -> bool:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return (any(h in comment for h in _HERDER) or msgid in _HERDER_MSGIDS
            or any(path.startswith(_HERDER_SOURCES) for path, _line in message.locations))


def review(code: str, catalog: Catalog) -> list[str]:
    found = []
    for message in catalog:
        if not message.id:
            continue
        msgid = (message.id if isinstance(message.id, str) else message.id[0])[:60]
        comment = " ".join(message.auto_comments)
        for text in _strings(message):
            bare = _bare(text)
            for word, why in _BANNED.get(code, {}).items():
                if word in text:
                    found.append(f"{code}: {word} ({why}): {msgid}")
            if _NATIVE_DIGITS.search(text):
                found.append(f"{code}: native digits in a Latin-digit catalogue: {msgid}")
            if "," in bare or "?" in bare:
                found.append(f"{code}: Latin ',' or '?' in a right-to-left sentence: {msgid}")
            if code == "ckb" and _STRANDED.search(text):
                found.append(f"ckb: clitic stranded after a placeholder or word: {msgid}")
            if code == "ckb" and re.search("\u0647(?![\u0600-\u06ff])", text):
                found.append(f"ckb: ه at a word's end (Sorani writes ە): {msgid}")
            if (code == "ar" and _herder_reads(message, comment)
                    and _AR_SINGULAR_YOU.search(bare)):
                found.append(f"ar: singular 'you' on a herder's page: {msgid}")
            if (code == "ar" and not isinstance(message.id, tuple)
                    and _AR_COUNTED.search(text)):
                found.append(f"ar: counted noun glued to a number placeholder: {msgid}")
    return found


def _read(code: str) -> Catalog:
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=code)


@pytest.mark.parametrize("code", ["ar", "ckb", "ur"])
def test_the_reviewed_catalogues_stay_clean(code):
    found = review(code, _read(code))
    assert found == [], "\n".join(found[:40])


def test_registered_in_the_arabic_history_is_an_event_not_a_date():
    catalog = _read("ar")
    message = catalog.get("Registered", "claim action: its button and its entry in the history")
    assert message is not None and "تاريخ" not in message.string


def test_arabic_states_agree_with_what_they_describe():
    catalog = _read("ar")
    # An incentive payment is a دفعة (feminine): its states read مدفوعة، محجوبة، ملغاة.
    for state in ("Paid", "Withheld", "Cancelled"):
        text = catalog.get(state, "state of an incentive payment").string
        assert text.endswith("ة"), (state, text)
    # A withholding released at the cycle's end is over; nothing is disbursed (صُرف) by it.
    released = catalog.get("Released at the end of the cycle",
                           "state of a withholding of incentive payments").string
    assert "صُرف" not in released and "يُصرف" not in released
    # The agreement page shows a milestone and a state side by side: two different words.
    assert (catalog.get("State", "column header").string
            != catalog.get("Milestone", "column header").string)


def test_arabic_confirmation_file_error_names_the_values_the_file_takes():
    """The bank's file says paid or failed in Latin letters; the error must say so too."""
    text = _read("ar").get("The status must be paid or failed.").string
    assert "paid" in text and "failed" in text


def _one(code: str, msgstr: str, comment: str = "", location: str = "") -> Catalog:
    catalog = Catalog(locale=code)
    catalog.add("Some text %(date)s", msgstr,
                auto_comments=[comment] if comment else [],
                locations=[(location, 1)] if location else [])
    return catalog


@pytest.mark.parametrize(("msgstr", "location", "what"), [
    ("هذه الصفحة غير موجودة، أو لا تملك صلاحية عرضها %(date)s", "conflict_app/__init__.py",
     "singular 'you'"),
    ("هذه الصفحة غير موجودة، أو لا يُسمح لكم بعرضها %(date)s", "conflict_app/__init__.py", None),
    ("أدخل رقماً %(date)s", "conflict_app/schemes/forms.py", None),
    ("الحد الأقصى %(date)s حيواناً في السطر الواحد", "", "counted noun"),
    ("عُدّ %(date)s رأسًا قبل الموسم", "", "counted noun"),
    ("عدد الرؤوس قبل الموسم %(date)s", "", None),
    ("خلال %(date)s رأس-سنة", "", None),
    ("تأكيد الدفع من البنك %(date)s", "", "bank is المصرف"),
])
def test_each_second_pass_check_catches_its_slip(msgstr, location, what):
    found = review("ar", _one("ar", msgstr, location=location))
    if what is None:
        assert found == []
    else:
        assert any(what in line for line in found), found


@pytest.mark.parametrize(("code", "msgstr", "comment", "what"), [
    ("ckb", "ڕێژەی زەرەر لە %(date)s ەوە", "", "clitic stranded"),
    ("ckb", "PIN ی نوێ %(date)s", "", "clitic stranded"),
    ("ckb", "بەهای ڕێسا %(date)s", "", None),
    ("ckb", "بە یاسا %(date)s", "", "rule is ڕێسا"),
    ("ckb", "هەنارده %(date)s", "", "ه at a word's end"),
    ("ckb", "٦ تا ٣٤ %(date)s", "", "native digits"),
    ("ckb", "نزیکەی %(date)s سەری مردووی کەمتر", "", "heads lost are لەدەستچوو"),
    ("ckb", "ئاڵا لابرا %(date)s", "", "warning flag is نیشانە"),
    ("ckb", "بودجەی ماوەی بەرنامەکە %(date)s", "", "remaining budget"),
    ("ckb", "پاشماوەی بودجەی بەرنامەکە %(date)s", "", None),
    ("ar", "يمكنك الاستعلام عن طلبك %(date)s", "herder's public pages", "singular 'you'"),
    ("ar", "يمكنكم الاستعلام عن طلبكم %(date)s", "herder's public pages", None),
    ("ar", "أدخل رقماً %(date)s", "", None),          # staff pages keep the singular
    ("ar", "لكل 1,000 %(date)s", "", "Latin ','"),
    ("ur", "دعوے کی حالت %(date)s", "", "claim is کلیم"),
    ("ur", "کیا آپ متفق ہیں? %(date)s", "", "Latin ','"),
    ("ur", "دن کے وقت کے لحاظ سے %(date)s", "", "time of day is دن کا حصہ"),
    ("ur", "دن کے حصے کے لحاظ سے %(date)s", "", None),
    ("ur", "موبائل منی فراہم کنندہ %(date)s", "", "mobile money"),
    ("ur", "فیلڈ معائنہ ہو گیا ہے %(date)s", "", "field visit"),
])
def test_each_review_check_catches_its_slip(code, msgstr, comment, what):
    found = review(code, _one(code, msgstr, comment))
    if what is None:
        assert found == []
    else:
        assert any(what in line for line in found), found
