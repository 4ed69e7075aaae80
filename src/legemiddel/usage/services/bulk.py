"""Writing many rows at once: ``COPY`` on PostgreSQL, multi-row ``INSERT`` on SQLite."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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


@dataclass
class SqliteRows:
    """A chunk's rows as the Python values ``executemany`` binds, ``per`` rows to a statement.

    Made before the write transaction on SQLite: turning a chunk into Python objects takes about
    as long as inserting it, and done outside the transaction it leaves other writers a gap."""

    columns: int
    per: int
    groups: list[tuple[Any, ...]]  # ``per`` rows each, flattened
    rest: list[tuple[Any, ...]]  # the last rows, one each


def sqlite_rows(payload: pl.DataFrame) -> SqliteRows:
    per = _rows_per_insert(payload.width)
    full = payload.height - payload.height % per
    return SqliteRows(
        columns=payload.width,
        per=per,
        groups=list(_flat_groups(payload.head(full).iter_rows(), per)),
        rest=list(payload.tail(payload.height - full).iter_rows()),
    )


def write_payload(
    model: type[Any], columns: list[str], payload: bytes | pl.DataFrame | SqliteRows
) -> None:
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
    one = "(" + ", ".join(["?"] * len(columns)) + ")"
    sqlite = connection.connection
    if isinstance(payload, SqliteRows):
        parts: list[tuple[Iterable[tuple[Any, ...]], int]] = [
            (payload.groups, payload.per),
            (payload.rest, 1),
        ]
    else:
        per = _rows_per_insert(len(columns))
        full = payload.height - payload.height % per
        parts = [
            (_flat_groups(payload.head(full).iter_rows(), per), per),
            (payload.tail(payload.height - full).iter_rows(), 1),
        ]
    for rows, size in parts:
        sqlite.executemany(
            f"INSERT INTO {table} ({column_list}) VALUES "  # noqa: S608
            + ", ".join([one] * size),
            rows,
        )


def _rows_per_insert(columns: int) -> int:
    return max(1, min(SQLITE_ROWS_PER_INSERT, 30_000 // columns))


def _flat_groups(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[tuple[Any, ...]]:
    """The values of ``size`` rows at a time, as one flat tuple."""
    while group := tuple(chain.from_iterable(islice(rows, size))):
        yield group
