"""Writing many rows at once: ``COPY`` on PostgreSQL, multi-row ``INSERT`` on SQLite."""

from __future__ import annotations

import io
from collections.abc import Iterator
from itertools import chain, islice
from typing import Any

import polars as pl
from django.db import connection

from legemiddel.lib.db import bulk_copy

SQLITE_ROWS_PER_INSERT = 500


def insert_frame(model: type[Any], frame: pl.DataFrame) -> None:
    """Write a frame whose columns are the table's: COPY on PostgreSQL, executemany on SQLite."""
    write_payload(model, frame.columns, to_payload(frame, copy=bulk_copy()))


def to_payload(frame: pl.DataFrame, *, copy: bool) -> bytes | pl.DataFrame:
    """The rows in the form the database takes in bulk (no database access: any thread)."""
    if copy:
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False, null_value="\\N", quote_style="necessary")
        return buffer.getvalue()
    # Plain values bind fastest: dates as ISO text (how SQLite stores them), booleans as 0/1.
    return frame.with_columns(
        pl.col(pl.Date).dt.to_string("%Y-%m-%d"), pl.col(pl.Boolean).cast(pl.Int8)
    )


def write_payload(model: type[Any], columns: list[str], payload: bytes | pl.DataFrame) -> None:
    table = model._meta.db_table
    column_list = ", ".join(columns)
    if isinstance(payload, bytes):
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
            with raw.copy(
                f"COPY {table} ({column_list}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            ) as copy:
                copy.write(payload)
        return
    # Many rows per statement: SQLite's per-statement work (and the AUTOINCREMENT bookkeeping)
    # is paid once per few hundred rows instead of once per row. The rows go straight to
    # sqlite3: Django's cursor wrapper tees the iterator to peek at the first row, which keeps
    # every row of the chunk alive until the end.
    per = max(1, min(SQLITE_ROWS_PER_INSERT, 30_000 // len(columns)))
    full = payload.height - payload.height % per
    one = "(" + ", ".join(["?"] * len(columns)) + ")"
    sqlite = connection.connection
    for rows, size in ((payload.head(full), per), (payload.tail(payload.height - full), 1)):
        if rows.height:
            sqlite.executemany(
                f"INSERT INTO {table} ({column_list}) VALUES "  # noqa: S608
                + ", ".join([one] * size),
                _flat_groups(rows.iter_rows(), size),
            )


def _flat_groups(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[tuple[Any, ...]]:
    """The values of ``size`` rows at a time, as one flat tuple."""
    while group := tuple(chain.from_iterable(islice(rows, size))):
        yield group
