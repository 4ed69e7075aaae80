"""Bounding a workbook before a spreadsheet library reads it.

An XLSX file is a zip of XML. The library that reads it sizes its memory from the sheet:
from the ``<dimension ref="A1:XFD1048576"/>`` the sheet declares and from the last cell it
holds, counted from A1. A 5 KB file with one cell at XFD1048576 therefore asks for room for
17 billion cells and the process dies. :func:`check_workbook` reads the zip's directory and
scans each worksheet's XML as a stream (no cell is kept) and refuses, with a message a user
can act on, a workbook that is bigger than the limits, before the library sees it.

Limits (documented in ``docs/formats``): rows, columns, cells (rows x columns counted from
A1, which is what the reader allocates), the total unpacked size of the zip's members and
their compression ratio (a zip bomb).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO


class SheetRefused(Exception):
    """The workbook is too big to read safely; the message says what, the limit and the fix.
    Readers turn it into their own file error."""


SCAN_BLOCK = 4 * 1024 * 1024


@dataclass(frozen=True)
class SheetLimits:
    """How big a workbook may be. ``ratio`` applies to members over ``ratio_from`` bytes."""

    rows: int
    columns: int
    cells: int
    unpacked_bytes: int
    ratio: int = 500
    ratio_from: int = 1024 * 1024


# Reference files (organisation, personnel, ATC names, agreement sheets): read whole in the web
# process, so kept small.
SMALL_SHEET = SheetLimits(
    rows=100_000, columns=100, cells=2_000_000, unpacked_bytes=256 * 1024 * 1024
)
# Usage data (SLS, H-resept, DIPS), read by the worker in chunks: a full Excel sheet of rows.
USAGE_SHEET = SheetLimits(
    rows=1_048_576, columns=100, cells=30_000_000, unpacked_bytes=4 * 1024 * 1024 * 1024
)

_HOW_TO_FIX = (
    "Lagre arket som CSV og last opp CSV-filen, eller slett tomme, formaterte rader og "
    "kolonner under og til høyre for dataene."
)


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _size(value: int) -> str:
    return f"{_n(value // 2**20)} MB" if value >= 2**20 else f"{_n(value // 1024)} kB"


def column_number(letters: str) -> int:
    """``A`` -> 1, ``Z`` -> 26, ``AA`` -> 27, ``XFD`` -> 16384."""
    number = 0
    for ch in letters:
        number = number * 26 + (ord(ch) - 64)
    return number


def column_letters(number: int) -> str:
    """16384 -> ``XFD``: a column as a spreadsheet names it."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_REF = re.compile(r"\$?([A-Za-z]*)\$?([0-9]*)")
_HUGE = 10**12  # any part of a reference longer than this is simply too big


def _ref(text: str) -> tuple[int, int]:
    """(row, column) of a cell reference such as ``XFD1048576``; 0 for a missing part."""
    match = _REF.fullmatch(text.strip())
    if not match:
        return 0, 0
    letters, digits = match.groups()
    row = int(digits) if 0 < len(digits) <= 12 else (_HUGE if digits else 0)
    column = column_number(letters.upper()) if len(letters) <= 8 else _HUGE
    return row, column


# A row or cell start tag (with or without a namespace prefix), its attributes, and the
# dimension element. Attributes never contain ">" unescaped in well-formed XML.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*[\"']([^\"']*)[\"']")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]")
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")


class _Fast:
    """Whole-block searches for a sheet whose tags all use one prefix (usually none) and whose
    rows and cells carry their position as their first attribute, as spreadsheet programs
    write them: searching for a literal is many times faster than matching tag by tag."""

    def __init__(self, prefix: bytes) -> None:
        self.prefix = prefix
        self.cell = b"<" + prefix + b"c"
        self.row = b"<" + prefix + b"row"
        self.cells = re.compile(re.escape(self.cell) + rb"[\s/>]")
        self.rows = re.compile(re.escape(self.row) + rb"[\s/>]")
        self.cell_r = re.compile(re.escape(self.cell) + rb' r="([A-Z]{1,8})[0-9]')
        self.row_r = re.compile(re.escape(self.row) + rb' r="([0-9]+)"')


class _Extent:
    """How far a sheet's cells reach, counted from A1, as its XML goes past."""

    def __init__(self) -> None:
        self.rows = 0
        self.columns = 0
        self.declared_rows = 0
        self.declared_columns = 0
        self._row = 0
        self._column = 0
        self.fast: _Fast | None = None

    def scan(self, data: bytes, end: int) -> None:
        """Scan ``data[:end]``: by whole-block searches when every row and cell names its own
        position (what spreadsheet programs write), else tag by tag."""
        if self.fast is None and (root := _ROOT.search(data, 0, end)):
            self.fast = _Fast(root.group(1) or b"")
        if self.declared_rows == 0 and (dimension := _DIMENSION.search(data, 0, end)):
            last = dimension.group(1).decode("ascii", "replace").split(":")[-1]
            self.declared_rows, self.declared_columns = _ref(last)
        fast = self.fast
        if fast is None:
            self._scan_tags(data, end)
            return
        cells = len(fast.cells.findall(data, 0, end))
        rows = len(fast.rows.findall(data, 0, end))
        prefixed = len(_PREFIXED.findall(data, 0, end))
        letters = fast.cell_r.findall(data, 0, end)
        numbers = fast.row_r.findall(data, 0, end)
        if (
            len(letters) != cells
            or len(numbers) != rows
            or prefixed != (cells + rows if fast.prefix else 0)
        ):
            self._scan_tags(data, end)
            return
        if numbers:
            self._row = _number(numbers[-1])
            longest = max(map(len, numbers))
            self.rows = max(self.rows, _HUGE if longest > 12 else max(map(int, numbers)))
        if letters:
            self.rows = max(self.rows, self._row, 1)
            widest = max(column_number(c.decode()) for c in set(letters))
            self.columns = max(self.columns, widest)
            self._column = column_number(letters[-1].decode())

    def _scan_tags(self, data: bytes, end: int) -> None:
        for match in _TAG.finditer(data, 0, end):
            tag, attributes = match.group(1), match.group(2)
            if tag == b"c":
                found = _R_ATTR.search(attributes)
                column = _ref(found.group(1).decode("ascii", "replace"))[1] if found else 0
                self._column = column or self._column + 1
                self.columns = max(self.columns, self._column)
                self.rows = max(self.rows, self._row, 1)
            elif tag == b"row":
                found = _R_ATTR.search(attributes)
                row = _ref(found.group(1).decode("ascii", "replace"))[0] if found else 0
                self._row = row or self._row + 1
                self._column = 0
                self.rows = max(self.rows, self._row)


def _number(digits: bytes) -> int:
    return int(digits) if len(digits) <= 12 else _HUGE


def _scan_sheet(handle: IO[bytes], budget: int, name: str) -> tuple[_Extent, int]:
    """The extent of one sheet's cells and the bytes read; stops once over ``budget``."""
    extent = _Extent()
    size = 0
    carry = b""
    while block := handle.read(SCAN_BLOCK):
        size += len(block)
        if size > budget:
            return extent, size
        data = carry + block
        # The text after the last "<" may be a tag cut in two: it is scanned with the next block.
        cut = max(data.rfind(b"<"), 0)
        extent.scan(data, cut)
        carry = data[cut:]
        if len(carry) > 1024 * 1024:  # one tag of a megabyte is no spreadsheet
            raise SheetRefused(f"Regnearket kan ikke leses: {name} er ikke et gyldig ark.")
    extent.scan(carry, len(carry))
    return extent, size


def _worksheets(book: zipfile.ZipFile) -> list[str]:
    """The members that hold worksheets: those the workbook's relations name, and any under
    ``xl/worksheets/`` (a reader follows the relations, so a sheet may live elsewhere)."""
    names = set(book.namelist())
    found = {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    rels = "xl/_rels/workbook.xml.rels"
    if rels in names and book.getinfo(rels).file_size <= 16 * 1024 * 1024:
        text = book.read(rels)
        for rel in re.finditer(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>", text):
            attributes = rel.group(1)
            kind = re.search(rb"Type\s*=\s*[\"']([^\"']*)[\"']", attributes)
            target = re.search(rb"Target\s*=\s*[\"']([^\"']*)[\"']", attributes)
            if not (kind and target and kind.group(1).endswith(b"/worksheet")):
                continue
            path = target.group(1).decode("utf-8", "replace")
            member = path.lstrip("/") if path.startswith("/") else posixpath.normpath("xl/" + path)
            if member in names:
                found.add(member)
    return sorted(found)


def check_workbook(source: Path | bytes, limits: SheetLimits) -> None:
    """Refuse a workbook (XLSX) too big to read safely; :class:`SheetRefused` says what is
    too big, the limit and how to fix it. A file that is not a zip is left to the reader."""
    handle: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    with handle:
        try:
            book = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError):
            return  # the reader reports a damaged file in its own words
        with book:
            _check_members(book, limits)
            budget = limits.unpacked_bytes
            for name in _worksheets(book):
                try:
                    with book.open(name) as member:
                        extent, size = _scan_sheet(member, budget, name)
                except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                    raise SheetRefused(f"Regnearket kan ikke leses: {exc}") from exc
                except NotImplementedError as exc:  # an unknown compression method
                    raise SheetRefused(f"Regnearket kan ikke leses: {exc}") from exc
                if size > budget:
                    _too_big_unpacked(limits)
                budget -= size
                _check_extent(extent, limits)
            for name in (n for n in book.namelist() if n.lower().endswith("sharedstrings.xml")):
                budget -= _check_strings(book, name, budget, limits)


_COUNT = re.compile(rb"\b(?:uniqueCount|count)\s*=\s*[\"']([0-9]+)[\"']")


def _check_strings(book: zipfile.ZipFile, name: str, budget: int, limits: SheetLimits) -> int:
    """The shared strings: their real unpacked size (a zip can state a false one) within the
    budget, and the number of strings they declare within the cell limit (a reader may set
    memory aside for that many up front). Returns the bytes read."""
    size = 0
    try:
        with book.open(name) as member:
            first = True
            while block := member.read(SCAN_BLOCK):
                size += len(block)
                if size > budget:
                    _too_big_unpacked(limits)
                if first:
                    first = False
                    declared = max((_number(c) for c in _COUNT.findall(block[:4096])), default=0)
                    if declared > limits.cells:
                        raise SheetRefused(
                            f"Regnearket er for stort: det sier det har {_n(declared)} tekster; "
                            f"grensen er {_n(limits.cells)}. {_HOW_TO_FIX}"
                        )
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise SheetRefused(f"Regnearket kan ikke leses: {exc}") from exc
    return size


def _too_big_unpacked(limits: SheetLimits) -> None:
    raise SheetRefused(
        f"Regnearket er for stort: pakket ut er det over {_size(limits.unpacked_bytes)} "
        f"(grensen). {_HOW_TO_FIX}"
    )


def _check_members(book: zipfile.ZipFile, limits: SheetLimits) -> None:
    total = 0
    for info in book.infolist():
        total += info.file_size
        if total > limits.unpacked_bytes:
            _too_big_unpacked(limits)
        if info.file_size > limits.ratio_from and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            raise SheetRefused(
                f"Regnearket kan ikke leses: {info.filename} pakkes ut til over "
                f"{_n(limits.ratio)} ganger sin størrelse i filen (grensen), slik en "
                f"zip-bombe gjør. {_HOW_TO_FIX}"
            )


def _check_extent(extent: _Extent, limits: SheetLimits) -> None:
    rows = max(extent.rows, extent.declared_rows)
    columns = max(extent.columns, extent.declared_columns)
    if columns > limits.columns:
        raise SheetRefused(
            f"Regnearket er for bredt: det går til kolonne "
            f"{column_letters(columns) if columns < _HUGE else _n(columns)} ({_n(columns)} "
            f"kolonner); grensen er "
            f"{_n(limits.columns)} kolonner. {_HOW_TO_FIX}"
        )
    if rows > limits.rows:
        raise SheetRefused(
            f"Regnearket har for mange rader: det går til rad {_n(rows)}; grensen er "
            f"{_n(limits.rows)} rader. {_HOW_TO_FIX}"
        )
    if rows * columns > limits.cells:
        raise SheetRefused(
            f"Regnearket er for stort: {_n(rows)} rader × {_n(columns)} kolonner er "
            f"{_n(rows * columns)} celler; grensen er {_n(limits.cells)} celler. {_HOW_TO_FIX}"
        )
