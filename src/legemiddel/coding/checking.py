"""The episode file's checks: every row of a chunk as it is read, then every episode of the
whole file (one episode id, one patient and one set of fields).

A chunk is reduced to compact frames as soon as it is checked, so a file of millions of rows
never sits in memory as text: the episodes (one row per distinct set of fields in the chunk,
the patient as a number) and the codes (categories, not text). The values an error message
repeats are taken from the file's text while the chunk is at hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from legemiddel.coding.models import CodeSystem, ContactType
from legemiddel.coding.rules import load_rules
from legemiddel.lib.pseudonym import fnr_problem
from legemiddel.organisation.models import OrgUnit
from legemiddel.usage.models import CodeMapping
from legemiddel.usage.reading import ROW

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
CONTACT = pl.Enum(list(ContactType.values))
SYSTEM = pl.Enum(list(CodeSystem.values))
# The fields every row of an episode repeats, and the file's column each is checked as.
EPISODE_FIELDS = {
    "patient_n": "patient", "org_unit_id": "unit", "contact_type_v": "contact_type",
    "start_v": "start", "end_v": "end", "hpr_v": "hpr",
}  # fmt: skip
# An episode as kept between chunks: the file's text only where it is stored (unit, HPR).
EPISODE_COLUMNS = ("episode", "unit", *EPISODE_FIELDS)
ERROR_SCHEMA = {"row": pl.UInt32, "column": pl.String, "value": pl.String, "message": pl.String}


@dataclass
class Lookups:
    """What the checks compare with, read from the database once per file."""

    units: pl.DataFrame
    saerkoder: pl.DataFrame


@dataclass
class Checked:
    """One chunk, checked: its errors (row, column, value, message), the episodes of the rows
    with errors, the chunk's episodes (with the first row and the number of rows of each) and
    its codes."""

    errors: pl.DataFrame
    bad: pl.DataFrame
    episodes: pl.DataFrame
    codes: pl.DataFrame


def lookups() -> Lookups:
    units = dict(OrgUnit.objects.values_list("code", "id"))
    # RESH ids and other unit codes are mapped on usage's mapping page (kind "unit").
    units.update(
        CodeMapping.objects.filter(kind=CodeMapping.Kind.UNIT, org_unit__isnull=False).values_list(
            "code", "org_unit_id"
        )
    )
    rules = load_rules()
    return Lookups(
        units=pl.DataFrame(
            {"unit_v": list(units), "org_unit_id": list(units.values())},
            schema={"unit_v": pl.String, "org_unit_id": pl.Int32},
        ),
        saerkoder=pl.DataFrame(
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
        ),
    )


def _datetime(name: str) -> pl.Expr:
    text = pl.col(name)
    return pl.coalesce(
        [text.str.to_datetime(f, strict=False, time_unit="us") for f in DATETIME_FORMATS]
    )


def stripped(chunk: pl.DataFrame) -> pl.DataFrame:
    """The chunk's text, trimmed, with the optional columns present."""
    for name in ("hpr", "main"):
        if name not in chunk.columns:
            chunk = chunk.with_columns(pl.lit(None, pl.String).alias(name))
    return chunk.select(
        ROW,
        *[
            pl.col(c).str.strip_chars().fill_null("")
            for c in chunk.columns
            if c != ROW and not c.startswith("_ignored_")
        ],
    )


def _values(f: pl.DataFrame, found: Lookups) -> pl.DataFrame:
    f = f.with_columns(
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
    f = f.join(found.units, on="unit_v", how="left", maintain_order="left")
    f = f.with_columns(pl.col("start_v").dt.date().alias("start_day"))
    patients = f.get_column("patient").unique().to_list()
    problems = {p: fnr_problem(p) for p in patients}
    digits = pl.col("patient").str.replace_all(" ", "")
    f = f.with_columns(
        pl.col("patient")
        .replace_strict({p: problems[p] for p in patients}, return_dtype=pl.String)
        .alias("fnr_problem"),
    ).with_columns(
        # A valid number as a number (11 digits: leading zeros come back when it is written);
        # an invalid one is an error of its own row.
        pl.when(pl.col("fnr_problem").is_null())
        .then(digits.cast(pl.UInt64, strict=False))
        .alias("patient_n")
    )
    # Særkoder through the rules' dated mapping (at the episode's start), ATC codes as they are.
    f = (
        f.join(found.saerkoder, on="code_v", how="left", maintain_order="left")
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
    return f.with_columns(
        pl.when(pl.col("system_v") == "ATC")
        .then(pl.col("code_v"))
        .when(pl.col("system_v") == "S")
        .then(pl.col("mapped_atc"))
        .otherwise(pl.lit(""))
        .fill_null("")
        .alias("atc_v")
    )


def _row_checks() -> list[tuple[pl.Expr, str, pl.Expr, str]]:
    return [
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


def check_chunk(chunk: pl.DataFrame, found: Lookups) -> Checked:
    """Check every row of one chunk of the file and reduce it to compact frames."""
    f = _values(stripped(chunk), found)
    errors = pl.concat(
        [
            f.filter(cond.fill_null(False)).select(
                pl.col(ROW).alias("row"),
                pl.lit(column).alias("column"),
                value.cast(pl.String).alias("value"),
                (pl.col("fnr_problem") if column == "patient" else pl.lit(message)).alias(
                    "message"
                ),
            )
            for cond, column, value, message in _row_checks()
        ]
    ).sort("row", maintain_order=True)
    bad = (
        f.join(errors.select(pl.col("row").alias(ROW)).unique(), on=ROW).select("episode").unique()
    )
    compact = f.select(
        ROW,
        "episode",
        pl.col("unit").cast(pl.Categorical),
        "patient_n",
        "org_unit_id",
        pl.col("contact_type_v").cast(CONTACT),
        "start_v",
        "end_v",
        pl.col("hpr_v").cast(pl.Categorical),
        pl.col("start_v").dt.date().dt.month_start().alias("month"),
        pl.col("system_v").cast(SYSTEM),
        pl.col("code_v").cast(pl.Categorical),
        "main_v",
        pl.col("atc_v").cast(pl.Categorical),
    )
    episodes = compact.group_by(list(EPISODE_COLUMNS), maintain_order=True).agg(
        pl.col(ROW).min().alias("first_row"),
        pl.len().cast(pl.UInt32).alias("rows"),
        pl.col("month").first(),  # the start's month
    )
    codes = compact.filter(pl.col("code_v") != "").select(
        "episode", "month", "system_v", "code_v", "main_v", "atc_v"
    )
    return Checked(errors=errors, bad=bad, episodes=episodes, codes=codes)


def disagreeing(episodes: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The whole file's episodes (each chunk's distinct sets of fields together): per column,
    the episode ids whose rows disagree on it (a second patient, or any other field)."""
    # Each chunk's sets are distinct already: only an episode with more than one set (rows in
    # several chunks, or rows that disagree) needs looking at.
    by_episode = (
        episodes.filter(pl.col("episode").is_duplicated() & (pl.col("episode") != ""))
        .group_by("episode")
        .agg(*[pl.col(c).n_unique().alias(c) for c in EPISODE_FIELDS])
    )
    return {
        column: found
        for field, column in EPISODE_FIELDS.items()
        if (found := by_episode.filter(pl.col(field) > 1).select("episode")).height
    }


def episode_errors(chunk: pl.DataFrame, bad: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The rows of one chunk that belong to the episodes in ``bad``, as errors naming the column
    they disagree on (the value as the file has it; never a fødselsnummer)."""
    f = stripped(chunk)
    parts = []
    for column, episodes in bad.items():
        message = (
            "Episode-id-en er brukt for ulike pasienter."
            if column == "patient"
            else "Radene for samme episode er uenige om dette feltet."
        )
        parts.append(
            f.join(episodes, on="episode").select(
                pl.col(ROW).alias("row"),
                pl.lit(column).alias("column"),
                (pl.lit("") if column == "patient" else pl.col(column)).alias("value"),
                pl.lit(message).alias("message"),
            )
        )
    return pl.concat(parts).sort("row", maintain_order=True) if parts else empty_errors()


def empty_errors() -> pl.DataFrame:
    return pl.DataFrame(schema=ERROR_SCHEMA)
