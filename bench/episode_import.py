"""Benchmark: the episode import (income control) on a generated file: time and peak memory.

Writes an episode file of ``--rows`` rows as the NPR report has it (one row per code, two codes
per episode, the units of a synthetic trust, valid synthetic fødselsnummer), then in child
processes: a fresh SQLite database with the trust's units, and the import of the file
(``episodes_import``), timed (``import_s``) with the process's peak memory (``peak_mb``,
``ru_maxrss`` and VmHWM). ``--src`` imports the product from another source tree (to compare a
change with the version before it on the same file).

    .venv/bin/python bench/episode_import.py [--rows 2000000] [--workdir var/bench] [--src DIR]

Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchlib import CHECKOUT, SqliteTarget, django_env, logger, machine, mb, peak_memory, since
from benchlib import run_child as _run_child

SCRIPT = Path(__file__).resolve()
DEFAULT_WORKDIR = CHECKOUT / "var" / "bench"
SEED = 2026
Json = dict[str, Any]
log = logger("episode-import")


def run_child(step: str, *, env: dict[str, str] | None = None, **options: object) -> Json:
    return _run_child(SCRIPT, step, env=env, **options)


def _units() -> list[str]:
    return [f"K{c}D{d}U{u}" for c in range(8) for d in range(5) for u in range(5)]


def _fnrs(count: int) -> list[str]:
    """Valid synthetic fødselsnummer (born 1940-1999, check digits computed)."""
    import random

    from stdnum.no import fodselsnummer

    rng = random.Random(SEED)  # noqa: S311 - test data, not a secret
    found: set[str] = set()
    while len(found) < count:
        day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(40, 99)
        base = f"{day:02d}{month:02d}{year:02d}{rng.randint(0, 499):03d}"
        first = fodselsnummer.calc_check_digit1(base)
        second = fodselsnummer.calc_check_digit2(base + first)
        if len(first) == 1 and len(second) == 1:  # "10": no number has these first digits
            found.add(base + first + second)
    return sorted(found)


def write_file(path: Path, rows: int) -> int:
    """The episode file: ``rows`` rows, two codes per episode, over 2024."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(SEED)
    n_ep = max(1, rows // 2)
    fnrs = pl.Series(_fnrs(max(1, n_ep // 3)))
    units = pl.Series(_units())
    day = rng.integers(0, 366, n_ep)
    minute = rng.integers(7 * 60, 15 * 60, n_ep)
    start = (
        np.datetime64("2024-01-01T00:00")
        + day.astype("timedelta64[D]")
        + minute.astype("timedelta64[m]")
    ).astype("datetime64[ms]")
    drug = rng.random(n_ep) < 0.5
    episodes = pl.DataFrame(
        {
            "i": np.arange(n_ep),
            "fnr": fnrs.gather(rng.integers(0, fnrs.len(), n_ep)),
            "unit": units.gather(rng.integers(0, units.len(), n_ep)),
            "start": start,
            "end": start + np.timedelta64(40 * 60 * 1000, "ms"),
            "hpr": rng.integers(1_000_000, 1_002_000, n_ep),
            "drug": drug,
        }
    ).with_columns(
        pl.format("EP-{}", pl.col("i")).alias("episode"),
        pl.col("start").dt.strftime("%Y-%m-%d %H:%M"),
        pl.col("end").dt.strftime("%Y-%m-%d %H:%M"),
        pl.col("hpr").cast(pl.String),
        pl.lit("poliklinikk").alias("contact"),
    )
    first = episodes.with_columns(
        pl.lit("ICD-10").alias("system"), pl.lit("Z51.1").alias("code"), pl.lit("H").alias("main")
    )
    second = episodes.with_columns(
        pl.when(pl.col("drug")).then(pl.lit("ATC")).otherwise(pl.lit("NCSP")).alias("system"),
        pl.when(pl.col("drug")).then(pl.lit("S01LA05")).otherwise(pl.lit("CKD05")).alias("code"),
        pl.lit("B").alias("main"),
    )
    out = (
        pl.concat([first, second])
        .sort("i", maintain_order=True)
        .select(
            pl.col("episode").alias("episode"),
            pl.col("fnr").alias("fødselsnummer"),
            pl.col("unit").alias("enhet"),
            pl.col("contact").alias("kontakttype"),
            pl.col("start").alias("start"),
            pl.col("end").alias("slutt"),
            pl.col("hpr").alias("ansvarlig hpr"),
            pl.col("system").alias("kodeverk"),
            pl.col("code").alias("kode"),
            pl.col("main").alias("hoved"),
        )
    )
    out.write_csv(path, separator=";")
    return out.height


# --- Child side -------------------------------------------------------------------------------


def _child_setup() -> Json:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from legemiddel.organisation.models import HealthTrust, OrgUnit

    call_command("migrate", verbosity=0, interactive=False)
    trust = HealthTrust.objects.create(code="BENCH", name="Benchmark HF")
    with transaction.atomic():
        for code in _units():
            OrgUnit.objects.create(trust=trust, level=1, code=code, name=code, path=code)
    return {}


def _child_import(file: str) -> Json:
    import django

    django.setup()
    from legemiddel.coding.importing import episodes_import

    started = time.perf_counter()
    result = episodes_import(path=Path(file))
    return {
        "import_s": since(started),
        **peak_memory(),
        "episodes": result.batch.episodes,
        "rows": result.batch.rows_read,
        "text": result.as_text(),
    }


def child_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="episode_import.py _child")
    parser.add_argument("step", choices=("setup", "import"))
    parser.add_argument("--file", default="")
    args = parser.parse_args(argv)
    result = _child_setup() if args.step == "setup" else _child_import(args.file)
    print(json.dumps(result), flush=True)
    return 0


# --- Parent side ------------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--src", default="", help="import the product from this source tree")
    args = parser.parse_args(argv)
    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"episoder-{args.rows}.csv"
    if not path.exists():
        log(f"writing {args.rows:,} rows to {path.name}")
        started = time.perf_counter()
        write_file(path, args.rows)
        log(f"written in {since(started)} s ({path.stat().st_size / 1e6:.0f} MB)")
    target = SqliteTarget(workdir)
    env = django_env(target.create(0), workdir)
    if args.src:
        env["PYTHONPATH"] = os.pathsep.join([args.src, os.environ.get("PYTHONPATH", "")])
    try:
        run_child("setup", env=env)
        found = run_child("import", env=env, file=path)
    finally:
        target.drop(0)
    log(f"imported in {found['import_s']} s, peak {mb(found['rss_kb'])} MB")
    result = {
        "machine": machine(),
        "rows": found["rows"],
        "episodes": found["episodes"],
        "import_s": found["import_s"],
        "peak_mb": mb(found["rss_kb"]),
        "hwm_mb": mb(found["hwm_kb"]),
        "text": found["text"],
        "src": args.src or "checkout",
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["_child"]:
        sys.exit(child_main(sys.argv[2:]))
    sys.exit(main(sys.argv[1:]))
