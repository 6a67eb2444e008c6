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


# Collector thresholds while many queries are screened in a row (Python's are 700, 10, 10):
# young objects are looked at every 50,000 net allocations instead of every 700, and the
# whole heap only after 100 passes over the middle generation.
RELAXED_THRESHOLDS = (50_000, 20, 100)


@contextmanager
def collector_relaxed() -> Iterator[None]:
    """Let Python's cyclic garbage collector run far less often while a file is screened.
    Screening fills its caches (analysed names, comparisons, decoded records) with objects
    that live on, and makes almost no reference cycles: with the default thresholds the
    collector walks the growing caches again every few hundred queries, about a sixth of
    the work (bench/collector_cost.py). Garbage without cycles is freed at once either way. Worker
    processes forked inside inherit the thresholds; they are restored afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(*RELAXED_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


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
