"""PostgreSQL: ``pg_dump -Fc`` and ``pg_restore`` from the machine's PostgreSQL client.

The dump runs on a snapshot exported by our own repeatable-read transaction, and the row counts
for the manifest are read in that same transaction, so they describe exactly what was dumped
even while the application writes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from legemiddel.core.backup.db import Database, applied_migrations, row_counts, table_names
from legemiddel.core.backup.manifest import BackupError

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")
_COPY = re.compile(r'^COPY\s+(?:"?[^".\s]+"?\.)?"?([^"\s(]+)"?\s')


def _client(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        raise BackupError(
            f"{program} was not found. Install the PostgreSQL client programs of the same major "
            "version as the server or newer (Debian/Ubuntu: apt-get install postgresql-client-NN) "
            "and make sure they are on PATH."
        )
    return found


def client_major(program: str) -> int:
    out = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        [_client(program), "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = _VERSION.search(out)
    if not match:
        raise BackupError(f"Could not read the version of {program} ({out.strip()!r}).")
    return int(match.group(1))


def _server_major(database: Database) -> tuple[int, str]:
    try:
        with database.cursor() as cur:
            cur.execute("SHOW server_version_num")
            num = int(cur.fetchone()[0])
            cur.execute("SHOW server_version")
            return num // 10000, str(cur.fetchone()[0])
    except Exception as exc:  # psycopg's connection errors: say where we tried
        raise BackupError(f"Cannot connect to {database}: {exc}".strip()) from exc


def check_clients(database: Database, *programs: str) -> str:
    """Refuse client programs older than the server (they cannot read its catalogue or the
    dumps it makes); returns the server's version for the manifest."""
    server, version = _server_major(database)
    for program in programs:
        major = client_major(program)
        if major < server:
            raise BackupError(
                f"{program} is version {major} but the server runs PostgreSQL {server}: "
                f"install postgresql-client-{server} (or newer) and put it first on PATH."
            )
    return version


def _run(args: list[str], database: Database, what: str) -> None:
    env = {**os.environ, **database.pg_env()}
    done = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        args, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip()[-2000:]}")


def dump(database: Database, dest: Path) -> tuple[dict[str, int], list[tuple[str, str]], str]:
    version = check_clients(database, "pg_dump")
    import psycopg

    with database.pg_connect(autocommit=False) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = str(cur.fetchone()[0])
            counts = row_counts(cur, "postgresql")
            migrations = applied_migrations(cur, "postgresql")
            _run(
                [_client("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-f", str(dest)],
                database,
                "pg_dump",
            )
        conn.rollback()
    return counts, migrations, version


def check(path: Path) -> dict[str, int]:
    """Read the dump's table of contents (``pg_restore --list``), then stream its data and
    count the rows of every table: no server needed, and every data block is read."""
    pg_restore = _client("pg_restore")
    listing = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        [pg_restore, "--list", str(path)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise BackupError(f"The dump in the backup cannot be read: {listing.stderr.strip()}")
    counts: dict[str, int] = {}
    table = None
    with subprocess.Popen(  # noqa: S603 (our own arguments, no shell)
        [pg_restore, "--data-only", "-f", "-", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None
        for raw in proc.stdout:
            if table is None:
                if raw.startswith(b"COPY "):
                    match = _COPY.match(raw.decode("utf-8", "replace"))
                    table = match.group(1) if match else raw.decode()[:60]
                    counts[table] = 0
            elif raw == b"\\.\n":
                table = None
            else:
                counts[table] += 1
        stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise BackupError(f"The data in the backup cannot be read: {stderr.strip()[-2000:]}")
    return counts


def load(path: Path, database: Database, *, replace: bool) -> None:
    """``pg_restore`` in one transaction (all or nothing). With ``replace``, the tables there
    are dropped first, in the same way the dump would create them again."""
    check_clients(database, "pg_restore")
    if replace:
        with database.cursor() as cur:
            for table in table_names(cur, "postgresql"):
                cur.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    _run(
        [
            _client("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            database.name,
            str(path),
        ],
        database,
        "pg_restore",
    )
