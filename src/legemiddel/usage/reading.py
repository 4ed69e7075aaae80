"""Reading usage files into string columns, in chunks, with the source's header mapping.

Parse step of the pipeline (parse -> validate -> load). Files arrive as CSV (UTF-8 or
Windows-1252, ``;`` or ``,`` or tab, decimal comma) or XLSX. Every value is read as text so a
varenr keeps its leading zeros and a bad number can be reported as the user wrote it; the
validate step converts. CSV is scanned lazily in chunks, so a 10-million-line file never sits
in memory at once.
"""

from __future__ import annotations

import codecs
import csv
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import polars as pl

from legemiddel.core.tempfiles import temp_file
from legemiddel.lib.profiles import Profile, load_profile
from legemiddel.lib.sheets import USAGE_SHEET, SheetRefused, check_workbook
from legemiddel.lib.tabular import FileFormatError

PROFILES = Path(__file__).resolve().parent / "profiles"
CHUNK_BYTES = 12 * 1024 * 1024  # CSV is read in blocks of whole lines (about 100 000 lines)
XLSX_CHUNK_ROWS = 100_000  # spreadsheet rows per chunk
ROW = "_row"  # the spreadsheet row number of each line (header = 1)


def profile(source: str) -> Profile:
    """The header profile of a source (``profiles/<source>.yaml``), validated on load.

    Usage profiles may mark a column ``patient``: it holds a person's identity number."""
    return load_profile(PROFILES / f"{source}.yaml", frozenset({"patient"}))


@dataclass
class Table:
    """A file ready to be read: its canonical columns and a way to iterate chunks."""

    columns: list[str]
    chunks: Iterator[pl.DataFrame]
    cleanup: list[Path]
    # The file's own header of each canonical column: messages name a column as the user's
    # file does ("Antall"), not by the code's name ("quantity").
    headers: dict[str, str] = field(default_factory=dict)
    # How far the chunks have got, for a progress bar: bytes of a CSV, rows of a spreadsheet.
    done: int = 0
    total: int = 0

    def close(self) -> None:
        """Delete the working copies (they may hold fødselsnummer); safe to call twice."""
        for path in self.cleanup:
            path.unlink(missing_ok=True)

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _headers(columns: list[str], raw_header: list[str], prof: Profile) -> dict[str, str]:
    """Each column as the file's header names it; a column the file lacks by the profile's
    display name (an error may still concern it: "the row has neither ATC nor varenr")."""
    return {c.name: c.display for c in prof.columns} | {
        name: str(raw).strip() or name
        for name, raw in zip(columns, raw_header, strict=False)
        if not name.startswith("_ignored_")
    }


def open_table(
    path: Path, source: str, chunk_rows: int | None = None, chunk_bytes: int | None = None
) -> Table:
    """Open a usage file; map its header to the source's canonical column names."""
    return open_profile_table(path, profile(source), chunk_rows, chunk_bytes)


def open_profile_table(
    path: Path, prof: Profile, chunk_rows: int | None = None, chunk_bytes: int | None = None
) -> Table:
    """Open a large CSV or XLSX file through any header profile (other apps' patient-level
    files, e.g. episodes, are read the same way as usage files)."""
    # Read when called (not bound at import), so a test can make the chunks small.
    chunk_rows = chunk_rows or XLSX_CHUNK_ROWS
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return _open_xlsx(path, prof, chunk_rows)
    if suffix not in {".csv", ".txt", ".tsv"}:
        raise FileFormatError(
            f"Filtypen {suffix or '(ingen)'} kan ikke leses; bruk CSV eller XLSX."
        )
    return _open_csv(path, prof, chunk_bytes)


def _map_header(raw: list[str], prof: Profile) -> list[str]:
    match = prof.match(raw)
    if match.missing:
        raise FileFormatError(f"{match.problem}. Se formatet for {prof.label}.")
    # Ignored columns still need a name of their own in a polars frame.
    return [name or f"_ignored_{i}" for i, name in enumerate(match.columns)]


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while block := handle.read(1024 * 1024):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _encoding(path: Path) -> str:
    """``utf-8``, ``utf-16``/``utf-32`` (by their byte order mark) or ``cp1252``."""
    with path.open("rb") as handle:
        start = handle.read(4)
    for bom, encoding in _BOMS:
        if start.startswith(bom):
            return encoding
    return "utf-8" if _is_utf8(path) else "cp1252"


def _utf8_copy(path: Path) -> tuple[Path, list[Path]]:
    """The file as UTF-8: a Windows-1252 or UTF-16 file is transcoded to a working copy in the
    private temporary folder, which the caller deletes (:meth:`Table.close`)."""
    encoding = _encoding(path)
    if encoding == "utf-8":
        return path, []
    tmp = temp_file(".csv")
    try:
        with path.open("rb") as src, tmp.open("wb") as dst:
            reader = codecs.getreader(encoding)(src, "strict")
            writer = codecs.getwriter("utf-8")(dst)
            shutil.copyfileobj(reader, writer, 1024 * 1024)
    except UnicodeDecodeError as exc:
        tmp.unlink(missing_ok=True)
        raise FileFormatError(
            "Filen er verken UTF-8 eller Windows-1252-tekst. Lagre den som CSV (UTF-8)."
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, [tmp]


def _open_csv(path: Path, prof: Profile, chunk_bytes: int) -> Table:
    size = path.stat().st_size
    if size == 0:
        raise FileFormatError("Filen er tom.")
    readable, cleanup = _utf8_copy(path)
    try:
        return _open_utf8(readable, cleanup, prof, chunk_bytes)
    except BaseException:
        # Refused at the header (or anything else before the caller holds the table): the
        # working copy, which may hold fødselsnummer, goes now.
        for tmp in cleanup:
            tmp.unlink(missing_ok=True)
        raise


def _open_utf8(readable: Path, cleanup: list[Path], prof: Profile, chunk_bytes: int) -> Table:
    with readable.open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
    if not first.strip():
        raise FileFormatError("Filen har ingen overskriftsrad.")
    if "\x00" in first:
        raise FileFormatError(
            "Overskriftsraden inneholder NUL-tegn: filen er trolig UTF-16 uten "
            "byte-rekkefølgemerke. Lagre den som CSV (UTF-8)."
        )
    separator = max((";", ",", "\t"), key=first.count)
    raw_header = next(csv.reader([first], delimiter=separator))
    columns = _map_header(raw_header, prof)

    def chunks() -> Iterator[pl.DataFrame]:
        # Blocks of whole lines parsed one at a time: memory stays at a block or two whatever
        # the file's size (polars' own streaming reader reads far ahead of a slow consumer).
        start = 2
        for block in _line_blocks(readable, chunk_bytes):
            table.done += len(block)
            try:
                frame = pl.read_csv(
                    block,
                    separator=separator,
                    has_header=False,
                    new_columns=columns,
                    infer_schema=False,
                    truncate_ragged_lines=False,
                    raise_if_empty=False,
                )
            except pl.exceptions.PolarsError as exc:
                raise FileFormatError(
                    f"Filen kan ikke leses som CSV: {str(exc).splitlines()[0]}"
                ) from exc
            if frame.width != len(columns):  # a block with fewer fields on every line
                raise FileFormatError(
                    f"Filen kan ikke leses som CSV: linjene etter rad {start - 1} har "
                    f"{frame.width} felt, overskriften har {len(columns)}."
                )
            frame = frame.with_row_index(ROW, offset=start)
            start += frame.height
            yield _without_empty_rows(frame.with_columns(pl.col(ROW).cast(pl.UInt32)))

    table = Table(
        columns=columns,
        chunks=chunks(),
        cleanup=cleanup,
        headers=_headers(columns, raw_header, prof),
        total=readable.stat().st_size - len(first.encode("utf-8")),
    )
    return table


def _line_blocks(path: Path, size: int) -> Iterator[bytes]:
    """The file after its header line, in blocks of about ``size`` bytes that end at the end
    of a line and never inside a quoted field (a quoted value may hold a line break)."""
    with path.open("rb") as handle:
        handle.readline()  # the header, read already
        carry = b""
        read_size = min(size, 1024 * 1024)  # a small first block: the writer starts sooner
        while data := handle.read(read_size):
            read_size = size
            buffer = carry + data
            cut = _record_end(buffer)
            carry = buffer[cut:]
            if cut:
                yield buffer[:cut]
        if carry.strip():
            yield carry


def _record_end(buffer: bytes) -> int:
    """Where the last complete record in ``buffer`` ends (after its newline), or 0.

    Inside a quoted field the number of quotes so far is odd (an escaped quote is doubled, so
    it does not change that), so a newline after an even number of quotes ends a record.
    """
    end = len(buffer)
    while (newline := buffer.rfind(b"\n", 0, end)) >= 0:
        if buffer.count(b'"', 0, newline) % 2 == 0:
            return newline + 1
        end = newline
    return 0


def _open_xlsx(path: Path, prof: Profile, chunk_rows: int) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        check_workbook(path, USAGE_SHEET)  # before calamine sizes its memory from the sheet
    except SheetRefused as exc:
        raise FileFormatError(str(exc)) from exc
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
        first = next(rows, None)
    except Exception as exc:  # calamine raises its own error types
        raise FileFormatError(f"Regnearket kan ikke leses: {exc}") from exc
    if not first:
        raise FileFormatError("Regnearket er tomt.")
    columns = _map_header([str(h) for h in first], prof)

    def chunks() -> Iterator[pl.DataFrame]:
        # The sheet's cells sit compactly in calamine; Python objects exist for one chunk only,
        # and each column is converted to text by polars, not cell by cell.
        start = 2
        width = len(columns)
        while block := list(islice(rows, chunk_rows)):
            if any(len(r) != width for r in block):  # calamine gives the sheet's full width
                block = [r[:width] + [""] * (width - len(r)) for r in block]
            cells = list(zip(*block, strict=True))
            frame = pl.DataFrame(
                [_xlsx_text(name, values) for name, values in zip(columns, cells, strict=True)]
            ).with_row_index(ROW, offset=start)
            start += len(block)
            table.done += len(block)
            yield _without_empty_rows(frame.with_columns(pl.col(ROW).cast(pl.UInt32)))

    table = Table(
        columns=columns,
        chunks=chunks(),
        cleanup=[],
        headers=_headers(columns, [str(h) for h in first], prof),
        total=max(0, sheet.height - 1),
    )
    return table


def _without_empty_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop lines with no value at all (``;;;;`` or formatted but empty spreadsheet rows)."""
    values = [c for c in frame.columns if c != ROW]
    return frame.filter(~pl.all_horizontal(pl.col(values).str.strip_chars().is_in(["", None])))


def _xlsx_text(name: str, values: tuple[object, ...]) -> pl.Series:
    """A spreadsheet column as the text a user sees: whole numbers without ``.0`` (a varenr
    typed as a number), dates as ISO dates, empty cells as missing."""
    series = pl.Series(name, values, strict=False)
    if series.dtype == pl.Float64:
        whole = series.is_finite() & (series == series.floor()) & (series.abs() < 2**53)
        text = (
            pl.when(whole)
            .then(series.cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(series.cast(pl.String))
        )
        series = pl.select(text.alias(name)).to_series()
    elif series.dtype in (pl.Date, pl.Datetime):
        series = series.dt.strftime("%Y-%m-%d")
    elif series.dtype == pl.String:
        # Mixed columns come as text, numbers as "100001.0".
        series = series.str.replace(r"^(-?\d+)\.0$", "${1}")
    else:
        series = series.cast(pl.String)
    return series.replace("", None)
