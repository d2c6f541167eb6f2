"""RQ on Redis: the queues, the worker process and the daily schedule.

RQ was chosen over Celery: its whole model is "a Redis list of function calls", which is
all Pardus needs (a few named jobs, retries, priorities by queue order, a cron schedule since
RQ 2.5); it has no broker abstraction, no result backend to configure and one dependency
(``redis``). Job progress and results live on the RQ job (``meta``, ``result``) for the
pages that show them.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from redis import Redis
from rq import Queue, Retry
from rq.job import Job

from conflict_app.jobs import QUEUES

# Daily and periodic work, run by ``flask jobs scheduler`` (one per installation).
SCHEDULE = (
    # (job, queue, cron expression or None, interval in seconds or None)
    ("sms.dispatch", "sms", None, 60),  # retries of texts a gateway refused
    ("schemes.release_withholdings", "default", "15 2 * * *", None),
    ("privacy.purge", "default", "30 3 * * 0", None),
    ("api.purge_idempotency", "default", "45 3 * * *", None),
    ("documents.purge_runs", "default", "50 3 * * *", None),  # rendered vouchers, a day on
    ("payments.purge_runs", "default", "55 3 * * *", None),  # confirmation runs, a day on
    ("exports.purge_runs", "default", "57 3 * * *", None),  # large exports, a day on
    ("claims.close_paid", "default", "0 2 * * *", None),  # after the appeal period
    ("notices.overdue", "default", None, 3600),  # tell staff of claims past due
    ("notices.digest", "default", "0 6 * * *", None),  # the morning digest
    ("webhooks.dispatch", "default", None, 30),  # webhook retries that are due
    ("fieldforms.sync", "bulk", None, 900),  # new ODK Central / Kobo submissions
)


def connection(url: str | None = None) -> Redis:
    """The app's Redis client for its configured URL, made once and reused (it keeps a pool
    of connections and is safe to share between threads; after a fork it opens new ones).
    A new client for each job handed over left its socket to the garbage collector. With
    ``url``: a client of the caller's own, to close when done."""
    if url:
        return Redis.from_url(url)
    configured = current_app.config["REDIS_URL"]
    clients = current_app.extensions.setdefault("redis_clients", {})
    client = clients.get(configured)
    if client is None:
        client = clients[configured] = Redis.from_url(configured)
    return client


def queue(name: str, conn: Redis | None = None) -> Queue:
    return Queue(name, connection=conn or connection())


def push(name: str, args: tuple, queue: str = "default", front: bool = False,
         job_id: str | None = None) -> str:
    job = Queue(queue, connection=connection()).enqueue(
        "conflict_app.jobs.rq_backend.run", name, *args,
        at_front=front, job_id=job_id, retry=Retry(max=3, interval=[10, 60, 300]),
        job_timeout=3600 if queue == "bulk" else 600, result_ttl=86400, failure_ttl=7 * 86400,
        description=name,
    )
    return job.id


def fetch(job_id: str) -> Job | None:
    from rq.exceptions import NoSuchJobError

    try:
        return Job.fetch(job_id, connection=connection())
    except NoSuchJobError:
        return None


def queue_lengths(conn: Redis | None = None) -> dict[str, int]:
    conn = conn or connection()
    return {name: Queue(name, connection=conn).count for name in QUEUES}


_worker_app = None


def run(name: str, *args: object) -> object:
    """What an RQ worker executes: the named job inside the application."""
    from conflict_app.jobs import run_now

    if has_app_context():
        return run_now(name, args)
    global _worker_app
    if _worker_app is None:
        from conflict_app import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        return run_now(name, args)


def scheduled(name: str) -> object:
    """The entry point the cron scheduler enqueues (it stores a plain function path)."""
    return run(name)


def progress(done: int, total: int, **extra: object) -> None:
    """Record a running job's progress on its RQ job (a no-op outside a worker)."""
    from rq import get_current_job

    job = get_current_job()
    if job is None:
        return
    job.meta.update({"done": done, "total": total, **extra})
    job.save_meta()
