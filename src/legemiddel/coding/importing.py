"""The episode import: one file, one row per episode code, replacing the months it covers.

Parse (usage's reader, through ``profiles/episoder.yaml``) -> validate (polars, every row and
every episode) -> load (one transaction). A file with errors stores nothing unless the valid
rows are accepted; then every episode with an error row is left out whole.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction

from legemiddel.coding.events import EPISODES_IMPORTED
from legemiddel.coding.models import ContactType, Episode, EpisodeCode, EpisodeImport
from legemiddel.coding.rules import load_rules
from legemiddel.core import outbox
from legemiddel.core.audit import audit_record
from legemiddel.lib.formatting import format_number
from legemiddel.lib.profiles import load_profile
from legemiddel.lib.pseudonym import fnr_problem, pseudonym_key, pseudonymise
from legemiddel.lib.tabular import FileFormatError, ImportRejected, RowError, file_sha256
from legemiddel.organisation.models import OrgUnit
from legemiddel.usage.models import CodeMapping
from legemiddel.usage.reading import ROW, open_profile_table
from legemiddel.usage.services.bulk import insert_frame

PROFILE = Path(__file__).resolve().parent / "profiles" / "episoder.yaml"
MAX_ERRORS = 1000
CONTACT_TYPES = {
    "døgn": ContactType.INPATIENT, "dogn": ContactType.INPATIENT,
    "inpatient": ContactType.INPATIENT, "innlagt": ContactType.INPATIENT,
    "dag": ContactType.DAY, "dagbehandling": ContactType.DAY, "day": ContactType.DAY,
    "poliklinikk": ContactType.OUTPATIENT, "poliklinisk": ContactType.OUTPATIENT,
    "poli": ContactType.OUTPATIENT, "outpatient": ContactType.OUTPATIENT,
}  # fmt: skip
CODE_SYSTEMS = {
    "ICD-10": "ICD10", "ICD10": "ICD10", "NCMP": "NCMP", "NCSP": "NCSP", "ATC": "ATC",
    "F": "ATC", "S": "S", "SÆRKODE": "S", "SAERKODE": "S",
}  # fmt: skip
MAIN = {"h": True, "hoved": True, "hovedkode": True, "1": True, "ja": True, "true": True}
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y-%m-%d", "%d.%m.%Y",
)  # fmt: skip
EPISODE_FIELDS = ("patient", "org_unit_id", "contact_type_v", "start_v", "end_v", "hpr_v")


@dataclass
class EpisodeImportResult:
    batch: EpisodeImport

    def as_text(self) -> str:
        b = self.batch
        text = (
            f"Episoder {b.period_start:%m.%Y}–{b.period_end:%m.%Y}: "
            f"{format_number(b.episodes)} episoder ({format_number(b.rows_accepted)} av "
            f"{format_number(b.rows_read)} rader) importert"
        )
        if b.rows_rejected:
            text += f", {format_number(b.rows_rejected)} rader avvist"
        if b.episodes_replaced:
            text += f"; {format_number(b.episodes_replaced)} tidligere episoder erstattet"
        return text + "."


def _read(path: Path) -> tuple[pl.DataFrame, dict[str, str]]:
    table = open_profile_table(path, load_profile(PROFILE, frozenset({"patient"})))
    try:
        frames = list(table.chunks)
    finally:
        table.close()
    columns = [c for c in table.columns if not c.startswith("_ignored_")]
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=[*columns, ROW])
    for name in ("hpr", "main"):
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(name))
    return frame.select(
        ROW, *[c for c in frame.columns if c != ROW and not c.startswith("_ignored_")]
    ), table.headers


def _datetime(name: str) -> pl.Expr:
    text = pl.col(name).str.strip_chars()
    return pl.coalesce(
        [text.str.to_datetime(f, strict=False, time_unit="us") for f in DATETIME_FORMATS]
    )


def _units() -> pl.DataFrame:
    units = dict(OrgUnit.objects.values_list("code", "id"))
    # RESH ids and other unit codes are mapped on usage's mapping page (kind "unit").
    units.update(
        CodeMapping.objects.filter(kind=CodeMapping.Kind.UNIT, org_unit__isnull=False).values_list(
            "code", "org_unit_id"
        )
    )
    return pl.DataFrame(
        {"unit_v": list(units), "org_unit_id": list(units.values())},
        schema={"unit_v": pl.String, "org_unit_id": pl.Int64},
    )


def _saerkoder() -> pl.DataFrame:
    rules = load_rules()
    return pl.DataFrame(
        {
            "code_v": [s.code for s in rules.saerkoder],
            "mapped_atc": [s.atc for s in rules.saerkoder],
            "map_from": [s.valid_from for s in rules.saerkoder],
            "map_to": [s.valid_to or dt.date(9999, 12, 31) for s in rules.saerkoder],
        },
        schema={
            "code_v": pl.String,
            "mapped_atc": pl.String,
            "map_from": pl.Date,
            "map_to": pl.Date,
        },
    )


def validate(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows made ready to store, and the errors (row, column, value, message)."""
    key = pseudonym_key()
    strip = [pl.col(c).str.strip_chars().fill_null("") for c in frame.columns if c != ROW]
    f = frame.with_columns(strip).with_columns(
        pl.col("unit").alias("unit_v"),
        pl.col("contact_type")
        .str.to_lowercase()
        .replace_strict(CONTACT_TYPES, default=None, return_dtype=pl.String)
        .alias("contact_type_v"),
        _datetime("start").alias("start_v"),
        _datetime("end").alias("end_v"),
        pl.col("hpr").alias("hpr_v"),
        pl.col("code_system")
        .str.to_uppercase()
        .replace_strict(CODE_SYSTEMS, default=None, return_dtype=pl.String)
        .alias("system_v"),
        pl.col("code").str.to_uppercase().str.replace_all(r"[.\s]", "").alias("code_v"),
        pl.col("main")
        .str.to_lowercase()
        .replace_strict(MAIN, default=False, return_dtype=pl.Boolean)
        .alias("main_v"),
    )
    f = f.join(_units(), on="unit_v", how="left")
    f = f.with_columns(pl.col("start_v").dt.date().alias("start_day"))
    patients = f.get_column("patient").unique().to_list()
    problems = {p: fnr_problem(p) for p in patients}
    f = f.with_columns(
        pl.col("patient")
        .replace_strict(
            {p: (None if problems[p] else pseudonymise(p, key)) for p in patients},
            return_dtype=pl.String,
        )
        .alias("pseudonym"),
        pl.col("patient")
        .replace_strict({p: problems[p] for p in patients}, return_dtype=pl.String)
        .alias("fnr_problem"),
    )
    # Særkoder through the rules' dated mapping (at the episode's start), ATC codes as they are.
    mapping = _saerkoder()
    f = (
        f.join(mapping, on="code_v", how="left")
        .filter(
            pl.col("map_from").is_null()
            | (
                (pl.col("map_from") <= pl.col("start_day"))
                & (pl.col("start_day") <= pl.col("map_to"))
            )
            | pl.col("start_day").is_null()
        )
        .unique(ROW, keep="first", maintain_order=True)
    )
    f = f.with_columns(
        pl.when(pl.col("system_v") == "ATC")
        .then(pl.col("code_v"))
        .when(pl.col("system_v") == "S")
        .then(pl.col("mapped_atc"))
        .otherwise(pl.lit(""))
        .fill_null("")
        .alias("atc_v")
    )
    checks: list[tuple[pl.Expr, str, pl.Expr, str]] = [
        (pl.col("episode") == "", "episode", pl.col("episode"), "Episode-id mangler."),
        (
            pl.col("episode").str.len_chars() > 40,
            "episode",
            pl.col("episode"),
            "Episode-id er lengre enn 40 tegn.",
        ),
        (pl.col("fnr_problem").is_not_null(), "patient", pl.lit(""), ""),
        (
            pl.col("org_unit_id").is_null(),
            "unit",
            pl.col("unit"),
            "Ukjent enhet eller RESH-id (koble den på siden for koblinger, eller bruk enhetskoden).",
        ),
        (
            pl.col("contact_type_v").is_null(),
            "contact_type",
            pl.col("contact_type"),
            "Ukjent kontakttype; bruk døgn, dag eller poliklinikk.",
        ),
        (
            pl.col("start_v").is_null(),
            "start",
            pl.col("start"),
            "Starttidspunktet er ikke en dato (2026-03-15 08:30).",
        ),
        (
            pl.col("end_v").is_null(),
            "end",
            pl.col("end"),
            "Sluttidspunktet er ikke en dato (2026-03-15 14:00).",
        ),
        (
            pl.col("end_v") < pl.col("start_v"),
            "end",
            pl.col("end"),
            "Episoden slutter før den starter.",
        ),
        (
            (pl.col("hpr_v") != "") & ~pl.col("hpr_v").str.contains(r"^\d{1,9}$"),
            "hpr",
            pl.col("hpr"),
            "HPR-nummeret skal være sifre (høyst 9).",
        ),
        (
            (pl.col("code_v") != "") & pl.col("system_v").is_null(),
            "code_system",
            pl.col("code_system"),
            "Ukjent kodeverk; bruk ICD-10, NCMP, NCSP, ATC eller S (særkode).",
        ),
        (
            (pl.col("code_v") == "") & (pl.col("code_system") != ""),
            "code",
            pl.col("code"),
            "Koden mangler.",
        ),
        (
            (pl.col("code_v") != "") & ~pl.col("code_v").str.contains(r"^[A-Z0-9]{1,20}$"),
            "code",
            pl.col("code"),
            "Koden kan bare ha bokstaver og sifre.",
        ),
        (
            (pl.col("system_v") == "ATC")
            & ~pl.col("code_v").str.contains(r"^[A-Z]\d\d[A-Z]{2}\d\d$"),
            "code",
            pl.col("code"),
            "ATC-koden skal ha formen L04AB02.",
        ),
        (
            (pl.col("system_v") == "S") & (pl.col("atc_v") == ""),
            "code",
            pl.col("code"),
            "Særkoden har ingen kobling til en ATC-kode i kodereglene (rules/isf.yaml).",
        ),
    ]
    errors = [
        f.filter(cond.fill_null(False)).select(
            pl.col(ROW).alias("row"),
            pl.lit(column).alias("column"),
            value.cast(pl.String).alias("value"),
            (pl.col("fnr_problem") if column == "patient" else pl.lit(message)).alias("message"),
        )
        for cond, column, value, message in checks
    ]
    # One episode, one set of fields: a second patient, or rows that disagree.
    by_episode = (
        f.filter(pl.col("episode") != "")
        .group_by("episode")
        .agg(*[pl.col(c).n_unique().alias(c) for c in EPISODE_FIELDS])
    )
    names = {"patient": "patient", "org_unit_id": "unit", "contact_type_v": "contact_type",
             "start_v": "start", "end_v": "end", "hpr_v": "hpr"}  # fmt: skip
    for field, column in names.items():
        bad = by_episode.filter(pl.col(field) > 1).select("episode")
        if bad.height:
            message = (
                "Episode-id-en er brukt for ulike pasienter."
                if field == "patient"
                else "Radene for samme episode er uenige om dette feltet."
            )
            errors.append(
                f.join(bad, on="episode").select(
                    pl.col(ROW).alias("row"),
                    pl.lit(column).alias("column"),
                    (pl.lit("") if field == "patient" else pl.col(column)).alias("value"),
                    pl.lit(message).alias("message"),
                )
            )
    found = pl.concat(errors).sort("row") if errors else pl.DataFrame()
    return f, found


def episodes_import(
    *,
    path: Path,
    actor: Any = None,
    file_name: str = "",
    progress: Any = None,
    accept_valid: bool = False,
) -> EpisodeImportResult:
    """Import an episode file. Raises :class:`ImportRejected` naming row and column (nothing
    is stored) unless ``accept_valid``, when the episodes with errors are left out."""
    file_name = file_name or path.name
    sha256 = file_sha256(path)
    try:
        frame, headers = _read(path)
    except FileFormatError as exc:
        raise ImportRejected([RowError(0, "", "", f"{file_name}: {exc}")]) from exc
    if not frame.height:
        raise ImportRejected([RowError(0, "", "", f"{file_name}: Filen har ingen rader.")])
    rows, errors = validate(frame)
    display = {
        c: headers.get(c, c)
        for c in (
            "episode",
            "patient",
            "unit",
            "contact_type",
            "start",
            "end",
            "hpr",
            "code_system",
            "code",
        )
    }
    row_errors = (
        [
            RowError(r, f"{file_name}: {display.get(c, c)}", v or "", m)
            for r, c, v, m in errors.head(MAX_ERRORS).iter_rows()
        ]
        if errors.height
        else []
    )
    if errors.height:
        bad = (
            rows.join(errors.select(pl.col("row").alias(ROW)).unique(), on=ROW)
            .select("episode")
            .unique()
        )
        rows = rows.join(bad, on="episode", how="anti")
        if not accept_valid or not rows.height:
            raise ImportRejected(row_errors)
    utc = [
        pl.col(c)
        .dt.replace_time_zone("Europe/Oslo", ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
        .alias(a)
        for c, a in (("start_v", "start_at"), ("end_v", "end_at"))
    ]
    rows = rows.with_columns(
        *utc,
        pl.col("end_v").dt.date().alias("end_day"),
        pl.col("start_day").dt.month_start().alias("month"),
    )
    months = sorted(set(rows.get_column("month").to_list()))
    episodes = rows.unique("episode", keep="first", maintain_order=True)
    codes = rows.filter(pl.col("code_v") != "").select(
        pl.col("episode").alias("episode_ref"),
        "month",
        pl.col("system_v").alias("system"),
        pl.col("code_v").alias("code"),
        pl.col("main_v").alias("main"),
        pl.col("atc_v").alias("atc"),
    )
    with transaction.atomic():
        earlier = Episode.objects.filter(month__in=months)
        replaced = earlier.count()
        earlier._raw_delete(earlier.db)
        old_codes = EpisodeCode.objects.filter(month__in=months)
        old_codes._raw_delete(old_codes.db)
        batch = EpisodeImport.objects.create(
            file_name=file_name[:255],
            sha256=sha256,
            period_start=months[0],
            period_end=max(rows.get_column("start_day").to_list()),
            rows_read=frame.height,
            rows_accepted=rows.height,
            rows_rejected=frame.height - rows.height,
            episodes=episodes.height,
            episodes_replaced=replaced,
            rejects=[
                {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
                for e in row_errors
            ],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        insert_frame(
            Episode,
            episodes.select(
                pl.lit(batch.pk).alias("batch_id"),
                pl.col("episode").alias("episode_ref"),
                pl.col("pseudonym").alias("patient"),
                pl.col("unit").alias("unit_code"),
                "org_unit_id",
                pl.col("contact_type_v").alias("contact_type"),
                "start_at",
                "end_at",
                "start_day",
                "end_day",
                "month",
                pl.col("hpr_v").alias("hpr"),
            ),
        )
        if codes.height:
            insert_frame(EpisodeCode, codes)
        outbox.announce(
            topic=EPISODES_IMPORTED, payload={"months": [m.isoformat() for m in months]}
        )
        result = EpisodeImportResult(batch)
        audit_record(
            user=actor, action="import", detail=f"{file_name} ({sha256[:12]}): {result.as_text()}"
        )
    return result
