"""Benchmark: other users' writes on SQLite while a large usage file is imported.

For each checkout (this one, and with ``--base`` an older one to compare, side by side in one
run) on a fresh SQLite database with the demo organisation and catalogue:

1. **first import**: ``usage_import`` of an SLS file of ``--rows`` lines into empty tables;
2. **re-import**: the same lines again as a new file (its header in lower case), which
   replaces every row of the first.

During each import a second process logs a user in every ``--interval`` seconds (a session
and the last login written, as a login does, with the product's busy timeout of 20 s) and
records how long each login took and whether it failed ("database is locked"). The import
process records how long each of its write transactions held the database's write lock
(from ``BEGIN IMMEDIATE`` returning to ``COMMIT``).

    .venv/bin/python bench/sqlite_concurrency.py --rows 5000000 [--base ../older-checkout]

Bars (this checkout): the write lock held at most 5 s at a time, no failed login, and no login
waiting more than 5 s. Progress goes to stderr; the last line of stdout is the JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import usage_import as sls
from benchlib import CHECKOUT, BenchError, Json, SqliteTarget, django_env, logger, machine, median

SCRIPT = Path(__file__).resolve()
HOLD_BAR_S = 5.0
WAIT_BAR_S = 5.0
log = logger("sqlite_concurrency")


# --- Child side ---------------------------------------------------------------------------


def _child_import(path: Path) -> Json:
    """One import, with the write lock's hold times recorded at the connection."""
    import django

    django.setup()
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from legemiddel.usage.models import SalesLine
    from legemiddel.usage.services import usage_import

    holds: list[float] = []
    begin, commit, rollback = (
        DatabaseWrapper._start_transaction_under_autocommit,
        DatabaseWrapper._commit,
        DatabaseWrapper._rollback,
    )
    began: list[float] = []

    def timed_begin(self: DatabaseWrapper) -> None:
        begin(self)
        began.append(time.perf_counter())  # BEGIN IMMEDIATE returns holding the lock

    def ended(self: DatabaseWrapper, end: object) -> None:
        end(self)  # type: ignore[operator]
        if began:
            holds.append(time.perf_counter() - began.pop())

    DatabaseWrapper._start_transaction_under_autocommit = timed_begin  # type: ignore[method-assign]
    DatabaseWrapper._commit = lambda self: ended(self, commit)  # type: ignore[method-assign]
    DatabaseWrapper._rollback = lambda self: ended(self, rollback)  # type: ignore[method-assign]

    started = time.perf_counter()
    result = usage_import(source="sls", path=path, file_name=path.name)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "rows_accepted": result.batch.rows_accepted,
        "rows_replaced": result.batch.rows_replaced,
        "stored": SalesLine.objects.count(),
        "transactions": len(holds),
        "longest_hold_s": round(max(holds, default=0.0), 3),
        "hold_total_s": round(sum(holds), 2),
    }


def _child_writer(stop: Path, interval: float, out: Path) -> Json:
    """Log a user in every ``interval`` seconds until ``stop`` exists."""
    import django

    django.setup()
    from django.db import OperationalError, connection
    from django.test import Client

    from legemiddel.accounts.models import User

    user = User.objects.get(username="bench")
    logins: list[list[float | str]] = []  # [start offset, seconds, error or ""]
    t0 = time.time()
    while not stop.exists():
        began = time.perf_counter()
        error = ""
        try:
            Client().force_login(user)  # a session row and the last login, as a login writes
        except OperationalError as exc:
            error = str(exc)
            connection.close()
        logins.append([round(time.time() - t0, 2), round(time.perf_counter() - began, 3), error])
        time.sleep(max(0.0, interval - (time.perf_counter() - began)))
    result = {"started": t0, "logins": logins}
    out.write_text(json.dumps(result))
    return {"logins": len(logins)}


def _child_user() -> Json:
    import django

    django.setup()
    from legemiddel.accounts.models import User

    User.objects.create_user(username="bench", password="bench-password-long")  # noqa: S106
    return {}


def child_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="sqlite_concurrency.py _child")
    parser.add_argument("step", choices=["import", "writer", "user"])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--stop", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--interval", type=float, default=0.5)
    args = parser.parse_args(argv)
    if args.step == "import":
        result = _child_import(args.file)
    elif args.step == "writer":
        result = _child_writer(args.stop, args.interval, args.out)
    else:
        result = _child_user()
    print(json.dumps(result), flush=True)
    return 0


# --- Parent side --------------------------------------------------------------------------


def _env(checkout: Path, url: str, workdir: Path) -> dict[str, str]:
    return {**django_env(url, workdir), "PYTHONPATH": str(checkout / "src")}


def _child(step: str, env: dict[str, str], **options: object) -> Json:
    command = [sys.executable, str(SCRIPT), "_child", step]
    for key, value in options.items():
        command += [f"--{key}", str(value)]
    proc = subprocess.run(  # noqa: S603 - our own script
        command,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        text=True,
        check=False,
        cwd=CHECKOUT,
    )
    if proc.returncode != 0:
        raise BenchError(f"child step {step!r} failed with exit status {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _during_import(env: dict[str, str], path: Path, workdir: Path, interval: float) -> Json:
    """One import with the login process running beside it."""
    stop = workdir / "writer.stop"
    out = workdir / "writer.json"
    stop.unlink(missing_ok=True)
    out.unlink(missing_ok=True)
    writer = subprocess.Popen(  # noqa: S603 - our own script
        [
            sys.executable,
            str(SCRIPT),
            "_child",
            "writer",
            "--stop",
            str(stop),
            "--out",
            str(out),
            "--interval",
            str(interval),
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        cwd=CHECKOUT,
    )
    time.sleep(3)  # Django started and a few logins done before the import begins
    import_start = time.time()
    result = _child("import", env, file=path)
    import_end = time.time()
    time.sleep(1)
    stop.touch()
    if writer.wait(timeout=120) != 0:
        raise BenchError("the login process failed")
    logins = json.loads(out.read_text())
    t0 = logins["started"]
    during = [
        (seconds, error)
        for offset, seconds, error in logins["logins"]
        if import_start <= t0 + offset <= import_end
    ]
    waits = [float(s) for s, _ in during]
    errors = [str(e) for _, e in during if e]
    result.update(
        {
            "logins": len(during),
            "login_max_s": round(max(waits, default=0.0), 3),
            "login_median_s": round(median(waits), 3) if waits else 0.0,
            "login_errors": len(errors),
            "login_error": errors[0] if errors else "",
        }
    )
    return result


def measure(checkout: Path, label: str, workdir: Path, path: Path, interval: float) -> Json:
    target = SqliteTarget(workdir)
    run = {"this": 1, "base": 2}[label]
    url = target.create(run)
    env = _env(checkout, url, workdir)
    try:
        sls.run_child("migrate", env=env)
        _child("user", env)
        first = _during_import(env, path, workdir, interval)
        log(f"{label}: first import {_summary(first)}")
        again = path.with_name(path.stem + "-again.csv")
        if not again.exists():
            with path.open("rb") as src, again.open("wb") as dst:
                dst.write(src.readline().lower())
                while block := src.read(1 << 24):
                    dst.write(block)
        second = _during_import(env, again, workdir, interval)
        log(f"{label}: re-import {_summary(second)}")
    finally:
        target.drop(run)
    return {"checkout": str(checkout), "first": first, "reimport": second}


def _summary(r: Json) -> str:
    return (
        f"{r['seconds']} s, lock held at most {r['longest_hold_s']} s "
        f"({r['transactions']} transactions), {r['logins']} logins: longest {r['login_max_s']} s, "
        f"median {r['login_median_s']} s, {r['login_errors']} failed {r['login_error']}"
    )


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--base", type=Path, help="an older checkout to compare with")
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--workdir", type=Path, default=CHECKOUT / "var" / "bench")
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    info = machine()
    log(f"{info['cpu']}, {info['cores']} cores, load {info['loadavg_start']}")
    path, _ = sls.ensure_files(workdir, args.rows, 0)
    checkouts = [("this", CHECKOUT)]
    if args.base:
        checkouts.insert(0, ("base", args.base.resolve()))
    results = {label: measure(c, label, workdir, path, args.interval) for label, c in checkouts}
    this = results["this"]
    bars_ok = all(
        this[step]["longest_hold_s"] <= HOLD_BAR_S
        and this[step]["login_max_s"] <= WAIT_BAR_S
        and this[step]["login_errors"] == 0
        for step in ("first", "reimport")
    )
    report = {
        "benchmark": "sqlite_concurrency",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {**info, "loadavg_end": [round(x, 2) for x in os.getloadavg()]},
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "rows": args.rows,
        "interval_s": args.interval,
        "results": results,
        "bars": {"longest_hold_s": HOLD_BAR_S, "login_max_s": WAIT_BAR_S, "login_errors": 0},
        "bars_ok": bars_ok,
    }
    log("PASS" if bars_ok else "FAIL")
    print(json.dumps(report, ensure_ascii=False))
    return 0 if bars_ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        sys.exit(child_main(sys.argv[2:]))
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as exc:
        log(f"FAILED: {exc}")
        sys.exit(1)
