"""Monthly and annual figure updates as an Atom feed and a JSON Feed (version 1.1).

One entry per finished month (the last two years) and per finished year, with the
range-wide figures of that period in the reader's language. An entry is dated at the end
of its period: a feed reader sees a new entry when a month closes. Entries keep their id
when late reports change their figures.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import format_date
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from conflict_app.statistics import tables
from conflict_app.statistics.text import figure_lines

MONTHS_SHOWN = 24
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def period_end(period: int | str) -> datetime:
    """The first instant after a year (2026) or a month ("2026-05"), in UTC."""
    if isinstance(period, int):
        return datetime(period + 1, 1, 1, tzinfo=UTC)
    year, month = (int(part) for part in period.split("-"))
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)


def period_name(period: int | str) -> str:
    from conflict_app.i18n import digits

    if isinstance(period, int):
        return digits(str(period))
    year, month = (int(part) for part in period.split("-"))
    return digits(format_date(date(year, month, 1), "LLLL y", locale=get_locale()))


def entries(figures: dict, now: datetime) -> list[dict]:
    """The newest first: finished periods only (the running month is still changing)."""
    months = [m for m in figures["months"] if period_end(m) <= now][-MONTHS_SHOWN:]
    years = [y for y in figures["years"] if period_end(y) <= now]
    out = []
    for period in [*months, *years]:
        row = tables.row(figures, None, period)
        year = period if isinstance(period, int) else int(period[:4])
        out.append({
            "id": f"urn:pardus:statistics:{period}",
            "title": _("Leopard attacks and compensation: %(period)s",
                       period=period_name(period)),
            "text": "\n".join(figure_lines(row)),
            "url": url_for("statistics.page", year=year, _external=True),
            "date": period_end(period)})
    return sorted(out, key=lambda e: (e["date"], e["id"]), reverse=True)


def _title() -> str:
    return _("Leopard attacks and compensation in the range: figures")


def atom(figures: dict, updated: datetime, now: datetime) -> bytes:
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(url_for("statistics.atom", _external=True))
    feed.title(_title())
    feed.author({"name": _("Pardus")})
    feed.link(href=url_for("statistics.page", _external=True), rel="alternate")
    feed.link(href=url_for("statistics.atom", _external=True), rel="self")
    feed.language(str(get_locale()).replace("_", "-"))
    feed.updated(updated)
    for entry in reversed(entries(figures, now)):  # feedgen puts each new one first
        item = feed.add_entry()
        item.id(entry["id"])
        item.title(entry["title"])
        item.link(href=entry["url"])
        item.content(entry["text"], type="text")
        item.published(entry["date"])
        item.updated(entry["date"])
    return feed.atom_str(pretty=False)


def json_feed(figures: dict, now: datetime) -> dict:
    return {
        "version": JSON_FEED_VERSION,
        "title": _title(),
        "home_page_url": url_for("statistics.page", _external=True),
        "feed_url": url_for("statistics.json_feed", _external=True),
        "language": str(get_locale()).replace("_", "-"),
        "authors": [{"name": _("Pardus")}],
        "items": [{"id": e["id"], "url": e["url"], "title": e["title"],
                   "content_text": e["text"],
                   "date_published": e["date"].isoformat(),
                   "date_modified": e["date"].isoformat()} for e in entries(figures, now)],
    }
