"""Defects the fuzzer found, each pinned by the smallest file that showed it."""

from __future__ import annotations

import pytest

from legemiddel.lib.tabular import ImportRejected
from legemiddel.usage.models import Administration, EPrescription
from tests.fuzz import (
    importers,  # noqa: F401  (registers every importer)
    world,
)
from tests.fuzz.harness import REGISTRY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("source", "content", "model"),
    [
        (
            "dips",
            "dato;fødselsnummer;enhet;varenr;episode\n"
            f"15.10.2025;{world.PATIENTS[0]};K1-A-E;;EP1\n",
            Administration,
        ),
        (
            "dipsresept",
            "dato;fødselsnummer;forskriver hpr;varenr\n"
            f"15.10.2025;{world.PATIENTS[0]};{world.PRESCRIBERS[0]};\n",
            EPrescription,
        ),
    ],
)
def test_a_dips_file_without_an_atc_column_and_a_row_without_varenr_is_refused_with_a_message(
    tmp_path, source, content, model
):
    # The check named the ATC column the file does not have, and polars raised instead.
    world.seed()
    path = tmp_path / "dips.csv"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(ImportRejected) as refused:
        REGISTRY[source].run(path)

    [error] = refused.value.errors
    assert (error.row, error.column, error.value) == (2, "atc", "")
    assert error.message == "Raden mangler både ATC-kode og varenr."
    assert not model.objects.exists()
