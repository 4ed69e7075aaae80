"""Benchmark: the follow-up dashboards on millions of usage lines, SQLite and PostgreSQL.

Generates (once, cached in the work directory) usage files totalling ``--lines`` lines over the
demo's 36 months (November 2023 to October 2026): 80 % SLS lines (the hospital pharmacy's
sales, customers and packages of the demo trust and catalogue) and 20 % H-resept lines
(patient-level dispensings with synthetic test fødselsnummer, prescribers from the demo
personnel, packages of the demo's LIS agreement areas). Then, for each database, each step in
its own child process on a fresh database with the demo data (``demo_load(usage=False)``):

- **import**: ``usage_import`` of the H-resept file, then of the SLS file, each followed by
  the refresh of the precomputed measures that the import announced (the outbox job, run
  inline here and timed with the import); the refresh time is read from ``MeasureRefresh``. The SLS import (whose refresh recomputes every measure over all the data)
  must still make the usage import's bar with the refresh included.
- **pages**: every dashboard page through Django's test client, logged in as the core group
  (price access): the overview, a share measure at trust, clinic and unit level, treatment
  starts for one prescriber, the savings potential, the table (XLSX, CSV) and chart (SVG), the
  monthly e-mail of a unit leader and the cost drivers. Warm-up requests, then ``--requests``
  timed requests each; p95 and median.
- **data query**: building the ``Dashboard`` that the page for ``forstevalg-ddd--TNF-BIO``
  reads, at trust level (median of 20), against DuckDB computing the same figures (DDD share
  on first choice per month and unit) from the raw CSV lines joined with small lookup tables
  exported from the database (median of 5, each a fresh connection reading the CSVs). The two
  results must agree, per month at trust level, to 1e-6 relative.

Bars: every page's p95 <= 150 ms, data query / DuckDB <= 1, SLS import with the refresh
>= 250 000 rows/s; on every database measured.

    .venv/bin/python bench/dashboards.py --lines 10000000 [--requests 50]
        [--databases sqlite,postgresql] [--workdir var/bench] [--require-postgres]

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
import math
import os
import platform
import resource
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
from usage_import import CSV_BAR_ROWS_S, _registers

SCRIPT = Path(__file__).resolve()
DEFAULT_WORKDIR = CHECKOUT / "var" / "bench"
DATABASES = ("sqlite", "postgresql")

# The acceptance bars.
PAGE_P95_BAR_MS = 150.0
DUCKDB_RATIO_BAR = 1.0
IMPORT_BAR_ROWS_S = CSV_BAR_ROWS_S  # the usage import's budget, refresh included
AGREE_REL = 1e-6

SLS_SHARE = 0.8  # the rest is H-resept
WARMUP = 3
QUERY_REPEAT = 20
DUCKDB_REPEAT = 5
SEED = 2026

USER = "kjernegruppe"  # core group, with a price access grant
LEADER = "enhetsleder"  # unit leader of MED-REV
AREA = "TNF-BIO"
SHARE = f"forstevalg-ddd--{AREA}"
STARTS = f"oppstart-forstevalg--{AREA}"
SAVINGS = f"gevinst-potensial--{AREA}"
CLINIC = "MED"
UNIT = "MED-REV-POL"

# The demo's agreement lines per area (names in ``legemiddel.demo.agreements_data``).
AREA_LINES = {
    "TNF-BIO": ("TNF_2024", "TNF_2025"),
    "MS": ("MS_2024", "MS_2026"),
    "VEGF": ("VEGF_2025", "VEGF_2025_CHANGE"),
    "PD-1": ("PD1_NEXT",),
}
# Share of H-resept patients per area, and the refund codes their dispensings carry.
AREA_WEIGHT = {"TNF-BIO": 0.55, "MS": 0.25, "VEGF": 0.1, "PD-1": 0.1}
AREA_ICD = {
    "TNF-BIO": ("M05", "M45", "L400", "K500", "K51"),
    "MS": ("G35",),
    "VEGF": ("H353", "E113"),
    "PD-1": ("C34", "C43"),
}
SLS_AREA_SHARE = 0.25  # SLS lines on the areas' packages; the rest on the whole catalogue

_T0 = time.monotonic()
log = logger("dashboards")


def run_child(step: str, *, env: dict[str, str] | None = None, **options: object) -> Json:
    return _run_child(SCRIPT, step, env=env, **options)


# --- Child side: generating the files ---------------------------------------------------------


def _world() -> Json:
    """What the generator draws from: months, customers, packages, areas and prescribers."""
    import csv

    import django

    django.setup()  # the agreement lines live in a module that imports the models
    from legemiddel.demo import DATA_DIR, agreements_data, usage_data

    months: list[str] = []
    month = usage_data.START
    while month <= usage_data.END:
        months.append(f"{month:%Y-%m}")
        month = (month + dt.timedelta(days=32)).replace(day=1)
    drugs = usage_data.read_drugs()
    area_packages = {
        area: sorted({line[3] for name in names for line in getattr(agreements_data, name)})
        for area, names in AREA_LINES.items()
    }
    missing = {v for vs in area_packages.values() for v in vs} - set(drugs)
    if missing:
        raise BenchError(f"agreement packages not in the demo catalogue: {sorted(missing)}")
    # Prescribers of an area: the hospital doctors at the area's units and below.
    with (DATA_DIR / "organisasjon.csv").open(encoding="utf-8") as handle:
        parent = {r["kode"]: r["overordnet"] for r in csv.DictReader(handle, delimiter=";")}

    def lineage(code: str) -> set[str]:
        found = set()
        while code:
            found.add(code)
            code = parent.get(code, "")
        return found

    doctors = usage_data.read_doctors()
    area_units = {a.code: set(a.units) for a in agreements_data.AREAS}
    area_doctors = {}
    everyone = sorted({h for hprs in doctors.values() for h in hprs})
    for area in AREA_LINES:
        chosen = sorted(
            {h for unit, hprs in doctors.items() if lineage(unit) & area_units[area] for h in hprs}
        )
        area_doctors[area] = chosen or everyone
    with (DATA_DIR / "helsepersonell.csv").open(encoding="utf-8") as handle:
        all_hpr = sorted({r["hpr"] for r in csv.DictReader(handle, delimiter=";")})
    return {
        "months": months,
        "start": usage_data.START,
        "end": usage_data.END,
        "customers": _registers()[0],
        "drugs": drugs,
        "area_packages": area_packages,
        "area_doctors": area_doctors,
        "all_hpr": all_hpr,
        "pharmacies": usage_data.PHARMACIES,
        "usage_group": usage_data.USAGE_GROUP,
        "sls_header": usage_data.SLS_HEADER,
        "hresept_header": usage_data.HRESEPT_HEADER,
    }


def _decimal_comma(column: str) -> Any:
    """A number column as text with two decimals at most and a decimal comma; NaN is null."""
    import polars as pl

    number = pl.col(column).fill_nan(None).round(2)
    return number.cast(pl.String).str.replace(".", ",", literal=True)


def _write_sls(path: Path, rows: int, world: Json, rng: Any) -> None:
    """SLS lines in blocks: month, customer (cost centre) and package at random, a quarter of
    them on the agreement areas' packages, 30 % without DDD (the importer computes it)."""
    import numpy as np
    import polars as pl

    drugs = world["drugs"]
    varenr = sorted(drugs)
    position = {v: i for i, v in enumerate(varenr)}
    ranked = np.array(sorted({position[v] for vs in world["area_packages"].values() for v in vs}))
    names = pl.Series([drugs[v].name for v in varenr])
    atcs = pl.Series([drugs[v].atc for v in varenr])
    groups = pl.Series(
        [world["usage_group"].get(drugs[v].area, "Biologiske legemidler") for v in varenr]
    )
    codes = pl.Series(varenr)
    aip = np.array([drugs[v].aip for v in varenr])
    ddd_per_pack = np.array([drugs[v].ddd_per_pack for v in varenr])
    months = pl.Series(world["months"])
    customers = pl.Series([c for c, _ in world["customers"]])
    customer_names = pl.Series([n for _, n in world["customers"]])
    header = list(world["sls_header"])
    tmp = path.with_name(path.name + ".tmp")
    block = 1_000_000
    with tmp.open("wb") as out:
        out.write((";".join(header) + "\r\n").encode())
        done = 0
        while done < rows:
            n = min(block, rows - done)
            c = rng.integers(0, len(customers), n)
            p = np.where(
                rng.random(n) < SLS_AREA_SHARE,
                ranked[rng.integers(0, len(ranked), n)],
                rng.integers(0, len(varenr), n),
            )
            quantity = rng.integers(1, 40, n)
            ddd = (quantity * ddd_per_pack[p]).round(2)
            frame = pl.DataFrame(
                {
                    header[0]: months.gather(rng.integers(0, len(months), n)),
                    header[1]: customers.gather(c),
                    header[2]: customer_names.gather(c),
                    header[3]: codes.gather(p),
                    header[4]: names.gather(p),
                    header[5]: atcs.gather(p),
                    header[6]: quantity,
                    header[7]: (quantity * aip[p] * rng.uniform(0.5, 1.0, n)).round(2),
                    header[8]: np.where(rng.random(n) < 0.3, np.nan, ddd),
                    header[9]: groups.gather(p),
                }
            ).with_columns(
                _decimal_comma(header[7]),
                _decimal_comma(header[8]).fill_null(""),  # NaN: no DDD in the file
            )
            frame.write_csv(out, separator=";", include_header=False, line_terminator="\r\n")
            done += n
    tmp.replace(path)


def _fnrs(rng: Any, count: int, start: dt.date) -> list[str]:
    """Unique synthetic test fødselsnummer (month + 80, one in ten also a D-number), with check
    digits from python-stdnum, as the demo makes them."""
    from stdnum.no import fodselsnummer

    age_days = rng.integers(18 * 365, 90 * 365, count)
    d_number = rng.random(count) < 0.1
    serial = rng.integers(0, 500, count)
    used: set[str] = set()
    numbers: list[str] = []
    for i in range(count):
        born = start - dt.timedelta(days=int(age_days[i]))
        day = born.day + (40 if d_number[i] else 0)
        low = 500 if born.year >= 2000 else 0
        k = int(serial[i])
        while True:
            base = f"{day:02d}{born.month + 80:02d}{born.year % 100:02d}{low + k % 500:03d}"
            k1 = fodselsnummer.calc_check_digit1(base)
            k2 = fodselsnummer.calc_check_digit2(base + k1) if len(k1) == 1 else ""
            number = base + k1 + k2
            if len(k1) == 1 and len(k2) == 1 and number not in used:
                used.add(number)
                numbers.append(number)
                break
            k += 1
    return numbers


def _write_hresept(path: Path, rows: int, world: Json, rng: Any) -> int:
    """H-resept dispensings: patients start a course of an area's package (before or during the
    36 months), are dispensed every 4, 8 or 12 weeks until they stop, and three in ten switch
    package on the way. Prescribers are the area's hospital doctors (a few others, some of them
    not at a unit). Returns the number of patients."""
    import numpy as np
    import polars as pl

    start, end = world["start"], world["end"]
    days = (end - start).days + 1
    areas = list(AREA_LINES)
    weights = np.array([AREA_WEIGHT[a] for a in areas])
    patients, tries = max(50, rows // 8), 0
    while True:  # as many patients as make about ``rows`` lines, so few lines are dropped
        tries += 1
        area = rng.choice(len(areas), patients, p=weights / weights.sum())
        first_day = rng.integers(-365, days, patients)
        interval = rng.choice(np.array([28, 56, 84]), patients)
        last_day = np.minimum(first_day + rng.integers(60, 1400, patients), days - 1)
        events = np.maximum(0, (last_day - first_day) // interval + 1)
        patient = np.repeat(np.arange(patients), events)
        k = np.arange(len(patient)) - np.repeat(np.cumsum(events) - events, events)
        day = first_day[patient] + k * interval[patient] + rng.integers(-5, 6, len(patient))
        inside = (day >= 0) & (day < days)
        lines = int(inside.sum())
        if lines >= rows and (lines <= rows * 1.03 or tries >= 5):
            break
        patients = max(50, math.ceil(patients * rows / max(1, lines) * 1.01))
    patient, day = patient[inside], day[inside]
    keep = np.sort(rng.permutation(len(patient))[:rows])  # exactly ``rows`` lines
    patient, day = patient[keep], day[keep]

    # Per patient: the package, perhaps another after a switch, the prescriber (a few not
    # the area's, some of them not at a unit) and the refund code. All as positions in lists.
    varenr = sorted({v for vs in world["area_packages"].values() for v in vs})
    hprs = sorted({h for hs in world["area_doctors"].values() for h in hs} | set(world["all_hpr"]))
    codes = sorted({c for cs in AREA_ICD.values() for c in cs})
    package = np.empty(patients, dtype=np.int64)
    other = np.empty(patients, dtype=np.int64)
    prescriber = np.empty(patients, dtype=np.int64)
    refund = np.empty(patients, dtype=np.int64)
    for i, name in enumerate(areas):
        mine = np.flatnonzero(area == i)
        packages = np.array([varenr.index(v) for v in world["area_packages"][name]])
        doctors = np.array([hprs.index(h) for h in world["area_doctors"][name]])
        icd = np.array([codes.index(c) for c in AREA_ICD[name]])
        package[mine] = packages[rng.integers(0, len(packages), len(mine))]
        other[mine] = packages[rng.integers(0, len(packages), len(mine))]
        prescriber[mine] = doctors[rng.integers(0, len(doctors), len(mine))]
        refund[mine] = icd[rng.integers(0, len(icd), len(mine))]
    elsewhere = np.flatnonzero(rng.random(patients) < 0.05)
    prescriber[elsewhere] = rng.integers(0, len(hprs), len(elsewhere))
    switch_day = np.where(rng.random(patients) < 0.3, rng.integers(0, days, patients), days)

    drugs = world["drugs"]
    chosen = np.where(day < switch_day[patient], package[patient], other[patient])
    aup = np.array([drugs[v].aup for v in varenr])[chosen]
    packs = rng.integers(1, 4, len(patient))
    pharmacy_names = [name for name, _ in world["pharmacies"]]
    pharmacy_weights = np.array([w for _, w in world["pharmacies"]], dtype=float)
    header = list(world["hresept_header"])
    first = np.datetime64(start.isoformat(), "D")
    dispensed = first + day.astype("timedelta64[D]")
    frame = pl.DataFrame(
        {
            header[0]: pl.Series(dispensed),
            header[1]: pl.Series(_fnrs(rng, patients, start)).gather(patient),
            header[2]: pl.Series(varenr).gather(chosen),
            header[3]: packs,
            header[4]: (aup * packs).round(2),
            header[5]: pl.Series(codes).gather(refund[patient]),
            header[6]: pl.Series(hprs).gather(prescriber[patient]),
            header[7]: pl.Series(dispensed - rng.integers(0, 60, len(patient))),
            header[8]: pl.Series(pharmacy_names).gather(
                rng.choice(
                    len(pharmacy_names), len(patient), p=pharmacy_weights / pharmacy_weights.sum()
                )
            ),
        }
    ).with_columns(_decimal_comma(header[4]))
    tmp = path.with_name(path.name + ".tmp")
    frame.sort(header[0], maintain_order=True).write_csv(tmp, separator=";", line_terminator="\r\n")
    tmp.replace(path)
    return patients


def _child_generate(sls_path: Path, hresept_path: Path, lines: int) -> Json:
    import numpy as np

    started = time.perf_counter()
    world = _world()
    rng = np.random.default_rng(SEED)
    sls_rows = round(lines * SLS_SHARE)
    _write_sls(sls_path, sls_rows, world, rng)
    sls_s = since(started)
    started = time.perf_counter()
    patients = _write_hresept(hresept_path, lines - sls_rows, world, rng)
    return {
        "sls_rows": sls_rows,
        "hresept_rows": lines - sls_rows,
        "patients": patients,
        "sls_s": sls_s,
        "hresept_s": since(started),
        **peak_memory(),
    }


# --- Child side: the database steps -----------------------------------------------------------


def _django() -> None:
    import django

    django.setup()


def _child_setup() -> Json:
    """A fresh database with the demo's organisation, catalogue, users and agreements."""
    _django()
    from django.core.management import call_command

    from legemiddel.demo.services import demo_load

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    demo_load(usage=False)
    return {"seconds": since(started)}


def _child_import(source: str, path: Path) -> Json:
    _django()
    from legemiddel.analytics.models import MeasureRefresh, MeasureValue
    from legemiddel.core import outbox
    from legemiddel.lib.tabular import ImportRejected
    from legemiddel.usage.models import MonthlyUsage
    from legemiddel.usage.services import usage_import

    started = time.perf_counter()
    try:
        result = usage_import(source=source, path=path, file_name=path.name)
    except ImportRejected as exc:
        for error in exc.errors[:10]:
            print(f"  rejected: {error}", file=sys.stderr)
        raise
    # The refresh runs after the import's commit, as the worker's outbox job does it.
    outbox.process()
    seconds = since(started)
    memory = peak_memory()
    refresh = MeasureRefresh.objects.latest()
    return {
        "seconds": seconds,
        "rows_read": result.batch.rows_read,
        "rows_accepted": result.batch.rows_accepted,
        "refresh_s": round(refresh.seconds, 3),
        "measure_values": refresh.rows,
        "measure_values_stored": MeasureValue.objects.count(),
        "cube_cells": MonthlyUsage.objects.count(),
        **memory,
    }


def _child_refresh() -> Json:
    """Where the refresh spends its time: each measure computed again (not written), summed
    per definition."""
    _django()
    from legemiddel.analytics.engine import compute, measures

    seconds: dict[str, float] = defaultdict(float)
    for measure in measures():
        started = time.perf_counter()
        compute(measure)
        seconds[measure.definition.id] += time.perf_counter() - started
    return {"compute_s": {key: round(value, 3) for key, value in sorted(seconds.items())}}


def _export_lookups(directory: Path) -> None:
    """Small tables for DuckDB, from the database: customer -> unit, prescriber -> unit,
    varenr -> DDD per pack, (month, varenr) -> rank in the area's agreements."""
    import csv

    from legemiddel.agreements.models import TherapeuticArea
    from legemiddel.analytics.engine import ranks_by_month
    from legemiddel.catalogue.models import Package
    from legemiddel.demo.usage_data import END, START
    from legemiddel.organisation.models import Affiliation, CostCentre, OrgUnit

    directory.mkdir(parents=True, exist_ok=True)

    def write(name: str, header: list[str], rows: Any) -> None:
        with (directory / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)

    customers = dict(OrgUnit.objects.values_list("code", "id"))
    customers.update(
        CostCentre.objects.filter(org_unit__isnull=False).values_list("code", "org_unit_id")
    )
    write("customers.csv", ["code", "unit"], customers.items())
    prescribers: dict[str, int] = {}
    for hpr, unit in (
        Affiliation.objects.filter(org_unit__isnull=False)
        .order_by("person__hpr_number", "id")
        .values_list("person__hpr_number", "org_unit_id")
    ):
        prescribers.setdefault(hpr, unit)
    write("prescribers.csv", ["hpr", "unit"], prescribers.items())
    write(
        "packages.csv",
        ["varenr", "ddd_per_pack"],
        (
            (v, float(d) if d is not None else "")
            for v, d in Package.objects.values_list("varenr", "ddd_per_pack")
        ),
    )
    months, month = [], START
    while month <= END:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    ranks = ranks_by_month(TherapeuticArea.objects.get(code=AREA), months)
    write(
        "ranks.csv",
        ["month", "varenr", "rank"],
        (
            (f"{m:%Y-%m}", varenr, rank)
            for m, by_package in ranks.items()
            for varenr, rank in sorted(by_package.items())
        ),
    )


def _child_query(lookups: Path) -> Json:
    """The data query of the share page at trust level, timed, and its figures."""
    _django()
    from legemiddel.accounts.models import User
    from legemiddel.analytics.engine import measure_by_key
    from legemiddel.analytics.models import MeasureValue
    from legemiddel.analytics.selectors import Dashboard

    measure = measure_by_key(SHARE)
    if measure is None:
        raise BenchError(f"no measure {SHARE}")
    user = User.objects.get(username=USER)
    for _ in range(2):
        Dashboard(measure, user, None)
    runs = []
    for _ in range(QUERY_REPEAT):
        started = time.perf_counter()
        board = Dashboard(measure, user, None)
        runs.append(round((time.perf_counter() - started) * 1000, 3))
    trust = [[f"{p.month:%Y-%m}", p.numerator, p.denominator] for p in board.points(None)]
    units = [
        [f"{m:%Y-%m}", unit, n, d]
        for m, unit, n, d in MeasureValue.objects.filter(measure=SHARE).values_list(
            "month", "org_unit_id", "numerator", "denominator"
        )
    ]
    _export_lookups(lookups)
    return {"runs_ms": runs, "trust": trust, "units": units}


def _duckdb_sql(sls: Path, hresept: Path, lookups: Path) -> str:
    def literal(path: Path) -> str:
        return "'" + str(path).replace("'", "''") + "'"

    csv_options = "delim=';', header=true, decimal_separator=',', quote='\"'"
    return f"""
        WITH
        customers AS (SELECT * FROM read_csv({literal(lookups / "customers.csv")}, header=true,
            types={{'code': 'VARCHAR', 'unit': 'BIGINT'}})),
        prescribers AS (SELECT * FROM read_csv({literal(lookups / "prescribers.csv")},
            header=true, types={{'hpr': 'VARCHAR', 'unit': 'BIGINT'}})),
        packages AS (SELECT * FROM read_csv({literal(lookups / "packages.csv")}, header=true,
            types={{'varenr': 'VARCHAR', 'ddd_per_pack': 'DOUBLE'}})),
        ranks AS (SELECT * FROM read_csv({literal(lookups / "ranks.csv")}, header=true,
            types={{'month': 'VARCHAR', 'varenr': 'VARCHAR', 'rank': 'INTEGER'}})),
        sls AS (
            SELECT "Periode" AS month, "Kundenr" AS customer, "Varenr" AS varenr,
                   "Antall" AS quantity, "DDD" AS ddd
            FROM read_csv({literal(sls)}, {csv_options}, types={{'Periode': 'VARCHAR',
                'Kundenr': 'VARCHAR', 'Varenr': 'VARCHAR', 'Antall': 'DOUBLE',
                'Beløp eks mva': 'DOUBLE', 'DDD': 'DOUBLE'}})
        ),
        hresept AS (
            SELECT substr("Utleveringsdato", 1, 7) AS month, "Forskriver HPR" AS hpr,
                   "Varenr" AS varenr, "Antall" AS quantity
            FROM read_csv({literal(hresept)}, {csv_options}, types={{
                'Utleveringsdato': 'VARCHAR', 'Fødselsnummer': 'VARCHAR', 'Varenr': 'VARCHAR',
                'Antall': 'DOUBLE', 'Beløp': 'DOUBLE', 'Refusjonskode': 'VARCHAR',
                'Forskriver HPR': 'VARCHAR', 'Forskrivningsdato': 'VARCHAR'}})
        ),
        lines AS (
            SELECT s.month, c.unit, s.varenr, coalesce(s.ddd, s.quantity * p.ddd_per_pack) AS ddd
            FROM sls s
            LEFT JOIN customers c ON c.code = s.customer
            LEFT JOIN packages p ON p.varenr = s.varenr
            UNION ALL
            SELECT h.month, pr.unit, h.varenr, h.quantity * p.ddd_per_pack AS ddd
            FROM hresept h
            LEFT JOIN prescribers pr ON pr.hpr = h.hpr
            LEFT JOIN packages p ON p.varenr = h.varenr
        )
        SELECT l.month, l.unit,
               coalesce(sum(CASE WHEN r.rank = 1 THEN l.ddd ELSE 0 END), 0) AS numerator,
               coalesce(sum(l.ddd), 0) AS denominator
        FROM lines l JOIN ranks r ON r.month = l.month AND r.varenr = l.varenr
        GROUP BY l.month, l.unit
    """  # noqa: S608 - paths of our own files, quoted


def _child_duckdb(sls: Path, hresept: Path, lookups: Path) -> Json:
    """The same figures from the raw lines: each run a fresh connection reading the CSVs."""
    import duckdb

    sql = _duckdb_sql(sls, hresept, lookups)
    runs, rows, threads = [], [], 0
    for _ in range(DUCKDB_REPEAT):
        started = time.perf_counter()
        connection = duckdb.connect()
        rows = connection.execute(sql).fetchall()
        threads = connection.execute("SELECT current_setting('threads')").fetchone()[0]
        connection.close()
        runs.append(round((time.perf_counter() - started) * 1000, 3))
    return {
        "runs_ms": runs,
        "rows": [[m, u, n, d] for m, u, n, d in rows if n or d],
        "threads": threads,
        "version": duckdb.__version__,
    }


def _p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _child_pages(requests: int) -> Json:
    """Every dashboard page through the test client, timed as the server handles it: the
    whole request through the middleware, the response body, and closing the connection as
    the server does at the end of a request (SQLite has no persistent connections)."""
    _django()
    from django.db import close_old_connections, connection
    from django.db.models import Sum
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from legemiddel.accounts.models import User
    from legemiddel.analytics.models import MeasureValue
    from legemiddel.organisation.models import OrgUnit

    clinic = OrgUnit.objects.get(code=CLINIC).id
    unit = OrgUnit.objects.get(code=UNIT).id
    prescriber = (
        MeasureValue.objects.filter(measure=STARTS, org_unit_id=unit)
        .exclude(prescriber="")
        .values("prescriber")
        .annotate(starts=Sum("denominator"))
        .order_by("-starts", "prescriber")
        .values_list("prescriber", flat=True)
        .first()
    )
    if prescriber is None:
        raise BenchError(f"no prescriber with values for {STARTS} at {UNIT}")

    def measure(key: str, query: str = "") -> str:
        return reverse("analytics:measure", args=[key]) + query

    pages = {
        "index": reverse("analytics:index"),
        "share_trust": measure(SHARE),
        "share_clinic": measure(SHARE, f"?enhet={clinic}"),
        "share_unit": measure(SHARE, f"?enhet={unit}"),
        "starts_prescriber": measure(STARTS, f"?enhet={unit}&forskriver={prescriber}"),
        "savings_trust": measure(SAVINGS),
        "table_xlsx": reverse("analytics:measure_table", args=[SHARE, "xlsx"]),
        "table_csv": reverse("analytics:measure_table", args=[SHARE, "csv"]),
        "chart_svg": reverse("analytics:measure_chart", args=[SHARE, "svg"]),
        "alert": reverse("analytics:alert") + f"?bruker={LEADER}",
        "cost_drivers": reverse("analytics:drivers"),
    }
    client = Client()
    client.force_login(User.objects.get(username=USER))
    close_old_connections()
    out: Json = {}
    for name, url in pages.items():
        times: list[float] = []
        size = 0
        for i in range(WARMUP + requests):
            started = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            close_old_connections()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200 or not body:
                raise BenchError(f"{url}: status {response.status_code}, {len(body)} bytes")
            if i >= WARMUP:
                times.append(elapsed)
            size = len(body)
        with CaptureQueriesContext(connection) as captured:  # once more, untimed: the queries
            client.get(url)
        queries = len(captured)
        close_old_connections()
        out[name] = {
            "url": url,
            "p95_ms": round(_p95(times), 1),
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "bytes": size,
            "queries": queries,
        }
        print(
            f"  {name:<18} p95 {out[name]['p95_ms']:7.1f} ms, median "
            f"{out[name]['median_ms']:7.1f} ms, {queries} queries",
            file=sys.stderr,
            flush=True,
        )
    return {"pages": out, "prescriber": prescriber}


def child_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="dashboards.py _child")
    steps = ("generate", "setup", "import", "refresh", "query", "duckdb", "pages")
    parser.add_argument("step", choices=steps)
    parser.add_argument("--sls", type=Path)
    parser.add_argument("--hresept", type=Path)
    parser.add_argument("--file", type=Path)
    parser.add_argument("--source", default="")
    parser.add_argument("--lookups", type=Path)
    parser.add_argument("--lines", type=int, default=0)
    parser.add_argument("--requests", type=int, default=0)
    args = parser.parse_args(argv)
    if args.step == "generate":
        result = _child_generate(args.sls, args.hresept, args.lines)
    elif args.step == "setup":
        result = _child_setup()
    elif args.step == "import":
        result = _child_import(args.source, args.file)
    elif args.step == "refresh":
        result = _child_refresh()
    elif args.step == "query":
        result = _child_query(args.lookups)
    elif args.step == "duckdb":
        result = _child_duckdb(args.sls, args.hresept, args.lookups)
    else:
        result = _child_pages(args.requests)
    print(json.dumps(result), flush=True)
    return 0


# --- Parent side ------------------------------------------------------------------------------


def ensure_files(workdir: Path, lines: int) -> tuple[Path, Path, Json]:
    """The generated files, cached per line count and version of the generator."""
    # Regenerated when the generator or the demo data it draws from change.
    functions = (_world, _decimal_comma, _write_sls, _fnrs, _write_hresept, _child_generate)
    source = "".join(inspect.getsource(f) for f in (*functions, _registers))
    source += repr((SLS_SHARE, SEED, AREA_LINES, AREA_WEIGHT, AREA_ICD, SLS_AREA_SHARE))
    demo = CHECKOUT / "src" / "legemiddel" / "demo"
    for path in (
        *sorted((demo / "data").glob("*.csv")),
        demo / "agreements_data.py",
        *sorted((demo / "usage_data").glob("*.py")),
    ):
        source += path.read_text(encoding="utf-8")
    version = hashlib.sha256(source.encode()).hexdigest()[:12]
    sls = workdir / f"dashboards-{lines}-sls.csv"
    hresept = workdir / f"dashboards-{lines}-hresept.csv"
    meta_path = workdir / f"dashboards-{lines}.json"
    if meta_path.exists() and sls.exists() and hresept.exists():
        meta = json.loads(meta_path.read_text())
        sizes = [sls.stat().st_size, hresept.stat().st_size]
        if meta.get("version") == version and meta.get("bytes") == sizes:
            log(f"using cached {sls.name} and {hresept.name} ({sum(sizes) / 1e6:.0f} MB)")
            return sls, hresept, meta
    log(f"generating {lines:,} usage lines (SLS and H-resept)")
    out = run_child(
        "generate", env=django_env(MEMORY_DB, workdir), sls=sls, hresept=hresept, lines=lines
    )
    meta = {
        "version": version,
        "bytes": [sls.stat().st_size, hresept.stat().st_size],
        **{k: v for k, v in out.items() if k not in ("rss_kb", "hwm_kb")},
        "peak_mb": mb(out["rss_kb"]),
    }
    log(
        f"generated {out['sls_rows']:,} SLS lines in {out['sls_s']:.1f} s and "
        f"{out['hresept_rows']:,} H-resept lines ({out['patients']:,} patients) in "
        f"{out['hresept_s']:.1f} s"
    )
    meta_path.write_text(json.dumps(meta) + "\n")
    return sls, hresept, meta


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the dashboards (pages, data query against DuckDB, refresh)."
    )
    parser.add_argument(
        "--lines", type=int, default=10_000_000, help="Usage lines in all (10M; 80 %% SLS)."
    )
    parser.add_argument("--requests", type=int, default=50, help="Timed requests per page (50).")
    parser.add_argument(
        "--databases", default=",".join(DATABASES), help="sqlite,postgresql (both)."
    )
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--require-postgres", action="store_true")
    args = parser.parse_args(argv)
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if set(args.databases) - set(DATABASES) or not args.databases:
        parser.error(f"--databases takes {', '.join(DATABASES)}; got {args.databases}")
    if args.lines < 1000 or args.requests < 1:
        parser.error("--lines must be at least 1000 and --requests at least 1")
    return args


def _rel(a: float, b: float) -> float:
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if scale else 0.0


def compare(ours: Json, duck: Json) -> Json:
    """Our trust-level series against DuckDB's rows summed over units, month by month; and,
    as a finer check, every (month, unit) cell."""
    theirs: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for month, _unit, n, d in duck["rows"]:
        theirs[month][0] += n
        theirs[month][1] += d
    mine = {m: (n, d) for m, n, d in ours["trust"]}
    worst = 0.0
    for month in set(mine) | set(theirs):
        a, b = mine.get(month, (0.0, 0.0)), theirs.get(month, [0.0, 0.0])
        worst = max(worst, _rel(a[0], b[0]), _rel(a[1], b[1]))
    cells: dict[tuple[str, Any], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for month, unit, n, d in ours["units"]:
        cells[(month, unit)][0] += n
        cells[(month, unit)][1] += d
    for month, unit, n, d in duck["rows"]:
        cells[(month, unit)][2] += n
        cells[(month, unit)][3] += d
    unit_worst = max((max(_rel(c[0], c[2]), _rel(c[1], c[3])) for c in cells.values()), default=0.0)
    return {
        "months": len(mine),
        "months_duckdb": len(theirs),
        "max_rel_diff": worst,
        "ok": bool(mine) and set(mine) == set(theirs) and worst <= AGREE_REL,
        "cells": len(cells),
        "cells_max_rel_diff": unit_worst,
        "cells_ok": unit_worst <= AGREE_REL,
    }


def measure_target(
    target: Target, *, workdir: Path, files: Json, requests: int, problems: list[str]
) -> Json:
    name = target.name
    url = target.create(0)
    try:
        env = django_env(url, workdir)
        setup = run_child("setup", env=env)
        log(f"{name}: migrated and loaded the demo data in {setup['seconds']:.1f} s")
        imports: Json = {}
        for source in ("hresept", "sls"):
            rows = files[f"{source}_rows"]
            result = run_child("import", env=env, source=source, file=files[source])
            if result["rows_accepted"] != rows:
                problems.append(f"{name} {source}: {result['rows_accepted']} of {rows} imported")
            check_memory_figure(f"{name} {source} import", result, problems)
            imports[source] = {
                "rows": rows,
                "seconds": result["seconds"],
                "rows_s": rows_per_second(rows, result["seconds"]),
                "refresh_s": result["refresh_s"],
                "rows_s_without_refresh": rows_per_second(
                    rows, result["seconds"] - result["refresh_s"]
                ),
                "measure_values": result["measure_values"],
                "cube_cells": result["cube_cells"],
                "peak_mb": mb(result["rss_kb"]),
            }
            log(
                f"{name}: {source} import {result['seconds']:.2f} s = "
                f"{imports[source]['rows_s']:,} rows/s, of which refresh "
                f"{result['refresh_s']:.2f} s ({result['measure_values']:,} values); "
                f"peak {mb(result['rss_kb'])} MB"
            )
        refresh = run_child("refresh", env=env)["compute_s"]
        log(
            f"{name}: the refresh computes (again, not written): "
            + ", ".join(f"{key} {value:.2f} s" for key, value in refresh.items())
        )
        lookups = workdir / f"dashboards-lookups-{name}"
        query = run_child("query", env=env, lookups=lookups)
        duck = run_child("duckdb", sls=files["sls"], hresept=files["hresept"], lookups=lookups)
        query_ms = median(query["runs_ms"])
        duck_ms = median(duck["runs_ms"])
        agree = compare(query, duck)
        if not agree["ok"]:
            problems.append(
                f"{name}: the dashboard and DuckDB disagree ({agree['months']} and "
                f"{agree['months_duckdb']} months, largest relative difference "
                f"{agree['max_rel_diff']:.2e})"
            )
        log(
            f"{name}: data query {query_ms:.2f} ms, DuckDB {duck_ms:.0f} ms "
            f"({duck['threads']} threads): ratio {query_ms / duck_ms:.4f}; results agree: "
            f"{agree['ok']} (largest relative difference {agree['max_rel_diff']:.1e}, "
            f"per unit {agree['cells_max_rel_diff']:.1e})"
        )
        log(f"{name}: pages, {WARMUP} warm-up and {requests} timed requests each")
        pages = run_child("pages", env=env, requests=requests)
    finally:
        target.drop(0)
    ratio = round(query_ms / duck_ms, 5) if duck_ms else None
    worst_page = max(pages["pages"].values(), key=lambda p: p["p95_ms"])
    bars = {
        "pages_p95": worst_page["p95_ms"] <= PAGE_P95_BAR_MS,
        "query_vs_duckdb": ratio is not None and ratio <= DUCKDB_RATIO_BAR,
        "sls_import_with_refresh": imports["sls"]["rows_s"] >= IMPORT_BAR_ROWS_S,
    }
    return {
        "version": target.version,
        "setup_s": setup["seconds"],
        "import": imports,
        "refresh_s": imports["sls"]["refresh_s"],
        "refresh_compute_s": refresh,
        "pages": pages["pages"],
        "pages_p95_max_ms": worst_page["p95_ms"],
        "prescriber": pages["prescriber"],
        "query_ms": query_ms,
        "query_runs_ms": query["runs_ms"],
        "duckdb_ms": duck_ms,
        "duckdb_runs_ms": duck["runs_ms"],
        "duckdb_threads": duck["threads"],
        "duckdb_version": duck["version"],
        "ratio": ratio,
        "agree": agree,
        "bars": bars,
        "bars_ok": all(bars.values()) and agree["ok"],
    }


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
    sls, hresept, meta = ensure_files(workdir, args.lines)
    files = {
        "sls": sls,
        "hresept": hresept,
        "sls_rows": meta["sls_rows"],
        "hresept_rows": meta["hresept_rows"],
    }
    targets, skipped = database_targets(args.databases, workdir, log)
    problems: list[str] = []
    results: Json = {}
    for target in targets:
        try:
            results[target.name] = measure_target(
                target, workdir=workdir, files=files, requests=args.requests, problems=problems
            )
        except BenchError as exc:  # the other database is still measured and reported
            log(f"{target.name}: FAILED: {exc}")
            problems.append(f"{target.name}: {exc}")
            results[target.name] = {"version": target.version, "error": str(exc), "bars_ok": False}
    for name in args.databases:
        if name in skipped:
            results[name] = {"skipped": skipped[name], "bars_ok": None}
    for name in args.databases:
        result = results.get(name, {})
        if "skipped" in result:
            log(f"{name}: SKIPPED ({result['skipped']})")
            continue
        if "error" in result:
            continue
        log(
            f"{name}: pages p95 at most {result['pages_p95_max_ms']} ms (bar "
            f"{PAGE_P95_BAR_MS:.0f}); data query / DuckDB {result['ratio']} (bar "
            f"{DUCKDB_RATIO_BAR}); SLS import with refresh {result['import']['sls']['rows_s']:,} "
            f"rows/s (bar {IMPORT_BAR_ROWS_S:,}; refresh {result['refresh_s']} s): "
            f"{'PASS' if result['bars_ok'] else 'FAIL'}"
        )
    for problem in problems:
        log(f"PROBLEM: {problem}")
    measured = [r for r in results.values() if "skipped" not in r]
    bars_ok = bool(measured) and all(r["bars_ok"] for r in measured)
    info["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    report = {
        "benchmark": "dashboards",
        "machine": info,
        "date": started.isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "lines": args.lines,
        "sls_lines": meta["sls_rows"],
        "hresept_lines": meta["hresept_rows"],
        "patients": meta["patients"],
        "file_bytes": {"sls": meta["bytes"][0], "hresept": meta["bytes"][1]},
        "generate_s": round(meta["sls_s"] + meta["hresept_s"], 1),
        "requests": args.requests,
        "warmup": WARMUP,
        "bars": {
            "page_p95_ms": PAGE_P95_BAR_MS,
            "query_vs_duckdb": DUCKDB_RATIO_BAR,
            "sls_import_rows_s_with_refresh": IMPORT_BAR_ROWS_S,
            "agree_rel": AGREE_REL,
        },
        "databases": {name: results[name] for name in args.databases if name in results},
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
