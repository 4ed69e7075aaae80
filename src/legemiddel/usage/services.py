"""Importing usage files: parse -> validate -> load, one batch per file, all or nothing.

``usage_import`` reads the file in chunks (:mod:`reading`), validates each chunk with polars
(:mod:`validation`) and writes the valid rows with PostgreSQL ``COPY`` or SQLite
``executemany`` inside one transaction. A file replaces the rows its months already had from
the same source (SLS is corrected backwards), and the monthly cube is rebuilt for those months.

Default policy: any row error rejects the whole file and nothing changes. With
``accept_valid`` the valid rows are loaded and the rejected rows are kept on the batch.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any, cast

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from legemiddel.catalogue.models import Package
from legemiddel.core.audit import audit_record
from legemiddel.lib.formatting import format_date, format_number
from legemiddel.lib.pseudonym import pseudonym_key
from legemiddel.lib.tabular import FileFormatError, ImportRejected, RowError, file_sha256
from legemiddel.organisation.models import Affiliation, CostCentre, OrgUnit
from legemiddel.usage.models import (
    Administration,
    CodeMapping,
    Dispensing,
    EPrescription,
    ImportBatch,
    MonthlyUsage,
    SalesLine,
    Source,
    UnknownCode,
)
from legemiddel.usage.reading import open_table
from legemiddel.usage.validation import CHECKS, Checked, Lookups

MAX_ERRORS = 1000
SQLITE_ROWS_PER_INSERT = 500
SQLITE_CACHE_KB = 64 * 1024
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Target:
    model: type[Any]
    columns: tuple[str, ...]  # the fact table's columns, taken from the validated frame
    # How a fact row adds to the monthly cube: the column with its ATC code, the column summed
    # as quantity (None: count the rows), whether amount and DDD are summed, and whether
    # distinct patients are counted.
    cube_atc: str = "package_atc"
    cube_quantity: str | None = "quantity"
    cube_money: bool = True
    cube_patients: bool = True


TARGETS: dict[str, Target] = {
    "sls": Target(
        SalesLine,
        (
            "month",
            "customer",
            "org_unit_id",
            "package_id",
            "quantity",
            "amount",
            "ddd",
            "ddd_computed",
            "usage_group",
        ),
        cube_patients=False,
    ),
    "hresept": Target(
        Dispensing,
        (
            "dispensed_on",
            "month",
            "patient",
            "package_id",
            "quantity",
            "amount",
            "refund_code",
            "prescriber_hpr",
            "prescribed_on",
            "pharmacy",
            "org_unit_id",
            "ddd",
        ),
    ),
    "dips": Target(
        Administration,
        (
            "administered_on",
            "month",
            "patient",
            "unit_code",
            "org_unit_id",
            "atc",
            "package_id",
            "dose",
            "dose_unit",
            "episode",
            "diagnosis_codes",
            "procedure_codes",
            "atc_codes",
        ),
        cube_atc="atc",
        cube_quantity=None,
        cube_money=False,
    ),
    "dipsresept": Target(
        EPrescription,
        (
            "prescribed_on",
            "month",
            "patient",
            "prescriber_hpr",
            "unit_code",
            "org_unit_id",
            "atc",
            "package_id",
            "dosage",
            "quantity",
        ),
        cube_atc="atc",
        cube_money=False,
    ),
}
PATIENT_SOURCES = {"hresept", "dips", "dipsresept"}


@dataclass
class UsageImportResult:
    batch: ImportBatch

    def as_text(self) -> str:
        b = self.batch
        text = (
            f"{b.get_source_display()} {b.period_start:%m.%Y}–{b.period_end:%m.%Y}: "
            f"{format_number(b.rows_accepted)} av {format_number(b.rows_read)} rader importert"
        )
        if b.rows_rejected:
            text += f", {format_number(b.rows_rejected)} avvist (se avviste rader)"
        if b.rows_replaced:
            text += f"; {format_number(b.rows_replaced)} tidligere rader for perioden erstattet"
        return text + "."


def usage_import(
    *,
    source: str,
    path: Path,
    actor: Any = None,
    file_name: str = "",
    progress: Progress | None = None,
    accept_valid: bool = False,
) -> UsageImportResult:
    """Import one usage file as a batch. Raises :class:`ImportRejected` (nothing changed)."""
    if source not in TARGETS:
        raise ValueError(f"unknown usage source {source!r}")
    started = time.monotonic()
    file_name = file_name or path.name
    sha256 = file_sha256(path)
    earlier = (
        ImportBatch.objects.filter(source=source, sha256=sha256)
        .exclude(status=ImportBatch.Status.REPLACED)
        .first()
    )
    if earlier is not None:
        raise ImportRejected(
            [
                RowError(
                    0,
                    "",
                    file_name,
                    f"Denne filen er allerede importert ({earlier.file_name}, "
                    f"{format_date(earlier.created_at)}); ingenting er endret.",
                )
            ]
        )
    if connection.vendor == "sqlite":
        # A bigger page cache for this connection (default 2 MB): the month index of a large
        # table otherwise goes back to disk for every chunk.
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
    lookups = _lookups(source)
    loader = _Loader(
        source=source, sha256=sha256, file_name=file_name, actor=actor, vendor=connection.vendor
    )
    check = CHECKS[source]
    try:
        table = open_table(path, source)
    except FileFormatError as exc:
        raise ImportRejected([RowError(0, "", "", str(exc))]) from exc
    try:
        with (
            _without_cyclic_gc(),
            transaction.atomic(),
            closing(
                _ahead(table.chunks, lambda chunk: loader.prepare(check(chunk, lookups)))
            ) as prepared_chunks,
        ):
            loader.start()
            for prepared in prepared_chunks:
                loader.take(prepared, write=accept_valid or not loader.error_count)
                if progress is not None:
                    progress(min(table.done, table.total), table.total)
            if loader.rows_read == 0:
                raise ImportRejected([RowError(0, "", "", "Filen har ingen rader.")])
            if loader.error_count and (not accept_valid or not loader.rows_accepted):
                raise ImportRejected(loader.errors)
            result = loader.finish(started=started)
            # The dashboards' precomputed measures follow the data in the same transaction.
            from legemiddel.analytics.engine import measures_refresh

            measures_refresh(sources={source})
    except FileFormatError as exc:
        raise ImportRejected([RowError(0, "", "", str(exc))]) from exc
    finally:
        table.close()
        # Outside the import's transaction: unknown codes stay for the mapping page even when
        # the file was refused because of them.
        _remember_unknown(source, loader.unknown, file_name)
    audit_record(
        user=actor, action="import", detail=f"{file_name} ({sha256[:12]}): {result.as_text()}"
    )
    return result


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cycle collector while millions of row tuples come and go.

    The rows form no reference cycles (they are freed as soon as they are written), but their
    sheer number sets off full collections over the whole process again and again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _ahead(
    chunks: Iterator[pl.DataFrame], work: Callable[[pl.DataFrame], _Prepared]
) -> Generator[_Prepared, None, None]:
    """The file's chunks, read, validated and prepared one chunk ahead in a second thread.

    Reading, validating and preparing run mostly in polars (outside the GIL) while this thread
    writes the previous chunk to the database, so the two overlap. At most one prepared chunk
    waits; an error in the reader comes out here; if the writer stops early, the reader stops.
    """
    handoff: queue.Queue[_Prepared | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(item: _Prepared | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for chunk in chunks:
                if not offer(work(chunk)):
                    return
        except BaseException as exc:  # handed to the writer, which raises it
            offer(exc)
            return
        offer(None)

    reader = threading.Thread(target=read, name="usage-import-reader", daemon=True)
    reader.start()
    try:
        while (item := handoff.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


def _lookups(source: str) -> Lookups:
    mapped_packages = CodeMapping.objects.filter(
        source=source, kind=CodeMapping.Kind.VARENR, package__isnull=False
    ).values_list("code", "package_id")
    package_rows = list(Package.objects.values_list("varenr", "varenr", "ddd_per_pack", "atc_id"))
    by_varenr = {r[0]: r for r in package_rows}
    for code, varenr in mapped_packages:
        if varenr in by_varenr:
            package_rows.append((code, *by_varenr[varenr][1:]))
    packages = pl.DataFrame(
        {
            "code": [r[0] for r in package_rows],
            "package_id": [r[1] for r in package_rows],
            "ddd_per_pack": [float(r[2]) if r[2] is not None else None for r in package_rows],
            "package_atc": [r[3] for r in package_rows],
        },
        schema={
            "code": pl.String,
            "package_id": pl.String,
            "ddd_per_pack": pl.Float64,
            "package_atc": pl.String,
        },
    ).unique("code", keep="first")

    units = dict(OrgUnit.objects.values_list("code", "id"))
    # SLS customers: a unit's code or one of its cost centres.
    customers = dict(units)
    customers.update(
        CostCentre.objects.filter(org_unit__isnull=False).values_list("code", "org_unit_id")
    )
    for kind, code, unit_id in CodeMapping.objects.filter(
        source=source, org_unit__isnull=False
    ).values_list("kind", "code", "org_unit_id"):
        if kind == CodeMapping.Kind.CUSTOMER:
            customers[code] = unit_id
        elif kind == CodeMapping.Kind.UNIT:
            units[code] = unit_id
    prescribers: dict[str, int] = {}
    for hpr, unit_id in (
        Affiliation.objects.filter(org_unit__isnull=False)
        .order_by("person__hpr_number", "id")
        .values_list("person__hpr_number", "org_unit_id")
    ):
        prescribers.setdefault(hpr, unit_id)
    return Lookups(
        packages=packages,
        customers=_code_frame(customers),
        units=_code_frame(units),
        prescribers=pl.DataFrame(
            {"hpr": list(prescribers), "org_unit_id": list(prescribers.values())},
            schema={"hpr": pl.String, "org_unit_id": pl.Int64},
        ),
        key=pseudonym_key() if source in PATIENT_SOURCES else b"",
    )


def _code_frame(codes: dict[str, int]) -> pl.DataFrame:
    return pl.DataFrame(
        {"code": list(codes), "org_unit_id": list(codes.values())},
        schema={"code": pl.String, "org_unit_id": pl.Int64},
    )


@dataclass
class _Prepared:
    """A validated chunk made ready to write (in the reader thread, without the database)."""

    checked: Checked
    payload: bytes | pl.DataFrame | None = None  # the fact rows, in the database's bulk format
    months: frozenset[dt.date] = frozenset()
    first_day: dt.date | None = None
    last_day: dt.date | None = None


class _Loader:
    """Writes validated chunks, replacing earlier rows of the months it meets."""

    def __init__(
        self, *, source: str, sha256: str, file_name: str, actor: Any, vendor: str
    ) -> None:
        self.source = source
        self.target = TARGETS[source]
        self.sha256 = sha256
        self.file_name = file_name
        self.actor = actor
        self.vendor = vendor
        self.rows_read = 0
        self.rows_accepted = 0
        self.error_count = 0
        self.errors: list[RowError] = []
        self.unknown: list[pl.DataFrame] = []
        self.cube = _Cube(self.target)
        self.months: set[dt.date] = set()
        self.replaced = 0
        self.batch_id = 0
        self.first_day: dt.date | None = None
        self.last_day: dt.date | None = None

    def start(self) -> None:
        """Create the batch (inside the import's transaction) before the first chunk arrives."""
        today = timezone.localdate()
        self.batch_id = ImportBatch.objects.create(
            source=self.source,
            file_name=self.file_name[:255],
            sha256=self.sha256,
            period_start=today,
            period_end=today,
            created_by=self.actor,
        ).pk

    def prepare(self, checked: Checked) -> _Prepared:
        """Runs in the reader thread: sort, serialise and add to the cube; no database."""
        rows = checked.rows
        if not rows.height:
            return _Prepared(checked)
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
        return _Prepared(
            checked,
            payload=_payload(facts, self.vendor),
            months=frozenset(rows.get_column("month").unique().to_list()),
            first_day=cast("dt.date", rows.get_column(day_column).min()),
            last_day=cast("dt.date", rows.get_column(day_column).max()),
        )

    def take(self, prepared: _Prepared, *, write: bool) -> None:
        checked = prepared.checked
        self.rows_read += checked.rows.height + checked.errors.get_column("row").n_unique()
        self.error_count += checked.errors.height
        for row in checked.errors.head(MAX_ERRORS - len(self.errors)).iter_rows():
            self.errors.append(RowError(row[0], row[1], row[2] or "", row[3]))
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
            self.replaced += self._replace(set(new_months))
            self.months |= new_months
        _write(self.target.model, [*self.target.columns, "batch_id"], prepared.payload)

    def _replace(self, months: set[dt.date]) -> int:
        model = self.target.model
        earlier = model.objects.filter(month__in=months)
        batches = set(earlier.values_list("batch_id", flat=True).distinct())
        count: int = earlier._raw_delete(earlier.db)  # no signals, no cascades: one DELETE
        for batch_id in batches:
            if not model.objects.filter(batch_id=batch_id).exists():
                ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.REPLACED)
        return count

    def finish(self, *, started: float) -> UsageImportResult:
        batch = ImportBatch.objects.get(pk=self.batch_id)
        self.cube.write(self.source, self.months)
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


def _insert(model: type[Any], frame: pl.DataFrame) -> None:
    """Write a frame whose columns are the table's: COPY on PostgreSQL, executemany on SQLite."""
    _write(model, frame.columns, _payload(frame, connection.vendor))


def _payload(frame: pl.DataFrame, vendor: str) -> bytes | pl.DataFrame:
    """The rows in the form the database takes in bulk (no database access: any thread)."""
    if vendor == "postgresql":
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False, null_value="\\N", quote_style="necessary")
        return buffer.getvalue()
    # Plain values bind fastest: dates as ISO text (how SQLite stores them), booleans as 0/1.
    return frame.with_columns(
        pl.col(pl.Date).dt.to_string("%Y-%m-%d"), pl.col(pl.Boolean).cast(pl.Int8)
    )


def _write(model: type[Any], columns: list[str], payload: bytes | pl.DataFrame) -> None:
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


class _Cube:
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

    def write(self, source: str, months: set[dt.date]) -> None:
        stale = MonthlyUsage.objects.filter(source=source, month__in=months)
        stale._raw_delete(stale.db)
        if not self.sums:
            return
        keys = ["month", "org_unit_id", "package_id", "_cube_atc"]
        cube = pl.concat(self.sums).group_by(keys).agg(pl.all().sum())
        if self.patients:
            counts = (
                pl.concat(self.patients).unique().group_by(keys).agg(pl.len().alias("patients"))
            )
            cube = cube.join(counts, on=keys, how="left", nulls_equal=True)
        else:
            cube = cube.with_columns(pl.lit(0).alias("patients"))
        _insert(
            MonthlyUsage,
            cube.sort("month").select(
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
            ),
        )


def _remember_unknown(source: str, frames: list[pl.DataFrame], file_name: str) -> None:
    if not frames:
        return
    summary = (
        pl.concat(frames)
        .group_by("kind", "code")
        .agg(pl.len().alias("rows"), pl.col("example").first())
        .sort("kind", "code")
    )
    with transaction.atomic():
        for kind, code, rows, example in summary.iter_rows():
            UnknownCode.objects.update_or_create(
                source=source,
                kind=kind,
                code=code[:40],
                defaults={"rows": rows, "example": (example or "")[:300], "file_name": file_name},
            )


def code_map(
    *,
    source: str,
    kind: str,
    code: str,
    actor: Any,
    package: Package | None = None,
    org_unit: OrgUnit | None = None,
) -> CodeMapping:
    """Map an unknown code (from the mapping page); the next import of the file uses it."""
    if (package is None) == (org_unit is None):
        raise ValueError("map to exactly one of package or org_unit")
    with transaction.atomic():
        mapping, _ = CodeMapping.objects.update_or_create(
            source=source,
            kind=kind,
            code=code,
            defaults={"package": package, "org_unit": org_unit, "created_by": actor},
        )
        UnknownCode.objects.filter(source=source, kind=kind, code=code).delete()
        target = package.varenr if package else (org_unit.code if org_unit else "")
        audit_record(
            user=actor,
            action="import",
            detail=f"Kobling {Source(source).label}: {kind} {code} → {target}",
        )
    return mapping


def latest_month(source: str | None = None) -> dt.date | None:
    """The newest month with data in the cube (for "data up to" notes)."""
    cube = MonthlyUsage.objects.all()
    if source:
        cube = cube.filter(source=source)
    return cube.order_by("-month").values_list("month", flat=True).first()
