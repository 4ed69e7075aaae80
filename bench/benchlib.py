"""Shared machinery of the benchmarks: child processes, databases, memory and machine figures.

Each benchmark runs every measured step in a fresh child Python process (so a step's peak
memory is its own), creates and drops its databases (SQLite files, PostgreSQL databases on the
server ``scripts/postgres-url`` finds) and prints one JSON object as its last line.
This module is also the child that creates and drops PostgreSQL databases, so the parent never
loads psycopg (it would raise the ``ru_maxrss`` every later child starts from).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

CHECKOUT = Path(__file__).resolve().parent.parent
LIBRARY = Path(__file__).resolve()
POSTGRES_URL = CHECKOUT / "scripts" / "postgres-url"
SETTINGS = "legemiddel.config.settings"
CHILD_TIMEOUT_S = 1800
BENCH_PG_URL = "LEGEMIDDEL_BENCH_POSTGRES_URL"  # the maintenance database, for the "pg" step
MEMORY_DB = "sqlite://:memory:"  # for children that need Django but no database

Json = dict[str, Any]
_T0 = time.monotonic()


def logger(name: str) -> Callable[[str], None]:
    """A function that writes ``[name  12.3s] message`` to stderr."""

    def log(message: str) -> None:
        print(f"[{name} {time.monotonic() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)

    return log


class BenchError(Exception):
    """A step failed; the benchmark cannot go on."""


# --- Child side -------------------------------------------------------------------------------


def peak_memory() -> Json:
    """Peak memory of this process: ``ru_maxrss`` (kB on Linux), and the kernel's VmHWM as a
    cross-check (``ru_maxrss`` starts from the parent's size at spawn; VmHWM does not)."""
    hwm_kb = 0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                hwm_kb = int(line.split()[1])
    except OSError:
        pass
    return {"rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "hwm_kb": hwm_kb}


def since(started: float) -> float:
    return round(time.perf_counter() - started, 3)


def child_pg(action: str, database: str) -> Json:
    """Server version, or create or drop a database; connection problems come back as
    ``error``."""
    import psycopg
    from psycopg import sql

    statements = {
        "create": sql.SQL("CREATE DATABASE {}"),
        "drop": sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)"),
    }
    try:
        with psycopg.connect(os.environ[BENCH_PG_URL], autocommit=True, connect_timeout=5) as c:
            if action == "version":
                row = c.execute("SHOW server_version").fetchone()
                return {"version": str(row[0]) if row else "?"}
            c.execute(statements[action].format(sql.Identifier(database)))
            return {}
    except psycopg.Error as exc:
        return {"error": str(exc).strip()}


# --- Parent side ------------------------------------------------------------------------------


def run_child(
    script: Path, step: str, *, env: dict[str, str] | None = None, **options: object
) -> Json:
    """Run ``script _child step`` in a fresh Python process; return its last stdout line's JSON."""
    command = [sys.executable, str(script), "_child", step]
    for key, value in options.items():
        command += [f"--{key}", str(value)]
    child_env = dict(os.environ)
    child_env.update(env or {})
    started = time.perf_counter()
    proc = subprocess.run(  # noqa: S603 - our own script, run with our own interpreter
        command,
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=None,  # warnings and tracebacks go straight to our stderr
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
        cwd=CHECKOUT,
    )
    if proc.returncode != 0:
        raise BenchError(f"child step {step!r} failed with exit status {proc.returncode}")
    lines = proc.stdout.strip().splitlines()
    if not lines:
        raise BenchError(f"child step {step!r} printed no result")
    out: Json = json.loads(lines[-1])
    out["process_s"] = since(started)
    return out


def django_env(database_url: str, workdir: Path) -> dict[str, str]:
    return {
        "LEGEMIDDEL_MODE": "demo",
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": database_url,
        "LEGEMIDDEL_VAR_DIR": str(workdir / "var"),
        "DEBUG": "false",  # DEBUG keeps every query in memory
    }


class SqliteTarget:
    name = "sqlite"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.version = sqlite3.sqlite_version

    def _files(self, run: int) -> list[Path]:
        db = self.workdir / f"bench-{os.getpid()}-{run}.sqlite3"
        return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]

    def create(self, run: int) -> str:
        self.drop(run)
        return f"sqlite:///{self._files(run)[0]}"

    def drop(self, run: int) -> None:
        for path in self._files(run):
            path.unlink(missing_ok=True)


class PostgresTarget:
    """Databases on the server, created and dropped by a child process (the parent does not
    load psycopg: it would raise the ``ru_maxrss`` every child starts from)."""

    name = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgres://", "postgresql://", 1)
        self.version = str(self._admin("version")["version"])

    def _admin(self, action: str, database: str = "") -> Json:
        out = run_child(
            LIBRARY, "pg", env={BENCH_PG_URL: self.url}, action=action, database=database
        )
        if out.get("error"):
            raise BenchError(f"PostgreSQL {action} {database}: {out['error']}".replace("  ", " "))
        return out

    def _name(self, run: int) -> str:
        return f"legemiddel_bench_{os.getpid()}_{run}"

    def create(self, run: int) -> str:
        self._admin("create", self._name(run))
        return f"{self.url.rsplit('/', 1)[0]}/{self._name(run)}"

    def drop(self, run: int) -> None:
        self._admin("drop", self._name(run))


Target = SqliteTarget | PostgresTarget


def find_postgres() -> tuple[str | None, str]:
    """The server ``scripts/postgres-url`` finds, or None and the reason it gives."""
    try:
        proc = subprocess.run(  # noqa: S603 - the project's own script, absolute path
            [str(POSTGRES_URL)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            cwd=CHECKOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"scripts/postgres-url did not run: {exc}"
    url = proc.stdout.strip()
    if proc.returncode != 0 or not url:
        reason = proc.stderr.strip() or f"scripts/postgres-url exited {proc.returncode}"
        return None, reason
    return url, ""


# --- Figures ----------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return round(statistics.median(values), 2)


def mb(kb: int) -> float:
    return round(kb / 1024, 1)


def check_memory_figure(label: str, result: Json, problems: list[str]) -> None:
    """``ru_maxrss`` is floored at the parent's size when the child was spawned; say so if
    that, not the child's own peak (VmHWM), made the figure."""
    rss, hwm = result["rss_kb"], result.get("hwm_kb", 0)
    if hwm and rss - hwm > 8 * 1024:
        problems.append(
            f"{label}: ru_maxrss {mb(rss)} MB is above the process's own peak (VmHWM "
            f"{mb(hwm)} MB); the parent was that large when it spawned the child"
        )


def machine() -> Json:
    cpu = platform.processor() or platform.machine()
    ram_kb = 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_kb = int(line.split()[1])
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram_kb / 1024**2, 1),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


if __name__ == "__main__":
    # ``benchlib.py _child pg --action create --database NAME``
    args = sys.argv[1:]
    if args[:2] != ["_child", "pg"]:
        sys.exit("usage: benchlib.py _child pg --action version|create|drop [--database NAME]")
    options = dict(zip(args[2::2], args[3::2], strict=False))
    result = child_pg(options.get("--action", "version"), options.get("--database", ""))
    print(json.dumps(result), flush=True)


def database_targets(
    names: Sequence[str], workdir: Path, log: Callable[[str], None]
) -> tuple[list[Target], dict[str, str]]:
    """The databases to measure, and why any asked for was skipped (PostgreSQL not found)."""
    found: list[Target] = []
    skipped: dict[str, str] = {}
    if "sqlite" in names:
        found.append(SqliteTarget(workdir))
    if "postgresql" in names:
        url, reason = find_postgres()
        if url is None:
            skipped["postgresql"] = reason
        else:
            try:
                found.append(PostgresTarget(url))
            except BenchError as exc:
                skipped["postgresql"] = f"{url} does not answer: {exc}"
        if "postgresql" in skipped:
            log(f"PostgreSQL skipped: {skipped['postgresql']}")
    return found, skipped


def rows_per_second(rows: int, seconds: float) -> int:
    return round(rows / seconds) if seconds else 0
