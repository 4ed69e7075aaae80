"""Reading an agreement's products from a spreadsheet (the ranking as a whole is checked in
test_importer_ranking.py).

Pure functions: no database. Row numbers count as a spreadsheet does (the header is row 1).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from legemiddel.agreements.importer import (
    LineRecord,
    parse_amount,
    parse_date,
    parse_lines,
)
from legemiddel.lib.formatting import NBSP, format_nok, format_number
from legemiddel.lib.tabular import RowError

HEADER = (
    "indikasjonsgruppe;pasientgruppe;rang;varenr;lis-pris;gyldig fra;gyldig til;"
    "kostnad per;pakninger per periode;dosering;vilkår;kommentar"
)
SHORT_HEADER = "indikasjonsgruppe;pasientgruppe;rang;varenr;lis-pris;gyldig fra;gyldig til"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def record(**fields: object) -> LineRecord:
    """A parsed line with the defaults an empty optional column gives."""
    defaults: dict[str, object] = {
        "row": 2,
        "indication_group": "Revmatoid artritt",
        "patient_group": "all",
        "rank": 1,
        "varenr": "012345",
        "lis_price": None,
        "valid_from": None,
        "valid_to": None,
        "cost_basis": "ddd",
        "packs_per_period": None,
        "dosing": "",
        "conditions": "",
        "comment": "",
    }
    return LineRecord(**(defaults | fields))


def one_row(**values: str) -> bytes:
    """A file with the short header and one row; unnamed cells hold a valid line."""
    cells = {
        "indikasjonsgruppe": "Revmatoid artritt",
        "pasientgruppe": "alle",
        "rang": "1",
        "varenr": "012345",
        "lis-pris": "",
        "gyldig fra": "",
        "gyldig til": "",
        "kostnad per": "",
        "pakninger per periode": "",
    }
    cells |= {key.replace("_", " "): value for key, value in values.items()}
    return csv_bytes(";".join(cells), ";".join(cells.values()))


# --- good files -----------------------------------------------------------------------------


def test_it_reads_every_column_of_a_semicolon_file():
    data = csv_bytes(
        HEADER,
        "Revmatoid artritt;Nye;1;012345;4 321,17 kr;01.03.2026;31.05.2026;ddd;;"
        "40 mg hver 2. uke;Ikke ved graviditet;Biotilsvarende",
        "Revmatoid artritt;bytte;2;23456;3987,65;2026-06-01;;år;26;40 mg annenhver uke;;",
        "Psoriasisartritt;;1;034 567;;;;per kur;2,5;;;",
    )

    records, errors = parse_lines(data)

    assert errors == []
    assert records == [
        record(
            patient_group="new",
            lis_price=Decimal("4321.17"),
            valid_from=dt.date(2026, 3, 1),
            valid_to=dt.date(2026, 5, 31),
            dosing="40 mg hver 2. uke",
            conditions="Ikke ved graviditet",
            comment="Biotilsvarende",
        ),
        record(
            row=3,
            patient_group="switch",
            rank=2,
            varenr="023456",
            lis_price=Decimal("3987.65"),
            valid_from=dt.date(2026, 6, 1),
            cost_basis="year",
            packs_per_period=Decimal("26"),
            dosing="40 mg annenhver uke",
        ),
        record(
            row=4,
            indication_group="Psoriasisartritt",
            varenr="034567",
            cost_basis="course",
            packs_per_period=Decimal("2.5"),
        ),
    ]


def test_it_reads_a_comma_separated_file_with_english_headers_and_quoted_prices():
    data = csv_bytes(
        "indication_group,patient_group,rank,varenr,lis_price,valid_from,cost_basis,packs_per_period",
        'Revmatoid artritt,new,1,012345,"4 321,17 kr",2026-03-01,year,"26"',
        "Revmatoid artritt,switch,2,023456,3987.65,,ddd,",
    )

    records, errors = parse_lines(data)

    assert errors == []
    assert records == [
        record(
            patient_group="new",
            lis_price=Decimal("4321.17"),
            valid_from=dt.date(2026, 3, 1),
            cost_basis="year",
            packs_per_period=Decimal("26"),
        ),
        record(
            row=3, patient_group="switch", rank=2, varenr="023456", lis_price=Decimal("3987.65")
        ),
    ]


@pytest.mark.parametrize(
    "header",
    [
        "Indication group;Patient group;Rank;Item number;Price;Valid from;Valid to;"
        "Cost basis;Packs per period;Dosage;Conditions;Note",
        "indication;patient_group;priority;varenr;unit price;from;to;cost per;packs;dosing;"
        "conditions;comment",
    ],
    ids=["english-words", "english-variants"],
)
def test_it_accepts_english_headers_as_well_as_norwegian(header):
    line = "RA;nye;1;012345;4321,17;01.03.2026;31.05.2026;år;13;40 mg;Ikke ved graviditet;Ny"
    expected, no_errors = parse_lines(csv_bytes(HEADER, line))

    records, errors = parse_lines(csv_bytes(header, line))

    assert errors == no_errors == []
    assert (
        records
        == expected
        == [
            record(
                indication_group="RA",
                patient_group="new",
                lis_price=Decimal("4321.17"),
                valid_from=dt.date(2026, 3, 1),
                valid_to=dt.date(2026, 5, 31),
                cost_basis="year",
                packs_per_period=Decimal("13"),
                dosing="40 mg",
                conditions="Ikke ved graviditet",
                comment="Ny",
            )
        ]
    )


def test_a_missing_column_is_named_in_norwegian_when_the_header_is_english():
    records, errors = parse_lines(csv_bytes("Indication group;Price", "RA;100"))

    assert records == []
    assert errors == [
        RowError(0, "", "", "Mangler kolonne(r): rang, varenr. Fant: Indication group, Price")
    ]


def test_it_reads_a_windows_1252_file_as_excel_saves_it():
    data = csv_bytes(
        "Indikasjonsgruppe;Rang;Varenr;Vilkår;Kostnad per;Pakninger",
        "Ulcerøs kolitt;1;012345;Førstevalg før bytte;År;13",
        encoding="cp1252",
    )

    records, errors = parse_lines(data)

    assert errors == []
    assert records == [
        record(
            indication_group="Ulcerøs kolitt",
            conditions="Førstevalg før bytte",
            cost_basis="year",
            packs_per_period=Decimal("13"),
        )
    ]


def test_it_reads_a_workbook_with_number_and_date_cells():
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Indikasjonsgruppe", "Pasientgruppe", "Rang", "Varenr", "LIS-pris", "Gyldig fra"])
    sheet.append(["Revmatoid artritt", "Alle", 1, 12345, 4321.17, dt.date(2026, 3, 1)])
    sheet.append(["Revmatoid artritt", "Alle", 2, "023456", "3 987,65 kr", dt.datetime(2026, 6, 1)])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["Revmatoid artritt", "Alle", 3, 34567.0, None, "01.07.2026"])
    buffer = io.BytesIO()
    book.save(buffer)

    records, errors = parse_lines(buffer.getvalue())

    assert errors == []
    assert records == [
        record(lis_price=Decimal("4321.17"), valid_from=dt.date(2026, 3, 1)),
        record(
            row=3,
            rank=2,
            varenr="023456",
            lis_price=Decimal("3987.65"),
            valid_from=dt.date(2026, 6, 1),
        ),
        # The empty row 4 is skipped but still counted.
        record(row=5, rank=3, varenr="034567", valid_from=dt.date(2026, 7, 1)),
    ]


@pytest.mark.parametrize(
    ("typed", "varenr"),
    [("12345", "012345"), ("1", "000001"), ("012345", "012345"), ("12 34 56", "123456")],
)
def test_it_pads_a_varenr_whose_leading_zeros_a_spreadsheet_dropped(typed, varenr):
    records, errors = parse_lines(one_row(varenr=typed))

    assert errors == []
    assert [r.varenr for r in records] == [varenr]


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("01.03.2026", dt.date(2026, 3, 1)),
        ("1.3.2026", dt.date(2026, 3, 1)),
        ("01.03.26", dt.date(2026, 3, 1)),
        ("2026-03-01", dt.date(2026, 3, 1)),
        ("29.02.2028", dt.date(2028, 2, 29)),
        ("", None),
    ],
)
def test_it_reads_norwegian_iso_and_short_dates(typed, day):
    records, errors = parse_lines(one_row(gyldig_fra=typed))

    assert errors == []
    assert [r.valid_from for r in records] == [day]


@pytest.mark.parametrize(
    ("typed", "group"),
    [
        ("", "all"),
        ("Alle", "all"),
        ("NYE PASIENTER", "new"),
        ("oppstart", "new"),
        ("Bytte (switch)", "switch"),
        ("eksisterende", "switch"),
    ],
)
def test_it_understands_the_usual_patient_group_spellings(typed, group):
    records, errors = parse_lines(one_row(pasientgruppe=typed))

    assert errors == []
    assert [r.patient_group for r in records] == [group]


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("4 321,17 kr", Decimal("4321.17")),
        (f"4{NBSP}321,17{NBSP}kr", Decimal("4321.17")),
        ("4.321,17", Decimal("4321.17")),
        ("4321.17", Decimal("4321.17")),
        ("4,321.17", Decimal("4321.17")),
        ("NOK 1 234 567,5", Decimal("1234567.5")),
        ("0", Decimal("0")),
        ("", None),
        ("  ", None),
    ],
)
def test_it_reads_amounts_written_the_ways_people_write_them(typed, amount):
    assert parse_amount(typed) == amount


@pytest.mark.parametrize(
    "typed", ["mange", "1e3", "NaN", "Infinity", "1_000", "1e-999999", "4,3,2"]
)
def test_it_refuses_what_is_not_a_plain_amount(typed):
    with pytest.raises(ValueError, match=re.escape(typed)):
        parse_amount(typed)


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_it_reads_back_every_amount_as_the_product_writes_it(amount):
    assert parse_amount(format_nok(amount)) == amount
    assert parse_amount(format_number(amount, 2).replace(NBSP, ".")) == amount
    assert parse_amount(format_number(amount, 2).replace(NBSP, " ")) == amount
    assert parse_amount(str(amount)) == amount
    assert parse_amount(f"{amount:,.2f}") == amount


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_it_reads_back_every_date_in_norwegian_and_iso_form(day):
    assert parse_date(f"{day.day:02}.{day.month:02}.{day.year:04}") == day
    assert parse_date(f" {day.isoformat()} ") == day


@pytest.mark.parametrize("typed", ["31.02.2026", "2026-13-01", "01/03/2026", "i morgen", "2026"])
def test_it_refuses_what_is_not_a_date(typed):
    with pytest.raises(ValueError, match=re.escape(typed)):
        parse_date(typed)


# --- bad rows -------------------------------------------------------------------------------

RANK_MESSAGE = "rang er et helt tall fra 1 (1 er førstevalg)"
DATE_MESSAGE = "er ikke en dato; skriv dd.mm.åååå"
PRICE_MESSAGE = "er ikke et beløp; skriv for eksempel 4321,17"
RANGE_MESSAGE = "beløpet må være mellom 0 og 999 999 999 999"
PACKS_NEEDED = "trengs når kostnaden regnes per år eller per kur (fra doseringen)"


@pytest.mark.parametrize(
    ("cells", "error"),
    [
        (
            {"indikasjonsgruppe": ""},
            RowError(2, "indikasjonsgruppe", "", "indikasjonsgruppe mangler"),
        ),
        (
            {"indikasjonsgruppe": "R" * 201},
            RowError(2, "indikasjonsgruppe", "R" * 50, "kan ha høyst 200 tegn"),
        ),
        (
            {"pasientgruppe": "barn"},
            RowError(2, "pasientgruppe", "barn", "skriv alle, nye eller bytte"),
        ),
        ({"rang": "0"}, RowError(2, "rang", "0", RANK_MESSAGE)),
        ({"rang": "x"}, RowError(2, "rang", "x", RANK_MESSAGE)),
        ({"rang": ""}, RowError(2, "rang", "", RANK_MESSAGE)),
        ({"rang": "-1"}, RowError(2, "rang", "-1", RANK_MESSAGE)),
        ({"rang": "1,5"}, RowError(2, "rang", "1,5", RANK_MESSAGE)),
        ({"rang": "²"}, RowError(2, "rang", "²", RANK_MESSAGE)),
        ({"rang": "100"}, RowError(2, "rang", "100", "rang kan være høyst 99")),
        ({"rang": "999999999999"}, RowError(2, "rang", "999999999999", "rang kan være høyst 99")),
        ({"varenr": "12a456"}, RowError(2, "varenr", "12a456", "varenr har seks sifre")),
        ({"varenr": "1234567"}, RowError(2, "varenr", "1234567", "varenr har seks sifre")),
        ({"varenr": ""}, RowError(2, "varenr", "", "varenr har seks sifre")),
        # A price is confidential: the error names the column, never the value.
        ({"lis-pris": "ca. 4000"}, RowError(2, "lis-pris", "", PRICE_MESSAGE)),
        ({"lis-pris": "-4 321,17"}, RowError(2, "lis-pris", "", RANGE_MESSAGE)),
        ({"lis-pris": "1000000000000"}, RowError(2, "lis-pris", "", RANGE_MESSAGE)),
        ({"gyldig fra": "31.02.2026"}, RowError(2, "gyldig fra", "31.02.2026", DATE_MESSAGE)),
        ({"gyldig til": "snart"}, RowError(2, "gyldig til", "snart", DATE_MESSAGE)),
        (
            {"gyldig fra": "01.02.2026", "gyldig til": "31.01.2026"},
            RowError(2, "gyldig til", "31.01.2026", "er før gyldig fra"),
        ),
        (
            {"kostnad per": "måned"},
            RowError(2, "kostnad per", "måned", "skriv ddd, år eller kur"),
        ),
        (
            {"kostnad per": "år"},
            RowError(2, "pakninger per periode", "", PACKS_NEEDED),
        ),
        (
            {"kostnad per": "kur"},
            RowError(2, "pakninger per periode", "", PACKS_NEEDED),
        ),
        (
            {"pakninger per periode": "0"},
            RowError(2, "pakninger per periode", "0", "må være større enn 0"),
        ),
        (
            {"pakninger per periode": "26 stk"},
            RowError(2, "pakninger per periode", "26 stk", "er ikke et tall"),
        ),
    ],
)
def test_it_reports_each_bad_cell_with_row_column_and_message(cells, error):
    records, errors = parse_lines(one_row(**{k.replace(" ", "_"): v for k, v in cells.items()}))

    assert records == []
    assert errors == [error]


def test_it_reports_every_problem_of_a_row_and_keeps_the_good_rows():
    data = csv_bytes(
        SHORT_HEADER,
        "Revmatoid artritt;alle;1;012345;;;",
        ";barn;0;12a;mye;32.01.2026;",
        "",
        "Revmatoid artritt;alle;2;023456;;;",
    )

    records, errors = parse_lines(data)

    assert [(r.row, r.varenr) for r in records] == [(2, "012345"), (5, "023456")]
    assert errors == [
        RowError(3, "indikasjonsgruppe", "", "indikasjonsgruppe mangler"),
        RowError(3, "pasientgruppe", "barn", "skriv alle, nye eller bytte"),
        RowError(3, "rang", "0", RANK_MESSAGE),
        RowError(3, "varenr", "12a", "varenr har seks sifre"),
        RowError(3, "lis-pris", "", PRICE_MESSAGE),
        RowError(3, "gyldig fra", "32.01.2026", DATE_MESSAGE),
    ]


# --- bad files ------------------------------------------------------------------------------


def test_it_names_the_missing_required_columns_as_a_file_error():
    records, errors = parse_lines(csv_bytes("indikasjonsgruppe;pris;produkt", "RA;1;012345"))

    assert records == []
    assert errors == [
        RowError(
            0, "", "", "Mangler kolonne(r): rang, varenr. Fant: indikasjonsgruppe, pris, produkt"
        )
    ]


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"", "Filen er tom."),
        (b" \n \n", "Filen er tom."),
        (b"PK\x03\x04 not really a workbook", "Regnearket kan ikke leses"),
    ],
)
def test_it_reports_an_unreadable_file_as_one_file_error(data, start):
    records, errors = parse_lines(data)

    assert records == []
    assert len(errors) == 1
    assert errors[0].row == 0
    assert errors[0].message.startswith(start)


def test_it_returns_nothing_for_a_file_with_only_the_header():
    assert parse_lines(csv_bytes(SHORT_HEADER)) == ([], [])
