"""Reading reference CSV files the way users export them (Excel on Windows, or UTF-8 tools)."""

from __future__ import annotations

import pytest

from legemiddel.lib.profiles import profile_from_aliases
from legemiddel.lib.tabular import FileFormatError, RowError, decode, read_table

ALIASES = {"kode": "code", "code": "code", "navn": "name", "name": "name", "merknad": "note"}
REQUIRED = {"code", "name"}


def rows_of(data: bytes, required: set[str] = REQUIRED) -> list[tuple[int, dict[str, str]]]:
    _, rows = read_table(data, profile_from_aliases(ALIASES, required))
    return list(rows)


# --- decode ---------------------------------------------------------------------------------


def test_it_decodes_utf8():
    assert decode("Ærø og Åsane".encode()) == "Ærø og Åsane"


def test_it_strips_the_utf8_byte_order_mark():
    assert decode("\ufeffkode;navn".encode()) == "kode;navn"


def test_it_falls_back_to_windows_1252_and_decodes_norwegian_letters_right():
    assert decode("Grønning, Ærøy og Åsane – «sitat»".encode("cp1252")) == (
        "Grønning, Ærøy og Åsane – «sitat»"
    )


def test_it_rejects_bytes_that_are_neither_utf8_nor_windows_1252():
    # 0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined in Windows-1252.
    with pytest.raises(FileFormatError, match="UTF-8"):
        decode(b"kode;navn\n\x81\x8d\x8f\x90\x9d")


# --- read_table: delimiters, encodings, headers ----------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_it_detects_the_delimiter_from_the_header(delimiter):
    data = (
        delimiter.join(["kode", "navn"]).encode() + b"\n" + delimiter.join(["A1", "Navn"]).encode()
    )
    assert rows_of(data) == [(2, {"code": "A1", "name": "Navn"})]


def test_it_reads_an_excel_style_windows_1252_semicolon_file_with_crlf_line_endings():
    data = "Kode;Navn\r\nMED-REV;Revmatologisk avdeling, Ålesund\r\nK1;Øygarden\r\n".encode(
        "cp1252"
    )
    assert rows_of(data) == [
        (2, {"code": "MED-REV", "name": "Revmatologisk avdeling, Ålesund"}),
        (3, {"code": "K1", "name": "Øygarden"}),
    ]


def test_it_reads_utf8_with_a_byte_order_mark_so_the_first_column_is_recognised():
    data = "\ufeffkode,navn\nA1,Bjørnafjorden\n".encode()
    assert rows_of(data) == [(2, {"code": "A1", "name": "Bjørnafjorden"})]


def test_header_aliases_are_case_insensitive_and_trimmed_and_unknown_columns_ignored():
    data = b" KODE ;Name;Unknown column;Merknad\nA1;Navn;ignored;note\n"
    columns, rows = read_table(data, profile_from_aliases(ALIASES, REQUIRED))
    assert columns == ["code", "name", "", "note"]
    assert list(rows) == [(2, {"code": "A1", "name": "Navn", "note": "note"})]


def test_values_are_trimmed_and_quoted_values_may_contain_the_delimiter():
    data = 'kode;navn\n  A1 ;"Hud; og kjønnssykdommer"\n'.encode()
    assert rows_of(data) == [(2, {"code": "A1", "name": "Hud; og kjønnssykdommer"})]


def test_a_short_row_simply_lacks_the_missing_columns():
    assert rows_of(b"kode;navn;merknad\nA1\n") == [(2, {"code": "A1"})]


def test_row_numbers_count_like_a_spreadsheet_and_blank_lines_keep_the_numbering():
    data = b"kode;navn\nA1;En\n\n;  \nA2;To\n"
    assert [number for number, _ in rows_of(data)] == [2, 5]


def test_a_quoted_value_spanning_lines_is_one_spreadsheet_row():
    data = b'kode;navn\nA1;"to\nlinjer"\nA2;Neste\n'
    assert rows_of(data) == [
        (2, {"code": "A1", "name": "to\nlinjer"}),
        (3, {"code": "A2", "name": "Neste"}),
    ]


def test_a_header_only_file_has_no_rows():
    assert rows_of(b"kode;navn\n") == []


# --- read_table: rejections ------------------------------------------------------------------


def test_it_names_every_missing_required_column_and_the_columns_it_found():
    with pytest.raises(FileFormatError) as excinfo:
        read_table(b"Type;Merknad\nx;y\n", profile_from_aliases(ALIASES, REQUIRED))
    message = str(excinfo.value)
    assert "Mangler kolonne(r): kode, navn." in message
    assert "Fant: Type, Merknad" in message


@pytest.mark.parametrize("data", [b"", b"   \r\n\n\t", "\ufeff".encode()])
def test_it_rejects_an_empty_file(data):
    with pytest.raises(FileFormatError, match="tom"):
        read_table(data, profile_from_aliases(ALIASES, REQUIRED))


def test_it_rejects_binary_garbage_as_not_text():
    with pytest.raises(FileFormatError):
        read_table(bytes(range(256)), profile_from_aliases(ALIASES, REQUIRED))


def test_a_field_beyond_the_csv_size_limit_is_a_file_format_error_not_a_crash():
    data = b'kode;navn\nA1;"' + b"x" * 200_000 + b'"\n'
    with pytest.raises(FileFormatError, match="CSV"):
        read_table(data, profile_from_aliases(ALIASES, REQUIRED))


# --- RowError -------------------------------------------------------------------------------


def test_a_row_error_reads_as_row_column_value_and_message():
    error = RowError(7, "kode", "MED REV", "ugyldig kode")
    assert str(error) == "rad 7, kolonne «kode» (verdi «MED REV»): ugyldig kode"


def test_a_row_error_without_value_or_column_leaves_them_out():
    assert str(RowError(3, "navn", "", "navn mangler")) == "rad 3, kolonne «navn»: navn mangler"
    assert str(RowError(0, "", "", "Filen er tom.")) == "fil: Filen er tom."
