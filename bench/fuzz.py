"""The long fuzzing run: ten thousand (``--examples``) generated files per importer.

    python bench/fuzz.py --examples 10000 [--jobs 2] [--only sls,fest] [--seed 1]

Runs the harness of ``tests/fuzz`` (the same files and properties as the test suite, which
tries a few dozen) in child processes, one importer at a time per process, each on its own
in-memory SQLite database with every file's import rolled back. Prints one line per importer
and, last, one JSON object: per importer the files tried, accepted, rejected, failures found
(with the first few explained) and the duration. Record the result in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

CHECKOUT = Path(__file__).resolve().parent.parent
MAX_EXPLAINED = 5


def _django() -> None:
    sys.path[:0] = [str(CHECKOUT / "src"), str(CHECKOUT)]
    os.environ["DJANGO_SETTINGS_MODULE"] = "legemiddel.config.settings"
    os.environ["LEGEMIDDEL_MODE"] = "test"
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


class _TimeUp(Exception):
    pass


def fuzz_one(
    key: str, examples: int, seed: int, shard: int, stop_at: float, progress: str
) -> dict[str, Any]:
    """Run ``examples`` files through one importer in this process; never raises on a
    failure found, counts it instead. Stops early at ``stop_at`` (a time.time()), and writes
    the counts so far to ``progress`` every few hundred files."""
    _django()
    import logging

    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed
    from tests.fuzz import importers  # noqa: F401  (registers every importer)
    from tests.fuzz.harness import REGISTRY, FuzzFile, check, fuzz_file, workdir

    logging.disable(logging.CRITICAL)  # the importers log refusals; the counts say enough
    importer = REGISTRY[key]
    importer.seed()
    tmp = workdir()
    counts = {"files": 0, "accepted": 0, "rejected": 0, "failures": 0, "known": 0}
    explained: list[str] = []
    known: set[str] = set()
    started = time.monotonic()

    @hseed(seed * 1000 + shard)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(file=fuzz_file(importer))
    def one(file: FuzzFile) -> None:
        if time.time() > stop_at:
            raise _TimeUp
        outcome = check(importer, file, tmp)
        counts["files"] += 1
        if outcome.kind == "failure" and outcome.expected_failure:
            counts["known"] += 1
            known.add(outcome.expected_failure)
        elif outcome.kind == "failure":
            counts["failures"] += 1
            if len(explained) < MAX_EXPLAINED:
                explained.append(f"{outcome.detail[-1500:]}\nfile: {file.describe()}")
        else:
            counts[outcome.kind] += 1
        if progress and counts["files"] % 250 == 0:
            with open(progress, "a", encoding="utf-8") as out:
                out.write(json.dumps(result()) + "\n")

    def result() -> dict[str, Any]:
        return {
            "importer": key,
            "shard": shard,
            **counts,
            "seconds": round(time.monotonic() - started, 1),
            "known_defects": sorted(known),
            "failures_explained": explained,
            "stopped_early": time.time() > stop_at,
        }

    try:
        one()
    except _TimeUp:
        pass
    except Exception:  # the harness itself broke: say so instead of losing the counts
        counts["failures"] += 1
        explained.append("the run stopped:\n" + traceback.format_exc(limit=12)[-3000:])
    return result()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000, help="files per importer")
    parser.add_argument("--jobs", type=int, default=2, help="processes at once")
    parser.add_argument("--shards", type=int, default=1, help="processes per importer")
    parser.add_argument("--only", default="", help="importers, comma-separated (default: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    parser.add_argument(
        "--minutes", type=float, default=0, help="stop each importer after this long (0: never)"
    )
    parser.add_argument("--progress", default="", help="append running counts (JSON lines)")
    args = parser.parse_args(argv)

    if args.only:
        keys = args.only.split(",")
    else:
        _django()
        from tests.fuzz import importers  # noqa: F401
        from tests.fuzz.harness import REGISTRY

        keys = sorted(REGISTRY)
    per_shard = -(-args.examples // args.shards)
    started = time.monotonic()
    stop_at = time.time() + args.minutes * 60 if args.minutes else float("inf")
    results: dict[str, dict[str, Any]] = {}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = {
            pool.submit(fuzz_one, key, per_shard, args.seed, shard, stop_at, args.progress): key
            for key in keys
            for shard in range(args.shards)
        }
        for future in as_completed(futures):
            part = future.result()
            total = results.setdefault(
                part["importer"],
                {
                    "importer": part["importer"],
                    "files": 0,
                    "accepted": 0,
                    "rejected": 0,
                    "failures": 0,
                    "known": 0,
                    "seconds": 0.0,
                    "known_defects": [],
                    "failures_explained": [],
                    "stopped_early": False,
                },
            )
            for name in ("files", "accepted", "rejected", "failures", "known", "seconds"):
                total[name] += part[name]
            total["stopped_early"] = total["stopped_early"] or part["stopped_early"]
            total["known_defects"] = sorted({*total["known_defects"], *part["known_defects"]})
            total["failures_explained"] += part["failures_explained"][:MAX_EXPLAINED]
            print(
                f"{part['importer']:>11}: {part['files']} files, {part['accepted']} accepted, "
                f"{part['rejected']} rejected, {part['failures']} failures, "
                f"{part['known']} known defects, {part['seconds']} s",
                file=sys.stderr,
                flush=True,
            )
    report = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "examples_per_importer": args.examples,
        "seed": args.seed,
        "wall_seconds": round(time.monotonic() - started, 1),
        "importers": [results[k] for k in keys if k in results],
    }
    text = json.dumps(report, ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 1 if any(r["failures"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
