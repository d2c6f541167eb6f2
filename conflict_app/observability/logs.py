"""Structured logs: one JSON object per line (python-json-logger), each with the id of the
request it belongs to, so one herder's failed request can be followed across processes."""

from __future__ import annotations

import logging
import re
import sys
import uuid

from flask import Flask, g, has_request_context, request

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure(app: Flask) -> None:
    """JSON to stderr when LOG_FORMAT=json (the default outside debug and tests)."""
    wanted = app.config.get("LOG_FORMAT") or ("text" if app.debug or app.testing else "json")
    if wanted == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "asctime": "time"}))
        handler.addFilter(RequestId())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(app.config.get("LOG_LEVEL") or "INFO")
        app.logger.handlers[:] = []
        app.logger.propagate = True

    @app.before_request
    def request_id() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response):  # noqa: ANN001, ANN202
        if g.get("request_id"):
            response.headers["X-Request-ID"] = g.request_id
        return response
