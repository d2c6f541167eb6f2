"""Every text to herders fits two SMS segments in every language, with the longest values."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from conflict_app.claims.workflow import HerderStep
from conflict_app.i18n import LOCALES
from conflict_app.status import notify
from conflict_app.status.segments import segments

WORST = {"ref": "AM-2026-000123", "hours": 48, "date": "31/12/2026",
         "amount": "IRR 999,999,999,999", "payref": "X" * 20, "paid": "IRR 999,999,999,999",
         "rest": "IRR 999,999,999,999", "approved": "IRR 999,999,999,999",
         "interest": "IRR 99,999,999,999", "pin": "482913",
         "privacy": "https://pardus.example.org/privacy/AM"}
KINDS = ("received", "visit_planned", "approved", "approved_after_interim", "interim_paid",
         "rejected", "paid", "paid_interest", "paid_rest", "paid_rest_interest",
         "paid_shortfall", "not_found")


def test_segment_counting():
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2
    assert segments("€" * 80) == 1  # an extension character takes two septets
    assert segments("ش" * 70) == 1 and segments("ش" * 71) == 2 and segments("ش" * 134) == 2


@pytest.mark.parametrize("locale", LOCALES)
def test_every_text_fits_two_segments(app, locale):
    texts = [notify.render(kind, locale, **WORST) for kind in KINDS]
    for step in HerderStep:
        with force_locale(locale):
            name, next_text = notify.step_text(step)
        texts.append(notify.render("status", locale, ref=WORST["ref"], step=name,
                                   next=next_text))
        texts.append(notify.render("pin_resent", locale, ref=WORST["ref"], pin=WORST["pin"],
                                   step=name))
    from conflict_app.status.states import _MESSAGES

    with force_locale(locale):
        nexts = [next_step() for _tone, _message, next_step in _MESSAGES.values()]
        longest_step = max((notify.step_text(step)[0] for step in HerderStep), key=len)
    texts += [notify.render("status", locale, ref=WORST["ref"], step=longest_step, next=n)
              for n in nexts]
    too_long = [(segments(t), t) for t in texts if segments(t) > 2]
    assert too_long == []


@pytest.mark.parametrize("locale", LOCALES)
def test_alert_texts_fit_two_segments(app, locale):
    """Prevention alerts with the longest village or area name a text may carry."""
    from conflict_app.alerts import texts

    # A name in the language's own script (a Cyrillic one makes any text UCS-2).
    latin = locale in ("en", "az", "tk", "tr", "uz")
    name = ("W" if latin else "Ш") * texts.NAME_MAX
    bodies = [texts.render("attack", locale, village=name, date="31/12/2026"),
              texts.render("broadcast", locale, area=name),
              texts.render("alerts_off", locale), texts.render("alerts_on", locale)]
    assert [(segments(b), b) for b in bodies if segments(b) > 2] == []
