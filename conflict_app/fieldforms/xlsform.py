"""XLSForm field forms for ODK Collect and KoboToolbox: the incident report and the
verification visit, with labels in every Pardus language (``label::Language (code)``
columns) taken from the same catalogues as the web pages.

The forms carry their version in a ``form_version`` field, so the importer can refuse
submissions of a form it does not know (``odk.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from flask_babel import force_locale, gettext
from openpyxl import Workbook

from conflict_app.core.errors import N_
from conflict_app.i18n import LOCALES, examples
from conflict_app.i18n.labels import LABELS, label

FORM_VERSION = "2026120501"
MAX_LINES = 3  # loss lines per report on the phone (species / age / heads)


@dataclass(frozen=True)
class Question:
    type: str  # XLSForm type: text, integer, decimal, date, geopoint, image,
    #            select_one LIST, begin_group, end_group, calculate, note
    name: str
    label: str | None = None  # msgid
    hint: str | None = None  # msgid
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_message: str | None = None  # msgid
    calculation: str = ""
    line: int | None = None  # fills %(n)s in the label: the loss line it asks about


YES_NO = "yes_no"
_COUNT = ". >= 0 and . <= 2000"
# Translators: phone form (ODK) for a field officer or herder: short
_HEADS = N_("Enter a number from 0 to 2000.")


def _loss_lines() -> list[Question]:
    out = []
    for n in range(1, MAX_LINES + 1):
        relevant = "" if n == 1 else f"${{species_{n - 1}}} != '' and ${{more_{n - 1}}} = 'yes'"
        out += [
            # Translators: phone form (ODK) for a field officer or herder: short
            Question("begin_group", f"line_{n}", N_("Animals lost"), relevant=relevant),
            # Translators: phone form (ODK) for a field officer or herder: short
            Question("select_one species", f"species_{n}", N_("Species"), required=True),
            # Translators: phone form (ODK) for a field officer or herder: short
            Question("select_one age_class", f"age_class_{n}", N_("Age and sex"),
                     required=True),
            # Translators: phone form (ODK) for a field officer or herder: short
            Question("integer", f"killed_{n}", N_("Killed"), required=True,
                     constraint=_COUNT, constraint_message=_HEADS),
            # Translators: phone form (ODK) for a field officer or herder: short
            Question("integer", f"injured_{n}", N_("Injured"), required=True,
                     constraint=_COUNT + f" and (. + ${{killed_{n}}}) > 0",
                     # Translators: phone form (ODK) for a field officer or herder: short
                     constraint_message=N_("At least one animal must be killed or "
                                           "injured.")),
        ]
        if n < MAX_LINES:
            out.append(Question(f"select_one {YES_NO}", f"more_{n}",
                                # Translators: phone form (ODK) for a field officer or herder: short
                                N_("Other animals lost in the same incident?"),
                                required=True))
        out.append(Question("end_group", f"line_{n}"))
    return out


REPORT = [
    Question("calculate", "form_version", calculation=f"'{FORM_VERSION}'"),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("text", "phone", N_("Herder's phone number"),
             # Translators: phone form (ODK) for a field officer or herder: short
             hint=N_("The phone number the household registered. Give it or the national "
                     "ID.")),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("text", "national_id", N_("Herder's national ID"),
             relevant="${phone} = ''", required=True,
             # Translators: phone form (ODK) for a field officer or herder: short
             hint=N_("Needed when the phone number is not known.")),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("date", "occurred_on", N_("Date of the incident"), required=True,
             constraint=". <= today()",
             # Translators: phone form (ODK) for a field officer or herder: short
             constraint_message=N_("The date cannot be in the future.")),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("select_one part_of_day", "part_of_day", N_("Part of the day")),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("select_one setting", "setting", N_("Where were the animals?"), required=True),
    *_loss_lines(),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("geopoint", "location", N_("Location of the carcasses"),
             # Translators: phone form (ODK) for a field officer or herder: short
             hint=N_("Stand next to the carcasses and wait for a good accuracy.")),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question(f"select_one {YES_NO}", "guard_present", N_("Was a shepherd with the herd?")),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question(f"select_one {YES_NO}", "dog_present", N_("Was a guarding dog with the herd?")),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("image", "photo", N_("Photo of the carcasses")),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("text", "description", N_("What happened")),
]

VERIFICATION = [
    Question("calculate", "form_version", calculation=f"'{FORM_VERSION}'"),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("text", "claim_reference", N_("Claim reference"), required=True,
             # Translators: phone form (ODK) for a field officer or herder: short
             hint=N_("As on the receipt, for example %(example)s."),
             constraint="regex(., '^[A-Za-z]{2}-[0-9]{4}-[0-9]{6}$')",
             # Translators: phone form (ODK) for a field officer or herder: short
             constraint_message=N_("Write the reference as on the receipt.")),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("date", "visited_on", N_("Date of the field visit"), required=True,
             constraint=". <= today()",
             # Translators: phone form (ODK) for a field officer or herder: short
             constraint_message=N_("The date cannot be in the future.")),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question(f"select_one {YES_NO}", "haemorrhage", N_("Haemorrhage under the bites?"),
             required=True),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("select_one bite_location", "bite_location", N_("Where are the bites?"),
             required=True),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("decimal", "canine_spacing_cm", N_("Canine spacing (cm)"),
             constraint=". > 0 and . < 20"),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question(f"select_one {YES_NO}", "claw_rakes", N_("Claw rakes on the carcass?"),
             required=True),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("select_one carcass_handling", "carcass_handling", N_("What was done with the "
                                                                   "carcass?"),
             required=True),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("select_one tracks", "tracks", N_("Tracks"), required=True),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question(f"select_one {YES_NO}", "scat_hair_dna", N_("Scat, hair or DNA sample taken?")),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("select_one camera_trap", "camera_trap", N_("Camera trap"), required=True),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("integer", "heads_killed", N_("Heads killed in this attack"), required=True,
             constraint=_COUNT, constraint_message=_HEADS),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("integer", "hours_since_attack", N_("Hours since the attack"),
             constraint=". >= 0 and . < 2000"),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("select_one predator", "predator", N_("Predator"), required=True),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("select_one confidence", "confidence", N_("Confidence level"), required=True),
    *[q for n in range(1, MAX_LINES + 1) for q in (
        Question("integer", f"confirmed_killed_{n}",
                 # Translators: phone form (ODK) for a field officer: short. "the report"
                 # is the herder's loss report the officer checks (its line N), not the
                 # verification report the officer is filling in.
                 N_("Confirmed killed, line %(n)s of the report"),
                 required=n == 1, constraint=_COUNT, constraint_message=_HEADS, line=n),
        Question("integer", f"confirmed_injured_{n}",
                 # Translators: phone form (ODK) for a field officer: short. "the report"
                 # is the herder's loss report the officer checks (its line N), not the
                 # verification report the officer is filling in.
                 N_("Confirmed injured, line %(n)s of the report"),
                 constraint=_COUNT, constraint_message=_HEADS, line=n))],
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("geopoint", "location", N_("Location of the carcasses")),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("image", "photo", N_("Photo of the carcasses")),
    # Translators: phone form (ODK) for a field officer or herder: short
    Question("text", "notes", N_("Notes")),
]

FORMS = {
    # Translators: phone form (ODK) for a field officer or herder: short
    "report": (N_("Pardus incident report"), "pardus_report", REPORT),
    # Translators: phone form (ODK) for a field officer or herder: short
    "verification": (N_("Pardus verification visit"), "pardus_verification", VERIFICATION),
}

# Choice lists: the stored codes and their labels (the same as the web pages).
CHOICE_LISTS = {
    "species": "species", "age_class": "age_class", "part_of_day": "part_of_day",
    "setting": "setting", "bite_location": "bite_location",
    "carcass_handling": "carcass_handling", "tracks": "tracks", "camera_trap": "camera_trap",
    "predator": "predator", "confidence": "confidence",
}
_NOT_ON_PHONE = {("age_class", "unknown")}


def language_column(code: str) -> str:
    """``English (en)``: the form builders' convention of name and IANA code (Dari has its
    own code, prs, where our catalogue says fa_AF)."""
    if code == "fa_AF":
        return "Dari (prs)"
    return f"{Locale.parse(code).get_display_name('en')} ({code})"


def _translated(msgid: str | None, code: str, line: int | None = None) -> str:
    if not msgid:
        return ""
    with force_locale(code):
        if "%(example)s" in msgid:  # a claim reference of the language's own country
            # Translators: phone form (ODK) for a field officer or herder: short
            return gettext(msgid, example=examples.reference())
        # Translators: phone form (ODK) for a field officer or herder: short
        return gettext(msgid, n=line) if line is not None else gettext(msgid)


def _choice_rows() -> list[tuple[str, str, dict[str, str]]]:
    rows = []
    for list_name, group in CHOICE_LISTS.items():
        for value in LABELS[group]:
            if (list_name, value) in _NOT_ON_PHONE:
                continue
            labels = {}
            for code in LOCALES:
                with force_locale(code):
                    labels[code] = label(group, value)
            rows.append((list_name, value, labels))
    # Translators: phone form (ODK) for a field officer or herder: short
    for value, msgid in (("yes", N_("Yes")), ("no", N_("No"))):
        rows.append((YES_NO, value, {code: _translated(msgid, code) for code in LOCALES}))
    return rows


def build(kind: str, path: Path) -> Path:
    """Write the XLSForm of ``kind`` ("report" or "verification") to ``path``."""
    title, form_id, questions = FORMS[kind]
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    columns = ["type", "name", "required", "relevant", "constraint", "calculation",
               "parameters"]
    text_columns = ("label", "hint", "constraint_message")
    header = columns + [f"{col}::{language_column(code)}" for col in text_columns
                        for code in LOCALES]
    survey.append(header)
    for q in questions:
        # Photos are scaled on the phone: small uploads over weak connections.
        row = [q.type, q.name, "yes" if q.required else "", q.relevant, q.constraint,
               q.calculation, "max-pixels=1600" if q.type == "image" else ""]
        for col in text_columns:
            msgid = getattr(q, col)
            row += [_translated(msgid, code, q.line if col == "label" else None)
                    for code in LOCALES]
        survey.append(row)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name"] + [f"label::{language_column(c)}" for c in LOCALES])
    used = {q.type.split()[1] for q in questions if q.type.startswith("select_one")}
    for list_name, value, labels in _choice_rows():
        if list_name in used:
            choices.append([list_name, value] + [labels[c] for c in LOCALES])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([_translated(title, "en"), form_id, FORM_VERSION, language_column("en")])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def build_all(outdir: str | Path) -> list[Path]:
    out = Path(outdir)
    return [build(kind, out / f"{form_id}.xlsx") for kind, (_t, form_id, _q) in FORMS.items()]
