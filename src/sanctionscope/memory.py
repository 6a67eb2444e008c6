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


@contextmanager
def objects_frozen() -> Iterator[None]:
    """Keep the objects that exist now out of the collector's passes while worker processes
    forked from this one run: a pass in a worker would otherwise write to every inherited
    object and so copy the parent's whole heap, page by page (Python's advice for fork
    without exec). They rejoin the collected objects afterwards."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
