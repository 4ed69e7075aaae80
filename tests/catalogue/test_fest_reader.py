"""The streaming FEST reader on its own: no database, just a file in and typed entries out."""

from __future__ import annotations

import pytest

from legemiddel.catalogue import fest
from legemiddel.demo import festgen
from legemiddel.lib.tabular import RowError
from tests.catalogue.festfiles import RETRIEVED, catalogue, write, write_text, xml_text


def read(path):
    with fest.open_fest(path) as stream:
        return list(fest.read_fest(stream))


@pytest.mark.parametrize(
    ("code", "label", "expected"),
    [
        ("3", "AIP", "AIP"),
        ("4", "AUP", "AUP"),
        ("4", "AIP", "AIP"),  # the label wins over a code that says otherwise
        ("3", "AUP", "AUP"),
        ("3", "Apotekets innkjøpspris", "AIP"),
        ("1", "Apotekets utsalgspris", "AUP"),
        ("5", "Trinnpris", "TRINN"),
        ("2", "Refusjonspris", "REFUSJON"),
        ("3", "", "AIP"),  # no label: by the code, per the specification
        ("4", "", "AUP"),
        ("5", "", "TRINN"),
        ("9", "", "ANNEN"),
        ("", "Maksimalpris", "ANNEN"),
    ],
)
def test_the_price_type_is_read_from_the_label_else_the_code(code, label, expected):
    assert fest.price_type(code, label) == expected


def test_it_yields_the_header_first_then_entries_and_catalogue_markers(tmp_path):
    cat = festgen.synthetic_catalogue(packages=12, interactions=3, interaction_text=50)

    items = read(write(cat, tmp_path / "fest.xml"))

    assert isinstance(items[0], fest.Header)
    assert items[0].retrieved_at == festgen.DEMO_RETRIEVED
    assert sum(isinstance(i, fest.Header) for i in items) == 1
    assert [i.name for i in items if isinstance(i, fest.Catalogue)] == [
        "KatLegemiddelMerkevare",
        "KatLegemiddelpakning",
        "KatVirkestoff",
        "KatRefusjon",
        "KatKodeverk",
        "KatByttegruppe",
        "KatInteraksjon",
    ]
    packages = [i for i in items if isinstance(i, fest.ParsedPackage)]
    assert [p.varenr for p in packages] == [p.varenr for p in cat.packages]
    assert not [i for i in items if isinstance(i, RowError)]


def test_it_reads_a_package_with_its_prices_and_the_line_it_starts_on(tmp_path):
    text = xml_text(catalogue())
    path = write_text(tmp_path / "fest.xml", text)

    humira = next(
        i for i in read(path) if isinstance(i, fest.ParsedPackage) and i.varenr == "012345"
    )

    assert humira.line == text[: text.index("<Varenr>012345<")].count("\n") + 1
    assert (humira.atc, humira.atc_name, humira.active) == ("L04AB04", "Adalimumab", True)
    assert humira.timestamp == catalogue().entries_changed_at != RETRIEVED
    assert [(p.type, str(p.amount), p.valid_from.isoformat()) for p in humira.prices] == [
        ("AIP", "10150.00", "2025-01-01"),
        ("AUP", "10654.30", "2025-01-01"),
        ("AIP", "9870.25", "2026-01-01"),
        ("AUP", "10366.80", "2026-01-01"),
    ]


def test_a_bad_entry_is_yielded_as_a_row_error_and_reading_goes_on(tmp_path):
    text = xml_text(catalogue()).replace("<Varenr>012345</Varenr>", "<Varenr>12345</Varenr>")

    items = read(write_text(tmp_path / "fest.xml", text))

    [error] = [i for i in items if isinstance(i, RowError)]
    assert (error.column, error.value) == ("Varenr", "12345")
    assert len([i for i in items if isinstance(i, fest.ParsedPackage)]) == 5


def test_a_zip_reads_the_same_entries_as_the_xml(tmp_path):
    cat = catalogue()

    assert read(write(cat, tmp_path / "fest.zip")) == read(write(cat, tmp_path / "fest.xml"))


def test_it_reads_only_atc_names_from_the_code_lists(tmp_path):
    codes = [
        i for i in read(write(catalogue(), tmp_path / "fest.xml")) if isinstance(i, fest.ParsedCode)
    ]

    assert {c.code_list for c in codes} == {"7180"}
    assert ("L04AB04", "Adalimumab") in [(c.code, c.name) for c in codes]


def test_an_empty_file_raises_a_file_error(tmp_path):
    path = tmp_path / "fest.xml"
    path.write_bytes(b"")

    with pytest.raises(fest.FestFileError, match="Filen er tom"):
        read(path)
