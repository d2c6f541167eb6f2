"""gunicorn settings for Pardus: ``gunicorn -c gunicorn.conf.py 'conflict_app:create_app()'``.

Web processes are stateless: sessions are signed cookies naming a row in PostgreSQL; rate
limits, jobs and caches live in Redis, everything else in PostgreSQL, so more workers (or
more machines) just add capacity.
"""

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
accesslog = None  # the app logs each request's id; the proxy keeps the access log

# Prometheus multiprocess mode: every process writes its samples here, /metrics adds them.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                      tempfile.mkdtemp(prefix="pardus-metrics-"))


def pre_fork(server, worker):  # noqa: ANN001, ANN201
    # The final number (a -w on the command line beats this file), inherited by the worker.
    os.environ["PARDUS_WEB_WORKERS"] = str(server.cfg.workers)


def child_exit(server, worker):  # noqa: ANN001, ANN201
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
