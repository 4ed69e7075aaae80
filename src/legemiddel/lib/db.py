"""The few places where SQLite and PostgreSQL differ, in one module.

Everything else in the product is written once for both databases; code that needs one of these
differences asks here instead of looking at ``connection.vendor`` itself.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection, transaction


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def days_between_sql(later: str, earlier: str) -> str:
    """SQL for the days between two date columns (or expressions) in raw SQL."""
    if _sqlite():
        return f"(julianday({later}) - julianday({earlier}))"
    return f"({later} - {earlier})"


def plus_days_sql(day: str, days: int) -> str:
    """SQL for a date column (or expression) moved by a whole number of days."""
    if _sqlite():
        return f"date({day}, '{int(days):+d} days')"
    return f"({day} + {int(days)})"


def year_sql(day: str) -> str:
    """SQL for the year (an integer) of a date column or expression."""
    if _sqlite():  # dates are ISO text
        return f"CAST(substr({day}, 1, 4) AS INTEGER)"
    return f"CAST(EXTRACT(YEAR FROM {day}) AS INTEGER)"


def contains_sql(text: str, part: str) -> str:
    """SQL for whether ``part`` occurs in ``text`` (no LIKE: no wildcards to escape)."""
    if _sqlite():
        return f"(instr({text}, {part}) > 0)"
    return f"(strpos({text}, {part}) > 0)"


def text_sql(value: str) -> str:
    """SQL for a value (a date, a number) as text, for building keys in raw SQL."""
    return f"CAST({value} AS TEXT)"


def date_param(day: dt.date) -> Any:
    """A date as a raw query parameter: SQLite keeps dates as ISO text."""
    return day.isoformat() if _sqlite() else day


def bulk_copy() -> bool:
    """Whether bulk rows go in with ``COPY`` (PostgreSQL) rather than multi-row ``INSERT``s."""
    return connection.vendor == "postgresql"


def enlarge_page_cache(kib: int) -> None:
    """A bigger page cache for this connection on SQLite (its default is 2 MB), for work that
    would otherwise read the same index pages from disk again and again. PostgreSQL sizes its
    shared buffers itself."""
    if _sqlite():
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{int(kib)}")


def refresh_statistics(table: str) -> None:
    """Fresh planner statistics for a table just filled in bulk, inside a transaction
    (PostgreSQL plans the next statements from them; SQLite needs nothing here)."""
    if not _sqlite():
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")


def one_writer() -> bool:
    """Whether the database lets one writer in at a time (SQLite): a long write then holds
    every other user's writes, so it goes in as many short transactions (:class:`ShortWrites`).
    PostgreSQL locks rows, not the database: a long transaction blocks nobody."""
    return _sqlite()


class ShortWrites:
    """Many short write transactions in a row, with room between them for other writers.

    On SQLite a waiting writer (a login, a saved form) polls the write lock on its busy timeout,
    at most 100 ms apart. A loop that commits and begins again at once can keep it out for good,
    so once the loop has held the lock for ``window`` seconds without a gap of ``pause`` seconds
    (longer than one poll), it pauses that long and the waiting writers get in. A gap the caller
    leaves anyway (preparing the next rows outside the transaction) counts. A waiting writer
    therefore waits at most about one window, usually one transaction.
    ``longest`` is the longest a transaction held the write lock (for the measurements).
    """

    def __init__(self, *, window: float = 1.0, pause: float = 0.12) -> None:
        self.window = window
        self.pause = pause
        self.longest = 0.0
        self._writing = 0.0  # seconds holding the lock since the last gap of ``pause``
        self._last_end = -pause

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One short write transaction; pauses first when the window is used up."""
        if connection.in_atomic_block:
            # Inside a caller's transaction (the demo, the tests) the lock is held anyway: a
            # pause would only keep it longer.
            with transaction.atomic():
                yield
            return
        gap = time.monotonic() - self._last_end
        if gap >= self.pause:
            self._writing = 0.0
        elif self._writing >= self.window:
            time.sleep(self.pause - gap)
            self._writing = 0.0
        began = time.monotonic()
        with transaction.atomic():
            yield
        self._last_end = time.monotonic()
        held = self._last_end - began
        self.longest = max(self.longest, held)
        self._writing += held


@contextmanager
def session_lock(name: str) -> Iterator[None]:
    """Hold the lock ``name`` across transactions until the block ends; a second holder waits.

    SQLite: an exclusive ``flock`` on a file beside the database (released by the system if the
    process dies). PostgreSQL: a session advisory lock.
    """
    if not _sqlite():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [name])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
        return
    with _lock_file(name).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def session_lock_if_free(name: str) -> Iterator[bool]:
    """Like :func:`session_lock`, but never waits: yields whether the lock was taken (the block
    runs either way and should do nothing when it was not)."""
    if not _sqlite():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [name])
            taken = bool(cursor.fetchone()[0])
        try:
            yield taken
        finally:
            if taken:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
        return
    with _lock_file(name).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lock_file(name: str) -> Path:
    database = str(connection.settings_dict["NAME"])
    safe = re.sub(r"[^A-Za-z0-9_.-]", "-", name)
    if database.startswith("file:") or database == ":memory:" or "mode=memory" in database:
        # An in-memory database (the tests) lives in this process only.
        digest = hashlib.sha256(f"{os.getpid()} {database}".encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"legemiddel-{digest}-{safe}.lock"
    return Path(f"{database}-{safe}.lock")
