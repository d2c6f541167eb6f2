"""``/healthz`` (the process answers), ``/readyz`` (it can reach PostgreSQL and Redis) and
``/metrics`` (Prometheus)."""

from __future__ import annotations

import hmac
import time

from flask import Blueprint, Response, abort, current_app, g, request
from sqlalchemy import text

from conflict_app.core.web import public
from conflict_app.extensions import csrf, db
from conflict_app.observability import metrics

bp = Blueprint("observability", __name__)


@bp.get("/healthz")
@public
def healthz():  # noqa: ANN201
    return {"status": "ok"}


@bp.get("/readyz")
@public
def readyz():  # noqa: ANN201
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:
        db.session.rollback()
        current_app.logger.exception("readiness: database unreachable")
        checks["database"] = "unavailable"
    if current_app.config.get("REDIS_URL"):
        try:
            from conflict_app.jobs.rq_backend import connection

            connection().ping()
            checks["redis"] = "ok"
        except Exception:
            current_app.logger.exception("readiness: redis unreachable")
            checks["redis"] = "unavailable"
    ready = all(v == "ok" for v in checks.values())
    return {"status": "ready" if ready else "not ready", "checks": checks}, (
        200 if ready else 503)


@bp.get("/metrics")
@public
@csrf.exempt
def prometheus():  # noqa: ANN201
    token = current_app.config.get("METRICS_TOKEN") or ""
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(token.encode(), given.encode()):
            abort(404)
    body, content_type = metrics.exposition(current_app.config.get("REDIS_URL"))
    return Response(body, content_type=content_type)


def register(app) -> None:  # noqa: ANN001
    app.register_blueprint(bp)

    @app.before_request
    def start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def observe(response):  # noqa: ANN001, ANN202
        started = g.get("started")
        if started is not None and request.endpoint:
            metrics.REQUEST_SECONDS.labels(request.endpoint, request.method).observe(
                time.perf_counter() - started)
        return response
