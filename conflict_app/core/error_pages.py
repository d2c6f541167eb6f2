"""The app's error pages: CSRF, domain refusals, HTTP errors, an unavailable database and
anything unexpected."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from conflict_app.core.errors import DomainError
from conflict_app.core.web import is_api_request
from conflict_app.extensions import db


def register(app: Flask) -> None:
    """Every error answers as a page in the reader's language, or as a problem document
    under /api; nothing changes (the session is rolled back) and nothing ends as a bare 500."""
    from flask_babel import gettext as _

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # noqa: ANN202
        message = _("The form has expired or was sent twice. Please reload the page and try "
                    "again.")
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):  # noqa: ANN202
        db.session.rollback()
        return render_template("errors/error.html", code=409, message=error.translated()), 409

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # noqa: ANN202
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have permission to see this page."),
            404: _("This page does not exist, or you may not see it."),
            405: _("This action is not available here."),
            413: _("The upload is too large."),
            429: _("Too many attempts. Please wait a moment and try again."),
        }
        code = error.code or 500
        if code == 429 and getattr(error, "response", None) is not None:
            return error.response  # a page of its own: what was limited, how long to wait
        if is_api_request():  # under /api every answer is a problem document
            from conflict_app.api.views import problem

            return problem(code, error.name, error.description)
        message = messages.get(code, _("Something went wrong."))
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(DBAPIError)
    def database_unavailable(error: DBAPIError):  # noqa: ANN202
        db.session.rollback()
        app.logger.exception("database error on %s", request.path)
        message = _("The database is not available right now. Nothing was changed; please "
                    "try again in a moment.")
        if is_api_request():
            from conflict_app.api.views import problem

            return problem(503, message)
        return render_template("errors/error.html", code=503, message=message), 503

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # noqa: ANN202
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        app.logger.exception("unhandled error on %s", request.path)
        message = _("Something went wrong. Nothing was changed; please try again.")
        if is_api_request():
            from conflict_app.api.views import problem

            return problem(500, message)
        return render_template("errors/error.html", code=500, message=message), 500
