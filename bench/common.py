"""What the benchmarks share: the app on a benchmark's database, and the median of a few
timings."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def bench_app(url: str, **settings: object):  # noqa: ANN201 - a Flask app
    """The app with the test settings on ``url`` (PINs hashed with the bench's key)."""
    from config import TestConfig
    from conflict_app import create_app

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        PIN_KEY = "bench-pin-key-" + "k" * 30

    for name, value in settings.items():
        setattr(Config, name, value)
    return create_app(Config)


def median_s(fn: Callable[[], object], repeat: int) -> float:
    """Seconds ``fn`` takes, the median of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
