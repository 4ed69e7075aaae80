"""Bad decision lists: a clear message naming file, row and column, and nothing stored."""

from __future__ import annotations

import pytest
import xlsxwriter

from legemiddel.core import jobs
from legemiddel.lib.tabular import ImportRejected
from legemiddel.methods.importing import methods_import
from legemiddel.methods.models import Method, MethodImport, MethodRow, Specialty
from tests.methods.conftest import HEADER, row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def _nothing_stored() -> None:
    assert Method.objects.count() == 0
    assert MethodImport.objects.count() == 0
    assert MethodRow.objects.count() == 0
    assert Specialty.objects.count() == 0


def _rejected(path, name="liste.xlsx") -> list:
    with pytest.raises(ImportRejected) as caught:
        methods_import(path=path, file_name=name)
    _nothing_stored()
    return caught.value.errors


def _one(tmp_path, values, name="liste.xlsx"):
    path = tmp_path / name
    (write_csv if name.endswith(".csv") else write_xlsx)(path, [row(), values])
    errors = _rejected(path, name)
    assert len(errors) == 1, errors
    return errors[0]


def test_missing_headers_are_named(tmp_path):
    header = [h for h in HEADER if h not in ("Handelsenavn", "Dato siste beslutning")]
    path = write_xlsx(tmp_path / "l.xlsx", [row()[:2] + row()[3:6] + row()[7:]], header=header)
    (error,) = _rejected(path, "l.xlsx")
    assert error.row == 0
    assert error.message.startswith(
        "l.xlsx: Mangler kolonne(r): Handelsenavn, Dato siste beslutning."
    )


@pytest.mark.parametrize("name", ["liste.xlsx", "liste.csv"])
@pytest.mark.parametrize(
    "value", ["2019073", "ID-2019", "19_073", "2019_073 AB", "=cmd|' /C calc'!A0", ""]
)
def test_an_id_in_neither_form(tmp_path, name, value):
    error = _one(tmp_path, row(method_id=value), name)
    assert error.row == 3
    assert error.column == f"{name}: ID-nr"
    assert "verken formen 2019_073 eller ID2019_073" in error.message


@pytest.mark.parametrize(
    "value", ["31.02.2024", "i går", "NaN", "inf", "-inf", "1e309", "-5", "2024/05/14"]
)
def test_a_date_that_is_neither_a_serial_nor_a_date(tmp_path, value):
    error = _one(tmp_path, row(day=value))
    assert (error.row, error.column) == (3, "liste.xlsx: Dato siste beslutning")
    assert "Excels datotall (0 betyr ingen dato)" in error.message
    assert error.value == value


@pytest.mark.parametrize("value", [5, 2958465, "01.01.1899", "9999999"])
def test_a_date_out_of_range(tmp_path, value):
    error = _one(tmp_path, row(day=value))
    assert error.column == "liste.xlsx: Dato siste beslutning"
    assert "mellom 01.01.1990 og 31.12.2100" in error.message


def test_nan_and_infinity_as_number_cells_are_error_cells_read_as_empty(tmp_path):
    """A spreadsheet cannot hold NaN or infinity: they are written as error cells (#NUM!),
    which the sheet reader gives as empty cells, as for every importer: no date."""
    path = tmp_path / "l.xlsx"
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for r, value in enumerate((float("nan"), float("inf")), start=1):
        sheet.write_row(r, 0, row(method_id=f"2019_07{r}")[:6])
        sheet.write_number(r, 6, value)
        sheet.write_row(r, 7, row()[7:])
    book.close()
    methods_import(path=path)
    assert list(Method.objects.values_list("decision_date", flat=True)) == [None, None]


def test_an_empty_decision_text(tmp_path):
    error = _one(tmp_path, row(short="   "))
    assert (error.row, error.column) == (3, "liste.xlsx: Gjeldende beslutning Kortversjon")
    assert error.message == "Gjeldende beslutning (kortversjon) mangler."


def test_an_unknown_method_type(tmp_path):
    error = _one(tmp_path, row(kind="Vaksiner"))
    assert (error.row, error.column, error.value) == (3, "liste.xlsx: Metodetype", "Vaksiner")
    assert "Legemidler" in error.message


def test_the_same_id_and_indication_with_another_decision(tmp_path):
    error = _one(tmp_path, row(indication="atopisk  DERMATITT", short="Innføres ikke."))
    assert (error.row, error.column) == (3, "liste.xlsx: Gjeldende beslutning Kortversjon")
    assert "ID2019_073 med samme bruksområde står også på rad 2" in error.message


def test_every_error_is_reported_at_once(tmp_path):
    path = write_xlsx(
        tmp_path / "l.xlsx",
        [
            row(method_id="x"),
            row(method_id="2019_074", day="?"),
            row(method_id="2019_075", short=""),
        ],
    )
    errors = _rejected(path, "l.xlsx")
    assert [e.row for e in errors] == [2, 3, 4]


def test_control_characters(tmp_path):
    path = write_csv(tmp_path / "l.csv", [row(substance="Dupi\x00lumab")])
    (error,) = _rejected(path, "l.csv")
    assert (error.row, error.column) == (2, "l.csv: Virkestoff")
    assert "kontrolltegn" in error.message


def test_a_text_that_is_too_long(tmp_path):
    error = _one(tmp_path, row(substance="x" * 501))
    assert error.column == "liste.xlsx: Virkestoff"
    assert "høyst 500 tegn" in error.message


def test_a_formula_is_kept_as_text_never_run(import_list):
    import_list([row(substance='=HYPERLINK("http://x")')])
    assert Method.objects.get().substance_text == '=HYPERLINK("http://x")'


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Filen er tom."),
        (";".join(HEADER).encode() + b"\r\n", "Filen har ingen rader."),
        (b"\xff\xfe\x00\xd8", "UTF-16"),
    ],
)
def test_empty_header_only_and_broken_files(tmp_path, data, message):
    path = tmp_path / "l.csv"
    path.write_bytes(data)
    (error,) = _rejected(path, "l.csv")
    assert error.row == 0
    assert error.message.startswith("l.csv: ")
    assert message in error.message


def test_a_truncated_workbook(tmp_path):
    data = write_xlsx(tmp_path / "full.xlsx", [row()]).read_bytes()
    path = tmp_path / "l.xlsx"
    path.write_bytes(data[: len(data) // 2])
    (error,) = _rejected(path, "l.xlsx")
    assert "l.xlsx: " in error.message
    assert "Regnearket kan ikke leses" in error.message


def test_a_huge_sheet_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "l.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, row())
    sheet.write_string(500_000, 0, "x")
    book.close()
    (error,) = _rejected(path, "l.xlsx")
    assert "rader" in error.message


def test_the_job_kind_bounds_the_file_size():
    kind = jobs.get("metoder")
    assert kind.max_bytes == 50 * 1024 * 1024
    assert set(kind.extensions) == {".xlsx", ".csv", ".txt"}
