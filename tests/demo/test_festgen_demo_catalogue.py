"""The FEST file we ship for the demo and the tests: in sync with its source and complete."""

from __future__ import annotations

import csv
import io

import pytest

from legemiddel.catalogue.models import (
    AtcCode,
    BrandSubstance,
    ExchangeGroup,
    Package,
    Price,
    RefundCode,
    RefundGroup,
)
from legemiddel.catalogue.services import fest_import
from legemiddel.demo import festgen


def test_the_shipped_file_is_what_the_generator_writes_from_the_drug_list():
    buffer = io.StringIO()
    festgen.write_fest(festgen.demo_catalogue(), buffer)
    assert festgen.DEMO_FEST.read_text(encoding="utf-8") == buffer.getvalue(), (
        "Regenerate: legemiddel festgen --demo src/legemiddel/demo/data/fest-demo.xml"
    )


@pytest.mark.django_db
def test_it_covers_every_element_the_importer_reads():
    fest_import(path=festgen.DEMO_FEST)
    assert set(Price.objects.values_list("type", flat=True)) == {
        "AIP",
        "AUP",
        "TRINN",
        "REFUSJON",
    }
    assert Price.objects.filter(valid_to__isnull=False).exists()
    assert Package.objects.filter(active=False, retired_at__isnull=False).count() == 1
    assert Package.objects.filter(is_h_resept=True).exists()
    assert Package.objects.filter(is_h_resept=False, refund_links__isnull=False).exists()
    assert ExchangeGroup.objects.get(code="APIX5-56").packages.count() == 2
    assert RefundGroup.objects.filter(is_h_resept=True).exists()
    assert RefundCode.objects.filter(system="ICD-10", valid_to__isnull=False).exists()
    assert BrandSubstance.objects.count() >= 100
    for level in range(1, 6):
        codes = AtcCode.objects.filter(level=level)
        assert codes.exists()
        assert not codes.filter(name="").exists(), f"unnamed ATC codes at level {level}"
    assert not Package.objects.filter(ddd_per_pack__isnull=True).exists()


@pytest.mark.django_db
def test_every_drug_in_the_demo_list_is_in_the_catalogue_with_its_real_atc_code():
    fest_import(path=festgen.DEMO_FEST)
    with festgen.DEMO_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    stored = dict(Package.objects.values_list("varenr", "atc_id"))
    assert {r["varenr"]: r["atc"] for r in rows}.items() <= stored.items()
    areas = {r["area"] for r in rows}
    assert {"TNF", "MS", "PD1", "VEGF", "JAK"} <= areas
