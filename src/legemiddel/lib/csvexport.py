"""CSV downloads the way Norwegian Excel opens them: UTF-8 with BOM and ``;``.

Values can come from uploaded files (the error and rejects reports repeat what the user sent), so
text that Excel would run as a formula (``=``, ``+``, ``@``, a tab or carriage return, or ``-``
that does not start a number) gets a leading apostrophe: Excel shows it as text.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

_FORMULA_START = ("=", "+", "@", "\t", "\r")
_NUMBER = re.compile(r"-[\d\s.,]+")


def cell(value: object) -> object:
    """``value`` as safe to open in a spreadsheet."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    risky = value.startswith(_FORMULA_START) or (
        value.startswith("-") and not _NUMBER.fullmatch(value)
    )
    return "'" + value if risky else value


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return response
