"""Workbooks written by hand (zip + XML), so a test can make one no spreadsheet program would:
a single cell at the last cell of a sheet, a sheet that declares a huge dimension, a zip bomb."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Ark1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="{target}"/>
</Relationships>"""
SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>{rows}</sheetData></worksheet>"""


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def row_xml(number: int, values: list[str], first_column: int = 1) -> str:
    cells = "".join(
        f'<c r="{column_letters(first_column + i)}{number}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def workbook(
    rows: list[list[str]] | None = None,
    *,
    extra_rows: str = "",
    dimension: str = "",
    sheet_xml: str | None = None,
    target: str = "worksheets/sheet1.xml",
    extra_members: dict[str, bytes] | None = None,
) -> bytes:
    """An XLSX file: ``rows`` from A1 as text cells, then ``extra_rows`` (raw XML)."""
    body = "".join(row_xml(n, values) for n, values in enumerate(rows or [], start=1))
    sheet = sheet_xml or SHEET.format(
        dimension=f'<dimension ref="{dimension}"/>' if dimension else "", rows=body + extra_rows
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(target=target))
        book.writestr("xl/" + target, sheet)
        for name, data in (extra_members or {}).items():
            book.writestr(name, data)
    return buffer.getvalue()


def last_cell_bomb(header: list[str]) -> bytes:
    """The header, and one cell at XFD1048576: a reader that sizes its memory from A1 to the
    last cell asks for 17 billion cells."""
    return workbook([header], extra_rows='<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')


def declared_bomb(header: list[str]) -> bytes:
    """A small sheet that declares its dimension as the whole sheet."""
    return workbook([header], dimension="A1:XFD1048576")


def zip_bomb(header: list[str]) -> bytes:
    """A workbook with a member that unpacks to a thousand times its packed size."""
    return workbook([header], extra_members={"xl/padding.xml": b" " * (4 * 1024 * 1024)})
