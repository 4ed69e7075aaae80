"""Benchmark: importing a full-size FEST file into SQLite and PostgreSQL.

Generates (once, cached in the work directory) a synthetic FEST M30 file as large as the national
one with ``festgen.synthetic_catalogue()`` and ``festgen.write_file``, then for each database and
each repeat: creates a fresh database, migrates it (not timed), times a first import into it and
a re-import of the same file. Each step runs in its own child Python process, so the peak memory
(``ru_maxrss``) reported is that of one import. As a baseline, the same file is parsed with
``lxml.etree.iterparse`` doing nothing else, interleaved with the imports; and, to show the
parsing share of an import, read with the importer's own reader (``fest.read_fest``) without a
database.

Checks the acceptance bars (import <= 30 s, re-import <= 15 s, peak memory <= 400 MB, medians
for times, the largest peak for memory) on every database measured. Progress goes to stderr;
the last line of stdout is one JSON object with the figures.

    .venv/bin/python bench/fest_import.py [--repeat 3] [--databases sqlite,postgresql]
        [--workdir var/bench] [--packages N] [--require-postgres]

Exit status: 0 when every database measured meets the bars, 1 when one does not (or a step
fails), 2 when PostgreSQL was skipped and ``--require-postgres`` was given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Sequence
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
    since,
)
from benchlib import run_child as _run_child

SCRIPT = Path(__file__).resolve()
DEFAULT_WORKDIR = CHECKOUT / "var" / "bench"
FESTGEN_SOURCE = CHECKOUT / "src" / "legemiddel" / "demo" / "festgen"
DATABASES = ("sqlite", "postgresql")

# The acceptance bars.
IMPORT_BAR_S = 30.0
REIMPORT_BAR_S = 15.0
RSS_BAR_MB = 400.0
MIN_FILE_BYTES = 100 * 1000 * 1000  # 100 MB of XML; the national file is ~118 MB
MIN_PACKAGES = 11_000

_T0 = time.monotonic()
log = logger("fest_import")


def run_child(step: str, *, env: dict[str, str] | None = None, **options: object) -> Json:
    return _run_child(SCRIPT, step, env=env, **options)


# --- Child side: one step per process ----------------------------------------------------------


def _child_generate(path: Path, packages: int) -> Json:
    import django

    django.setup()
    from legemiddel.demo import festgen

    started = time.perf_counter()
    catalogue = festgen.synthetic_catalogue(packages=packages)
    tmp = path.with_name(path.name + ".tmp")
    size = festgen.write_file(catalogue, tmp)
    tmp.replace(path)
    return {"bytes": size, "packages": len(catalogue.packages), "seconds": since(started)}


def _child_migrate() -> Json:
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    return {"seconds": since(started)}


def _child_import(path: Path) -> Json:
    import django

    django.setup()
    from legemiddel.catalogue.services import fest_import

    started = time.perf_counter()
    result = fest_import(path=path, file_name=path.name)
    seconds = since(started)
    counts = dict(result.counts)
    written = sum(v for k, v in counts.items() if k.endswith(("_created", "_updated", "_retired")))
    memory = peak_memory()  # before searching, so the figure is the import's
    return {
        "seconds": seconds,
        "counts": counts,
        "written": written,
        "search_ms": _search_times(),
        **memory,
    }


SEARCHES = ("tab 10", "ra", "100", "l04", "teva 5 mg", "finnes ikke", "kaps", "70418", "ni zo")


def _search_times() -> list[float]:
    """What a user waits for as they type: count plus the first page of a catalogue search."""
    from legemiddel.catalogue.selectors import package_search

    times = []
    for _ in range(3):
        for q in SEARCHES:
            started = time.perf_counter()
            found = package_search(q)
            found.count()
            list(found[:50])
            times.append(round((time.perf_counter() - started) * 1000, 2))
    return times


def _child_parse(path: Path) -> Json:
    """The bare parse a user would otherwise have: iterparse, clear, nothing else."""
    from lxml import etree

    started = time.perf_counter()
    elements = 0
    for _event, elem in etree.iterparse(str(path), events=("end",)):
        elements += 1
        elem.clear()
        # Cleared elements stay in the tree as empty nodes: drop them so memory stays flat.
        parent = elem.getparent()
        if parent is not None:
            while elem.getprevious() is not None:
                del parent[0]
    return {"seconds": since(started), "elements": elements, **peak_memory()}


def _child_read(path: Path) -> Json:
    """The importer's own reader (``fest.read_fest``) with no database: the parsing share of an
    import."""
    import django

    django.setup()
    from legemiddel.catalogue import fest

    started = time.perf_counter()
    items = 0
    with fest.open_fest(path) as stream:
        for _item in fest.read_fest(stream):
            items += 1
    return {"seconds": since(started), "items": items, **peak_memory()}


def _child_defaults() -> Json:
    import inspect

    from legemiddel.demo import festgen

    params = inspect.signature(festgen.synthetic_catalogue).parameters
    return {"packages": int(params["packages"].default)}


def child_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="fest_import.py _child")
    parser.add_argument(
        "step", choices=("generate", "migrate", "import", "parse", "read", "defaults")
    )
    parser.add_argument("--file", type=Path)
    parser.add_argument("--packages", type=int, default=0)
    args = parser.parse_args(argv)
    steps: dict[str, Callable[[], Json]] = {
        "generate": lambda: _child_generate(args.file, args.packages),
        "migrate": _child_migrate,
        "import": lambda: _child_import(args.file),
        "parse": lambda: _child_parse(args.file),
        "read": lambda: _child_read(args.file),
        "defaults": _child_defaults,
    }
    print(json.dumps(steps[args.step]()), flush=True)
    return 0


# --- Parent side ------------------------------------------------------------------------------


def ensure_file(workdir: Path, packages: int) -> Json:
    """The synthetic FEST file, generated once per package count and festgen version."""
    path = workdir / f"fest-synthetic-{packages}.xml"
    meta_path = path.with_suffix(".json")
    festgen_sha = hashlib.sha256(
        b"".join(p.read_bytes() for p in sorted(FESTGEN_SOURCE.glob("*.py")))
    ).hexdigest()
    if path.exists() and meta_path.exists():
        meta: Json = json.loads(meta_path.read_text())
        if meta.get("festgen_sha256") == festgen_sha and meta.get("bytes") == path.stat().st_size:
            log(f"using cached {path} ({meta['bytes'] / 1e6:.1f} MB, {meta['packages']} packages)")
            meta["path"] = str(path)
            return meta
    log(f"generating {path} with festgen.synthetic_catalogue(packages={packages}) ...")
    # In a child: the catalogue is held in memory while written, and a big parent would raise
    # the ru_maxrss every later child starts from.
    out = run_child("generate", env=django_env(MEMORY_DB, workdir), file=path, packages=packages)
    meta = {
        "bytes": out["bytes"],
        "packages": out["packages"],
        "festgen_sha256": festgen_sha,
        "generated_s": out["seconds"],
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    log(f"generated in {out['seconds']:.1f} s")
    meta["path"] = str(path)
    return meta


# --- Databases ---------------------------------------------------------------------------------


# --- Measuring ---------------------------------------------------------------------------------


class DatabaseRuns:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.migrate: list[float] = []
        self.imports: list[Json] = []
        self.reimports: list[Json] = []

    def summary(self, baseline_median: float) -> Json:
        import_s = [r["seconds"] for r in self.imports]
        reimport_s = [r["seconds"] for r in self.reimports]
        rss = [r["rss_kb"] for r in self.imports + self.reimports]
        searches = sorted(t for r in self.reimports for t in r.get("search_ms", []))
        out: Json = {
            "version": self.target.version,
            "import_s_median": median(import_s),
            "import_s_runs": [round(s, 2) for s in import_s],
            "reimport_s_median": median(reimport_s),
            "reimport_s_runs": [round(s, 2) for s in reimport_s],
            "peak_rss_mb_max": mb(max(rss)),
            "import_rss_mb_runs": [mb(r["rss_kb"]) for r in self.imports],
            "reimport_rss_mb_runs": [mb(r["rss_kb"]) for r in self.reimports],
            "migrate_s_runs": [round(s, 2) for s in self.migrate],
            "search_ms_median": median(searches) if searches else None,
            "search_ms_p95": searches[int(0.95 * (len(searches) - 1))] if searches else None,
            "import_vs_parse": round(median(import_s) / baseline_median, 1),
            "reimport_vs_parse": round(median(reimport_s) / baseline_median, 1),
        }
        bars = {
            "import_s": out["import_s_median"] <= IMPORT_BAR_S,
            "reimport_s": out["reimport_s_median"] <= REIMPORT_BAR_S,
            "peak_rss_mb": out["peak_rss_mb_max"] <= RSS_BAR_MB,
        }
        out["bars"] = bars
        out["bars_ok"] = all(bars.values())
        return out


def measure_one(
    runs: DatabaseRuns,
    run: int,
    *,
    file: Path,
    workdir: Path,
    packages: int,
    problems: list[str],
) -> None:
    target = runs.target
    label = f"{target.name} {run + 1}"
    url = target.create(run)
    try:
        env = django_env(url, workdir)
        migrated = run_child("migrate", env=env)
        runs.migrate.append(migrated["seconds"])
        log(f"{label}: migrated in {migrated['seconds']:.1f} s (not timed)")
        first = run_child("import", env=env, file=file)
        runs.imports.append(first)
        log(
            f"{label}: import {first['seconds']:.2f} s, peak {mb(first['rss_kb'])} MB, "
            f"{first['counts'].get('packages_created', 0)} packages created"
        )
        check_memory_figure(f"{label} import", first, problems)
        if first["counts"].get("packages_created", 0) != packages:
            problems.append(
                f"{label}: first import created {first['counts'].get('packages_created')} "
                f"packages, expected {packages}"
            )
        again = run_child("import", env=env, file=file)
        runs.reimports.append(again)
        log(
            f"{label}: re-import {again['seconds']:.2f} s, peak {mb(again['rss_kb'])} MB, "
            f"{again['written']} rows written"
        )
        check_memory_figure(f"{label} re-import", again, problems)
        if again["written"]:
            problems.append(
                f"{label}: re-import of the same file wrote {again['written']} rows "
                f"(expected none): {again['counts']}"
            )
    finally:
        target.drop(run)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="FEST import benchmark (SQLite and PostgreSQL); JSON on stdout's last line."
    )
    parser.add_argument("--repeat", type=int, default=3, help="Runs per measurement (3).")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help=f"Cache and scratch ({DEFAULT_WORKDIR}).",
    )
    parser.add_argument(
        "--databases",
        default=",".join(DATABASES),
        help="Comma-separated: sqlite, postgresql (both).",
    )
    parser.add_argument(
        "--packages", type=int, default=None, help="Packages in the file (festgen's default)."
    )
    parser.add_argument(
        "--require-postgres",
        action="store_true",
        help="Exit non-zero if PostgreSQL cannot be measured.",
    )
    args = parser.parse_args(argv)
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(args.databases) - set(DATABASES)
    if unknown or not args.databases:
        parser.error(f"--databases takes {', '.join(DATABASES)}; got {args.databases}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    packages: int = args.packages or int(
        run_child("defaults", env=django_env(MEMORY_DB, workdir))["packages"]
    )
    started = dt.datetime.now().astimezone()
    problems: list[str] = []
    info = machine()
    log(
        f"{info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB, "
        f"load {info['loadavg_start']}; Python {platform.python_version()}"
    )

    meta = ensure_file(workdir, packages)
    file = Path(meta["path"])
    file_bytes = int(meta["bytes"])
    log(
        f"FEST file {file}: {file_bytes:,} bytes ({file_bytes / 1e6:.1f} MB), "
        f"{meta['packages']} packages"
    )
    if file_bytes < MIN_FILE_BYTES:
        raise BenchError(f"the file is {file_bytes:,} bytes; the benchmark needs >= 100 MB")
    if args.packages is None and meta["packages"] < MIN_PACKAGES:
        raise BenchError(f"the file has {meta['packages']} packages; expected >= {MIN_PACKAGES}")

    targets, skipped = database_targets(args.databases, workdir, log)
    for target in targets:
        log(f"{target.name}: version {target.version}")

    baseline: list[Json] = []
    reader: list[Json] = []
    all_runs = {t.name: DatabaseRuns(t) for t in targets}
    for run in range(args.repeat):
        parsed = run_child("parse", file=file)
        baseline.append(parsed)
        log(
            f"baseline {run + 1}: iterparse {parsed['seconds']:.2f} s, "
            f"{parsed['elements']:,} elements, peak {mb(parsed['rss_kb'])} MB"
        )
        read = run_child("read", env=django_env(MEMORY_DB, workdir), file=file)
        reader.append(read)
        log(
            f"reader {run + 1}: fest.read_fest alone {read['seconds']:.2f} s, "
            f"{read['items']:,} items, peak {mb(read['rss_kb'])} MB"
        )
        for runs in all_runs.values():
            measure_one(
                runs,
                run,
                file=file,
                workdir=workdir,
                packages=int(meta["packages"]),
                problems=problems,
            )

    baseline_median = median([b["seconds"] for b in baseline])
    results: Json = {}
    for name in args.databases:
        if name in all_runs:
            results[name] = all_runs[name].summary(baseline_median)
        else:
            results[name] = {"skipped": skipped[name], "bars_ok": None}
    measured = [r for r in results.values() if "skipped" not in r]
    bars_ok = bool(measured) and all(r["bars_ok"] for r in measured)

    log(f"importer's reader alone: median {median([r['seconds'] for r in reader]):.2f} s")
    print_bars(results, baseline_median)
    for problem in problems:
        log(f"PROBLEM: {problem}")
    info["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    report = {
        "benchmark": "fest_import",
        "machine": info,
        "date": started.isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "file_bytes": file_bytes,
        "packages": meta["packages"],
        "repeat": args.repeat,
        "bars": {"import_s": IMPORT_BAR_S, "reimport_s": REIMPORT_BAR_S, "peak_rss_mb": RSS_BAR_MB},
        "baseline_parse_s_median": baseline_median,
        "baseline_parse_s_runs": [round(b["seconds"], 2) for b in baseline],
        "baseline_parse_rss_mb_max": mb(max(b["rss_kb"] for b in baseline)),
        "reader_s_median": median([r["seconds"] for r in reader]),
        "reader_s_runs": [round(r["seconds"], 2) for r in reader],
        "databases": results,
        "bars_ok": bars_ok,
        "problems": problems,
        "parent_rss_mb": mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "wall_s": round(time.monotonic() - _T0, 1),
    }
    print(json.dumps(report, ensure_ascii=False))
    if measured and not bars_ok:
        return 1
    if problems:
        return 1
    if skipped.get("postgresql") and args.require_postgres:
        return 2
    return 0


def print_bars(results: Json, baseline_median: float) -> None:
    log(f"baseline parse (iterparse, clear): median {baseline_median:.2f} s")
    checks: list[tuple[str, str, float, Callable[[float], str]]] = [
        ("import (median)", "import_s_median", IMPORT_BAR_S, lambda v: f"{v:.2f} s"),
        ("re-import (median)", "reimport_s_median", REIMPORT_BAR_S, lambda v: f"{v:.2f} s"),
        ("peak memory (max)", "peak_rss_mb_max", RSS_BAR_MB, lambda v: f"{v:.0f} MB"),
    ]
    for name, result in results.items():
        if "skipped" in result:
            log(f"{name}: SKIPPED ({result['skipped']})")
            continue
        for label, key, bar, fmt in checks:
            value = float(result[key])
            verdict = "PASS" if value <= bar else "FAIL"
            log(f"{name}: {label} {fmt(value)} (bar {fmt(bar)}): {verdict}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        sys.exit(child_main(sys.argv[2:]))
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as exc:
        log(f"FAILED: {exc}")
        sys.exit(1)
