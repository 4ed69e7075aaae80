"""Bulk work that creates millions of short-lived objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cycle collector while millions of rows or values come and go.

    They form no reference cycles (they are freed as soon as they are written), but their sheer
    number sets off full collections over the whole process again and again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
