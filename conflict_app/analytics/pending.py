"""The page a browser gets while kept figures are first computed by a job (FiguresPending):
503 with Retry-After, so a person can look again and a program knows when. The analytics
pages and the incident grid download answer with it alike."""

from __future__ import annotations

from flask import Response, current_app, render_template

RETRY_SECONDS = 10


def page() -> Response:
    response = current_app.make_response(
        (render_template("analytics/pending.html", retry=RETRY_SECONDS), 503))
    response.headers["Retry-After"] = str(RETRY_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response
