"""Benchmark: Nye metoder, importing the public decision list and the clinicians' look-up.

Generates (once, cached in the work directory) a decision list of ``--rows`` rows in the public
layout: one XLSX sheet with the 9 headers spelled as the national list spells them, IDs as
``2019_073`` (some with a letter suffix, some IDs with several indications), Excel serial dates
(some 0) and decision texts in the list's phrasing. Then, for each database, each step in its
own child process on a fresh database:

- **import**: ``methods.importing.methods_import(path=..., actor=None)`` of the file, timed
  (``import_s``). Until that importer exists, the rows are stored directly (read with calamine,
  IDs normalised) so the look-up can still be measured; ``import_s`` is then ``null``, the run
  says which was used (``importer``) and the bar fails;
- **lookup**: ``--queries`` realistic searches (substances whole and as typed, trade names,
  words of indications with æ, ø and å, IDs in every form, two-word queries) against the
  search fragment ``methods:search`` as htmx asks it, logged in as a user without roles, after
  warm-up; the time is the server's: the whole request through the middleware, and closing the
  database connection as the server does after each request.

Bars, on every database measured: import_s <= 3, lookup_p95_ms <= 50.

    .venv/bin/python bench/methods.py [--rows 1000] [--queries 240]
        [--databases sqlite,postgresql] [--workdir var/bench] [--require-postgres]

Progress goes to stderr; the last line of stdout is one JSON object:
``{"sqlite": {"import_s", "lookup_p95_ms", ...}, "postgresql": {...}, ...}``. Exit status 1
when a bar fails or a step goes wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
IMPORT_BAR_S = 3.0
LOOKUP_BAR_MS = 50.0
WARMUP = 10
SEED = 2026
GENERATOR_VERSION = 1  # bump when the generated list changes
USER = "bench-lege"
HEADERS = [
    "ID-nr",
    "Virkestoff",
    "Handelsenavn",
    "Bruksområde (indikasjon)",
    "Metodetype",
    "Fagområde",
    "Dato siste beslutning",
    "Gjeldende beslutning Kortversjon",
    "Gjeldende beslutning (Hele)",
]
SUBSTANCES = [
    ("Adalimumab", "Humira"), ("Pembrolizumab", "Keytruda"), ("Nivolumab", "Opdivo"),
    ("Atezolizumab", "Tecentriq"), ("Durvalumab", "Imfinzi"), ("Trastuzumab", "Herceptin"),
    ("Pertuzumab", "Perjeta"), ("Osimertinib", "Tagrisso"), ("Olaparib", "Lynparza"),
    ("Daratumumab", "Darzalex"), ("Ibrutinib", "Imbruvica"), ("Venetoklaks", "Venclyxto"),
    ("Aflibercept", "Eylea"), ("Faricimab", "Vabysmo"), ("Ranibizumab", "Lucentis"),
    ("Natalizumab", "Tysabri"), ("Okrelizumab", "Ocrevus"), ("Ofatumumab", "Kesimpta"),
    ("Kladribin", "Mavenclad"), ("Ozanimod", "Zeposia"), ("Ustekinumab", "Stelara"),
    ("Vedolizumab", "Entyvio"), ("Risankizumab", "Skyrizi"), ("Guselkumab", "Tremfya"),
    ("Sekukinumab", "Cosentyx"), ("Iksekizumab", "Taltz"), ("Tofacitinib", "Xeljanz"),
    ("Baricitinib", "Olumiant"), ("Upadacitinib", "Rinvoq"), ("Dupilumab", "Dupixent"),
    ("Tezepelumab", "Tezspire"), ("Mepolizumab", "Nucala"), ("Benralizumab", "Fasenra"),
    ("Erenumab", "Aimovig"), ("Fremanezumab", "Ajovy"), ("Galkanezumab", "Emgality"),
    ("Semaglutid", "Wegovy"), ("Tirzepatid", "Mounjaro"), ("Empagliflozin", "Jardiance"),
    ("Dapagliflozin", "Forxiga"), ("Sakubitril/valsartan", "Entresto"),
    ("Evolokumab", "Repatha"), ("Inklisiran", "Leqvio"), ("Nusinersen", "Spinraza"),
    ("Onasemnogenabeparvovek", "Zolgensma"), ("Tisagenlekleucel", "Kymriah"),
    ("Aksikabtagenciloleucel", "Yescarta"), ("Sotorasib", "Lumykras"),
    ("Trastuzumabderukstekan", "Enhertu"), ("Sacituzumabgovitekan", "Trodelvy"),
    ("Eptinezumab", "Vyepti"), ("Emicizumab", "Hemlibra"), ("Efgartigimod alfa", "Vyvgart"),
    ("Ekulizumab", "Soliris"), ("Ravulizumab", "Ultomiris"), ("Lekanemab", "Leqembi"),
    ("Ianalumab", ""), ("Mavakamten", "Camzyos"), ("Tafamidis", "Vyndaqel"),
    ("Elexakaftor/tezakaftor/ivakaftor", "Kaftrio"),
]  # fmt: skip
INDICATIONS = [
    "revmatoid artritt", "psoriasisartritt", "aksial spondyloartritt", "plakkpsoriasis",
    "Crohns sykdom", "ulcerøs kolitt", "atopisk dermatitt", "alvorlig astma",
    "kronisk rhinosinusitt med nesepolypper", "migrene", "attakkvis remitterende multippel sklerose",
    "primær progressiv multippel sklerose", "neovaskulær aldersrelatert makuladegenerasjon",
    "diabetisk makulaødem", "ikke-småcellet lungekreft", "småcellet lungekreft",
    "tidlig HER2-positiv brystkreft", "metastatisk trippel-negativ brystkreft",
    "avansert nyrecellekarsinom", "malignt melanom", "myelomatose", "kronisk lymfatisk leukemi",
    "diffust storcellet B-cellelymfom", "eggstokkreft med BRCA-mutasjon", "prostatakreft",
    "hepatocellulært karsinom", "hjertesvikt med redusert ejeksjonsfraksjon",
    "familiær hyperkolesterolemi", "fedme", "type 2-diabetes", "spinal muskelatrofi",
    "hemofili A", "generalisert myasthenia gravis", "paroksysmal nattlig hemoglobinuri",
    "tidlig Alzheimers sykdom", "primært Sjøgrens syndrom", "transtyretin amyloid kardiomyopati",
    "cystisk fibrose", "hypertrofisk obstruktiv kardiomyopati", "plateepitelkarsinom i hode og hals",
]  # fmt: skip
GROUPS = [
    "voksne", "barn fra 6 år", "andrelinjebehandling", "førstelinjebehandling",
    "vedlikeholdsbehandling", "etter kirurgi", "i kombinasjon med kjemoterapi", "monoterapi",
]  # fmt: skip
DEVICES = [
    ("Medisinsk utstyr, diagnostikk og tester", "Helgenomsekvensering", "utredning av sjeldne sykdommer"),
    ("Medisinsk utstyr, diagnostikk og tester", "Kontinuerlig glukosemåling", "type 1-diabetes"),
    ("Medisinsk utstyr, diagnostikk og tester", "Måling av legemiddelkonsentrasjon", "behandling med TNF-hemmere"),
    ("Prosedyrer og organisatoriske tiltak", "Protonterapi", "kreft hos barn"),
    ("Prosedyrer og organisatoriske tiltak", "Trombektomi", "akutt hjerneinfarkt"),
    ("Prosedyrer og organisatoriske tiltak", "Robotassistert kirurgi", "endetarmskreft"),
]  # fmt: skip
SPECIALTIES = ["Onkologi", "Revmatologi", "Nevrologi", "Øyesykdommer", "Hjerte og kar",
               "Lungesykdommer", "Hudsykdommer", "Blodsykdommer", "Endokrinologi"]  # fmt: skip
Json = dict[str, Any]
log = logger("methods")


def run_child(step: str, *, env: dict[str, str] | None = None, **options: object) -> Json:
    return _run_child(SCRIPT, step, env=env, **options)


def _django() -> None:
    import django

    django.setup()


# --- The generated list -------------------------------------------------------------------


def _decision(rng: random.Random, substance: str, indication: str) -> tuple[str, str]:
    """A short and a full decision text in the list's phrasing."""
    kind = rng.random()
    month = rng.choice(["1. februar", "1. mars", "1. april", "15. mai", "1. september"])
    year = rng.randint(2019, 2026)
    if kind < 0.45:
        short = (
            f"{substance} kan innføres til behandling av {indication}. Det forutsetter at prisen "
            f"er lik eller lavere enn prisen som ligger til grunn for beslutningen. Kan tas i "
            f"bruk fra {month} {year}."
        )
    elif kind < 0.6:
        short = (
            f"{substance} kan innføres til behandling av {indication}. Kan tas i bruk når ny "
            "LIS-avtale trer i kraft."
        )
    elif kind < 0.85:
        short = (
            f"{substance} innføres ikke til behandling av {indication}. Den dokumenterte "
            "effekten er usikker og prisen er for høy sammenlignet med nytten."
        )
    else:
        short = (
            f"Metoden er under vurdering. {substance} skal ikke tas i bruk for nye pasienter "
            "før det foreligger en beslutning; pågående behandling kan fortsette."
        )
    full = (
        f"Beslutningsforum for nye metoder har behandlet {substance} til {indication}. "
        + short
        + " Beslutningen er basert på metodevurdering og prisnotat fra Sykehusinnkjøp HF. "
        * rng.randint(1, 3)
    )
    return short, full.strip()


def generate_rows(n: int) -> list[list[Any]]:
    """``n`` rows of the public list, deterministic."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
    rows: list[list[Any]] = []
    year_numbers: dict[int, int] = {}
    while len(rows) < n:
        year = rng.randint(2014, 2026)
        year_numbers[year] = year_numbers.get(year, 0) + 1
        number = year_numbers[year]
        suffix = " A" if rng.random() < 0.04 else ""
        raw_id = f"{year}_{number:03d}{suffix}"
        if rng.random() < 0.2:
            method_type, substance, base = rng.choice(DEVICES)
            trade, indications = "", [base]
        else:
            method_type = "Legemidler"
            substance, trade = rng.choice(SUBSTANCES)
            count = rng.choices([1, 2, 3, 4], weights=[70, 18, 8, 4])[0]
            indications = rng.sample(INDICATIONS, count)
        for indication in indications:
            if len(rows) >= n:
                break
            text = f"{indication[0].upper()}{indication[1:]} hos {rng.choice(GROUPS)}"
            short, full = _decision(rng, substance, indication)
            serial = 0 if rng.random() < 0.05 else rng.randint(43466, 46350)  # 2019-2026
            rows.append(
                [raw_id, substance, trade, text, method_type, rng.choice(SPECIALTIES),
                 serial, short, full]
            )  # fmt: skip
    return rows


def _write_list(path: Path, n: int) -> None:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    book = xlsxwriter.Workbook(str(partial))
    sheet = book.add_worksheet("Beslutninger")
    sheet.write_row(0, 0, HEADERS)
    for i, row in enumerate(generate_rows(n), start=1):
        sheet.write_row(i, 0, row)
    book.close()
    partial.replace(path)


def list_path(workdir: Path, n: int) -> Path:
    return workdir / f"nye-metoder-{n}-v{GENERATOR_VERSION}.xlsx"


# --- Child side -------------------------------------------------------------------------------


def _child_setup(path: str, rows: int) -> Json:
    """Migrate, a user without roles, and the generated list (written once)."""
    _django()
    from django.core.management import call_command

    from legemiddel.accounts.services import user_create

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    user_create(username=USER, password=None, roles=[])
    file = Path(path)
    if not file.exists():
        _write_list(file, rows)
    return {"seconds": since(started), "bytes": file.stat().st_size}


def _store_directly(path: Path) -> int:
    """The rows stored as the importer would, for the look-up, while it does not exist."""
    import datetime as dt

    from django.db import transaction
    from python_calamine import CalamineWorkbook

    from legemiddel.methods.ids import indication_key, normalise_method_id
    from legemiddel.methods.models import Method, MethodType

    types = {
        "Legemidler": MethodType.DRUG,
        "Medisinsk utstyr, diagnostikk og tester": MethodType.DEVICE,
        "Prosedyrer og organisatoriske tiltak": MethodType.PROCEDURE,
    }
    book = CalamineWorkbook.from_path(str(path))
    table = book.get_sheet_by_index(0).to_python()
    found: dict[tuple[str, str], Method] = {}
    for row in table[1:]:
        raw_id, substance, trade, indication, kind, specialty, serial, short, full = row[:9]
        method_id = normalise_method_id(str(raw_id))
        key = indication_key(str(indication))
        serial = int(serial or 0)
        found[(method_id, key)] = Method(
            method_id=method_id, indication=str(indication), indication_key=key,
            substance_text=str(substance), trade_names=str(trade),
            method_type=types[str(kind)], method_type_text=str(kind), specialty=str(specialty),
            decision_date=dt.date(1899, 12, 30) + dt.timedelta(days=serial) if serial else None,
            decision_short=str(short), decision_full=str(full),
        )  # fmt: skip
    with transaction.atomic():
        Method.objects.bulk_create(found.values(), batch_size=500)
    return len(found)


def _child_import(path: str) -> Json:
    _django()
    from legemiddel.methods.models import Method

    try:
        from legemiddel.methods.importing import methods_import
    except ImportError:
        methods_import = None
    started = time.perf_counter()
    if methods_import is None:
        stored = _store_directly(Path(path))
        return {"import_s": None, "stored_directly_s": since(started), "importer": "direct",
                "methods": stored, **peak_memory()}  # fmt: skip
    result = methods_import(path=Path(path), actor=None)
    seconds = since(started)
    return {
        "import_s": seconds,
        "importer": "methods_import",
        "methods": Method.objects.count(),
        "summary": result.as_text()[:500] if hasattr(result, "as_text") else "",
        **peak_memory(),
    }


def queries(count: int) -> list[str]:
    """Searches as clinicians type them, deterministic: at least ``count``."""
    from legemiddel.methods.models import Method

    rng = random.Random(SEED + 1)  # noqa: S311 - reproducible data, not secrets
    ids = list(Method.objects.values_list("method_id", flat=True).distinct())
    out: list[str] = []
    while len(out) < count:
        substance, trade = rng.choice(SUBSTANCES)
        indication = rng.choice(INDICATIONS)
        method_id = rng.choice(ids) if ids else "ID2019_001"
        plain = method_id[2:]
        word = max(indication.split(), key=len)
        out += [
            substance.lower(),
            substance[: rng.randint(3, 6)].upper(),
            trade or substance,
            word,
            f"{substance.split('/')[0].lower()} {rng.choice(indication.split())}",
            plain,
            method_id,
            f"id{plain.lower()}" if not plain[-1].isalpha() else f"id{plain[:-1]} {plain[-1]}",
            rng.choice(["sjøgren", "ØYESYKDOMMER", "ulcerøs", "Crohns", "kolitt", "lymfom"]),
            rng.choice(["2019", "2021_0", "pembro lunge", "her2", "barn", "xyzzy"]),
        ]
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _child_lookup(count: int) -> Json:
    _django()
    from django.db import close_old_connections
    from django.test import Client
    from django.urls import reverse

    from legemiddel.accounts.models import User
    from legemiddel.methods.models import Method

    client = Client()
    client.force_login(User.objects.get(username=USER))
    close_old_connections()
    url = reverse("methods:search")
    asked = queries(count)
    times: list[float] = []
    hits = 0
    for i, q in enumerate(asked[:WARMUP] + asked):
        started = time.perf_counter()
        response = client.get(url, {"q": q}, headers={"HX-Request": "true"})
        close_old_connections()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise BenchError(f"search {q!r}: status {response.status_code}")
        if i >= WARMUP:
            times.append(elapsed)
            hits += b"/metoder/" in response.content
    return {
        "lookup_p95_ms": round(_p95(times), 1),
        "lookup_median_ms": round(statistics.median(times), 1),
        "lookup_max_ms": round(max(times), 1),
        "queries": len(times),
        "queries_with_hits": hits,
        "methods": Method.objects.count(),
    }


def child_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="methods.py _child")
    parser.add_argument("step", choices=("setup", "import", "lookup"))
    parser.add_argument("--path", default="")
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--queries", type=int, default=0)
    args = parser.parse_args(argv)
    if args.step == "setup":
        result = _child_setup(args.path, args.rows)
    elif args.step == "import":
        result = _child_import(args.path)
    else:
        result = _child_lookup(args.queries)
    print(json.dumps(result), flush=True)
    return 0


# --- Parent side ------------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--require-postgres", action="store_true")
    args = parser.parse_args(argv)
    if args.queries < 200:
        parser.error("--queries must be at least 200 for a p95 worth the name")
    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    targets, skipped = database_targets(args.databases.split(","), workdir, log)
    if args.require_postgres and "postgresql" in skipped:
        log("PostgreSQL is required and could not be measured")
        return 2
    path = list_path(workdir, args.rows)
    result: Json = {"machine": machine(), "rows": args.rows, "file": path.name}
    problems: list[str] = []
    for i, target in enumerate(targets):
        target_t: Target = target
        env = django_env(target_t.create(i), workdir)
        try:
            setup = run_child("setup", env=env, path=path, rows=args.rows)
            log(f"{target_t.name}: migrated; the list is {setup['bytes']:,} bytes")
            imported = run_child("import", env=env, path=path)
            log(f"{target_t.name}: {imported['importer']}: {imported['methods']} methods, "
                f"import_s {imported['import_s']}")  # fmt: skip
            lookup = run_child("lookup", env=env, queries=args.queries)
            log(f"{target_t.name}: look-up p95 {lookup['lookup_p95_ms']} ms, median "
                f"{lookup['lookup_median_ms']} ms over {lookup['queries']} queries")  # fmt: skip
            result[target_t.name] = {
                "import_s": imported["import_s"],
                "lookup_p95_ms": lookup["lookup_p95_ms"],
                "lookup_median_ms": lookup["lookup_median_ms"],
                "lookup_max_ms": lookup["lookup_max_ms"],
                "queries": lookup["queries"],
                "queries_with_hits": lookup["queries_with_hits"],
                "methods": lookup["methods"],
                "importer": imported["importer"],
                "import_peak_mb": mb(imported["rss_kb"]),
            }
            if imported["import_s"] is None:
                problems.append(f"{target_t.name}: methods_import is missing; rows stored directly")
            elif imported["import_s"] > IMPORT_BAR_S:
                problems.append(
                    f"{target_t.name}: import {imported['import_s']} s > {IMPORT_BAR_S}"
                )
            if lookup["lookup_p95_ms"] > LOOKUP_BAR_MS:
                problems.append(
                    f"{target_t.name}: look-up p95 {lookup['lookup_p95_ms']} ms > {LOOKUP_BAR_MS}"
                )
            if lookup["methods"] < min(args.rows, 1000) * 0.9:
                problems.append(f"{target_t.name}: only {lookup['methods']} methods stored")
        except BenchError as exc:
            problems.append(f"{target_t.name}: {exc}")
        finally:
            target_t.drop(i)
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
