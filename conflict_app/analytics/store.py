"""Where computed analytics figures are kept between requests, and who recomputes them.

The figures over half a million claims or a million incidents take seconds (the
effectiveness model tens of seconds) to compute, and change only when the data change. Each
figure is kept under what it covers (kind, jurisdiction, country, filter) with the data
fingerprint it was computed from (``data.fingerprint``):

- With ``REDIS_URL`` (production, several workers) the entries live in Redis, so every web
  worker reads the same figures and one computation serves them all. A view never computes:
  when the data changed since the kept figures, it shows them with the time they were
  computed and a job (``analytics.refresh``) recomputes them; when nothing is kept yet, the
  page says the figures are being computed (``FiguresPending``). No analyst waits for a scan
  of every loss line and no request runs into the worker's timeout.
- Without Redis (the embedded default, the tests) they live in this process and a view whose
  data changed computes them at once, as a one-process installation expects.
- Outside a web request (a command, a job) figures that are missing or out of date are
  computed at once, with or without Redis, and shared: an operator's command is not a
  request that could run into the worker timeout.

Every worker also keeps the entries it used last in memory, so an unchanged figure costs
one fingerprint query and no transfer from Redis.
"""

from __future__ import annotations

import hashlib
import logging
import pickle  # noqa: S403 - our own values, written by our own jobs into our own Redis
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g, has_app_context, has_request_context

from conflict_app.core import clock
from conflict_app.core.heap import settled

log = logging.getLogger(__name__)

_LOCAL: OrderedDict[tuple, Entry] = OrderedDict()
_LOCAL_SIZE = 32
_LOCK = threading.Lock()
_PREFIX = "pardus:analytics:"
# An entry not read for this long is dropped from Redis (the next view recomputes it).
_TTL_SECONDS = 14 * 86400
# At most one refresh of an entry queued or running at a time.
_REFRESH_LOCK_SECONDS = 900


class FiguresPending(Exception):  # noqa: N818 - a state, not an error
    """Nothing is kept yet for these figures; a job is computing them."""


@dataclass(frozen=True)
class Scope:
    """The jurisdiction a figure covers: what ``permissions.scope`` reads from a user, kept
    apart so a job can compute the same figures without the user."""

    jurisdiction_country: str | None
    jurisdiction_area_id: int | None
    jurisdiction_level: int | None

    @classmethod
    def of(cls, user) -> Scope:  # noqa: ANN001
        if isinstance(user, Scope):
            return user
        if user is None or not hasattr(user, "jurisdiction_country"):
            # Never read as "range-wide": whoever has no jurisdiction sees nothing.
            raise ValueError("analytics need a user with a jurisdiction")
        return cls(user.jurisdiction_country, getattr(user, "jurisdiction_area_id", None),
                   getattr(user, "jurisdiction_level", None))


@dataclass
class Entry:
    fingerprint: tuple
    computed_at: datetime
    value: object


def _shared() -> bool:
    return bool(current_app.config.get("REDIS_URL"))


def _app_token() -> str:
    # Two apps in one process (tests) never share entries.
    import uuid

    return current_app.extensions.setdefault("analytics_cache", uuid.uuid4().hex)


def _redis_key(key: tuple) -> str:
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    return _PREFIX + digest


def _connection():  # noqa: ANN202
    from conflict_app.jobs import rq_backend

    return rq_backend.connection()


def read(key: tuple) -> Entry | None:
    """The kept entry for ``key`` (any fingerprint), or None."""
    local_key = (_app_token(), *key)
    with _LOCK:
        entry = _LOCAL.get(local_key)
        if entry is not None:
            _LOCAL.move_to_end(local_key)
    if not _shared():
        return entry
    try:
        raw = _connection().get(_redis_key(key))
    except Exception:  # Redis away: the local entry (or a computation) still answers
        log.warning("analytics store unreachable", exc_info=True)
        return entry
    if raw is None:
        return entry
    shared = pickle.loads(raw)  # noqa: S301 - see the import
    if entry is None or shared.fingerprint != entry.fingerprint:
        _keep_local(local_key, shared)
    return shared


def write(key: tuple, entry: Entry) -> None:
    _keep_local((_app_token(), *key), entry)
    if _shared():
        try:
            _connection().set(_redis_key(key), pickle.dumps(entry, pickle.HIGHEST_PROTOCOL),
                              ex=_TTL_SECONDS)
        except Exception:
            log.warning("analytics store unreachable", exc_info=True)


def _keep_local(local_key: tuple, entry: Entry) -> None:
    with _LOCK:
        _LOCAL[local_key] = entry
        _LOCAL.move_to_end(local_key)
        while len(_LOCAL) > _LOCAL_SIZE:
            _LOCAL.popitem(last=False)


def fresh_local(key: tuple, fingerprint: tuple) -> Entry | None:
    """The entry this worker holds when it is still current: no Redis round trip."""
    with _LOCK:
        entry = _LOCAL.get((_app_token(), *key))
    return entry if entry is not None and entry.fingerprint == fingerprint else None


def remembered(key: tuple, fingerprint: tuple, compute: Callable[[], object],
               job_args: tuple) -> object:
    """``compute()``'s value for ``key`` at ``fingerprint``, as the module docstring says:
    kept, stale while a job refreshes it (with Redis), or computed now (without)."""
    entry = fresh_local(key, fingerprint) or read(key)
    if entry is not None and entry.fingerprint == fingerprint:
        return entry.value
    # Only a web request waits for the job; a command or a job computes (and shares).
    if _shared() and has_request_context() and _request_refresh(key, job_args):
        if entry is None:
            raise FiguresPending
        _note_stale(entry.computed_at)
        return entry.value
    with settled():  # seconds of bulk work at range-wide scale: see core/heap
        value = compute()
    write(key, Entry(fingerprint, clock.now(), value))
    return value


def _request_refresh(key: tuple, job_args: tuple) -> bool:
    """Queue ``analytics.refresh`` for ``key`` unless one is queued or running; False when
    the job system cannot take it (then the caller computes)."""
    from conflict_app import jobs

    try:
        if _connection().set(_redis_key(key) + ":refreshing", "1", nx=True,
                             ex=_REFRESH_LOCK_SECONDS):
            jobs.submit("analytics.refresh", *job_args, queue="bulk")
        return True
    except Exception:
        log.warning("analytics refresh could not be queued", exc_info=True)
        return False


def refreshed(key: tuple) -> None:
    """A refresh job is done (or failed): the next change may queue another."""
    if _shared():
        try:
            _connection().delete(_redis_key(key) + ":refreshing")
        except Exception:
            log.warning("analytics store unreachable", exc_info=True)


def _note_stale(computed_at: datetime) -> None:
    """The page says its figures are from ``computed_at`` (the oldest one it shows)."""
    if has_request_context():
        earlier = g.get("analytics_as_of")
        g.analytics_as_of = min(earlier, computed_at) if earlier else computed_at


def as_of() -> datetime | None:
    """When the oldest figure this request showed was computed, if any was out of date."""
    return g.get("analytics_as_of") if has_request_context() else None


def clear() -> None:
    """Forget every kept figure, this worker's and the shared ones (tests, benchmarks)."""
    with _LOCK:
        _LOCAL.clear()
    if has_app_context() and _shared():
        conn = _connection()
        for name in conn.scan_iter(_PREFIX + "*"):
            conn.delete(name)
