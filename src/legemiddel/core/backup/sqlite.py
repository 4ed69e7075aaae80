"""SQLite: SQLite's online backup API, which copies a consistent snapshot page by page while the
web server and the worker go on writing (a plain file copy can miss what is still in the WAL)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from legemiddel.core.backup.db import Database, applied_migrations, row_counts
from legemiddel.core.backup.manifest import BackupError

# All pages in one step: the copy reads one snapshot. In WAL mode (the product's setting) that
# read blocks no writer; copied in several steps, every write from another connection in between
# would restart the copy, and a busy database might never finish.
PAGES_PER_STEP = -1


def dump(database: Database, dest: Path) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Copy the database to ``dest``; the row counts and migrations are read from the copy,
    so they describe exactly the snapshot taken."""
    if not Path(database.name).is_file():
        raise BackupError(f"The database file {database.name} does not exist.")
    with (
        closing(sqlite3.connect(database.name, timeout=20)) as src,
        closing(sqlite3.connect(dest)) as dst,
    ):
        src.backup(dst, pages=PAGES_PER_STEP)
        # The copy is a single file: no write-ahead log beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
    with closing(sqlite3.connect(dest)) as copy, closing(copy.cursor()) as cur:
        return row_counts(cur, "sqlite"), applied_migrations(cur, "sqlite")


def check(path: Path) -> dict[str, int]:
    """SQLite's integrity check on the copy, then its row counts. Opened read-only."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            cur = conn.cursor()
            problems = [row[0] for row in cur.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError(
                    "The database in the backup is damaged (integrity check: "
                    + "; ".join(problems[:5])
                    + ")."
                )
            return row_counts(cur, "sqlite")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"The database in the backup cannot be read: {exc}.") from exc


def load(path: Path, database: Database) -> None:
    """Replace the contents of the target file with the backup's, through the same backup API
    (so the target's own connections and WAL stay consistent)."""
    Path(database.name).parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(path)) as src,
        closing(sqlite3.connect(database.name, timeout=20)) as dst,
    ):
        src.backup(dst, pages=PAGES_PER_STEP)
