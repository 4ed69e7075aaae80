"""Progress of a running job, kept beside the database.

An importer works inside one transaction so a failed file changes nothing. Progress written to
the database inside that transaction would stay invisible until the end (and on SQLite a second
connection cannot write while the import holds the write lock), so the worker writes progress to
a small file under MEDIA_ROOT that the web process reads while the job runs.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from django.conf import settings

MIN_INTERVAL = 0.5


def _path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs" / "progress" / f"{job_id}.json"


class ProgressFile:
    """Writes ``(done, total)`` for one job, at most every half second."""

    def __init__(self, job_id: int) -> None:
        self.path = _path(job_id)
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < MIN_INTERVAL and done < total:
            return
        self.last = now
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps([done, total]))
        os.replace(tmp, self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def read(job_id: int) -> tuple[int, int] | None:
    """The latest ``(done, total)`` a running job reported, if any."""
    try:
        done, total = json.loads(_path(job_id).read_text())
    except (OSError, ValueError, TypeError):
        return None
    return int(done), int(total)
