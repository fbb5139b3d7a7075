"""Pausing Python's cyclic garbage collector around bounded bulk work (start-up, the batch auto-assign).

Such work allocates hundreds of thousands of objects that live until it ends, and the collector's passes over them
find nothing to free: a batch of 10,000 cases ran 500 collections (140-210 ms of about a second), the app's start-up
250 (about 90 ms). Reference counting still frees everything as usual; cycles wait for the first collection after.
The pause is process-wide, so it is counted: overlapping pauses (two batches in two threads) end with the last one;
and it is for work that runs, not for waits: the batch pauses only once it holds its locks (the `assign auto` command
pauses around its whole batch: a process of its own, with nothing else to run while it waits).
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the collector off, then restore it as it was before the first of overlapping pauses."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
