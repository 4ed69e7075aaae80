"""A bad FEST file is refused as a whole: the errors say what is wrong and where (line in the
XML), and the catalogue that was loaded before is left exactly as it was."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from legemiddel.catalogue import fest
from legemiddel.catalogue.services import fest_import
from legemiddel.lib.tabular import ImportRejected, RowError
from tests.catalogue.festfiles import (
    FILLERS,
    HUMIRA,
    LATER,
    METFORMIN,
    catalogue,
    line_of,
    load,
    package_spec,
    snapshot,
    write,
    write_text,
    xml_text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def before(tmp_path):
    """A good catalogue loaded first, so there is something to protect; its snapshot."""
    load(write(catalogue(), tmp_path / "good.xml"))
    return snapshot()


def refused(path, before, **options) -> list[RowError]:
    """Import ``path``; it must be refused and change nothing. Return the errors."""
    with pytest.raises(ImportRejected) as rejected:
        fest_import(path=path, **options)
    assert snapshot() == before
    assert rejected.value.errors
    return rejected.value.errors


def only_message(errors: list[RowError]) -> str:
    [error] = errors
    return error.message


def later_text() -> str:
    """The good catalogue, retrieved later, as XML text to break."""
    return xml_text(catalogue(LATER))


# --- Not a FEST file at all -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("fest.xml", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
        ("fest.xml", b"varenr;navn\n012345;Humira inj 40 mg\n"),
    ],
    ids=["pdf", "csv"],
)
def test_a_file_that_is_not_xml_is_refused(tmp_path, before, name, content):
    path = tmp_path / name
    path.write_bytes(content)

    message = only_message(refused(path, before))

    assert message.startswith("Filen er ikke XML")
    assert "linje 1" in message


def test_xml_with_another_root_element_is_refused(tmp_path, before):
    path = write_text(tmp_path / "fest.xml", "<?xml version='1.0'?>\n<html><body/></html>\n")

    message = only_message(refused(path, before))

    assert "Rotelementet er «html», ikke «FEST»" in message


def test_a_fest_root_in_another_namespace_is_refused(tmp_path, before):
    old_ns = "http://www.kith.no/xmlstds/eresept/m30/2013-10-08"
    path = write_text(tmp_path / "fest.xml", later_text().replace(fest.M30_NS, old_ns))

    message = only_message(refused(path, before))

    assert f"navnerommet «{old_ns}»" in message
    assert "M30" in message


def test_a_fest_root_without_a_namespace_is_refused(tmp_path, before):
    text = later_text().replace(f' xmlns="{fest.M30_NS}"', "", 1)
    path = write_text(tmp_path / "fest.xml", text)

    assert "navnerommet «ingen»" in only_message(refused(path, before))


def test_a_truncated_file_is_refused_as_cut_off(tmp_path, before):
    text = later_text()
    path = write_text(tmp_path / "fest.xml", text[: len(text) // 2])

    message = only_message(refused(path, before))

    assert "slutter midt i XML-en" in message
    assert "avkortet" in message
    assert "Last ned FEST-filen på nytt" in message


@pytest.mark.parametrize("content", [b"", b"  \n\n  "], ids=["empty", "blank"])
def test_an_empty_file_is_refused(tmp_path, before, content):
    path = tmp_path / "fest.xml"
    path.write_bytes(content)

    assert only_message(refused(path, before)) == "Filen er tom."


def test_xml_broken_in_the_middle_is_refused_with_the_line(tmp_path, before):
    text = later_text()
    line = line_of(text, f"<Varenr>{METFORMIN}</Varenr>")
    text = text.replace(f"<Varenr>{METFORMIN}</Varenr>", f"<Varenr>{METFORMIN}</Vare>")
    path = write_text(tmp_path / "fest.xml", text)

    message = only_message(refused(path, before))

    assert message.startswith(f"Feil i XML på linje {line}")


def test_nested_entities_are_refused_without_being_expanded(tmp_path, before):
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    path = write_text(
        tmp_path / "fest.xml",
        f'<?xml version="1.0"?>\n<!DOCTYPE FEST [{entities}]>\n'
        f'<FEST xmlns="{fest.M30_NS}"><HentetDato>&lol9;</HentetDato></FEST>\n',
    )

    message = only_message(refused(path, before))

    # libxml2 stops at its amplification limit; without one the entity would stay unexpanded
    # and HentetDato would not be a time. Either way the file is refused, naming a line.
    assert message.startswith(("Feil i XML på linje", "HentetDato på linje"))


# --- Zip files --------------------------------------------------------------------------------


def test_a_zip_without_an_xml_file_is_refused(tmp_path, before):
    path = tmp_path / "fest.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("LESMEG.txt", "FEST-filen kommer senere.")

    assert only_message(refused(path, before)) == "Zip-filen inneholder ingen XML-fil."


def test_a_zip_with_two_xml_files_is_refused_naming_them(tmp_path, before):
    path = tmp_path / "fest.zip"
    text = later_text()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("fest251.xml", text)
        archive.writestr("fest252.xml", text)

    message = only_message(refused(path, before))

    assert "Zip-filen inneholder 2 XML-filer (fest251.xml, fest252.xml)" in message
    assert "én FEST-fil om gangen" in message


def test_a_zip_cut_off_in_the_middle_is_refused_as_damaged(tmp_path, before):
    whole = write(catalogue(LATER), tmp_path / "whole.zip").read_bytes()
    path = tmp_path / "fest251.zip"
    path.write_bytes(whole[: len(whole) // 2])

    message = only_message(refused(path, before))

    assert "Zip-filen er skadet eller avkortet" in message
    assert "Last ned FEST-filen på nytt" in message


def test_a_zip_bomb_is_refused_from_its_directory_without_unpacking(tmp_path, before, monkeypatch):
    size = 300 * 1024 * 1024
    path = tmp_path / "fest.zip"
    zeros = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("fest.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(size // len(zeros)):
            member.write(zeros)
    assert path.stat().st_size < 1024 * 1024

    def no_unpacking(*args, **kwargs):
        raise AssertionError("the zip member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_unpacking)

    message = only_message(refused(path, before))

    assert "fest.xml pakker ut til 314 572 800 byte" in message
    assert "zip-bombe" in message


# --- Bad entries: the error names the line of the entry ---------------------------------------


def broken(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """The later catalogue with ``old`` replaced by ``new`` once: its path, and the line
    ``old`` was on."""
    text = later_text()
    assert old in text
    line = line_of(text, old)
    return write_text(tmp_path / "fest.xml", text.replace(old, new, 1)), line


def test_a_package_without_varenr_is_refused_at_its_line(tmp_path, before):
    path, line = broken(tmp_path, f"<Varenr>{HUMIRA}</Varenr>", "")

    [error] = refused(path, before)

    assert (error.row, error.column) == (line, "Varenr")
    assert error.message == "Legemiddelpakning mangler Varenr, som er påkrevd."


def test_a_package_without_its_name_is_refused_at_its_line(tmp_path, before):
    path, line = broken(tmp_path, "<NavnFormStyrke>Humira inj 40 mg 2 stk</NavnFormStyrke>", "")

    [error] = refused(path, before)

    assert (error.row, error.column) == (line, "NavnFormStyrke")
    assert "Legemiddelpakning 012345 mangler NavnFormStyrke" in error.message


@pytest.mark.parametrize("varenr", ["12345", "0123456", "01234A", "012 345"])
def test_a_varenr_that_is_not_six_digits_is_refused(tmp_path, before, varenr):
    path, line = broken(tmp_path, f"<Varenr>{HUMIRA}</Varenr>", f"<Varenr>{varenr}</Varenr>")

    [error] = refused(path, before)

    assert (error.row, error.column, error.value) == (line, "Varenr", varenr)
    assert "Varenr skal være seks sifre (med ledende nuller)" in error.message


def test_the_same_varenr_twice_in_one_file_names_both_lines(tmp_path, before):
    cat = catalogue(LATER)
    package_spec(cat, FILLERS[2]).varenr = METFORMIN
    text = xml_text(cat)
    first, second = (
        number
        for number, line in enumerate(text.split("\n"), start=1)
        if f"<Varenr>{METFORMIN}</Varenr>" in line
    )
    path = write_text(tmp_path / "fest.xml", text)

    [error] = refused(path, before)

    assert (error.row, error.column, error.value) == (second, "Varenr", METFORMIN)
    assert f"Varenr {METFORMIN} står to ganger i filen (første gang på linje {first})" in (
        error.message
    )


def test_the_same_varenr_twice_is_found_even_when_the_whole_file_is_one_line(tmp_path, before):
    cat = catalogue(LATER)
    package_spec(cat, FILLERS[2]).varenr = METFORMIN
    path = write_text(tmp_path / "fest.xml", xml_text(cat).replace("\n", ""))

    errors = refused(path, before)

    assert any(f"Varenr {METFORMIN} står to ganger" in e.message for e in errors)


def test_a_price_without_a_valid_from_date_is_refused(tmp_path, before):
    path, line = broken(
        tmp_path,
        "<Pris V=\"9870.25\" U='NOK'/><GyldigFraDato>2026-01-01</GyldigFraDato>",
        "<Pris V=\"9870.25\" U='NOK'/>",
    )

    [error] = refused(path, before)

    assert (error.row, error.column) == (line, "PrisVare/GyldigFraDato")
    assert error.message == "Pakning 012345 har en pris (AIP) uten gyldig fra-dato."


def test_a_price_with_a_date_that_is_not_a_date_is_refused(tmp_path, before):
    path, line = broken(
        tmp_path,
        "<Pris V=\"9870.25\" U='NOK'/><GyldigFraDato>2026-01-01</GyldigFraDato>",
        "<Pris V=\"9870.25\" U='NOK'/><GyldigFraDato>1. januar</GyldigFraDato>",
    )

    [error] = refused(path, before)

    assert (error.row, error.value) == (line, "1. januar")
    assert "uten gyldig fra-dato" in error.message


@pytest.mark.parametrize("amount", ["9 870,25 kr", "gratis", "", "NaN"])
def test_a_price_whose_amount_is_not_a_number_is_refused(tmp_path, before, amount):
    path, line = broken(tmp_path, 'Pris V="9870.25"', f'Pris V="{amount}"')

    [error] = refused(path, before)

    assert (error.row, error.column, error.value) == (line, "PrisVare/Pris", amount)
    assert error.message == "Pakning 012345 har en pris som ikke er et tall."


def test_a_negative_price_is_refused(tmp_path, before):
    path, line = broken(tmp_path, 'Pris V="9870.25"', 'Pris V="-5"')

    [error] = refused(path, before)

    assert (error.row, error.column, error.value) == (line, "PrisVare/Pris", "-5")
    assert error.message == "Pakning 012345 har en negativ pris."


def test_a_file_without_hentetdato_is_refused(tmp_path, before):
    text = later_text()
    start, end = text.index("<HentetDato>"), text.index("</HentetDato>") + len("</HentetDato>")
    path = write_text(tmp_path / "fest.xml", text[:start] + text[end:])

    message = only_message(refused(path, before))

    assert "mangler HentetDato" in message
    assert "FEST M30-fil" in message


def test_a_file_whose_hentetdato_is_not_a_time_is_refused(tmp_path, before):
    path, line = broken(
        tmp_path, "<HentetDato>2026-03-16T03:12:05</HentetDato>", "<HentetDato>i går</HentetDato>"
    )

    message = only_message(refused(path, before))

    assert f"HentetDato på linje {line} er ikke et tidspunkt («i går»)" in message


@pytest.mark.parametrize("atc", ["L4AB04", "L04AB4", "l04ab04", "L04AB04X"])
def test_a_package_with_an_invalid_atc_code_is_refused(tmp_path, before, atc):
    cat = catalogue(LATER)
    package_spec(cat, HUMIRA).atc = atc
    text = xml_text(cat)
    path = write_text(tmp_path / "fest.xml", text)

    [error] = refused(path, before)

    assert (error.row, error.column, error.value) == (
        line_of(text, f"<Varenr>{HUMIRA}</Varenr>"),
        "Atc",
        atc,
    )
    assert error.message == "ATC-koden har ikke gyldig form."


def test_every_bad_entry_is_reported_in_one_go(tmp_path, before):
    cat = catalogue(LATER)
    package_spec(cat, HUMIRA).varenr = "12345"
    package_spec(cat, METFORMIN).atc = "A1BA02"
    package_spec(cat, FILLERS[0]).prices[0].amount = "mye"  # not a number
    path = write_text(tmp_path / "fest.xml", xml_text(cat))

    errors = refused(path, before)

    assert [e.column for e in errors] == ["Varenr", "Atc", "PrisVare/Pris"]
    assert [e.row for e in errors] == sorted(e.row for e in errors)


# --- Numbers that are not finite, or out of range ---------------------------------------------

NOT_FINITE = ["NaN", "nan", "INF", "-Infinity", "1e309", "1e400", "sNaN"]


@pytest.mark.parametrize("value", NOT_FINITE)
@pytest.mark.parametrize(
    ("old", "template", "column", "noun"),
    [
        (
            "<Statistikkfaktor>27.5862</Statistikkfaktor>",
            "<Statistikkfaktor>{}</Statistikkfaktor>",
            "Statistikkfaktor",
            "statistikkfaktor",
        ),
        ('<DDD V="2.9" U="mg"/>', '<DDD V="{}" U="mg"/>', "DDD", "DDD"),
        ("<Pakningsstr>2</Pakningsstr>", "<Pakningsstr>{}</Pakningsstr>", "Pakningsstr", "pakn"),
        ('Pris V="9870.25"', 'Pris V="{}"', "PrisVare/Pris", "pris"),
    ],
    ids=["statistikkfaktor", "ddd", "pakningsstr", "pris"],
)
def test_infinite_nan_and_huge_numbers_are_refused_at_their_line(
    tmp_path, before, value, old, template, column, noun
):
    path, line = broken(tmp_path, old, template.format(value))

    [error] = refused(path, before)

    assert (error.row, error.column, error.value) == (line, column, value)
    assert error.message.startswith("Pakning 012345 har ")
    assert noun in error.message
    assert ("ikke er et tall" in error.message) or ("grensen" in error.message)


@pytest.mark.parametrize(
    ("old", "new", "column", "message"),
    [
        (
            "<Statistikkfaktor>27.5862</Statistikkfaktor>",
            "<Statistikkfaktor>-1</Statistikkfaktor>",
            "Statistikkfaktor",
            "Pakning 012345 har en negativ statistikkfaktor.",
        ),
        (
            "<Statistikkfaktor>27.5862</Statistikkfaktor>",
            "<Statistikkfaktor>2000000000</Statistikkfaktor>",
            "Statistikkfaktor",
            "Pakning 012345 har en statistikkfaktor over 1\u00a0000\u00a0000\u00a0000, grensen.",
        ),
        (
            'Pris V="9870.25"',
            'Pris V="20000000000"',
            "PrisVare/Pris",
            "Pakning 012345 har en pris over 10\u00a0000\u00a0000\u00a0000, grensen.",
        ),
        (
            "<Pakningsstr>2</Pakningsstr>",
            "<Pakningsstr>to</Pakningsstr>",
            "Pakningsstr",
            "Pakning 012345 har en pakningsstørrelse som ikke er et tall.",
        ),
    ],
)
def test_numbers_outside_their_range_are_refused_with_the_limit(
    tmp_path, before, old, new, column, message
):
    path, line = broken(tmp_path, old, new)

    [error] = refused(path, before)

    assert (error.row, error.column, error.message) == (line, column, message)
