"""The bottom line of each measure in words, for the page and the PDF alike.

Each sentence is one message with placeholders, so every language orders it its own way;
the plural follows the number of villages (the households are always several when there is
an estimate). Percentages are the effectiveness (1 − IRR) and its interval, rounded to whole
percent: what a manager reads, while the table keeps the ratios.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext

from conflict_app.i18n import fixed, number, percent
from conflict_app.i18n.labels import label


def _pct(value: float) -> str:
    """A whole percentage from a value in percent (70.4 → "70 %" in the locale's form)."""
    return percent(Decimal(round(value)) / 100)


def sentence(result) -> str:  # noqa: ANN001 - an effectiveness.MeasureResult
    """"Predator-proof corral: about 70 % fewer heads lost (55–80 %), grade B, 212
    households in 14 villages" or why there is no estimate."""
    measure = label("measure", result.measure)
    est = result.headline
    if est is None:
        return _("%(measure)s: no estimate (%(reason)s).", measure=measure,
                 reason=result.reason or label("suppressed", result.suppressed))
    common = {"measure": measure, "grade": est.grade,
              "households": number(est.households_treated)}
    if est.irr is None:  # no losses at all with the measure: a bound, never "100 %"
        return ngettext(
            "%(measure)s: no heads lost in %(exposure)s head-years with the measure (the "
            "loss rate is at most %(bound)s of the rate without it), grade %(grade)s, "
            "%(households)s households in %(num)d village",
            "%(measure)s: no heads lost in %(exposure)s head-years with the measure (the "
            "loss rate is at most %(bound)s of the rate without it), grade %(grade)s, "
            "%(households)s households in %(num)d villages",
            est.villages_treated, exposure=number(round(est.exposure_treated)),
            bound=_pct((est.upper_bound or 0) * 100), **common)
    if est.ci_high < 1:
        return ngettext(
            "%(measure)s: about %(effect)s fewer heads lost (%(low)s–%(high)s), grade "
            "%(grade)s, %(households)s households in %(num)d village",
            "%(measure)s: about %(effect)s fewer heads lost (%(low)s–%(high)s), grade "
            "%(grade)s, %(households)s households in %(num)d villages",
            est.villages_treated, effect=_pct((1 - est.irr) * 100),
            low=_pct((1 - est.ci_high) * 100), high=_pct((1 - est.ci_low) * 100), **common)
    if est.ci_low > 1:
        return ngettext(
            "%(measure)s: about %(effect)s more heads lost (%(low)s–%(high)s), grade "
            "%(grade)s, %(households)s households in %(num)d village",
            "%(measure)s: about %(effect)s more heads lost (%(low)s–%(high)s), grade "
            "%(grade)s, %(households)s households in %(num)d villages",
            est.villages_treated, effect=_pct((est.irr - 1) * 100),
            low=_pct((est.ci_low - 1) * 100), high=_pct((est.ci_high - 1) * 100), **common)
    return ngettext(
        "%(measure)s: no clear effect (from %(fewer)s fewer to %(more)s more heads lost), "
        "grade %(grade)s, %(households)s households in %(num)d village",
        "%(measure)s: no clear effect (from %(fewer)s fewer to %(more)s more heads lost), "
        "grade %(grade)s, %(households)s households in %(num)d villages",
        est.villages_treated, fewer=_pct((1 - est.ci_low) * 100),
        more=_pct((est.ci_high - 1) * 100), **common)


def forest_rows(results: list) -> list[dict]:
    """One row per measure for ``plots.forest``: its headline estimate, or a line saying
    why there is none."""
    rows = []
    for result in results:
        est = result.headline
        row = {"label": label("measure", result.measure), "measure": result.measure}
        if est is not None and est.irr is not None:
            row.update(irr=est.irr, ci_low=est.ci_low, ci_high=est.ci_high,
                       text=f"{fixed(est.irr)} ({fixed(est.ci_low)}–{fixed(est.ci_high)})")
        elif est is not None:
            row["text"] = _("no losses with the measure")
        else:
            row["text"] = _("no estimate")
        rows.append(row)
    return rows
