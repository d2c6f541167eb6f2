"""Long bulk work in a process that holds a whole app in memory.

Python's cyclic garbage collector walks every tracked object of the process on each full
collection, and bulk work triggers full collections as its rows pile up: the app's own
quarter of a million objects (modules, SQLAlchemy's mappers, catalogues) were walked again
and again, a quarter of an import's time. ``settled()`` sets the objects that exist when the
work starts aside for its duration (``gc.freeze``), so collections see only what the work
itself creates; cycles among those are still collected as before.

The web server's master freezes the built app before it forks its workers
(gunicorn.conf.py). In such a worker the app is already out of the collector's way, and
``gc.unfreeze`` cannot give back only what a block set aside: it would hand back the
master's objects too, for the rest of the worker's life. There a block does nothing.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_ours = False  # whether the outermost block froze (and so unfreezes) the objects


@contextmanager
def settled() -> Iterator[None]:
    """Objects older than this block are not walked by the collector inside it. Nests; the
    outermost block gives them back to the collector when it ends, however it ends."""
    global _depth, _ours
    with _lock:
        if _depth == 0:
            _ours = gc.get_freeze_count() == 0  # else frozen before us: see the docstring
            if _ours:
                gc.freeze()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _ours:
                gc.unfreeze()
