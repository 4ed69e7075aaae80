"""Table downloads: CSV (see :mod:`legemiddel.lib.csvexport`) or XLSX, from the same rows.

XLSX is written with XlsxWriter in constant-memory mode. Text cells are written as strings,
so nothing a user typed is ever evaluated as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import Http404, HttpResponse

from legemiddel.lib.csvexport import csv_response

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]], sheet: str = "Data"
) -> HttpResponse:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "strings_to_formulas": False, "in_memory": True}
    )
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "dd.mm.yyyy"})
    money = book.add_format({"num_format": "#,##0.00"})
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
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    book.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def table_response(
    fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """``fmt`` is ``csv`` or ``xlsx``; ``filename`` has no extension."""
    if fmt == "csv":
        return csv_response(f"{filename}.csv", header, rows)
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows)
    raise Http404
