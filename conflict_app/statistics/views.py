"""The public statistics: a page, CSV files and feeds that anyone may read, without signing in.

De-identified figures of the whole range, by country and year, read from the analytics'
cache (``service.public_statistics``): a view after the first costs the data's fingerprint
and nothing else until the data change. No JavaScript, no request to another host, the
herders' small stylesheet; CSV files and feeds answer ETag and Last-Modified so a
journalist's reader fetches them again only when the figures changed.
"""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from conflict_app.analytics import downloads, service, store
from conflict_app.core import clock
from conflict_app.core.web import public
from conflict_app.exports.tables import as_csv
from conflict_app.extensions import db, limiter
from conflict_app.i18n import LOCALES, native_name
from conflict_app.i18n.collation import in_reader_order
from conflict_app.statistics import feeds, tables, text
from conflict_app.status import limits

bp = Blueprint("statistics", __name__, url_prefix="/statistics")
RETRY_SECONDS = 10
TABLES = ("by-year", "by-country", "payments", "all", "measures")


def _limit() -> str:
    return current_app.config["PUBLIC_STATISTICS_LIMIT"]


def limited(view):  # noqa: ANN001, ANN201
    """Public and rate-limited per address like the herders' pages, with their 429 page;
    the page, the files and the feeds count together."""
    return public(limiter.shared_limit(_limit, scope="public-statistics",
                                       on_breach=limits.address_breached)(view))


def _selection(figures: dict) -> tuple[str | None, int | None, list[str]]:
    """The country and year asked for; a value that is not one is named in an error and
    ignored, so the page still answers."""
    from conflict_app.geo.models import Country

    errors = []
    country = (request.args.get("country") or "").strip().upper() or None
    if country and (len(country) != 2 or db.session.get(Country, country) is None):
        errors.append(_("There is no country with the code %(code)s.", code=country[:8]))
        country = None
    year = (request.args.get("year") or "").strip() or None
    if year is not None:
        if year.isascii() and year.isdigit() and 1900 <= int(year) <= 2200:
            year = int(year)
        else:
            errors.append(_("The year must be a year such as %(example)s.",
                            example=text.year(clock.today().year)))
            year = None
    return country, year, errors


def _measures(country: str | None) -> list[dict] | None:
    """Each measure's bottom line in words with its design grade explained, from the same
    kept effectiveness analysis the analysts read; None while a job first computes it."""
    from conflict_app.analytics import summary

    try:
        report = service.effectiveness_report(service.PUBLIC, country, event_study=False)
    except store.FiguresPending:
        return None
    return [{"sentence": summary.sentence(r),
             "grade": text.GRADES[r.headline.grade] if r.headline else None}
            for r in report.measures if r.suppressed != "no_households"]


@bp.errorhandler(store.FiguresPending)
def figures_pending(_error: store.FiguresPending):
    """The first view after an installation with a job system: a job computes the figures
    (at range-wide scale longer than a request may take); look again shortly."""
    if request.path.endswith("/"):
        body = render_template("statistics/pending.html")
    else:
        body = _("The figures are being computed") + "\n"
    response = current_app.make_response((body, 503))
    if not request.path.endswith("/"):
        response.mimetype = "text/plain"
    response.headers["Retry-After"] = str(RETRY_SECONDS)
    return response


@bp.get("/")
@limited
def page():
    figures = service.public_statistics()
    country, year, errors = _selection(figures)
    territories = get_locale().territories
    # In the reader's alphabetical order: the select lists them as they come.
    names = dict(in_reader_order(((code, territories.get(code, code)) for code in _countries()),
                                 lambda pair: pair[1]))
    # The page keeps the app's no-store (every page does); its figures are cached on the
    # server, and the files and feeds below carry validators for readers that poll.
    return render_template(
        "statistics/page.html", figures=figures, country=country, year=year, errors=errors,
        names=names, headline=tables.row(figures, country, year),
        by_year=tables.by_year(figures, country), by_country=tables.by_country(figures, year),
        measures=_measures(country), text=text, HIDDEN=tables.HIDDEN,
        languages=[(code, native_name(code)) for code in LOCALES]), 400 if errors else 200


def _countries() -> list[str]:
    from sqlalchemy import select

    from conflict_app.geo.models import Country

    return list(db.session.scalars(select(Country.code).order_by(Country.code)))


def _conditional(response: Response, figures: dict, *, localised: bool) -> Response:
    """ETag from the data's state (and the language for localised feeds), Last-Modified
    from the newest recorded change: a 304 when the reader has this version."""
    seed = json.dumps([service.data_version(), request.full_path,
                       str(get_locale()) if localised else ""], default=str)
    response.set_etag(hashlib.sha256(seed.encode()).hexdigest()[:32])
    if figures.get("updated_at") is not None:
        response.last_modified = figures["updated_at"]
    response.headers["Cache-Control"] = ("private" if localised else "public") + ", max-age=300"
    if localised:
        response.vary.add("Accept-Language")
    return response.make_conditional(request)


@bp.get("/<name>.csv")
@limited
def csv_file(name: str):
    from flask import abort

    if name not in TABLES:
        abort(404)
    figures = service.public_statistics()
    country, year, errors = _selection(figures)
    if errors:
        return Response("\n".join(errors) + "\n", 400, mimetype="text/plain")
    if name == "measures":
        table = service.effectiveness_table(service.PUBLIC, country)
        body = "".join(as_csv(service.COLUMNS, downloads.rows(table)))
    else:
        rows = {"by-year": lambda: tables.by_year(figures, country),
                "by-country": lambda: tables.by_country(figures, year),
                "payments": lambda: tables.every_row(figures),
                "all": lambda: tables.every_row(figures)}[name]()
        if name == "payments":
            body = "".join(as_csv(tables.PAYMENT_COLUMNS, tables.payment_rows(rows)))
        else:
            body = "".join(as_csv(tables.CSV_COLUMNS, tables.csv_rows(rows)))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=pardus-{name}.csv"
    return _conditional(response, figures, localised=False)


@bp.get("/feed.atom")
@limited
def atom():
    figures = service.public_statistics()
    body = feeds.atom(figures, figures.get("updated_at") or clock.now(), clock.now())
    return _conditional(Response(body, mimetype="application/atom+xml"), figures,
                        localised=True)


@bp.get("/feed.json")
@limited
def json_feed():
    figures = service.public_statistics()
    body = json.dumps(feeds.json_feed(figures, clock.now()), ensure_ascii=False)
    return _conditional(Response(body, mimetype="application/feed+json"), figures,
                        localised=True)


def feed_links() -> dict[str, str]:
    return {"atom": url_for("statistics.atom"), "json": url_for("statistics.json_feed")}
