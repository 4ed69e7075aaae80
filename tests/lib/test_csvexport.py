"""Downloads open in Excel without running what a user typed into an uploaded file."""

from __future__ import annotations

import pytest

from legemiddel.lib.csvexport import cell, csv_response


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+47 55 97 50 00", "'+47 55 97 50 00"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("\tvalue", "'\tvalue"),
        ("-3", "-3"),
        ("-1 234,50", "-1 234,50"),
        ("Humira 40 mg", "Humira 40 mg"),
        ("", ""),
        (None, ""),
        (12.5, 12.5),
    ],
)
def test_text_excel_would_run_is_written_as_text(value, written):
    assert cell(value) == written


def test_the_download_is_utf8_with_bom_and_semicolons():
    response = csv_response("f.csv", ["a", "b"], [["=1+1", "Ålesund"]])
    assert response["Content-Disposition"] == 'attachment; filename="f.csv"'
    assert response.content.decode("utf-8") == "\ufeffa;b\r\n'=1+1;Ålesund\r\n"
