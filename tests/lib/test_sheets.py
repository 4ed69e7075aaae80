"""A workbook is bounded before the spreadsheet reader sees it: a 5 KB file must not make the
process ask for hundreds of gigabytes (the reader sizes its memory from A1 to the last cell)."""

from __future__ import annotations

import pytest

from legemiddel.lib.profiles import profile_from_aliases
from legemiddel.lib.sheets import SMALL_SHEET, SheetLimits, SheetRefused, check_workbook
from legemiddel.lib.tabular import FileFormatError, read_table
from tests.lib.workbooks import (
    SHEET,
    declared_bomb,
    last_cell_bomb,
    row_xml,
    workbook,
    zip_bomb,
)

PROFILE = profile_from_aliases({"kode": "code", "navn": "name"}, {"code", "name"})
HEADER = ["kode", "navn"]


def rows_of(data: bytes) -> list[tuple[int, dict[str, str]]]:
    _, rows = read_table(data, PROFILE)
    return list(rows)


def test_an_ordinary_workbook_is_read():
    data = workbook([HEADER, ["A1", "Avdeling"], ["B2", "Post"]])
    assert rows_of(data) == [
        (2, {"code": "A1", "name": "Avdeling"}),
        (3, {"code": "B2", "name": "Post"}),
    ]


def test_a_5_kb_workbook_with_one_cell_at_the_last_cell_of_the_sheet_is_refused_clearly():
    data = last_cell_bomb(HEADER)
    assert len(data) < 5 * 1024
    with pytest.raises(FileFormatError) as refused:
        rows_of(data)
    message = str(refused.value)
    assert "Regnearket er for bredt" in message
    assert "kolonne XFD (16\u00a0384 kolonner)" in message
    assert "grensen er 100 kolonner" in message
    assert "Lagre arket som CSV" in message


def test_a_sheet_that_declares_the_whole_sheet_as_its_dimension_is_refused():
    with pytest.raises(FileFormatError, match="for bredt"):
        rows_of(declared_bomb(HEADER))


def test_a_sheet_reaching_the_last_row_is_refused_by_its_rows():
    data = workbook([HEADER], extra_rows='<row r="1048576"><c r="A1048576"><v>1</v></c></row>')
    with pytest.raises(FileFormatError) as refused:
        rows_of(data)
    assert "det går til rad 1\u00a0048\u00a0576; grensen er 100\u00a0000 rader" in str(
        refused.value
    )


def test_rows_times_columns_over_the_cell_limit_is_refused():
    limits = SheetLimits(rows=1000, columns=50, cells=2000, unpacked_bytes=10**8)
    data = workbook([HEADER], extra_rows=row_xml(100, ["x"], first_column=40))
    with pytest.raises(SheetRefused) as refused:
        check_workbook(data, limits)
    assert "100 rader × 40 kolonner er 4\u00a0000 celler; grensen er 2\u00a0000 celler" in str(
        refused.value
    )
    check_workbook(workbook([HEADER], extra_rows=row_xml(40, ["x"], first_column=40)), limits)


def test_cells_and_rows_without_a_position_are_counted_one_after_the_other():
    # A writer may leave out r="..."; the reader then places each cell after the last.
    cells = "<c><v>1</v></c>" * 150
    data = workbook(sheet_xml=SHEET.format(dimension="", rows=f"<row>{cells}</row>"))
    with pytest.raises(SheetRefused, match="kolonne ET \\(150 kolonner\\)"):
        check_workbook(data, SMALL_SHEET)
    rows = "<row><c><v>1</v></c></row>" * 20
    limits = SheetLimits(rows=10, columns=10, cells=100, unpacked_bytes=10**8)
    data = workbook(sheet_xml=SHEET.format(dimension="", rows=rows))
    with pytest.raises(SheetRefused, match="rad 20;"):
        check_workbook(data, limits)


def test_namespace_prefixes_and_a_sheet_outside_the_usual_folder_are_found():
    sheet = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<x:sheetData><x:row r="1"><x:c r="XFD1"><x:v>1</x:v></x:c></x:row></x:sheetData>'
        "</x:worksheet>"
    )
    data = workbook(sheet_xml=sheet, target="elsewhere/data.xml")
    with pytest.raises(SheetRefused, match="for bredt"):
        check_workbook(data, SMALL_SHEET)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    with pytest.raises(FileFormatError, match="zip-bombe"):
        rows_of(zip_bomb(HEADER))


def test_the_total_unpacked_size_is_bounded():
    limits = SheetLimits(rows=1000, columns=50, cells=10**6, unpacked_bytes=50_000)
    data = workbook([HEADER, *[["k", "x" * 100]] * 1000])
    with pytest.raises(SheetRefused, match="pakket ut er det over"):
        check_workbook(data, limits)


def test_a_file_that_is_not_a_zip_is_left_to_the_reader():
    with pytest.raises(FileFormatError, match="Regnearket kan ikke leses"):
        rows_of(b"PK\x03\x04 not really a zip")


def test_shared_strings_that_declare_a_billion_strings_are_refused():
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'count="4000000000" uniqueCount="4000000000"><si><t>kode</t></si></sst>'
    )
    data = workbook([HEADER], extra_members={"xl/sharedStrings.xml": strings.encode()})
    with pytest.raises(FileFormatError, match="4\u00a0000\u00a0000\u00a0000 tekster"):
        rows_of(data)
