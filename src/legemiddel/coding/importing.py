"""The episode import: one file, one row per episode code, replacing the months it covers and
every earlier version of the episodes it has.

Parse (usage's reader, through ``profiles/episoder.yaml``, chunk by chunk) -> validate (polars:
every row as its chunk is read, then every episode of the whole file, see
:mod:`legemiddel.coding.checking`) -> load (one transaction). A file with errors stores nothing
unless the valid rows are accepted; then every episode with an error row is left out whole.

An episode is identified by its id: the newest import's version replaces an older one wherever
its months are (a corrected re-report, or an episode in both an October and a November file).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Max

from legemiddel.coding.checking import (
    Lookups,
    check_chunk,
    disagreeing,
    empty_errors,
    episode_errors,
    lookups,
)
from legemiddel.coding.events import EPISODES_IMPORTED
from legemiddel.coding.models import Episode, EpisodeCode, EpisodeImport
from legemiddel.core import outbox
from legemiddel.core.audit import audit_record
from legemiddel.lib.formatting import format_import_summary, format_number
from legemiddel.lib.profiles import load_profile
from legemiddel.lib.pseudonym import pseudonym_key, pseudonymise
from legemiddel.lib.tabular import FileFormatError, ImportRejected, RowError, file_sha256
from legemiddel.usage.reading import Table, open_profile_table
from legemiddel.usage.services.bulk import insert_frame

PROFILE = Path(__file__).resolve().parent / "profiles" / "episoder.yaml"
MAX_ERRORS = 1000
CHUNK_BYTES = 4 * 1024 * 1024
EPISODES_PER_INSERT = 200_000
CODES_PER_INSERT = 500_000
DISPLAYED = ("episode", "patient", "unit", "contact_type", "start", "end", "hpr", "code_system",
             "code")  # fmt: skip


@dataclass
class EpisodeImportResult:
    batch: EpisodeImport

    def as_text(self) -> str:
        b = self.batch
        replaced = "tidligere episoder erstattet"
        if b.episodes_superseded:
            replaced += (
                f" ({format_number(b.episodes_superseded)} av dem med samme episode-id i andre "
                "måneder: den sist importerte versjonen gjelder)"
            )
        return format_import_summary(
            "Episoder",
            (b.period_start, b.period_end),
            f"{format_number(b.episodes)} episoder ({format_number(b.rows_accepted)} av "
            f"{format_number(b.rows_read)} rader)",
            rejected=(b.rows_rejected, "rader avvist"),
            replaced=(b.episodes_replaced, replaced),
        )


@dataclass
class Read:
    """The whole file, checked: compact episodes and codes, the first errors, the episodes with
    an error, and the file's own column names."""

    rows: int
    episodes: pl.DataFrame
    codes: pl.DataFrame
    errors: pl.DataFrame
    bad: pl.DataFrame
    headers: dict[str, str]


def _open(path: Path) -> Table:
    # Blocks of a third of usage's (about 40 000 rows): a block is checked with many derived
    # columns at once, and what it costs while it is checked is most of the import's memory.
    return open_profile_table(
        path, load_profile(PROFILE, frozenset({"patient"})), chunk_bytes=CHUNK_BYTES
    )


def _read(path: Path, found: Lookups) -> Read:
    """Read and check the file chunk by chunk, keeping only compact frames (memory grows with
    the episodes, not with the file's text)."""
    table = _open(path)
    rows = 0
    episodes: list[pl.DataFrame] = []
    codes: list[pl.DataFrame] = []
    errors: list[pl.DataFrame] = []
    bad: list[pl.DataFrame] = []
    kept = 0
    try:
        for chunk in table.chunks:
            rows += chunk.height
            checked = check_chunk(chunk, found)
            episodes.append(checked.episodes)
            codes.append(checked.codes)
            if checked.errors.height:
                bad.append(checked.bad)
                # Chunks come in row order: the first errors of the file are the first kept.
                if kept < MAX_ERRORS:
                    errors.append(checked.errors.head(MAX_ERRORS - kept))
                    kept += errors[-1].height
    finally:
        table.close()
    every = pl.concat(episodes) if episodes else pl.DataFrame()
    disagree = disagreeing(every) if every.height else {}
    if disagree:
        errors.append(_episode_errors(path, disagree))
        bad.extend(disagree.values())
    return Read(
        rows=rows,
        episodes=every,
        codes=pl.concat(codes) if codes else pl.DataFrame(),
        errors=pl.concat(errors).sort("row", maintain_order=True) if errors else empty_errors(),
        bad=pl.concat(bad).unique() if bad else pl.DataFrame(),
        headers=table.headers,
    )


def _episode_errors(path: Path, disagree: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The rows of episodes whose rows disagree, read again from the file (only when there are
    such episodes) to name each row and repeat its value as the file has it."""
    table = _open(path)
    found: list[pl.DataFrame] = []
    count = 0
    try:
        for chunk in table.chunks:
            errors = episode_errors(chunk, disagree)
            if errors.height:
                found.append(errors)
                count += errors.height
            if count >= MAX_ERRORS:
                break
    finally:
        table.close()
    return pl.concat(found) if found else empty_errors()


def _pseudonyms(episodes: pl.DataFrame) -> pl.DataFrame:
    key = pseudonym_key()
    patients = episodes.get_column("patient_n").drop_nulls().unique().to_list()
    return pl.DataFrame(
        {"patient_n": patients, "pseudonym": [pseudonymise(f"{p:011d}", key) for p in patients]},
        schema={"patient_n": pl.UInt64, "pseudonym": pl.String},
    )


def _episode_rows(episodes: pl.DataFrame, batch: int) -> pl.DataFrame:
    utc = [
        pl.col(c)
        .dt.replace_time_zone("Europe/Oslo", ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
        .alias(a)
        for c, a in (("start_v", "start_at"), ("end_v", "end_at"))
    ]
    return episodes.select(
        pl.lit(batch).alias("batch_id"),
        pl.col("episode").alias("episode_ref"),
        pl.col("pseudonym").alias("patient"),
        pl.col("unit").cast(pl.String).alias("unit_code"),
        "org_unit_id",
        pl.col("contact_type_v").cast(pl.String).alias("contact_type"),
        *utc,
        pl.col("start_v").dt.date().alias("start_day"),
        pl.col("end_v").dt.date().alias("end_day"),
        "month",
        pl.col("hpr_v").cast(pl.String).alias("hpr"),
    )


def _replace_by_id(batch: int, after_id: int) -> int:
    """Delete every earlier version of the episodes this import has written (ids above
    ``after_id``), and their codes, wherever their months are; in SQL, in the import's
    transaction. Run before the new codes are written: every code of these ids is old then."""
    episode = Episode._meta.db_table
    code = EpisodeCode._meta.db_table
    new = f"SELECT episode_ref FROM {episode} WHERE id > %s AND batch_id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {code} WHERE episode_ref IN ({new})",  # noqa: S608
            [after_id, batch],
        )
        cursor.execute(
            f"DELETE FROM {episode} WHERE batch_id <> %s AND episode_ref IN ({new})",  # noqa: S608
            [batch, after_id, batch],
        )
        return max(cursor.rowcount, 0)


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
        read = _read(path, lookups())
    except FileFormatError as exc:
        raise ImportRejected([RowError(0, "", "", f"{file_name}: {exc}")]) from exc
    if not read.rows:
        raise ImportRejected([RowError(0, "", "", f"{file_name}: Filen har ingen rader.")])
    display = {c: read.headers.get(c, c) for c in DISPLAYED}
    row_errors = [
        RowError(r, f"{file_name}: {display.get(c, c)}", v or "", m)
        for r, c, v, m in read.errors.head(MAX_ERRORS).iter_rows()
    ]
    # The read's frames are let go as they are replaced: a full year's file is millions of rows.
    rows_read, episodes, codes, bad = read.rows, read.episodes, read.codes, read.bad
    del read
    if bad.height:
        episodes = episodes.join(bad, on="episode", how="anti", maintain_order="left")
        codes = codes.join(bad, on="episode", how="anti")
    if row_errors and (not accept_valid or not episodes.height):
        raise ImportRejected(row_errors)
    accepted = int(episodes.get_column("rows").sum())
    # One row per episode now (its rows agree, though chunks may each have some), in file order
    # (chunks in order, each chunk's episodes in order of their rows).
    episodes = episodes.unique("episode", keep="first", maintain_order=True)
    # Pseudonyms per patient, joined on as each slice is written (64 characters a row).
    pseudonyms = _pseudonyms(episodes)
    months = episodes.get_column("month").unique().sort().to_list()
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
            period_end=episodes.get_column("start_v").max().date(),  # type: ignore[union-attr]
            rows_read=rows_read,
            rows_accepted=accepted,
            rows_rejected=rows_read - accepted,
            episodes=episodes.height,
            rejects=[
                {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
                for e in row_errors
            ],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        before = Episode.objects.aggregate(top=Max("id"))["top"] or 0
        for part in episodes.iter_slices(EPISODES_PER_INSERT):
            named = part.join(pseudonyms, on="patient_n", how="left", maintain_order="left")
            insert_frame(Episode, _episode_rows(named, batch.pk))
        superseded = _replace_by_id(batch.pk, before)
        for part in codes.iter_slices(CODES_PER_INSERT):
            insert_frame(
                EpisodeCode,
                part.select(
                    pl.col("episode").alias("episode_ref"),
                    "month",
                    pl.col("system_v").cast(pl.String).alias("system"),
                    pl.col("code_v").cast(pl.String).alias("code"),
                    pl.col("main_v").alias("main"),
                    pl.col("atc_v").cast(pl.String).alias("atc"),
                ),
            )
        batch.episodes_replaced = replaced + superseded
        batch.episodes_superseded = superseded
        batch.save(update_fields=["episodes_replaced", "episodes_superseded"])
        outbox.announce(
            topic=EPISODES_IMPORTED, payload={"months": [m.isoformat() for m in months]}
        )
        result = EpisodeImportResult(batch)
        audit_record(
            user=actor, action="import", detail=f"{file_name} ({sha256[:12]}): {result.as_text()}"
        )
    return result
