"""gunicorn settings for Pardus: ``gunicorn -c gunicorn.conf.py 'conflict_app:create_app()'``.

Web processes are stateless: sessions are signed cookies naming a row in PostgreSQL; rate
limits, jobs and caches live in Redis, everything else in PostgreSQL, so more workers (or
more machines) just add capacity.
"""

import gc
import os
import tempfile

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# The app refuses per-process rate-limit counters (memory://) when several workers serve it;
# it learns how many from here, since this file, not the command line, may set the number.
os.environ["PARDUS_WEB_WORKERS"] = str(workers)
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
# Slow work is a job (flask jobs worker), so a request that runs past this is a bug.
graceful_timeout = 20
max_requests = 2000
max_requests_jitter = 200
# The app is built once, in the master, and each worker is a fork of it. Without this every
# recycled worker (max_requests) imported and built the whole app again, about 2 s of CPU
# taken from the requests: at the herders' busiest, half of the status form's throughput.
preload_app = True
accesslog = None  # the app logs each request's id; the proxy keeps the access log

# Prometheus multiprocess mode: every process writes its samples here, /metrics adds them.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                      tempfile.mkdtemp(prefix="pardus-metrics-"))


def pre_fork(server, worker):  # noqa: ANN001, ANN201
    # The final number (a -w on the command line beats this file), inherited by the worker.
    os.environ["PARDUS_WEB_WORKERS"] = str(server.cfg.workers)


def when_ready(server):  # noqa: ANN001, ANN201
    # Built once here, shared by every fork: catalogues, compiled templates, the form page,
    # and the fonts of the letters and vouchers (about a second of each worker's first PDF).
    app = server.app.wsgi()
    if "sqlalchemy" in getattr(app, "extensions", {}):
        from conflict_app.documents.fonts import load_all
        from conflict_app.status.views import warm

        warm(app)
        load_all()
    # What the master built is set aside from the cyclic collector before the workers fork
    # (see core/heap): each full collection in a worker had walked the whole app's objects
    # again, a large share of a small request's CPU (the status form went from about 1,340
    # to 2,450 requests a second).
    gc.freeze()


def post_fork(server, worker):  # noqa: ANN001, ANN201
    # Database connections the master may have opened while building the app belong to it:
    # each worker opens its own (redis-py and prometheus_client notice the fork themselves).
    app = server.app.wsgi()
    if "sqlalchemy" not in getattr(app, "extensions", {}):
        return  # not Pardus (or not built yet)
    from conflict_app.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def child_exit(server, worker):  # noqa: ANN001, ANN201
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
