"""Long bulk work in a process that holds a whole app in memory.

Python's cyclic garbage collector walks every tracked object of the process on each full
collection, and bulk work triggers full collections as its rows pile up: the app's own
quarter of a million objects (modules, SQLAlchemy's mappers, catalogues) were walked again
and again, a quarter of an import's time. ``settled()`` sets the objects that exist when the
work starts aside for its duration (``gc.freeze``), so collections see only what the work
itself creates; cycles among those are still collected as before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0


@contextmanager
def settled() -> Iterator[None]:
    """Objects older than this block are not walked by the collector inside it. Nests; the
    outermost block gives them back to the collector when it ends, however it ends."""
    global _depth
    with _lock:
        if _depth == 0:
            gc.freeze()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()
