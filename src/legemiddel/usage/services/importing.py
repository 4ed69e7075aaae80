"""The import pipeline: read and validate the file a chunk ahead, load it all or nothing."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
from django.db import transaction

from legemiddel.core import outbox
from legemiddel.core.audit import audit_record
from legemiddel.lib.db import ShortWrites, bulk_copy, enlarge_page_cache, one_writer, session_lock
from legemiddel.lib.formatting import format_date
from legemiddel.lib.memory import without_cyclic_gc
from legemiddel.lib.tabular import FileFormatError, ImportRejected, RowError, file_sha256
from legemiddel.usage.events import USAGE_IMPORTED
from legemiddel.usage.models import ImportBatch
from legemiddel.usage.reading import open_table
from legemiddel.usage.services import staging
from legemiddel.usage.services.bulk import sqlite_rows
from legemiddel.usage.services.codes import remember_unknown
from legemiddel.usage.services.loading import Loader, Prepared, UsageImportResult
from legemiddel.usage.services.lookups import load_lookups
from legemiddel.usage.services.targets import TARGETS
from legemiddel.usage.validation import CHECKS

SQLITE_CACHE_KB = 64 * 1024
Progress = Callable[[int, int], None]
T = TypeVar("T")


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
    if not one_writer():
        return _import(source, path, actor, file_name, progress, accept_valid, started, sha256)
    # SQLite: one import of a source at a time, written in short transactions (see .staging).
    with session_lock(staging.lock_name(source)):
        writes = ShortWrites()
        staging.sweep(source=source, writes=writes)  # what a stopped import left behind
        return _import(
            source, path, actor, file_name, progress, accept_valid, started, sha256, writes
        )


def _import(
    source: str,
    path: Path,
    actor: Any,
    file_name: str,
    progress: Progress | None,
    accept_valid: bool,
    started: float,
    sha256: str,
    writes: ShortWrites | None = None,
) -> UsageImportResult:
    """The import; in one transaction, or with ``writes`` in short ones (SQLite)."""
    earlier = (
        ImportBatch.objects.filter(source=source, sha256=sha256)
        .exclude(status__in=(ImportBatch.Status.REPLACED, ImportBatch.Status.LOADING))
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
    # The month index of a large table otherwise goes back to disk for every chunk.
    enlarge_page_cache(SQLITE_CACHE_KB)
    lookups = load_lookups(source)
    loader = Loader(
        source=source,
        sha256=sha256,
        file_name=file_name,
        actor=actor,
        copy=bulk_copy(),
        staged=writes is not None,
    )
    # Staged: each step its own short transaction. Otherwise: one transaction around it all.
    step = writes.transaction if writes is not None else nullcontext
    whole = nullcontext if writes is not None else transaction.atomic
    check = CHECKS[source]
    try:
        # Any working copy is deleted by open_table itself if it refuses the file, and by
        # ``finally`` below once the table is open.
        table = open_table(path, source)
    except FileFormatError as exc:
        raise ImportRejected([RowError(0, "", "", str(exc))]) from exc
    # Progress counts what has been written, chunk by chunk (the reader runs a chunk or two
    # ahead), and keeps a tenth back for the last step (replacing months, the cube), so the bar
    # does not stand at 100 % while that runs.
    total = table.total + table.total // 10

    def report(done: int) -> None:
        if progress is not None:
            progress(min(done, total), total)

    def work(chunk: pl.DataFrame) -> tuple[Prepared, int]:
        # In the reader thread, just after the chunk was read: how far the file has been read.
        return loader.prepare(check(chunk, lookups)), table.done

    try:
        loader.headers = table.headers
        report(0)
        with (
            without_cyclic_gc(),
            whole(),
            closing(_ahead(table.chunks, work)) as prepared_chunks,
        ):
            with step():
                loader.start()
            for prepared, read_so_far in prepared_chunks:
                if writes is not None and isinstance(prepared.payload, pl.DataFrame):
                    # Outside the write transaction: the gap lets other writers in.
                    prepared.payload = sqlite_rows(prepared.payload)
                with step():
                    loader.take(prepared, write=accept_valid or not loader.error_count)
                chunk_written(loader)
                report(min(read_so_far, table.total))
            if loader.rows_read == 0:
                raise ImportRejected([RowError(0, "", "", "Filen har ingen rader.")])
            if loader.error_count and (not accept_valid or not loader.rows_accepted):
                raise ImportRejected(loader.errors)
            cube = loader.cube.cells(source, copy=loader.copy)
            with step():
                result = loader.finish(started=started, cube=cube)
                # Announced in the import's transaction: what depends on the data (the
                # dashboards' precomputed measures) is brought up to date by a job once this
                # has committed.
                outbox.announce(
                    topic=USAGE_IMPORTED,
                    payload={
                        "source": source,
                        "months": sorted(m.isoformat() for m in loader.months),
                    },
                )
            report(total)
    except BaseException as exc:
        if writes is not None and loader.batch_id:
            batch = ImportBatch.objects.filter(pk=loader.batch_id).first()
            if batch is not None and batch.status == ImportBatch.Status.LOADING:
                # Nothing of it was visible; a crash here leaves it to the next import.
                staging.discard(source=source, batch_id=loader.batch_id, writes=writes)
        if isinstance(exc, FileFormatError):
            raise ImportRejected([RowError(0, "", "", str(exc))]) from exc
        raise
    finally:
        table.close()
        # Outside the import's transaction: unknown codes stay for the mapping page even when
        # the file was refused because of them.
        remember_unknown(source, loader.unknown, file_name)
    if writes is not None:
        # The replaced rows were hidden when the file became visible; now they go.
        replaced = staging.sweep(source=source, writes=writes)
        with writes.transaction():
            ImportBatch.objects.filter(pk=loader.batch_id).update(rows_replaced=replaced)
        result.batch.rows_replaced = replaced
    audit_record(
        user=actor, action="import", detail=f"{file_name} ({sha256[:12]}): {result.as_text()}"
    )
    return result


def chunk_written(loader: Loader) -> None:
    """Called after each chunk is written (and, on SQLite, committed); the tests hook in here."""


def _ahead(
    chunks: Iterator[pl.DataFrame], work: Callable[[pl.DataFrame], T]
) -> Generator[T, None, None]:
    """The file's chunks, read, validated and prepared one chunk ahead in a second thread.

    Reading, validating and preparing run mostly in polars (outside the GIL) while this thread
    writes the previous chunk to the database, so the two overlap. At most one prepared chunk
    waits; an error in the reader comes out here; if the writer stops early, the reader stops.
    """
    handoff: queue.Queue[T | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(item: T | BaseException | None) -> bool:
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
