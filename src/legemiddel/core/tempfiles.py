"""Working copies of imported files, in one private folder that is swept.

An import may need a copy of the file it reads (a Windows-1252 or UTF-16 file transcoded to
UTF-8). The copy can hold fødselsnummer, so it lives in ``settings.TEMP_DIR`` (mode 0700),
never in the system's shared temporary folder, and is deleted when the import ends whatever
its outcome. A process that dies mid-import cannot delete its copies; :func:`sweep` removes
those of processes that are gone and any older than a day, and runs when a worker starts and
when ``legemiddel import`` runs.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from django.conf import settings

PREFIX = "legemiddel-"
MAX_AGE_SECONDS = 24 * 60 * 60


def temp_dir() -> Path:
    """The private folder for working copies, created (0700) when missing."""
    folder = Path(settings.TEMP_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)
    return folder


def temp_file(suffix: str = "") -> Path:
    """A new empty file of this process in :func:`temp_dir` (only the owner may read it).
    The caller deletes it; its name carries the process id so a sweep knows whose it is."""
    handle, name = tempfile.mkstemp(suffix=suffix, prefix=f"{PREFIX}{os.getpid()}-", dir=temp_dir())
    os.close(handle)
    return Path(name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def sweep(max_age: float = MAX_AGE_SECONDS) -> int:
    """Delete working copies whose process is gone, and any older than ``max_age`` seconds.
    Returns how many were deleted."""
    folder = Path(settings.TEMP_DIR)
    if not folder.is_dir():
        return 0
    now = time.time()
    deleted = 0
    for path in folder.iterdir():
        if not path.is_file():
            continue
        pid_text = path.name.removeprefix(PREFIX).partition("-")[0]
        owner_gone = (
            path.name.startswith(PREFIX) and pid_text.isdecimal() and not _alive(int(pid_text))
        )
        try:
            old = now - path.stat().st_mtime > max_age
        except FileNotFoundError:
            continue
        if owner_gone or old:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
