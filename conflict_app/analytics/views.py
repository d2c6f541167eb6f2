"""Analyst pages and their JSON: de-identified, inside the user's jurisdiction."""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from conflict_app.analytics import downloads, pending, plots, service, store, summary
from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.core.web import roles_required
from conflict_app.exports import tables
from conflict_app.extensions import db
from conflict_app.geo.models import Country
from conflict_app.i18n import bidi, direction

bp = Blueprint("analytics", __name__, url_prefix="/analytics")
ANALYSTS = (Role.ANALYST, Role.SCHEME_MANAGER, Role.ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.errorhandler(store.FiguresPending)
def figures_pending(_error: store.FiguresPending):
    """The first view of figures nobody computed yet: a job is at it (at range-wide scale
    it takes longer than a web request may); the page offers to look again, and the
    Retry-After header tells a program when."""
    return pending.page()


@bp.app_context_processor
def figures_as_of() -> dict:
    """When the figures a page shows were computed, if the data changed since (a job is
    bringing them up to date)."""
    return {"figures_as_of": store.as_of()}


def _each(*figures):  # noqa: ANN002, ANN202
    """Every figure a page needs, each asked for even when an earlier one is still being
    computed, so the first view queues them all at once."""
    values, pending = [], None
    for figure in figures:
        try:
            values.append(figure())
        except store.FiguresPending as err:
            pending = err
    if pending is not None:
        raise pending
    return values


def _country() -> str | None:
    """Users of one country see it; range-wide users may pick one."""
    if current_user.jurisdiction_country:
        return current_user.jurisdiction_country
    code = (request.args.get("country") or "").upper()
    return code if db.session.get(Country, code) else None


def _filter() -> str:
    chosen = request.args.get("filter", "confirmed_probable")
    return chosen if chosen in service.FILTERS else "confirmed_probable"


@bp.route("/")
@roles_required(*ANALYSTS)
def overview():
    country, verification = _country(), _filter()
    figures, grid = _each(lambda: service.overview(current_user, country, verification),
                          lambda: service.grid(current_user, country))
    countries = db.session.scalars(select(Country).order_by(Country.name)).all()
    return render_template(
        "analytics/overview.html", rates=figures["rates"], grid=grid,
        map=plots.grid_map(grid["cells"], country), territories=get_locale().territories,
        isolate=bidi.ltr, country=country,
        countries=countries, verification=verification, filters=list(service.FILTERS),
        outcomes=figures["outcomes"], times=figures["times"],
    )


@bp.route("/effectiveness")
@roles_required(*ANALYSTS)
def effectiveness():
    country, verification = _country(), _filter()
    report, grid = _each(lambda: service.effectiveness_report(current_user, country, verification),
                         lambda: service.grid(current_user, country))
    rtl = direction() == "rtl"
    table = service.effectiveness_table(current_user, country, verification)
    measures = [{"result": r, "sentence": summary.sentence(r),
                 "rows": [row for row in table if row["measure"] == r.measure],
                 "time": plots.by_time(r.by_time, rtl) if r.by_time else None,
                 "costs": service.cost_effectiveness(current_user, r.measure, country,
                                                     verification)}
                for r in report.measures]
    countries = db.session.scalars(select(Country).order_by(Country.name)).all()
    return render_template(
        "analytics/effectiveness.html", measures=measures, country=country,
        countries=countries, verification=verification, filters=list(service.FILTERS),
        forest=plots.forest(summary.forest_rows(report.measures), rtl),
        grid=grid, map=plots.grid_map(grid["cells"], country),
        territories=get_locale().territories, band_label=plots.band_label,
        isolate=bidi.ltr)


def _downloadable(body, mimetype: str, extension: str) -> Response:  # noqa: ANN001
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=pardus-effectiveness-{clock.today().isoformat()}.{extension}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/effectiveness.csv")
@roles_required(*ANALYSTS)
def effectiveness_csv():
    table = service.effectiveness_table(current_user, _country(), _filter())
    return _downloadable("".join(tables.as_csv(service.COLUMNS, downloads.rows(table))),
                         "text/csv", "csv")


@bp.route("/effectiveness.xlsx")
@roles_required(*ANALYSTS)
def effectiveness_xlsx():
    table = service.effectiveness_table(current_user, _country(), _filter())
    return _downloadable(tables.as_xlsx(service.COLUMNS, downloads.rows(table),
                                        "effectiveness"), XLSX, "xlsx")


@bp.route("/effectiveness.pdf")
@roles_required(*ANALYSTS)
def effectiveness_pdf():
    from conflict_app.analytics import report
    from conflict_app.documents.fonts import MissingFont

    country, verification = _country(), _filter()
    results = service.effectiveness_report(current_user, country, verification).measures
    area = (get_locale().territories.get(country) or db.session.get(Country, country).name
            if country else _("All countries"))
    data = report.EffectivenessReport(
        area=area, verification_filter=verification, generated_at=clock.now(),
        measures=results, table=service.effectiveness_table(current_user, country, verification),
        costs={r.measure: service.cost_effectiveness(current_user, r.measure, country,
                                                     verification) for r in results})
    out = io.BytesIO()
    try:
        report.render(data, str(get_locale()), out)
    except MissingFont as err:  # the server lacks a font package: the log says which
        current_app.logger.error("PDF not rendered: %s", err)
        abort(503)
    return _downloadable(out.getvalue(), "application/pdf", "pdf")


@bp.route("/effectiveness.json")
@roles_required(*ANALYSTS)
def effectiveness_json():
    return jsonify(service.effectiveness_table(current_user, _country(), _filter()))


@bp.route("/measures/<measure>")
@roles_required(*ANALYSTS)
def measure_detail(measure: str):
    from conflict_app.mitigation.models import MeasureType

    if measure not in {m.value for m in MeasureType}:
        from flask import abort

        abort(404)
    country = _country()
    bands = service.time_since_installation(current_user, measure, country, _filter())
    return render_template(
        "analytics/measure.html", measure=measure, bands=bands,
        time=plots.by_time(bands, direction() == "rtl") if bands else None,
        band_label=plots.band_label, isolate=bidi.ltr,
        displacement=service.displacement(current_user, measure, country),
        costs=service.cost_effectiveness(current_user, measure, country, _filter()),
    )
