"""Benchmark: importing a large SLS file (CSV and XLSX) into SQLite and PostgreSQL.

Generates (once, cached in the work directory) an SLS sales file of ``--rows`` lines in CSV
(``;``, decimal comma, as the hospital pharmacy exports it) and the same lines in XLSX, with
customers and packages from the demo trust and catalogue. Then, for each database and repeat,
side by side in one run:

- **import**: ``usage_import`` end to end (read, validated, mapped to units and packages, DDD
  from FEST, stored, monthly cube refreshed), for the CSV and for the XLSX;
- **bare**: the limit: the same CSV loaded as text into a plain table with PostgreSQL ``COPY``,
  or read with polars ``read_csv`` and inserted with ``executemany`` on SQLite;
- **pandas**: what an analyst would write: ``pandas.read_csv`` + ``DataFrame.to_sql``.

Finally one import of a ``--memory-rows`` CSV (10 million lines by default) measures peak
memory. Every step runs in its own child process, so its peak memory is its own.

Bars: CSV import >= 250 000 rows/s on both databases and within 4x of the bare load (medians),
XLSX import >= 50 000 rows/s, peak memory <= 1 GB for the 10-million-line file.

    .venv/bin/python bench/usage_import.py --rows 1000000 [--repeat 3]
        [--databases sqlite,postgresql] [--memory-rows 10000000] [--workdir var/bench]

Progress goes to stderr; the last line of stdout is one JSON object with the figures.
Exit status 1 when a bar fails or a step goes wrong, 2 when PostgreSQL could not be measured
and ``--require-postgres`` was given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import inspect
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchlib import (
    CHECKOUT,
    MEMORY_DB,
    BenchError,
    Json,
    Target,
    check_memory_figure,
    database_targets,
    django_env,
    logger,
    machine,
    mb,
    median,
    peak_memory,
    rows_per_second,
    since,
)
from benchlib import run_child as _run_child

SCRIPT = Path(__file__).resolve()
DEFAULT_WORKDIR = CHECKOUT / "var" / "bench"
DATABASES = ("sqlite", "postgresql")
XLSX_MAX_ROWS = 1_048_575  # a worksheet holds 1 048 576 rows with the header

# The acceptance bars.
CSV_BAR_ROWS_S = 250_000
BARE_RATIO_BAR = 4.0
XLSX_BAR_ROWS_S = 50_000
RSS_BAR_MB = 1024.0

HEADER = [
    "Periode",
    "Kundenr",
    "Kundenavn",
    "Varenr",
    "Varenavn",
    "ATC",
    "Antall",
    "Beløp eks mva",
    "DDD",
    "Bruksområde",
]
_T0 = time.monotonic()
log = logger("usage_import")


def run_child(step: str, *, env: dict[str, str] | None = None, **options: object) -> Json:
    return _run_child(SCRIPT, step, env=env, **options)


# --- Child side: one step per process ---------------------------------------------------------


def _registers() -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Cost centres (code, unit name) and packages (varenr, name, ATC) of the demo data."""
    import csv

    data = CHECKOUT / "src" / "legemiddel" / "demo" / "data"
    with (data / "organisasjon.csv").open(encoding="utf-8") as handle:
        customers = [
            (code, r["navn"])
            for r in csv.DictReader(handle, delimiter=";")
            for code in r["kostnadssteder"].split()
        ]
    with (data / "legemidler.csv").open(encoding="utf-8") as handle:
        packages = [
            (r["varenr"], f"{r['brand']} {r['strength']}", r["atc"])
            for r in csv.DictReader(handle, delimiter=";")
        ]
    return customers, packages


def _child_generate(csv_path: Path, xlsx_path: Path, rows: int, xlsx_rows: int) -> Json:
    """Write the SLS file as CSV (and the first ``xlsx_rows`` lines as XLSX), in blocks."""
    import numpy as np
    import polars as pl

    started = time.perf_counter()
    customers, packages = _registers()
    months = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)]
    rng = np.random.default_rng(2026)
    block = 1_000_000
    tmp = csv_path.with_name(csv_path.name + ".tmp")
    frames_for_xlsx: list[pl.DataFrame] = []
    with tmp.open("wb") as out:
        out.write((";".join(HEADER) + "\r\n").encode())
        done = 0
        while done < rows:
            n = min(block, rows - done)
            c = rng.integers(0, len(customers), n)
            p = rng.integers(0, len(packages), n)
            quantity = rng.integers(1, 60, n)
            price = rng.uniform(50, 40_000, n).round(2)
            ddd = (quantity * rng.uniform(1, 30, n)).round(2)
            frame = pl.DataFrame(
                {
                    "Periode": [months[i] for i in rng.integers(0, len(months), n)],
                    "Kundenr": [customers[i][0] for i in c],
                    "Kundenavn": [customers[i][1] for i in c],
                    "Varenr": [packages[i][0] for i in p],
                    "Varenavn": [packages[i][1] for i in p],
                    "ATC": [packages[i][2] for i in p],
                    "Antall": quantity,
                    "Beløp eks mva": (quantity * price).round(2),
                    "DDD": np.where(rng.random(n) < 0.3, np.nan, ddd),
                    "Bruksområde": ["Biologiske legemidler"] * n,
                }
            ).with_columns(pl.col("DDD").fill_nan(None))
            if done < xlsx_rows:
                frames_for_xlsx.append(frame.head(xlsx_rows - done))
            text = frame.with_columns(
                pl.col("Beløp eks mva", "DDD")
                .cast(pl.String)
                .str.replace(".", ",", literal=True)
                .fill_null("")
            )
            text.write_csv(out, separator=";", include_header=False, line_terminator="\r\n")
            done += n
    tmp.replace(csv_path)
    csv_s = since(started)
    xlsx_s = 0.0
    if xlsx_rows:
        started = time.perf_counter()
        tmp = xlsx_path.with_name(xlsx_path.name + ".tmp.xlsx")
        pl.concat(frames_for_xlsx).write_excel(tmp, worksheet="SLS", autofit=False)
        tmp.replace(xlsx_path)
        xlsx_s = since(started)
    return {"rows": rows, "xlsx_rows": xlsx_rows, "csv_s": csv_s, "xlsx_s": xlsx_s}


def _child_migrate() -> Json:
    """A fresh database with the demo trust's organisation and catalogue (not timed)."""
    import django

    django.setup()
    from django.core.management import call_command

    from legemiddel.catalogue.services import fest_import
    from legemiddel.demo import festgen
    from legemiddel.demo.services import DATA_DIR
    from legemiddel.organisation.services import organisation_import_csv

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    organisation_import_csv(
        data=(DATA_DIR / "organisasjon.csv").read_bytes(), file_name="organisasjon.csv"
    )
    fest_import(path=festgen.DEMO_FEST, file_name=festgen.DEMO_FEST.name)
    return {"seconds": since(started)}


def _child_import(path: Path) -> Json:
    import django

    django.setup()
    from legemiddel.usage.models import ImportBatch, MonthlyUsage, SalesLine
    from legemiddel.usage.services import usage_import

    ImportBatch.objects.all().delete()  # the same file again, as a fresh import
    started = time.perf_counter()
    result = usage_import(source="sls", path=path, file_name=path.name)
    seconds = since(started)
    memory = peak_memory()
    return {
        "seconds": seconds,
        "rows_read": result.batch.rows_read,
        "rows_accepted": result.batch.rows_accepted,
        "rows_replaced": result.batch.rows_replaced,
        "stored": SalesLine.objects.count(),
        "cube_cells": MonthlyUsage.objects.count(),
        **memory,
    }


def _child_bare(path: Path) -> Json:
    """The limit: the CSV as text into a plain table, with nothing checked."""
    import django

    django.setup()
    from django.db import connection, transaction

    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare")
        cursor.execute(f"CREATE TABLE bench_bare ({columns})")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = "COPY bench_bare FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)"
            with cursor.cursor.copy(sql) as copy, path.open("rb") as handle:
                while block := handle.read(1024 * 1024):
                    copy.write(block)
        else:
            # The fastest plain way we know: polars reads, sqlite3 inserts 500 rows a statement.
            from itertools import chain, islice

            import polars as pl

            one = "(" + ", ".join(["?"] * len(HEADER)) + ")"
            sqlite = connection.connection
            for frame in pl.scan_csv(path, separator=";", infer_schema=False).collect_batches(
                chunk_size=500_000
            ):
                full = frame.height - frame.height % 500
                for rows, size in ((frame.head(full), 500), (frame.tail(frame.height - full), 1)):
                    it = rows.iter_rows()
                    sqlite.executemany(
                        "INSERT INTO bench_bare VALUES " + ", ".join([one] * size),  # noqa: S608
                        iter(lambda it=it, n=size: tuple(chain.from_iterable(islice(it, n))), ()),
                    )
    seconds = since(started)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_bare")
        (stored,) = cursor.fetchone()
        cursor.execute("DROP TABLE bench_bare")
    return {"seconds": seconds, "stored": stored, **peak_memory()}


def _child_pandas(path: Path) -> Json:
    """What an analyst would write: read_csv, then to_sql."""
    import django

    django.setup()
    import pandas as pd
    from django.db import connection

    started = time.perf_counter()
    frame = pd.read_csv(path, sep=";", decimal=",", dtype={"Kundenr": str, "Varenr": str})
    if connection.vendor == "postgresql":
        from sqlalchemy import create_engine

        settings = connection.settings_dict
        engine = create_engine(
            f"postgresql+psycopg://{settings['USER']}@{settings['HOST']}:{settings['PORT']}"
            f"/{settings['NAME']}"
        )
        with engine.begin() as db:
            frame.to_sql("bench_pandas", db, if_exists="replace", index=False, chunksize=100_000)
        engine.dispose()
    else:
        connection.ensure_connection()
        frame.to_sql(
            "bench_pandas",
            connection.connection,
            if_exists="replace",
            index=False,
            chunksize=100_000,
        )
        connection.connection.commit()
    seconds = since(started)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_pandas")
        (stored,) = cursor.fetchone()
        cursor.execute("DROP TABLE bench_pandas")
    return {"seconds": seconds, "stored": stored, **peak_memory()}


def child_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="usage_import.py _child")
    parser.add_argument("step", choices=("generate", "migrate", "import", "bare", "pandas"))
    parser.add_argument("--file", type=Path)
    parser.add_argument("--xlsx", type=Path)
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--xlsx_rows", type=int, default=0)
    args = parser.parse_args(argv)
    if args.step == "generate":
        result = _child_generate(args.file, args.xlsx, args.rows, args.xlsx_rows)
    elif args.step == "migrate":
        result = _child_migrate()
    elif args.step == "import":
        result = _child_import(args.file)
    elif args.step == "bare":
        result = _child_bare(args.file)
    else:
        result = _child_pandas(args.file)
    print(json.dumps(result), flush=True)
    return 0


# --- Parent side ------------------------------------------------------------------------------


def ensure_files(workdir: Path, rows: int, xlsx_rows: int) -> tuple[Path, Path | None]:
    """The generated files, cached per row count and version of this script."""
    # Regenerated when the generator changes, not when the rest of the script does.
    source = inspect.getsource(_child_generate) + inspect.getsource(_registers) + repr(HEADER)
    version = hashlib.sha256(source.encode()).hexdigest()[:12]
    csv_path = workdir / f"sls-{rows}.csv"
    xlsx_path = workdir / f"sls-{xlsx_rows}.xlsx"
    meta_path = workdir / f"sls-{rows}-{xlsx_rows}.json"
    if meta_path.exists() and csv_path.exists() and (not xlsx_rows or xlsx_path.exists()):
        meta = json.loads(meta_path.read_text())
        if meta.get("version") == version and meta.get("csv_bytes") == csv_path.stat().st_size:
            log(f"using cached {csv_path.name} ({meta['csv_bytes'] / 1e6:.0f} MB)")
            return csv_path, xlsx_path if xlsx_rows else None
    log(
        f"generating {rows:,} SLS lines as CSV"
        + (f" and {xlsx_rows:,} as XLSX" if xlsx_rows else "")
    )
    out = run_child(
        "generate",
        env=django_env(MEMORY_DB, workdir),
        file=csv_path,
        xlsx=xlsx_path,
        rows=rows,
        xlsx_rows=xlsx_rows,
    )
    log(f"generated in {out['csv_s']:.1f} s (CSV) + {out['xlsx_s']:.1f} s (XLSX)")
    meta_path.write_text(
        json.dumps({"version": version, "csv_bytes": csv_path.stat().st_size, **out}) + "\n"
    )
    return csv_path, xlsx_path if xlsx_rows else None


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the SLS usage import (CSV and XLSX) against bare and pandas loads."
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="Lines in the file (1M).")
    parser.add_argument("--repeat", type=int, default=3, help="Runs per measurement (3).")
    parser.add_argument(
        "--memory-rows",
        type=int,
        default=10_000_000,
        help="Lines in the file for the peak-memory run (10M; 0 skips it).",
    )
    parser.add_argument(
        "--databases", default=",".join(DATABASES), help="sqlite,postgresql (both)."
    )
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--require-postgres", action="store_true")
    args = parser.parse_args(argv)
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if set(args.databases) - set(DATABASES) or not args.databases:
        parser.error(f"--databases takes {', '.join(DATABASES)}; got {args.databases}")
    if args.rows < 1 or args.repeat < 1 or args.memory_rows < 0:
        parser.error("--rows and --repeat must be at least 1, --memory-rows at least 0")
    return args


def measure(
    target: Target,
    run: int,
    *,
    workdir: Path,
    csv_path: Path,
    xlsx_path: Path | None,
    rows: int,
    xlsx_rows: int,
    problems: list[str],
) -> Json:
    label = f"{target.name} {run + 1}"
    url = target.create(run)
    try:
        env = django_env(url, workdir)
        run_child("migrate", env=env)
        out: Json = {}
        for step, path, expect in (
            ("import", csv_path, rows),
            ("bare", csv_path, rows),
            ("pandas", csv_path, rows),
            ("xlsx", xlsx_path, xlsx_rows),
        ):
            if path is None:
                continue
            result = run_child("import" if step == "xlsx" else step, env=env, file=path)
            stored = result.get("rows_accepted", result.get("stored"))
            if stored != expect:
                problems.append(f"{label} {step}: {stored} rows stored, expected {expect}")
            check_memory_figure(f"{label} {step}", result, problems)
            result["rows_s"] = rows_per_second(expect, result["seconds"])
            out[step] = result
            log(
                f"{label}: {step:<6} {result['seconds']:6.2f} s = {result['rows_s']:>9,} rows/s, "
                f"peak {mb(result['rss_kb'])} MB"
            )
        return out
    finally:
        target.drop(run)


def summarise(runs: list[Json]) -> Json:
    def med(step: str, key: str) -> float:
        return median([r[step][key] for r in runs if step in r])

    out: Json = {}
    for step in ("import", "bare", "pandas", "xlsx"):
        if any(step in r for r in runs):
            out[f"{step}_s_median"] = med(step, "seconds")
            out[f"{step}_s_runs"] = [r[step]["seconds"] for r in runs if step in r]
            out[f"{step}_rows_s_median"] = round(med(step, "rows_s"))
            out[f"{step}_peak_mb_max"] = mb(max(r[step]["rss_kb"] for r in runs if step in r))
    out["import_vs_bare"] = round(out["import_s_median"] / out["bare_s_median"], 2)
    out["pandas_vs_import"] = round(out["pandas_s_median"] / out["import_s_median"], 2)
    bars = {
        "csv_rows_s": out["import_rows_s_median"] >= CSV_BAR_ROWS_S,
        "csv_vs_bare": out["import_vs_bare"] <= BARE_RATIO_BAR,
    }
    if "xlsx_rows_s_median" in out:
        bars["xlsx_rows_s"] = out["xlsx_rows_s_median"] >= XLSX_BAR_ROWS_S
    out["bars"] = bars
    out["bars_ok"] = all(bars.values())
    return out


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now().astimezone()
    info = machine()
    log(
        f"{info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB, "
        f"load {info['loadavg_start']}; Python {platform.python_version()}"
    )
    xlsx_rows = min(args.rows, XLSX_MAX_ROWS)
    csv_path, xlsx_path = ensure_files(workdir, args.rows, xlsx_rows)
    targets, skipped = database_targets(args.databases, workdir, log)
    problems: list[str] = []
    runs: dict[str, list[Json]] = {t.name: [] for t in targets}
    for run in range(args.repeat):
        for target in targets:
            runs[target.name].append(
                measure(
                    target,
                    run,
                    workdir=workdir,
                    csv_path=csv_path,
                    xlsx_path=xlsx_path,
                    rows=args.rows,
                    xlsx_rows=xlsx_rows,
                    problems=problems,
                )
            )
    results: Json = {}
    for name in args.databases:
        results[name] = (
            summarise(runs[name]) if name in runs else {"skipped": skipped[name], "bars_ok": None}
        )

    memory: Json | None = None
    if args.memory_rows and targets:
        big_csv, _ = ensure_files(workdir, args.memory_rows, 0)
        target = targets[0]
        url = target.create(99)
        try:
            env = django_env(url, workdir)
            run_child("migrate", env=env)
            result = run_child("import", env=env, file=big_csv)
        finally:
            target.drop(99)
        if result["rows_accepted"] != args.memory_rows:
            problems.append(f"memory run stored {result['rows_accepted']} of {args.memory_rows}")
        check_memory_figure("memory run", result, problems)
        memory = {
            "database": target.name,
            "rows": args.memory_rows,
            "seconds": result["seconds"],
            "rows_s": rows_per_second(args.memory_rows, result["seconds"]),
            "peak_mb": mb(result["rss_kb"]),
            "bar_ok": mb(result["rss_kb"]) <= RSS_BAR_MB,
        }
        log(
            f"memory run ({target.name}, {args.memory_rows:,} lines): {result['seconds']:.1f} s, "
            f"peak {memory['peak_mb']} MB (bar {RSS_BAR_MB:.0f} MB): "
            f"{'PASS' if memory['bar_ok'] else 'FAIL'}"
        )

    for name, result in results.items():
        if "skipped" in result:
            log(f"{name}: SKIPPED ({result['skipped']})")
            continue
        log(
            f"{name}: CSV {result['import_rows_s_median']:,} rows/s (bar {CSV_BAR_ROWS_S:,}), "
            f"{result['import_vs_bare']}x bare (bar {BARE_RATIO_BAR}x), pandas takes "
            f"{result['pandas_vs_import']}x as long; XLSX "
            f"{result.get('xlsx_rows_s_median', 0):,} rows/s (bar {XLSX_BAR_ROWS_S:,}): "
            f"{'PASS' if result['bars_ok'] else 'FAIL'}"
        )
    for problem in problems:
        log(f"PROBLEM: {problem}")
    measured = [r for r in results.values() if "skipped" not in r]
    bars_ok = (
        bool(measured)
        and all(r["bars_ok"] for r in measured)
        and (memory is None or memory["bar_ok"])
    )
    info["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    report = {
        "benchmark": "usage_import",
        "machine": info,
        "date": started.isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "rows": args.rows,
        "xlsx_rows": xlsx_rows,
        "csv_bytes": csv_path.stat().st_size,
        "repeat": args.repeat,
        "bars": {
            "csv_rows_s": CSV_BAR_ROWS_S,
            "csv_vs_bare": BARE_RATIO_BAR,
            "xlsx_rows_s": XLSX_BAR_ROWS_S,
            "peak_mb": RSS_BAR_MB,
        },
        "databases": results,
        "memory": memory,
        "bars_ok": bars_ok,
        "problems": problems,
        "parent_rss_mb": mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "wall_s": round(time.monotonic() - _T0, 1),
    }
    print(json.dumps(report, ensure_ascii=False))
    if problems or (measured and not bars_ok):
        return 1
    if skipped.get("postgresql") and args.require_postgres:
        return 2
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        sys.exit(child_main(sys.argv[2:]))
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as exc:
        log(f"FAILED: {exc}")
        sys.exit(1)
