"""The herder's report: country, form, check your answers, send.

The country comes first (its villages, provinces, phone rules and time zone shape the form),
named in the herder's language and preselected from their last choice or their language,
never a foreign default. The form is checked in one round and its errors are listed at the
top, each linking its field. Valid answers are shown back to check before anything is
stored; "send" stores the report (a client that sends the form without the check step gets
the same checks).
"""

from __future__ import annotations

from babel.lists import format_list
from flask import redirect, render_template, request, session, url_for
from flask_babel import get_locale
from sqlalchemy import select

from conflict_app.claims import intake
from conflict_app.claims.models import AgeClass, PartOfDay, Setting
from conflict_app.core.errors import DomainError
from conflict_app.core.forms import SOLAR_HIJRI_EXAMPLE
from conflict_app.core.sealed import seal
from conflict_app.core.web import attach_error, public
from conflict_app.extensions import db, limiter
from conflict_app.geo import names, timezones
from conflict_app.geo.models import AdminArea, Country, Village
from conflict_app.herders.models import Species
from conflict_app.i18n import calendar
from conflict_app.i18n.collation import in_reader_order
from conflict_app.schemes.harm import HarmKind
from conflict_app.status import limits, operations
from conflict_app.status.forms import OTHER_VILLAGE, PublicReportForm
from conflict_app.status.views import bp

# Fields the check page carries forward as they were typed.
_CARRIED = ("name", "phone", "village_id", "village_name", "province_id", "latitude",
            "longitude", "occurred_on", "part_of_day", "setting", "species", "age_class",
            "killed", "injured", "species_2", "age_class_2", "killed_2", "injured_2",
            "protection", "harm_kind", "crop")


@bp.route("/report", methods=["GET", "POST"])
@public
@limiter.limit(limits.per_address, methods=["POST"], deduct_when=limits.accepted,
               on_breach=limits.address_breached)
@limiter.limit(limits.per_phone, methods=["POST"], key_func=limits.phone_key,
               deduct_when=limits.accepted, on_breach=limits.phone_breached)
def report():
    codes = set(db.session.scalars(select(Country.code)))
    country = request.values.get("country", "")
    if country not in codes:
        return render_template("status/choose_country.html",
                               countries=names.sorted_by_name(codes),
                               chosen=names.preselected_country(codes))
    names.remember_country(country)
    # Never the synthetic provinces (generated test data) or their villages.
    villages = db.session.scalars(select(Village).join(
        AdminArea, AdminArea.id == Village.admin1_id).where(
        Village.country_code == country, Village.listed.is_(True),
        AdminArea.synthetic.is_(False))).all()
    # In the order the reader sees them (their own language's names where known).
    villages = in_reader_order(villages, lambda v: v.label)
    provinces = db.session.scalars(select(AdminArea).where(
        AdminArea.country_code == country, AdminArea.level == 1,
        AdminArea.synthetic.is_(False))).all()
    provinces = in_reader_order(provinces, lambda a: a.display_name)
    zone = timezones.zone(timezones.zone_name(country))
    form = PublicReportForm(villages, provinces, zone, country,
                            crops=crops_offered(country, provinces, timezones.today_in(zone)))
    step = request.form.get("step", "")
    page = {"form": form, "country": country, "country_name": names.country_name(country),
            "has_villages": bool(villages), "solar": calendar() == "solar_hijri",
            "solar_example": SOLAR_HIJRI_EXAMPLE}
    if request.method == "POST" and step == "edit":
        return render_template("status/report.html", **page)
    if form.validate_on_submit():
        if step == "check":
            return render_template("status/check_answers.html", carried=_carried(form),
                                   answers=_answers(form, villages, provinces), **page)
        try:
            claim, pin = operations.report_loss(_report(form, country))
        except DomainError as err:
            err.field = "photo" if err.field == "photos" else err.field
            attach_error(form, err)
        else:
            session["public_receipt"] = {"reference": claim.reference, "sealed_pin": seal(pin)}
            return redirect(url_for("status.receipt"))
    status = 400 if form.is_submitted() else 200
    if step == "send" and form.errors and set(form.errors) <= {"photo"}:
        # Only the photo was wrong: back to the page that asks for it, answers kept.
        return render_template("status/check_answers.html", carried=_carried(form),
                               answers=_answers(form, villages, provinces), **page), status
    return render_template("status/report.html", **page), status


def crops_offered(country: str, provinces, day) -> bool:  # noqa: ANN001
    """Whether a compensation scheme of the country pays for crop damage today (the intake
    checks again for the place and the day of the report).

    Injury or death of a person are not offered on this form, though a scheme may pay them:
    the form has no account behind it, and such a claim is health data about a person from
    its first word. The office registers them with the family, and the verifier records
    the medical report or death certificate, which only the roles that may read them see."""
    from conflict_app.schemes import engine, harm

    for province in provinces:
        rules = engine.harm_rules(engine.scheme_for(country, province.id, None, day), day)
        if rules is not None and harm.enabled(rules, harm.HarmKind.CROP_DAMAGE):
            return True
    return False


def _report(form: PublicReportForm, country: str) -> operations.PublicReport:
    crops = form.crops_harmed
    lines = [] if crops else [
        intake.LossInput(Species(form.species.data), AgeClass(form.age_class.data),
                         form.killed.data or 0, form.injured.data or 0)]
    if form.species_2.data and not crops:
        lines.append(intake.LossInput(Species(form.species_2.data),
                                         AgeClass(form.age_class_2.data),
                                         form.killed_2.data or 0, form.injured_2.data or 0))
    upload = form.photo.data
    photos = [upload.read()] if upload and getattr(upload, "filename", "") else []
    protection = set(form.protection.data or ())
    other = form.village_id.data == OTHER_VILLAGE
    return operations.PublicReport(
        name=form.name.data, phone=form.phone.data,
        village_id=None if other else form.village_id.data, language=str(get_locale()),
        country_code=country, village_name=form.village_name.data if other else None,
        province_id=form.province_id.data if other else None,
        report=intake.ReportInput(
            occurred_on=form.occurred_on.data,
            setting=Setting(form.setting.data) if form.setting.data else None,
            part_of_day=PartOfDay(form.part_of_day.data), lines=lines,
            latitude=form.latitude.data, longitude=form.longitude.data,
            corral_present="corral" in protection, dog_present="dog" in protection,
            guard_present="shepherd" in protection, protection_known=not crops,
            harm_kind=HarmKind.CROP_DAMAGE if crops else None,
            harm_crop=form.crop.data if crops else None,
        ),
        photos=photos,
    )


def _carried(form: PublicReportForm) -> list[tuple[str, str]]:
    """Every answer as typed, for the hidden fields of the check page."""
    return [(name, value) for name in _CARRIED
            for value in (getattr(form, name).raw_data or []) if value not in (None, "")]


def _answers(form: PublicReportForm, villages, provinces) -> list[tuple[str, str]]:  # noqa: ANN001
    """(question, answer) pairs as the herder will read them on the check page."""
    from conflict_app.core.inputs import display_phone
    from conflict_app.i18n import date_text, digits

    def chosen(field) -> str:  # noqa: ANN001
        return str(dict(field.choices).get(field.data, "")) if field.data else ""

    if form.village_id.data == OTHER_VILLAGE:
        province = next((a.display_name for a in provinces if a.id == form.province_id.data), "")
        village = f"{form.village_name.data.strip()}, {province}"
    else:
        village = next((v.label for v in villages if v.id == form.village_id.data), "")
    animals = []
    for species, age, killed, injured in () if form.crops_harmed else (
            (form.species, form.age_class, form.killed, form.injured),
            (form.species_2, form.age_class_2, form.killed_2, form.injured_2)):
        if species.data:
            animals.append(_animal_line(chosen(species), chosen(age), killed.data or 0,
                                        injured.data or 0))
    answers = [
        (form.name.label.text, form.name.data),
        (form.phone.label.text, display_phone(form.phone_e164)),
        (form.village_id.label.text, village),
        (form.setting.label.text, chosen(form.setting)),
        (form.occurred_on.label.text, date_text(form.occurred_on.data)),
        (form.part_of_day.label.text, chosen(form.part_of_day)),
        (form.protection.label.text, _joined(
            [str(label) for code, label in form.protection.choices
             if code in (form.protection.data or ())])),
    ]
    if len(form.harm_kind.choices) > 1:
        answers.insert(3, (form.harm_kind.label.text, chosen(form.harm_kind)))
    if form.crops_harmed:
        # The animal questions were left empty: not shown back as blank answers.
        answers = [(q, a) for q, a in answers if a]
        answers.append((form.crop.label.text, chosen(form.crop)))
    answers += [(form.species.label.text, digits(line)) for line in animals]
    if form.latitude.data is not None:
        answers.append((form.latitude.label.text,
                        digits(f"{form.latitude.data}, {form.longitude.data}")))
    return answers


def _animal_line(species: str, age: str, killed: int, injured: int) -> str:
    from flask_babel import gettext as _

    return _("%(species)s, %(age)s: %(killed)s killed, %(injured)s injured",
             species=species, age=age, killed=killed, injured=injured)


def _joined(items: list[str]) -> str:
    """"a, b and c" in the reader's language; CLDR has no list pattern for Sorani, whose
    comma is the Arabic one."""
    locale = get_locale()
    text = format_list(items, locale=locale)
    return text.replace(", ", "، ") if str(locale) == "ckb" else text
