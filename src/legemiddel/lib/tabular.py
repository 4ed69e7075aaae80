"""Reading small reference files (organisation, personnel, agreements) the way users export them.

Excel in Norway saves CSV as Windows-1252 with ``;``; other tools write UTF-8 with ``,``.
We accept both, map the header to canonical column names through a header profile
(:mod:`legemiddel.lib.profiles`) and report problems as :class:`RowError` with row and
column so the user can fix the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from legemiddel.lib.profiles import Profile
from legemiddel.lib.sheets import SMALL_SHEET, SheetRefused, check_workbook


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in blocks (files of several GB are fine)."""
    h = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class RowError:
    """One problem in an input file. ``row`` counts lines as a spreadsheet does (header = 1)."""

    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"rad {self.row}" if self.row else "fil"
        col = f", kolonne «{self.column}»" if self.column else ""
        val = f" (verdi «{self.value}»)" if self.value else ""
        return f"{where}{col}{val}: {self.message}"


class ImportRejected(Exception):
    """The file had errors; nothing was written. ``errors`` says what and where."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} feil; ingenting er importert.")


class FileFormatError(Exception):
    """The file as a whole cannot be read (encoding, delimiter, header)."""


class RowsRefused(FileFormatError):
    """Cells the file cannot hold at all (control characters): ``errors`` says where."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(str(errors[0]) if errors else "")


def file_errors(exc: FileFormatError) -> list[RowError]:
    """A file-level refusal as row errors: one per cell when the reader named them."""
    if isinstance(exc, RowsRefused):
        return exc.errors
    return [RowError(0, "", "", str(exc))]


# C0 control characters other than tab, line feed and carriage return, and DEL: NUL cannot be stored in
# PostgreSQL text, and none of them belongs in a value a person typed.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = (
    "inneholder kontrolltegn (for eksempel NUL) som ikke kan lagres; fjern dem og lagre "
    "filen på nytt"
)


def visible(value: str) -> str:
    """A value as an error may show it: control characters as \ufffd."""
    return CONTROL_CHARACTERS.sub("\ufffd", value)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 or UTF-32 with their BOM (Excel's "Unicode text"),
    else Windows-1252, which can decode any byte sequence except five unused code points;
    those mean the file is not text."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise FileFormatError(
                    f"Filen begynner som {encoding.upper()}, men er ikke gyldig "
                    f"{encoding.upper()}-tekst. Lagre den som CSV (UTF-8)."
                ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            "Filen er verken UTF-8 eller Windows-1252-tekst. Lagre den som CSV (UTF-8)."
        ) from exc


XLSX_MAGIC = b"PK\x03\x04"


def _sheet_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_records(data: bytes) -> list[list[str]]:
    """The first sheet of a workbook as rows of text (small files: read whole)."""
    from python_calamine import CalamineWorkbook

    try:
        check_workbook(data, SMALL_SHEET)  # before calamine sizes its memory from the sheet
    except SheetRefused as exc:
        raise FileFormatError(str(exc)) from exc
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        return [[_sheet_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise FileFormatError(f"Regnearket kan ikke leses: {exc}") from exc


def _csv_records(data: bytes) -> list[list[str]]:
    text = decode(data)
    if not text.strip():
        raise FileFormatError("Filen er tom.")
    first_line = text.splitlines()[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Read everything now so a malformed line (e.g. a field over the csv module's size
        # limit) becomes a FileFormatError here instead of escaping from the row iterator.
        return list(reader)
    except csv.Error as exc:
        raise FileFormatError(
            f"Filen kan ikke leses som CSV (linje {reader.line_num}): {exc}"
        ) from exc


class Rows(Iterator[tuple[int, dict[str, str]]]):
    """The rows of a small file, ``(row_number, row)``, and the file's own header of each
    column, so a message names a column as the user's file does."""

    def __init__(self, rows: Iterator[tuple[int, dict[str, str]]], headers: dict[str, str]):
        self._rows = rows
        # Canonical name and display name (the profile's first alias) -> the file's header.
        self.headers = headers

    def __iter__(self) -> Rows:
        return self

    def __next__(self) -> tuple[int, dict[str, str]]:
        return next(self._rows)

    def named(self, errors: Iterable[RowError]) -> list[RowError]:
        """``errors`` with each column named by the file's header."""
        return [
            RowError(e.row, self.headers.get(e.column, e.column), e.value, e.message)
            for e in errors
        ]


def read_table(data: bytes, profile: Profile) -> tuple[list[str], Rows]:
    """Return the canonical column names and the rows, ``(row_number, row)``.

    ``data`` is CSV text or an XLSX workbook (its first sheet); its header is matched to the
    columns of ``profile``. Unknown and repeated columns are ignored (their name is ``""``);
    missing required columns raise :class:`FileFormatError` naming them, and cells holding
    control characters raise :class:`RowsRefused` naming each.
    """
    records = _xlsx_records(data) if data.startswith(XLSX_MAGIC) else _csv_records(data)
    if not records:
        raise FileFormatError("Filen er tom.")
    header, *records = records
    match = profile.match(header)
    if match.missing:
        raise FileFormatError(match.problem)
    columns = [name or "" for name in match.columns]
    headers: dict[str, str] = {}
    for column in profile.columns:
        if column.name in columns:
            raw = str(header[columns.index(column.name)]).strip() or column.display
            headers[column.name] = headers[column.display] = raw
    refused = [
        RowError(number, headers.get(column, column), visible(value.strip())[:50], CONTROL_MESSAGE)
        for number, values in enumerate(records, start=2)
        for column, value in zip(columns, values, strict=False)
        if column and CONTROL_CHARACTERS.search(value)
    ]
    if refused:
        raise RowsRefused(refused)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for number, values in enumerate(records, start=2):
            if not any(v.strip() for v in values):
                continue
            row = {c: v.strip() for c, v in zip(columns, values, strict=False) if c}
            yield number, row

    return columns, Rows(rows(), headers)
