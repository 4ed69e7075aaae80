"""Benchmark: income control at full size, SQLite and PostgreSQL side by side, and DuckDB.

Generates (vectorised with numpy and polars, straight into the database with the bulk writer:
``COPY`` on PostgreSQL, multi-row ``INSERT`` on SQLite) ``--administrations`` DIPS
administrations of the drugs the coding rules list, three episodes per administration and two
codes per episode (1 M / 3 M / 6 M by default), over 2024, at the units of a synthetic trust
(8 clinics > 40 departments > 200 units). About half the administrations carry their episode
id; of the linked episodes 85 % carry the drug code and 75 % the procedure code; the other
episodes are the patients' other contacts. The same rows are written to Parquet beforehand.

Then, for each database, each step in its own child process:

- **match**: ``coding_refresh()`` (all rules matched in SQL, then the findings refreshed),
  timed (``match_s``), with the process's peak memory (``peak_mb``, ``ru_maxrss``);
- **pages**: the work list page as the core group (all findings) and as a controller (one
  clinic), ``--requests`` timed requests after warm-up; ``worklist_p95_ms`` is the slower p95.

DuckDB joins the same rows read from the Parquet files (the match step's outcome per
administration, same rules), timed as ``match_s``; its outcome counts must equal the
database's.

Bars: match_s <= 60, peak_mb <= 1024, worklist_p95_ms <= 150 on every database.

    .venv/bin/python bench/coding.py [--administrations 1000000] [--requests 30]
        [--databases sqlite,postgresql] [--workdir var/bench]

Progress goes to stderr; the last line of stdout is one JSON object:
``{"sqlite": {"match_s", "peak_mb", "worklist_p95_ms", ...}, "postgresql": {...},
"duckdb": {"match_s", ...}}``. Exit status 1 when a bar fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchlib import (
    CHECKOUT,
    BenchError,
    Target,
    database_targets,
    django_env,
    logger,
    machine,
    mb,
    peak_memory,
    since,
)
from benchlib import run_child as _run_child

SCRIPT = Path(__file__).resolve()
DEFAULT_WORKDIR = CHECKOUT / "var" / "bench"
MATCH_BAR_S = 60.0
PEAK_BAR_MB = 1024.0
PAGE_BAR_MS = 150.0
WARMUP = 3
SEED = 2026
CORE = "bench-kjernegruppe"
CONTROLLER = "bench-controller"
Json = dict[str, Any]
log = logger("coding")


def run_child(step: str, *, env: dict[str, str] | None = None, **options: object) -> Json:
    return _run_child(SCRIPT, step, env=env, **options)


def _django() -> None:
    import django

    django.setup()


# --- Child side -------------------------------------------------------------------------------


def _frames(n: int) -> dict[str, Any]:
    """Units, administrations, episodes and codes as polars frames (no database)."""
    import numpy as np
    import polars as pl

    from legemiddel.coding.rules import load_rules

    rng = np.random.default_rng(SEED)
    rules = load_rules()
    drugs = [(atc, r.procedure[0] if r.procedure else "") for r in rules.rules for atc in r.atc]
    units = 200
    patients = max(1, n // 4)
    n_ep = 3 * n
    # Episodes 0..n-1 belong to the administrations; the rest are other contacts.
    ep_patient = rng.integers(0, patients, n_ep)
    ep_unit = rng.integers(0, units, n_ep)
    ep_day = rng.integers(0, 366, n_ep)
    ep_len = np.where(rng.random(n_ep) < 0.8, 0, rng.integers(1, 6, n_ep))
    first = np.datetime64("2024-01-01")
    episodes = pl.DataFrame(
        {
            "i": np.arange(n_ep),
            "patient": ep_patient,
            "unit": ep_unit,
            "start_day": first + ep_day.astype("timedelta64[D]"),
            "end_day": first + (ep_day + ep_len).astype("timedelta64[D]"),
        }
    ).with_columns(
        pl.format("E{}", pl.col("i")).alias("episode_ref"),
        pl.format("p{}", pl.col("patient")).alias("patient"),
    )
    drug_ix = rng.integers(0, len(drugs), n)
    atc = np.array([d[0] for d in drugs])[drug_ix]
    procedure = np.array([d[1] for d in drugs])[drug_ix]
    linked = episodes.head(n)
    administrations = pl.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "patient": linked["patient"],
            "unit": linked["unit"],
            "administered_on": linked["start_day"],
            "atc": atc,
            "episode": np.where(rng.random(n) < 0.5, linked["episode_ref"].to_numpy(), ""),
        }
    )
    diag = pl.DataFrame(
        {"episode_ref": episodes["episode_ref"], "system": "ICD10", "code": "Z511", "atc": ""}
    )
    has_drug = rng.random(n) < 0.85
    has_proc = (rng.random(n) < 0.75) & (procedure != "")
    drug_codes = pl.DataFrame(
        {"episode_ref": linked["episode_ref"], "system": "ATC", "code": atc, "atc": atc}
    ).filter(pl.Series(has_drug))
    proc_codes = pl.DataFrame(
        {"episode_ref": linked["episode_ref"], "system": "NCSP", "code": procedure, "atc": ""}
    ).filter(pl.Series(has_proc))
    # Second codes of the other contacts: a diagnosis, some with a drug code (reverse check).
    others = episodes.slice(n)
    other_drug = rng.random(others.height) < 0.02
    other_codes = pl.DataFrame(
        {
            "episode_ref": others["episode_ref"],
            "system": np.where(other_drug, "ATC", "ICD10"),
            "code": np.where(other_drug, atc[rng.integers(0, n, others.height)], "I109"),
        }
    ).with_columns(
        pl.when(pl.col("system") == "ATC").then(pl.col("code")).otherwise(pl.lit("")).alias("atc")
    )
    extra = max(0, 2 * n_ep - diag.height - drug_codes.height - proc_codes.height - others.height)
    filler = pl.DataFrame(
        {
            "episode_ref": episodes["episode_ref"].sample(extra, with_replacement=True, seed=SEED),
            "system": "ICD10",
            "code": "R69",
            "atc": "",
        }
    )
    codes = pl.concat([diag, drug_codes, proc_codes, other_codes, filler])
    return {"administrations": administrations, "episodes": episodes, "codes": codes}


def _child_setup(n: int, parquet_dir: str) -> Json:
    """Migrate, a synthetic trust, users, and the generated rows (also written as Parquet)."""
    _django()
    import datetime as dt

    import polars as pl
    from django.core.management import call_command
    from django.db import connection, transaction

    from legemiddel.accounts.roles import Role
    from legemiddel.accounts.services import user_create
    from legemiddel.coding.models import Episode, EpisodeCode, EpisodeImport
    from legemiddel.organisation.models import HealthTrust, OrgUnit
    from legemiddel.organisation.services import membership_add
    from legemiddel.usage.models import Administration, ImportBatch
    from legemiddel.usage.services.bulk import insert_frame

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    trust = HealthTrust.objects.create(code="BENCH", name="Benchmark HF")
    ids: list[int] = []
    with transaction.atomic():
        for c in range(8):
            clinic = OrgUnit.objects.create(
                trust=trust, level=1, code=f"K{c}", name=f"Klinikk {c}", path=f"K{c}"
            )
            for d in range(5):
                dep = OrgUnit.objects.create(
                    trust=trust, parent=clinic, level=2, code=f"K{c}D{d}",
                    name=f"Avdeling {c}.{d}", path=f"K{c}/K{c}D{d}",
                )  # fmt: skip
                for u in range(5):
                    code = f"K{c}D{d}U{u}"
                    ids.append(
                        OrgUnit.objects.create(
                            trust=trust, parent=dep, level=3, code=code,
                            name=f"Enhet {c}.{d}.{u}", path=f"K{c}/K{c}D{d}/{code}",
                        ).pk
                    )  # fmt: skip
        core = user_create(username=CORE, password=None, roles=[Role.CORE_GROUP])
        controller = user_create(username=CONTROLLER, password=None, roles=[Role.CONTROLLER])
        membership_add(
            user=controller, org_unit=OrgUnit.objects.get(code="K0"), role=Role.CONTROLLER
        )
        assert core.pk
    frames = _frames(n)
    unit_ids = pl.Series(ids)
    units = pl.DataFrame({"unit": range(len(ids)), "org_unit_id": unit_ids}).with_columns(
        pl.col("unit").cast(pl.Int64)
    )
    generated = since(started)
    out_dir = Path(parquet_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    parents = pl.DataFrame(
        list(OrgUnit.objects.values_list("id", "parent_id")),
        schema={"id": pl.Int64, "parent_id": pl.Int64},
        orient="row",
    )
    parents.write_parquet(out_dir / "units.parquet")
    adm = frames["administrations"].join(units, on="unit").drop("unit")
    episodes = frames["episodes"].join(units, on="unit").drop("unit", "i")
    adm.write_parquet(out_dir / "administrations.parquet")
    episodes.write_parquet(out_dir / "episodes.parquet")
    frames["codes"].write_parquet(out_dir / "codes.parquet")
    loading = time.perf_counter()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            source="dips", file_name="bench", sha256="bench",
            period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31),
        )  # fmt: skip
        ep_batch = EpisodeImport.objects.create(
            file_name="bench", sha256="bench",
            period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31),
        )  # fmt: skip
        for chunk in adm.iter_slices(200_000):
            insert_frame(
                Administration,
                chunk.select(
                    "id",
                    pl.lit(batch.pk).alias("batch_id"),
                    "administered_on",
                    pl.col("administered_on").dt.month_start().alias("month"),
                    "patient",
                    pl.lit("").alias("unit_code"),
                    "org_unit_id",
                    "atc",
                    "episode",
                    pl.lit("").alias("dose_unit"),
                    pl.lit("").alias("diagnosis_codes"),
                    pl.lit("").alias("procedure_codes"),
                    pl.lit("").alias("atc_codes"),
                ),
            )
        for chunk in episodes.iter_slices(500_000):
            insert_frame(
                Episode,
                chunk.select(
                    pl.lit(ep_batch.pk).alias("batch_id"),
                    "episode_ref",
                    "patient",
                    pl.lit("").alias("unit_code"),
                    "org_unit_id",
                    pl.lit("outpatient").alias("contact_type"),
                    pl.col("start_day").cast(pl.Datetime("us")).alias("start_at"),
                    pl.col("end_day").cast(pl.Datetime("us")).alias("end_at"),
                    "start_day",
                    "end_day",
                    pl.col("start_day").dt.month_start().alias("month"),
                    pl.lit("").alias("hpr"),
                ),
            )
        codes = frames["codes"].join(
            episodes.select("episode_ref", pl.col("start_day").dt.month_start().alias("month")),
            on="episode_ref",
        )
        for chunk in codes.iter_slices(1_000_000):
            insert_frame(
                EpisodeCode,
                chunk.select(
                    "episode_ref", "month", "system", "code", pl.lit(False).alias("main"), "atc"
                ),
            )
    with connection.cursor() as cursor:  # fresh statistics, as after any large load
        cursor.execute("ANALYZE")
    return {
        "seconds": since(started),
        "generate_s": generated,
        "load_s": since(loading),
        "administrations": adm.height,
        "episodes": episodes.height,
        "codes": codes.height,
    }


def _child_match() -> Json:
    _django()
    from django.db.models import Count

    from legemiddel.coding.matching import coding_refresh
    from legemiddel.coding.models import Match
    from legemiddel.findings.models import Finding

    started = time.perf_counter()
    counts = coding_refresh()
    seconds = since(started)
    outcomes = {
        str(row["outcome"]): row["n"]
        for row in Match.objects.values("outcome").annotate(n=Count("id")).order_by("outcome")
    }
    return {
        "refresh": counts,
        "match_s": seconds,
        "outcomes": outcomes,
        "findings": Finding.objects.count(),
        **peak_memory(),
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _child_pages(requests: int) -> Json:
    _django()
    from django.db import close_old_connections
    from django.test import Client
    from django.urls import reverse

    from legemiddel.accounts.models import User

    out: Json = {}
    for label, username in (("core_group", CORE), ("controller", CONTROLLER)):
        client = Client()
        client.force_login(User.objects.get(username=username))
        close_old_connections()
        times: list[float] = []
        for i in range(WARMUP + requests):
            started = time.perf_counter()
            response = client.get(reverse("findings:worklist"))
            close_old_connections()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise BenchError(f"work list: status {response.status_code}")
            if i >= WARMUP:
                times.append(elapsed)
        out[label] = {
            "p95_ms": round(_p95(times), 1),
            "median_ms": round(statistics.median(times), 1),
        }
        print(f"  work list as {label}: {out[label]}", file=sys.stderr, flush=True)
    out["worklist_p95_ms"] = max(v["p95_ms"] for v in out.values())
    return out


def _child_duckdb(parquet_dir: str) -> Json:
    """The same matching (best outcome per administration and rule) in DuckDB over Parquet."""
    import duckdb

    sys.path.insert(0, str(CHECKOUT / "src"))
    from legemiddel.coding.rules import load_rules

    rules = load_rules()
    d = Path(parquet_dir)
    con = duckdb.connect()
    started = time.perf_counter()
    for name in ("administrations", "episodes", "codes", "units"):
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{d / (name + '.parquet')}')"  # noqa: S608
        )
    counts: dict[str, int] = {}
    for rule in rules.rules:
        atc = ", ".join(f"'{a}'" for a in rule.atc)
        proc = ", ".join(f"'{p}'" for p in rule.procedure)
        unit = "e.org_unit_id = a.org_unit_id" + (
            " OR e.org_unit_id = a.parent_id" if rule.parent_unit else ""
        )
        has_proc = f"bool_or(c.code IN ({proc}))" if rule.procedure else "true"
        rows = con.execute(
            f"""
            WITH a AS (
              SELECT x.*, u.parent_id, x.episode <> '' AND EXISTS (
                SELECT 1 FROM episodes y WHERE y.episode_ref = x.episode AND y.patient = x.patient
              ) AS by_ref
              FROM administrations x LEFT JOIN units u ON u.id = x.org_unit_id
              WHERE x.atc IN ({atc})
            ),
            cand AS (
              SELECT a.id, a.atc, e.episode_ref FROM a JOIN episodes e
                ON e.episode_ref = a.episode AND e.patient = a.patient WHERE a.by_ref
              UNION ALL
              SELECT a.id, a.atc, e.episode_ref FROM a JOIN episodes e ON e.patient = a.patient
                AND e.start_day <= a.administered_on + {rule.window_after}
                AND e.end_day >= a.administered_on - {rule.window_before}
                AND ({unit})
              WHERE NOT a.by_ref
            ),
            scored AS (
              SELECT cand.id, cand.episode_ref,
                CASE WHEN bool_or(c.atc = cand.atc) THEN (CASE WHEN {has_proc} THEN 3 ELSE 2 END)
                     ELSE 1 END AS score
              FROM cand LEFT JOIN codes c ON c.episode_ref = cand.episode_ref
              GROUP BY cand.id, cand.episode_ref, cand.atc
            ),
            best AS (SELECT id, max(score) AS score FROM scored GROUP BY id)
            SELECT coalesce(best.score, 0) AS outcome, count(*) FROM a LEFT JOIN best ON best.id = a.id
            GROUP BY 1
            """  # noqa: S608
        ).fetchall()
        for outcome, count in rows:
            counts[str(outcome)] = counts.get(str(outcome), 0) + int(count)
    return {"match_s": since(started), "outcomes": dict(sorted(counts.items())), **peak_memory()}


def child_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="coding.py _child")
    parser.add_argument("step", choices=("setup", "match", "pages", "duckdb"))
    parser.add_argument("--administrations", type=int, default=0)
    parser.add_argument("--parquet", default="")
    parser.add_argument("--requests", type=int, default=0)
    args = parser.parse_args(argv)
    if args.step == "setup":
        result = _child_setup(args.administrations, args.parquet)
    elif args.step == "match":
        result = _child_match()
    elif args.step == "pages":
        result = _child_pages(args.requests)
    else:
        result = _child_duckdb(args.parquet)
    print(json.dumps(result), flush=True)
    return 0


# --- Parent side ------------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--administrations", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)
    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    targets, skipped = database_targets(args.databases.split(","), workdir, log)
    result: Json = {"machine": machine(), "administrations": args.administrations}
    problems: list[str] = []
    parquet = workdir / f"coding-{args.administrations}"
    for i, target in enumerate(targets):
        target_t: Target = target
        url = target_t.create(i)
        env = django_env(url, workdir)
        try:
            log(f"{target_t.name}: generating and loading {args.administrations:,} administrations")
            setup = run_child(
                "setup", env=env, administrations=args.administrations, parquet=parquet
            )
            log(f"{target_t.name}: loaded in {setup['load_s']} s ({setup['codes']:,} codes)")
            match = run_child("match", env=env)
            log(f"{target_t.name}: matched in {match['match_s']} s, peak {mb(match['rss_kb'])} MB")
            pages = run_child("pages", env=env, requests=args.requests)
            result[target_t.name] = {
                "match_s": match["match_s"],
                "peak_mb": mb(match["rss_kb"]),
                "worklist_p95_ms": pages["worklist_p95_ms"],
                "pages": {k: v for k, v in pages.items() if k != "worklist_p95_ms"},
                "outcomes": match["outcomes"],
                "findings": match["findings"],
                "steps": match["refresh"],
                "setup": setup,
            }
            if match["match_s"] > MATCH_BAR_S:
                problems.append(f"{target_t.name}: match {match['match_s']} s > {MATCH_BAR_S}")
            if mb(match["rss_kb"]) > PEAK_BAR_MB:
                problems.append(f"{target_t.name}: peak {mb(match['rss_kb'])} MB > {PEAK_BAR_MB}")
            if pages["worklist_p95_ms"] > PAGE_BAR_MS:
                problems.append(f"{target_t.name}: work list p95 {pages['worklist_p95_ms']} ms")
        finally:
            target_t.drop(i)
    if targets:
        duck = run_child("duckdb", parquet=parquet)
        log(f"duckdb: {duck['match_s']} s")
        result["duckdb"] = {"match_s": duck["match_s"], "outcomes": duck["outcomes"]}
        for name in ("sqlite", "postgresql"):
            if name in result and result[name]["outcomes"] != duck["outcomes"]:
                problems.append(
                    f"{name} and DuckDB disagree: {result[name]['outcomes']} vs {duck['outcomes']}"
                )
    result["skipped"] = skipped
    result["problems"] = problems
    result["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    for problem in problems:
        log(f"FAIL {problem}")
    print(json.dumps(result), flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["_child"]:
        sys.exit(child_main(sys.argv[2:]))
    sys.exit(main(sys.argv[1:]))
