"""A batch: validated chunks written, earlier rows of the same months replaced, the result."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any, cast

import polars as pl
from django.utils import timezone

from legemiddel.lib.formatting import format_import_summary, format_number
from legemiddel.lib.tabular import RowError
from legemiddel.usage.models import ImportBatch
from legemiddel.usage.services.bulk import SqliteRows, to_payload, write_payload
from legemiddel.usage.services.cube import Cells, Cube
from legemiddel.usage.services.staging import first_id, hide_loading, reveal
from legemiddel.usage.services.targets import TARGETS
from legemiddel.usage.validation import Checked

MAX_ERRORS = 1000


@dataclass
class UsageImportResult:
    batch: ImportBatch

    def as_text(self) -> str:
        b = self.batch
        return format_import_summary(
            b.get_source_display(),
            (b.period_start, b.period_end),
            f"{format_number(b.rows_accepted)} av {format_number(b.rows_read)} rader",
            rejected=(b.rows_rejected, "avvist (se avviste rader)"),
            replaced=(b.rows_replaced, "tidligere rader for perioden erstattet"),
        )


@dataclass
class Prepared:
    """A validated chunk made ready to write (in the reader thread, without the database)."""

    checked: Checked
    # The fact rows, in the database's bulk format.
    payload: bytes | pl.DataFrame | SqliteRows | None = None
    months: frozenset[dt.date] = frozenset()
    first_day: dt.date | None = None
    last_day: dt.date | None = None


class Loader:
    """Writes validated chunks, replacing earlier rows of the months it meets."""

    def __init__(
        self,
        *,
        source: str,
        sha256: str,
        file_name: str,
        actor: Any,
        copy: bool,
        staged: bool = False,
    ) -> None:
        self.source = source
        self.target = TARGETS[source]
        self.sha256 = sha256
        self.file_name = file_name
        self.actor = actor
        self.copy = copy  # the bulk format, decided up front: prepare() runs in another thread
        # Staged (SQLite): rows are written hidden, in short transactions, and shown at the end
        # (see .staging); otherwise everything happens in the caller's one transaction.
        self.staged = staged
        self.rows_read = 0
        self.rows_accepted = 0
        self.error_count = 0
        self.errors: list[RowError] = []
        # Canonical column -> the file's header, set once the file is opened.
        self.headers: dict[str, str] = {}
        self.unknown: list[pl.DataFrame] = []
        self.cube = Cube(self.target)
        self.months: set[dt.date] = set()
        self.replaced = 0
        self.batch_id = 0
        self.first_id = 0  # staged: the lowest id this batch's rows can have
        self.first_day: dt.date | None = None
        self.last_day: dt.date | None = None

    def start(self) -> None:
        """Create the batch (inside the import's transaction) before the first chunk arrives."""
        today = timezone.localdate()
        if self.staged:
            self.first_id = first_id(self.source)
        self.batch_id = ImportBatch.objects.create(
            source=self.source,
            file_name=self.file_name[:255],
            sha256=self.sha256,
            period_start=today,
            period_end=today,
            created_by=self.actor,
            status=ImportBatch.Status.LOADING if self.staged else ImportBatch.Status.LOADED,
        ).pk

    def prepare(self, checked: Checked) -> Prepared:
        """Runs in the reader thread: sort, serialise and add to the cube; no database."""
        rows = checked.rows
        if not rows.height:
            return Prepared(checked)
        # ``start()`` has created the batch: the reader thread starts on the first chunk asked for.
        # In month order: the month index (and SQLite's small page cache) then takes the rows
        # as appends instead of scattered inserts.
        facts = (
            rows.sort("month")
            .select(self.target.columns)
            .with_columns(pl.lit(self.batch_id).alias("batch_id"))
        )
        self.cube.add(rows)
        day_column = self.target.columns[0]
        return Prepared(
            checked,
            payload=to_payload(facts, copy=self.copy),
            months=frozenset(rows.get_column("month").unique().to_list()),
            first_day=cast("dt.date", rows.get_column(day_column).min()),
            last_day=cast("dt.date", rows.get_column(day_column).max()),
        )

    def take(self, prepared: Prepared, *, write: bool) -> None:
        checked = prepared.checked
        self.rows_read += checked.rows.height + checked.errors.get_column("row").n_unique()
        self.error_count += checked.errors.height
        for row in checked.errors.head(MAX_ERRORS - len(self.errors)).iter_rows():
            column = self.headers.get(row[1], row[1])
            self.errors.append(RowError(row[0], column, row[2] or "", row[3]))
        if checked.unknown.height:
            self.unknown.append(checked.unknown)
        if prepared.payload is None:
            return
        self.rows_accepted += checked.rows.height
        self.first_day = min(d for d in (self.first_day, prepared.first_day) if d is not None)
        self.last_day = max(d for d in (self.last_day, prepared.last_day) if d is not None)
        if not write:
            return
        new_months = prepared.months - self.months
        if new_months:
            if self.staged:
                hide_loading(
                    source=self.source,
                    batch_id=self.batch_id,
                    first=self.first_id,
                    months=new_months,
                )
            else:
                self.replaced += self._replace(set(new_months))
            self.months |= new_months
        write_payload(self.target.model, [*self.target.columns, "batch_id"], prepared.payload)

    def _replace(self, months: set[dt.date]) -> int:
        model = self.target.model
        earlier = model.objects.filter(month__in=months)
        batches = set(earlier.values_list("batch_id", flat=True).distinct())
        count: int = earlier._raw_delete(earlier.db)  # no signals, no cascades: one DELETE
        for batch_id in batches:
            if not model.objects.filter(batch_id=batch_id).exists():
                ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.REPLACED)
        return count

    def finish(self, *, started: float, cube: Cells | None) -> UsageImportResult:
        """Write the cube (``self.cube.cells()``, made before the transaction) and the batch's
        figures; a staged import's months become visible here, all at once."""
        batch = ImportBatch.objects.get(pk=self.batch_id)
        self.cube.write(self.source, self.months, cube)
        if self.staged:
            reveal(
                source=self.source, batch_id=self.batch_id, first=self.first_id, months=self.months
            )
        batch.period_start = _month_start(self.first_day) or batch.period_start
        batch.period_end = self.last_day or batch.period_end
        batch.rows_read = self.rows_read
        batch.rows_accepted = self.rows_accepted
        batch.rows_rejected = self.rows_read - self.rows_accepted
        batch.rows_replaced = self.replaced
        batch.rejects = [
            {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
            for e in self.errors
        ]
        batch.status = (
            ImportBatch.Status.PARTLY if batch.rows_rejected else ImportBatch.Status.LOADED
        )
        batch.seconds = round(time.monotonic() - started, 2)
        batch.save()
        return UsageImportResult(batch=batch)


def _month_start(day: dt.date | None) -> dt.date | None:
    return day.replace(day=1) if day else None
