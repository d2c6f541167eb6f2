"""Prometheus metrics through the official client, in multiprocess mode under gunicorn.

With ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn.conf.py sets it) every web and job process
writes its samples there and ``/metrics`` adds them up; without it, the process's own
registry is served. Labels carry endpoint names and outcomes, never personal data.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

REQUEST_SECONDS = Histogram(
    "pardus_request_seconds", "Time to answer a request, by endpoint.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
SMS = Counter("pardus_sms_total", "Texts handed to the gateway, by outcome.", ["outcome"])
JOB_FAILURES = Counter("pardus_job_failures_total", "Background jobs that raised.", ["job"])
JOBS_RUN = Counter("pardus_jobs_total", "Background jobs run.", ["job"])


class QueueLengths:
    """Jobs waiting per RQ queue, read from Redis when scraped."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url

    def collect(self):  # noqa: ANN201
        from rq.registry import FailedJobRegistry

        from conflict_app.jobs.rq_backend import connection, queue_lengths

        gauge = GaugeMetricFamily("pardus_queue_length", "Jobs waiting, by queue.",
                                  labels=["queue"])
        failed = GaugeMetricFamily("pardus_queue_failed", "Failed jobs kept, by queue.",
                                   labels=["queue"])
        try:
            conn = connection(self.redis_url)
            for name, count in queue_lengths(conn).items():
                gauge.add_metric([name], count)
                failed.add_metric([name], FailedJobRegistry(name, connection=conn).count)
        except Exception:  # noqa: S110 - Redis down: /readyz says so; metrics go on
            pass
        yield gauge
        yield failed


def exposition(redis_url: str | None) -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = CollectorRegistry()
        for collector in list(REGISTRY._collector_to_names):  # noqa: SLF001 - own metrics
            registry.register(collector)
    if redis_url:
        registry.register(QueueLengths(redis_url))
    return generate_latest(registry), CONTENT_TYPE_LATEST
