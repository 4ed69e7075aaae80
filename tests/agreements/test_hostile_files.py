"""Hostile agreement sheets: a workbook that would exhaust memory in the web process, numbers
that are not finite, control characters. Each is a clear error; nothing changes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from legemiddel.accounts.models import User
from legemiddel.agreements.importer import parse_lines
from legemiddel.agreements.models import Agreement, AgreementLine
from legemiddel.demo.services import demo_load
from tests.lib.workbooks import last_cell_bomb

HEADER = "indikasjonsgruppe;pasientgruppe;rang;varenr;LIS price;gyldig fra;gyldig til;packs"


@pytest.mark.django_db
def test_the_upload_view_refuses_a_workbook_that_would_exhaust_memory(db):
    demo_load(usage=False)
    agreement = Agreement.objects.get(title="MS 2026")
    before = list(AgreementLine.objects.filter(agreement=agreement).values_list("id", flat=True))
    client = Client()
    client.force_login(User.objects.get(username="innkjop"))
    data = last_cell_bomb(["indikasjonsgruppe", "rang", "varenr"])
    assert len(data) < 5 * 1024
    upload = SimpleUploadedFile("avtale.xlsx", data)
    response = client.post(reverse("agreements:import", args=[agreement.pk]), {"file": upload})
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert "Regnearket er for bredt" in text
    assert "Lagre arket som CSV" in text
    after = list(AgreementLine.objects.filter(agreement=agreement).values_list("id", flat=True))
    assert after == before


@pytest.mark.parametrize("value", ["inf", "-inf", "Infinity", "NaN", "nan", "1e309", "1e400"])
def test_prices_and_packs_that_are_not_finite_are_row_errors_under_the_files_header(value):
    data = "\n".join(
        [
            HEADER,
            f"Revmatoid artritt;alle;1;012345;{value};;;",
            f"Revmatoid artritt;alle;2;023456;100;;;{value}",
        ]
    ).encode()
    records, errors = parse_lines(data)
    assert records == []
    assert [(e.row, e.column) for e in errors] == [(2, "LIS price"), (3, "packs")]


def test_a_nul_in_a_cell_is_a_row_error():
    data = f"{HEADER}\nRevmatoid\x00 artritt;alle;1;012345;;;;\n".encode()
    records, errors = parse_lines(data)
    assert records == []
    assert [(e.row, e.column, e.value) for e in errors] == [
        (2, "indikasjonsgruppe", "Revmatoid\ufffd artritt")
    ]


def test_a_rank_of_five_thousand_digits_is_a_row_error_not_a_crash():
    rank = "9" * 5000
    records, errors = parse_lines(f"{HEADER}\nRevmatoid artritt;alle;{rank};012345;;;;\n".encode())
    assert records == []
    assert [(e.row, e.column, e.message) for e in errors] == [(2, "rang", "rang kan være høyst 99")]
