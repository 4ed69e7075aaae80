"""The monthly cube (``MonthlyUsage``) of the rows an import brings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from legemiddel.usage.models import MonthlyUsage
from legemiddel.usage.services.bulk import SqliteRows, sqlite_rows, to_payload, write_payload
from legemiddel.usage.services.targets import Target


class Cube:
    """The monthly cube of the rows a file brings, summed chunk by chunk.

    A file replaces every earlier row of its months, so after the import those months hold
    exactly this file's rows and their cube cells are these sums.
    """

    def __init__(self, target: Target) -> None:
        self.target = target
        self.sums: list[pl.DataFrame] = []
        self.patients: list[pl.DataFrame] = []

    def add(self, rows: pl.DataFrame) -> None:
        t = self.target
        keyed = rows.with_columns(pl.col(t.cube_atc).fill_null("").alias("_cube_atc"))
        keys = ["month", "org_unit_id", "package_id", "_cube_atc"]
        zero = pl.lit(0.0)
        self.sums.append(
            keyed.group_by(keys).agg(
                (pl.col(t.cube_quantity).sum() if t.cube_quantity else pl.len().cast(pl.Float64))
                .cast(pl.Float64)
                .alias("quantity"),
                (pl.col("amount").sum() if t.cube_money else zero).alias("amount"),
                (pl.col("ddd").sum() if t.cube_money else zero).alias("ddd"),
                pl.len().alias("rows"),
            )
        )
        if t.cube_patients:
            self.patients.append(keyed.select(*keys, "patient").unique())
        # Fold the parts now and then, so a file of ten million lines keeps one cube in memory.
        if len(self.sums) >= 4:
            self.sums = [pl.concat(self.sums).group_by(keys).agg(pl.all().sum())]
        if len(self.patients) >= 4:
            self.patients = [pl.concat(self.patients).unique()]

    def frame(self, source: str) -> pl.DataFrame | None:
        """The cube's cells as ``MonthlyUsage`` columns (no database: before the write lock)."""
        if not self.sums:
            return None
        keys = ["month", "org_unit_id", "package_id", "_cube_atc"]
        cube = pl.concat(self.sums).group_by(keys).agg(pl.all().sum())
        if self.patients:
            counts = (
                pl.concat(self.patients).unique().group_by(keys).agg(pl.len().alias("patients"))
            )
            cube = cube.join(counts, on=keys, how="left", nulls_equal=True)
        else:
            cube = cube.with_columns(pl.lit(0).alias("patients"))
        return cube.sort("month").select(
            "month",
            pl.lit(source).alias("source"),
            "org_unit_id",
            "package_id",
            pl.col("_cube_atc").str.slice(0, 7).alias("atc"),
            "quantity",
            "amount",
            "ddd",
            pl.col("patients").fill_null(0),
            "rows",
        )

    def cells(self, source: str, *, copy: bool) -> Cells | None:
        """The cells in the database's bulk format, made before the write transaction."""
        frame = self.frame(source)
        if frame is None:
            return None
        payload = to_payload(frame, copy=copy)
        return Cells(
            frame.columns, sqlite_rows(payload) if isinstance(payload, pl.DataFrame) else payload
        )

    @staticmethod
    def write(source: str, months: set[dt.date], cells: Cells | None) -> None:
        """Replace the cube's cells of these months."""
        stale = MonthlyUsage.objects.filter(source=source, month__in=months)
        stale._raw_delete(stale.db)
        if cells is not None:
            write_payload(MonthlyUsage, cells.columns, cells.payload)


@dataclass(frozen=True)
class Cells:
    columns: list[str]
    payload: bytes | SqliteRows
