"""Every file the product hands out goes through here: CSV, XLSX, SVG, PNG and ICS.

One place decides the file name (always with its extension, ASCII for old clients and the
exact name with ``æøå`` in ``filename*``), the content type, and the formula-injection guard.

Values can come from uploaded files (the error and rejects reports repeat what the user sent), so
text a spreadsheet would run as a formula (``=``, ``+``, ``@``, a tab or carriage return, or
``-`` that does not start a number) is neutralised: CSV gets a leading apostrophe, which Excel
shows as text; XLSX writes every text as a string cell (never a formula), and marks the risky
ones with Excel's own quote prefix so editing the cell does not turn it into a formula either.
Numbers stay numbers in both.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from urllib.parse import quote

from django.http import Http404, HttpResponse

CONTENT_TYPES = {
    # Norwegian Excel opens CSV right only as UTF-8 with a BOM and ``;`` between fields.
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
    "png": "image/png",
    "ics": "text/calendar; charset=utf-8",
}
TABLE_FORMATS = ("csv", "xlsx")

_FORMULA_START = ("=", "+", "@", "\t", "\r")
_NUMBER = re.compile(r"-[\d\s.,]+")
# Letters NFKD does not take apart into a base letter and an accent.
_ASCII_LETTERS = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A"})
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SEPARATORS = re.compile(r'[/\\"\x00-\x1f\x7f]')


def is_risky(value: str) -> bool:
    """Whether a spreadsheet would run this text as a formula."""
    return value.startswith(_FORMULA_START) or (
        value.startswith("-") and not _NUMBER.fullmatch(value)
    )


def cell(value: object) -> object:
    """``value`` as safe to write to a CSV file that will be opened in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, str) and is_risky(value):
        return "'" + value
    return value


def with_extension(filename: str, fmt: str) -> str:
    """``filename`` ending in ``.<fmt>`` (added unless it is there already, in any case)."""
    suffix = f".{fmt}"
    return filename if filename.lower().endswith(suffix) else filename + suffix


def content_disposition(filename: str) -> str:
    """``attachment`` with the name as plain ASCII, plus the exact name (RFC 5987) when the
    two differ. Path separators and quotes never get into either."""
    exact = _SEPARATORS.sub("-", filename).lstrip(".- ") or "fil"
    ascii_name = unicodedata.normalize("NFKD", exact.translate(_ASCII_LETTERS))
    ascii_name = ascii_name.encode("ascii", "ignore").decode("ascii")
    ascii_name = _UNSAFE.sub("-", ascii_name).strip("-") or "fil"
    header = f'attachment; filename="{ascii_name}"'
    if ascii_name != exact:
        header += f"; filename*=UTF-8''{quote(exact, safe='')}"
    return header


def file_response(content: bytes | str, *, filename: str, fmt: str) -> HttpResponse:
    """A download of ``content`` in format ``fmt`` (a key of :data:`CONTENT_TYPES`)."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition(with_extension(filename, fmt))
    return response


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A table as CSV the way Norwegian Excel opens it."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return file_response(buffer.getvalue(), filename=filename, fmt="csv")


def xlsx_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    sheet: str = "Data",
    *,
    about: Sequence[tuple[str, object]] = (),
    percent: Collection[int] = (),
) -> HttpResponse:
    """A table as XLSX (XlsxWriter in constant-memory mode), dates and amounts formatted.

    ``percent`` names the columns (0-based) holding shares, shown as percentages; ``about``
    is a second sheet, "Om tallene", of (label, value) lines so the file stands alone (what
    the table is, for which place and period, from which data)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "strings_to_formulas": False, "in_memory": True}
    )
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "dd.mm.yyyy"})
    money = book.add_format({"num_format": "#,##0.00"})
    as_text = book.add_format({"quote_prefix": True})
    share = book.add_format({"num_format": "0.0 %"})
    ws = book.add_worksheet(sheet[:31])
    ws.write_row(0, 0, list(header), bold)
    ws.freeze_panes(1, 0)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, Decimal):
                ws.write_number(r, c, float(value), money)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value, share if c in percent else None)
            else:
                text = str(value)
                ws.write_string(r, c, text, as_text if is_risky(text) else None)
    if about:
        info = book.add_worksheet("Om tallene")
        info.set_column(0, 0, 24)
        info.set_column(1, 1, 100, book.add_format({"text_wrap": True, "valign": "top"}))
        for r, (label, value) in enumerate(about):
            info.write_string(r, 0, label, bold)
            if isinstance(value, dt.date):
                info.write_datetime(r, 1, dt.datetime.combine(value, dt.time()), date_format)
            else:
                text = "" if value is None else str(value)
                info.write_string(r, 1, text, as_text if is_risky(text) else None)
    book.close()
    return file_response(buffer.getvalue(), filename=filename, fmt="xlsx")


def table_response(
    fmt: str,
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    about: Sequence[tuple[str, object]] = (),
    percent: Collection[int] = (),
) -> HttpResponse:
    """A table in ``fmt`` (``csv`` or ``xlsx``; anything else is not found). ``about`` and
    ``percent`` apply to XLSX (see :func:`xlsx_response`); CSV stays the bare table."""
    if fmt == "csv":
        return csv_response(filename, header, rows)
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows, about=about, percent=percent)
    raise Http404
