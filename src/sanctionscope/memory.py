"""Memory helpers shared by the parts that make very many objects at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while millions of small objects are made that
    all live on (a parsed list, a screening index): its repeated passes over the growing heap
    would otherwise take as long as a third of the work, for nothing. The collector is left
    as it was found."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
