"""Downloads carry the right name and type, and open in Excel without running what a user
typed into an uploaded file."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.http import Http404

from legemiddel.core.downloads import (
    cell,
    content_disposition,
    csv_response,
    file_response,
    table_response,
    with_extension,
    xlsx_response,
)

RISKY = [
    '=HYPERLINK("http://x")',
    "+47 55 97 50 00",
    "@SUM(A1)",
    "-cmd|' /C calc'!A0",
    "\tvalue",
    "\rvalue",
]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+47 55 97 50 00", "'+47 55 97 50 00"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("\tvalue", "'\tvalue"),
        ("\rvalue", "'\rvalue"),
        ("-3", "-3"),
        ("-1 234,50", "-1 234,50"),
        ("Humira 40 mg", "Humira 40 mg"),
        ("", ""),
        (None, ""),
        (12.5, 12.5),
        (-3, -3),
        (Decimal("-1.50"), Decimal("-1.50")),
    ],
)
def test_text_excel_would_run_is_written_as_text(value, written):
    assert cell(value) == written


def test_the_csv_download_is_utf8_with_bom_and_semicolons():
    response = csv_response("f.csv", ["a", "b"], [["=1+1", "Ålesund"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="f.csv"'
    assert response.content.decode("utf-8") == "\ufeffa;b\r\n'=1+1;Ålesund\r\n"


def test_the_csv_keeps_numbers_as_numbers():
    response = csv_response("f", ["n", "m"], [[-3, 1.5]])
    assert response.content.decode("utf-8") == "\ufeffn;m\r\n-3;1.5\r\n"


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [
        ("feil-1", "csv", "feil-1.csv"),
        ("feil-1.csv", "csv", "feil-1.csv"),
        ("RAPPORT.CSV", "csv", "RAPPORT.CSV"),
        ("priser.csv", "xlsx", "priser.csv.xlsx"),
        ("forstevalg", "svg", "forstevalg.svg"),
        ("forstevalg", "png", "forstevalg.png"),
        ("oppstartsmote-3", "ics", "oppstartsmote-3.ics"),
    ],
)
def test_the_file_name_always_carries_the_extension(name, fmt, expected):
    assert with_extension(name, fmt) == expected


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("svg", "image/svg+xml"),
        ("png", "image/png"),
        ("ics", "text/calendar; charset=utf-8"),
    ],
)
def test_each_format_has_its_content_type(fmt, content_type):
    response = file_response(b"x", filename="fil", fmt=fmt)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="fil.{fmt}"'


def test_a_name_with_norwegian_letters_has_an_ascii_fallback_and_the_exact_name():
    header = content_disposition("Kostnadsdrivere Ålesund og Bærum, sørøst.csv")
    fallback, exact = header.split("; filename*=UTF-8''")
    assert fallback == 'attachment; filename="Kostnadsdrivere-Alesund-og-Baerum-sorost.csv"'
    assert unquote(exact) == "Kostnadsdrivere Ålesund og Bærum, sørøst.csv"
    assert header.isascii()


def test_a_name_cannot_carry_a_path_or_break_the_header():
    assert content_disposition('../../etc/"passwd".csv') == (
        'attachment; filename="etc--passwd-.csv"'
    )
    assert content_disposition("a\r\nSet-Cookie: x.csv") == (
        "attachment; filename=\"a--Set-Cookie-x.csv\"; filename*=UTF-8''a--Set-Cookie%3A%20x.csv"
    )


def test_an_ascii_name_has_no_extended_parameter():
    assert content_disposition("lis-priser-avtale-4.xlsx") == (
        'attachment; filename="lis-priser-avtale-4.xlsx"'
    )


def _xlsx_cells(content: bytes) -> tuple[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        styles = book.read("xl/styles.xml").decode()
    return sheet, styles


def test_the_xlsx_writes_risky_text_as_quoted_text_and_numbers_as_numbers():
    from python_calamine import CalamineWorkbook

    rows = [[text, -3, Decimal("-1.50"), dt.date(2026, 3, 1), "-1 234,50"] for text in RISKY]
    response = xlsx_response("f", ["tekst", "n", "kr", "dag", "tall"], rows)
    assert response["Content-Disposition"] == 'attachment; filename="f.xlsx"'
    sheet, styles = _xlsx_cells(response.content)
    assert "<f>" not in sheet  # no formula cells at all
    assert 'quotePrefix="1"' in styles
    data = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    values = data.to_python()
    assert [row[0] for row in values[1:]] == RISKY
    assert all(row[1] == -3 and row[2] == -1.5 for row in values[1:])
    assert all(row[4] == "-1 234,50" for row in values[1:])


def test_a_table_is_csv_or_xlsx_and_nothing_else():
    assert table_response("csv", "t", ["a"], [[1]])["Content-Disposition"].endswith('t.csv"')
    assert table_response("xlsx", "t", ["a"], [[1]])["Content-Disposition"].endswith('t.xlsx"')
    with pytest.raises(Http404):
        table_response("pdf", "t", ["a"], [[1]])
