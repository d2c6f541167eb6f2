"""Synthetic documents in every locale for translators and reviewers (`flask documents
samples`): the same renderers fed with invented people, prices and dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from flask_babel import force_locale

from conflict_app.core.money import Money
from conflict_app.documents.contents import (
    AssessmentRow,
    BatchData,
    DecisionData,
    LossRow,
    ReceiptData,
    VoucherData,
)
from conflict_app.documents.render import render_decision, render_receipt
from conflict_app.documents.vouchers import render_batch, render_voucher, render_vouchers
from conflict_app.i18n import LOCALES

# --- samples for translators and reviewers --------------------------------------------
_SAMPLE_PEOPLE = {
    # locale: (currency, household, village, reason for a rejection, price factor)
    "en": ("AMD", "Armen Petrosyan", "Shvanidzor, Meghri",
           "The field visit found no signs of a leopard attack.", "1"),
    "ar": ("IQD", "محمد عبد الله", "بنجوين، السليمانية",
           "لم تجد الزيارة الميدانية أي علامات على هجوم نمر.", "3.4"),
    "hy": ("AMD", "Արմեն Պետրոսյան", "Շվանիձոր, Մեղրի",
           "Դաշտային այցը ընձառյուծի հարձակման հետքեր չի հայտնաբերել։", "1"),
    "az": ("AZN", "Əli Ağayev", "Qızılca, Ordubad",
           "Sahə yoxlaması bəbir hücumunun izlərini aşkar etmədi.", "0.0044"),
    "fa": ("IRR", "علی رضایی", "کلاله، گلستان",
           "بازدید میدانی هیچ نشانه‌ای از حمله پلنگ پیدا نکرد.", "100"),
    "fa_AF": ("AFN", "محمد نادر", "پنجاب، بامیان",
              "بازدید ساحوی هیچ نشانه‌ای از حمله پلنگ را نیافت.", "0.18"),
    "ka": ("GEL", "გიორგი ბერიძე", "ლაგოდეხი, კახეთი",
           "საველე ვიზიტმა ლეოპარდის თავდასხმის ნიშნები ვერ აღმოაჩინა.", "0.007"),
    "kk": ("KZT", "Нұрлан Әбдірахманов", "Қарасай, Алматы облысы",
           "Далалық тексеру қабылан шабуылының белгілерін тапқан жоқ.", "1.3"),
    "ckb": ("IQD", "ئاراس عەبدوڵڵا", "پێنجوێن، سلێمانی",
            "سەردانی مەیدانی هیچ نیشانەیەکی هێرشی پڵنگی نەدۆزییەوە.", "3.4"),
    "ru": ("RUB", "Иван Петров", "Кисловодск, Ставропольский край",
           "Выезд на место не выявил признаков нападения леопарда.", "0.23"),
    "tr": ("TRY", "Ayşe Yılmaz", "Iğdır, Aralık",
           "Saha ziyaretinde leopar saldırısına ait iz bulunamadı.", "0.1"),
    "tk": ("TMT", "Aýna Nurmyradowa", "Köýtendag, Lebap",
           "Meýdan barlagy gaplaňyň hüjüminiň yzlaryny tapmady; žurnalda ýazgy ýok.",
           "0.009"),
    "ur": ("PKR", "محمد اقبال", "چترال، خیبر پختونخوا",
           "موقع کے معائنے میں تیندوے کے حملے کی کوئی علامت نہیں ملی۔", "0.72"),
    "tg": ("TJS", "Ғуломҷон Қурбонов", "Айвоҷ, Шаҳритус",
           "Боздиди саҳроӣ дар ҷасади гӯсфандон ягон нишонаи ҳамлаи паланг наёфт.", "0.028"),
    "uz": ("UZS", "Gʻayrat Oʻrinov", "Boysun, Surxondaryo",
           "Dala tekshiruvi qoplon hujumi izlarini topmadi.", "32"),
    "ps": ("AFN", "ګل محمد ځدراڼ", "اسعدآباد، کونړ",
           "د ساحوي کتنې پر مهال د پړانګ د برید هېڅ نښه ونه موندل شوه.", "0.18"),
}

SAMPLE_NOW = datetime(2026, 11, 5, 9, 30, tzinfo=UTC)


def sample_people(locale: str) -> tuple[str, str, str, str, Decimal]:
    currency, name, village, reason, factor = _SAMPLE_PEOPLE.get(locale, _SAMPLE_PEOPLE["en"])
    return currency, name, village, reason, Decimal(factor)


def _price(base: str, currency: str, factor: Decimal) -> Money:
    return Money(Decimal(base) * factor, currency).rounded()


def sample_receipt(locale: str, pin: str | None = "482913") -> ReceiptData:
    currency, name, village, _reason, _f = sample_people(locale)
    reported = SAMPLE_NOW
    return ReceiptData(
        reference=f"AM-2026-{1000 + LOCALES.index(locale):06d}" if locale in LOCALES
        else "AM-2026-000999",
        pin=pin, household=name, village=village,
        occurred_on=(reported - timedelta(days=1)).date(), reported_at=reported,
        lines=[LossRow("sheep", "adult_female", 3, 0), LossRow("goat", "young", 0, 1)],
        screening_by=reported + timedelta(hours=24),
        visit_by=reported + timedelta(hours=48),
        decision_by=reported + timedelta(days=30),
        status_url="https://pardus.example.org/status",
        contact="Syunik office, +374 285 2 21 21",
    )


def sample_decision(locale: str, outcome: str = "approved") -> DecisionData:
    currency, name, village, reason, factor = sample_people(locale)
    receipt = sample_receipt(locale)
    decided = SAMPLE_NOW + timedelta(days=12)
    data = DecisionData(
        reference=receipt.reference, household=name, village=village,
        occurred_on=receipt.occurred_on, decided_at=decided, outcome=outcome,
        appeal_by=decided + timedelta(days=30), status_url=receipt.status_url,
        contact=receipt.contact,
    )
    if outcome != "approved":
        data.reason = reason
        return data
    from conflict_app.schemes import params, rules
    from conflict_app.schemes.params import SchemeKind

    values = params.parse(SchemeKind.COMPENSATION, params.defaults(SchemeKind.COMPENSATION))
    values["injured_share"] = Decimal("0.25")
    facts = rules.Facts(
        currency=currency, predator="leopard", confidence="confirmed",
        losses=[rules.Loss(1, "sheep", "adult_female", 3, 0),
                rules.Loss(2, "goat", "young", 0, 1)],
        prices={("sheep", "adult_female"): _price("60000", currency, factor),
                ("goat", "young"): _price("25000", currency, factor)})
    result = rules.compensate(values, facts, "EXAMPLE-AM-COMP v1")
    data.rows = [AssessmentRow(ln.species, ln.age_class, ln.kind, ln.heads, ln.unit_value,
                               ln.share, ln.rate, ln.amount, ln.note) for ln in result.lines]
    data.steps = [step.as_json() for step in result.steps]
    data.rule, data.predator, data.confidence = result.rule, "leopard", "confirmed"
    data.total = result.total
    return data


def sample_vouchers(locale: str, count: int) -> Iterator[VoucherData]:
    currency, name, village, _reason, factor = sample_people(locale)
    for n in range(1, count + 1):
        yield VoucherData(
            item_id=n, batch_reference="PAY-AM-2026-00042",
            claim_reference=f"AM-2026-{n:06d}", payee=f"{name} {n}", village=village,
            phone="+37491234567", amount=_price(str(40000 + 1000 * (n % 17)), currency, factor),
            method="cash", state="pending",
        )


def sample_batch(locale: str, count: int = 30) -> BatchData:
    currency = sample_people(locale)[0]
    total = sum((v.amount for v in sample_vouchers(locale, count)), Money.zero(currency))
    return BatchData(
        reference="PAY-AM-2026-00042", created_at=SAMPLE_NOW, created_by="Finance Officer",
        method="cash", state="open", currency=currency, count=count, total=total,
        items=lambda: sample_vouchers(locale, count),
    )


KINDS = ("receipt", "decision-approved", "decision-rejected", "voucher", "batch-list",
         "vouchers", "scheme-report")


def render_sample(kind: str, locale: str, out: BinaryIO) -> None:
    if kind == "receipt":
        render_receipt(sample_receipt(locale), locale, out)
    elif kind == "decision-approved":
        render_decision(sample_decision(locale, "approved"), locale, out)
    elif kind == "decision-rejected":
        render_decision(sample_decision(locale, "rejected"), locale, out)
    elif kind == "voucher":
        render_voucher(next(sample_vouchers(locale, 1)), locale, out)
    elif kind == "batch-list":
        render_batch(sample_batch(locale), locale, out)
    elif kind == "vouchers":
        render_vouchers(sample_batch(locale, 3), locale, out)
    elif kind == "scheme-report":
        from conflict_app.documents import report

        with force_locale(locale):
            data = report.sample_report(locale)
        report.render_scheme_report(data, locale, out)
    else:
        raise ValueError(f"unknown document kind {kind!r}")


def samples(outdir: str | Path) -> list[Path]:
    """Render every kind in every locale from synthetic data (no database) into ``outdir``;
    needs an app context (configuration and catalogues)."""
    target = Path(outdir)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for locale in LOCALES:
        for kind in KINDS:
            path = target / f"{kind}-{locale}.pdf"
            with path.open("wb") as out:
                render_sample(kind, locale, out)
            written.append(path)
    return written
